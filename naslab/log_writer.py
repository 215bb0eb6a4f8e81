"""One search's hold on its trial log: a lock for the whole run, the header, and a check before each append.

`TrialLog(path, fingerprint)` is what `naslab.asktell.AskTellBook` (so `run_search` and the Ray Tune
adapter) opens on `path=`:

    open     refuse a file that is not a trial log (`naslab.trial_log.scan_log`, nothing written), take the
             lock, read the records back, compare the header's fingerprint (ValueError naming each
             differing field, unless fingerprint_mismatch="warn"), drop a torn last line, and write the
             header when the log is new
    lock     `<log>.lock`, locked with fcntl.flock (msvcrt.locking on Windows) and holding the writer's
             PID and host: a second writer, in this process or another, is refused at once (TrialLogError
             naming the path and the PID). The OS drops the lock when its process dies, so a killed
             search never blocks the next; `close()` (normal end, exception, Ctrl-C) removes the file
    append   only to the file it opened: deleted, replaced (another inode) or changed in size by another
             program since the last append is a TrialLogError naming the path, never a fresh log
             missing its first trials

Taught in: notebooks/01_grid_vs_random_search.ipynb (resume); used by every search with `path=`.
"""

from __future__ import annotations

import json
import os
import socket
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from naslab.trial_log import (
    FINGERPRINT_MISMATCH,
    FORMAT,
    HEADER_KEY,
    TrialLogError,
    drop_tail,
    fingerprint_diff,
    scan_log,
    write_all,
)

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # a byte far past the PID text, so that the holder's PID stays readable
            os.lseek(fd, 1 << 20, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def acquire_lock(path: Path) -> int:
    """Lock `<path>.lock` for this process (its fd) or raise TrialLogError naming the holder's PID."""
    lock = Path(f"{path}.lock")
    for _ in range(5):
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.lseek(fd, 0, os.SEEK_SET)
            holder = os.read(fd, 200).decode("utf-8", errors="replace").split()
            os.close(fd)
            who = f"process {holder[0]} on {holder[1]}" if len(holder) >= 2 else "another process"
            raise TrialLogError(f"{path} is being written by another search ({who}, lock file {lock}); two "
                                "searches on one log would mix their trials: wait for it to end, or use another file")
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:  # not a lock file its holder removed between our open and our lock
            me = f"{os.getpid()} {socket.gethostname()}\n".encode()
            os.lseek(fd, 0, os.SEEK_SET)
            write_all(fd, me)
            os.ftruncate(fd, len(me))
            return fd
        os.close(fd)
    raise TrialLogError(f"could not lock {lock}: it keeps being replaced")


def release_lock(path: Path, fd: int) -> None:
    try:
        os.unlink(f"{path}.lock")  # removed while still held: a waiting writer then sees a new file
    except FileNotFoundError:
        pass
    os.close(fd)  # closing releases the lock


class TrialLog:
    """One search's hold on its trial log (see the module docstring); `records` are the ones read back.

    Args:
        path: the JSONL file (created with its folder when missing).
        fingerprint: the search's fingerprint (a JSON dict), written in the header of a new log and
            compared with the header of an existing one; None: no header, no comparison.
        parse: turns each stored record into an item of `records` (e.g. `Trial.from_dict`).
        fingerprint_mismatch: "error" (default) refuses a log whose header differs; "warn" resumes it anyway.
    """

    def __init__(self, path: str | Path, fingerprint: dict | None = None, *, parse: Callable[[dict], Any] | None = None,
                 fingerprint_mismatch: str = "error"):
        if fingerprint_mismatch not in FINGERPRINT_MISMATCH:
            raise ValueError(f"fingerprint_mismatch={fingerprint_mismatch!r} is unknown; allowed: "
                             f"{list(FINGERPRINT_MISMATCH)}")
        self.path, self.fd, self.lock_fd = Path(path), None, None
        scan_log(self.path, parse)  # refuse a file that is not a trial log before creating anything beside it
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock_fd = acquire_lock(self.path)
        try:
            self.records = self._open(fingerprint, parse, fingerprint_mismatch)
        except BaseException:
            self.close()
            raise

    def _open(self, fingerprint: dict | None, parse, mismatch: str) -> list:
        scan = scan_log(self.path, parse)  # again, now that no other search writes to it
        old = (scan.header or {}).get("fingerprint")
        diff = fingerprint_diff(old, fingerprint) if isinstance(old, dict) and fingerprint is not None else []
        if diff:
            msg = f"{self.path} was written by a different search: {'; '.join(diff)}"
            if mismatch == "error":
                raise ValueError(f"{msg}. Use a new file for a different search, or pass "
                                 "fingerprint_mismatch='warn' to resume it anyway (mixing the two)")
            warnings.warn(f"{msg}; resuming it anyway (fingerprint_mismatch='warn')", RuntimeWarning, stacklevel=5)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if scan.tail is not None:
            drop_tail(self.path, scan, self.fd)
        if scan.size == 0 and fingerprint is not None:  # a new (or empty) log starts with the search's header
            write_all(self.fd, (json.dumps({HEADER_KEY: FORMAT, "fingerprint": fingerprint, "created": time.time()},
                                           allow_nan=False) + "\n").encode("utf-8"))
        st = os.fstat(self.fd)
        self.ident, self.size = (st.st_dev, st.st_ino), st.st_size
        return scan.records

    def append(self, line: str) -> None:
        """Append one line (with its newline) to the file this log opened, after checking it is still that file."""
        if self.fd is None:
            raise TrialLogError(f"{self.path} was closed; open a new TrialLog to append to it")
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise TrialLogError(f"{self.path} disappeared (deleted or moved) while this search was writing to it; "
                                "stopping rather than starting a new log without its first trials: put it back "
                                "and run again to resume, or use a new file") from None
        if (st.st_dev, st.st_ino) != self.ident:
            raise TrialLogError(f"{self.path} was replaced by another file while this search was writing to it; "
                                "stopping rather than appending to a different log: use a new file")
        if st.st_size != self.size:
            raise TrialLogError(f"{self.path} changed while this search was writing to it (size {st.st_size} bytes, "
                                f"this search left {self.size}): another program wrote to it; use a new file")
        data = line.encode("utf-8")
        write_all(self.fd, data)
        self.size += len(data)

    def close(self) -> None:
        """Release the lock and the file (idempotent)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.lock_fd is not None:
            release_lock(self.path, self.lock_fd)
            self.lock_fd = None
