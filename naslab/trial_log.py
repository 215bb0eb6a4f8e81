"""The trial log on disk: what counts as one, its header (the search's fingerprint), one writer at a time.

A trial log is the JSONL file of `naslab.trial.Trial` records that `run_search(path=...)` appends to and
resumes from (notebook 01, "Resume"). Resuming *writes* to a file the caller named, so nothing is
written before the file is known to be a trial log (`scan_log`, which only reads):

* missing, or empty (0 bytes): a new log.
* otherwise every complete line is a JSON object: an optional first header line
  `{"naslab_log": 1, "fingerprint": {...}}`, then trial records (objects holding "config", "metrics" and
  "status"); blank lines are skipped. The one thing that may later be cut is a torn last line (no
  newline: a write cut short by a crash), and only when every line before it is valid; in a file with
  no complete line it must begin as naslab's lines do (`{"config": ` or `{"naslab_log": `, maybe cut short).
* anything else (a binary file such as an `.npz`, a pretty-printed JSON document, a CSV, whitespace
  only) is refused with a ValueError naming the path, before any byte is written. A record line that is
  damaged after a valid first line is refused too ("damaged in the middle"), also untouched.

The header records the search's fingerprint (searcher class, seed, space, metric, objective name:
`naslab.asktell.search_fingerprint`); `fingerprint_diff` names the fields a resuming search changes.
A log without a header (written by `append_jsonl` / `save_jsonl`, or by naslab before headers) resumes
unchecked. `TrialLog` is one search's hold on its log: an advisory lock on `<log>.lock` (fcntl.flock;
msvcrt on Windows) holding the writer's PID, for the whole run, so a second writer is refused at once
and a killed writer's lock dies with it; and before each append a check that the file is still the one
it opened (same inode, the size it left), so a log deleted or replaced mid-run is an error, never
silently recreated without its first trials.

Taught in: notebooks/01_grid_vs_random_search.ipynb (resume); used by every search with `path=`.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEADER_KEY, FORMAT = "naslab_log", 1
RECORD_KEYS = ("config", "metrics", "status")
RECORD_STARTS = (b'{"config": ', b'{"' + HEADER_KEY.encode() + b'": ')  # how naslab's lines begin
FINGERPRINT_MISMATCH = ("error", "warn")


class TrialLogError(RuntimeError):
    """The log is held by another search, or changed under this one (deleted, replaced, written to)."""


@dataclass
class LogScan:
    """What `scan_log` found: the header (or None), the parsed records, the bytes of complete lines, a torn tail."""

    header: dict | None = None
    records: list = field(default_factory=list)
    size: int = 0
    tail: str | None = None


def _not_a_log(path: Path, why: str) -> ValueError:
    return ValueError(f"{path} is not a naslab trial log: {why}. Nothing was written to it; give the search a new "
                      ".jsonl file (or another path)")


def _line(raw: bytes) -> tuple[str | None, Any]:
    """('header' | 'record', the object) or (None, why the line is neither)."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text (a binary file?)"
    except json.JSONDecodeError as e:
        return None, f"not JSON ({e})"
    if not isinstance(obj, dict):
        return None, f"a JSON {type(obj).__name__}, not an object"
    if HEADER_KEY in obj:
        return "header", obj
    missing = [k for k in RECORD_KEYS if k not in obj]
    return ("record", obj) if not missing else (None, f"a JSON object without the trial keys {missing}")


def _starts_a_record(tail: bytes) -> bool:
    """Does an unterminated only line begin as naslab writes its lines (a record or the header, maybe cut short)?"""
    return any(tail[: len(s)] == s[: len(tail)] for s in RECORD_STARTS)


def _whole_document(data: bytes) -> str | None:
    try:
        return f"it is one JSON document (a {type(json.loads(data)).__name__}), not one trial record per line"
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def scan_log(path: str | Path, parse: Callable[[dict], Any] | None = None) -> LogScan:
    """Read and check a trial log without changing it (rules: the module docstring).

    `parse` turns each record into what `records` holds (e.g. `Trial.from_dict`); a TypeError or ValueError
    it raises marks the line as damaged. Raises ValueError naming `path` for a file that is not a trial log
    and for one damaged in the middle.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(4096)  # a binary file, a JSON array, a CSV: refused without reading all of it
            if head and not head.lstrip().startswith(b"{"):
                raise _not_a_log(path, "it holds only whitespace" if not head.strip() else
                                 f"it does not start with a JSON object but with {head[:16]!r}")
            data = head + f.read()
    except FileNotFoundError:
        return LogScan()
    except IsADirectoryError:
        raise _not_a_log(path, "it is a folder") from None
    cut = data.rfind(b"\n") + 1
    scan, first = LogScan(size=cut), True
    for i, raw in enumerate(data[:cut].split(b"\n")[:-1]):
        if not raw.strip():
            continue
        kind, obj = _line(raw)
        if kind == "record" and parse is not None:
            try:
                obj = parse(obj)
            except (TypeError, ValueError) as e:
                kind, obj = None, str(e)
        if kind is None or (kind == "header" and not first):
            why = obj if kind is None else "a second header (two searches in one file?)"
            if first:
                whole = _whole_document(data) if why.startswith("not JSON") else None  # pretty-printed JSON?
                raise _not_a_log(path, whole or f"line {i + 1} is {why}")
            raise ValueError(f"{path}: line {i + 1} is not a Trial record ({why}); the file is damaged in the "
                             f"middle, so it is not resumed: fix or remove that line, or use a new file")
        if kind == "header":
            scan.header = obj
        else:
            scan.records.append(obj)
        first = False
    if cut < len(data):  # a torn last line: droppable only after valid lines, or as the start of a record
        if first and not _starts_a_record(data[cut:]):
            raise _not_a_log(path, "its only line has no newline and is not a trial record")
        scan.tail = data[cut:].decode("utf-8", errors="replace")
    return scan


def write_all(fd: int, data: bytes) -> None:
    """One `os.write` of the whole line (appends of one line never interleave), finishing rare short writes."""
    written = os.write(fd, data)
    while written < len(data):
        written += os.write(fd, data[written:])


def drop_tail(path: Path, scan: LogScan, fd: int | None = None) -> None:
    """Cut the torn last line `scan` found (a write cut short by a crash), with a warning."""
    if fd is None:
        os.truncate(path, scan.size)
    else:
        os.ftruncate(fd, scan.size)
    warnings.warn(f"{path}: dropped an unterminated last line ({len(scan.tail)} chars, a write cut short by a "
                  f"crash): {scan.tail[:60]!r}", RuntimeWarning, stacklevel=3)


def _dump(v: Any) -> str:
    return json.dumps(v, sort_keys=True)


def _diff(a: Any, b: Any, where: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():  # name the innermost field
        return [d for k in sorted(a) for d in _diff(a[k], b[k], f"{where}.{k}")]
    if _dump(a) == _dump(b):
        return []
    show = [s if len(s) <= 120 else s[:117] + "..." for s in (_dump(a), _dump(b))]
    return [f"{where}: {show[0]} in the log, {show[1]} now"]


def fingerprint_diff(old: dict, new: dict) -> list[str]:
    """'field: X in the log, Y now' for every field both fingerprints state and that differs
    (e.g. 'seed: 0 in the log, 1 now', 'space.lr.high: 1.0 in the log, 10.0 now')."""
    return [d for k in sorted(set(old) & set(new)) for d in _diff(old[k], new[k], k)]
