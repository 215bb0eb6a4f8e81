"""Files of a tabular benchmark: the resumable build loop and the checked loading, shared by naslab's two tables.

A tabular benchmark (NAS-Bench-101/201 style: every architecture trained once, a search becomes lookups)
is built as a list of independent training jobs and shipped as two files. Both of naslab's tables
(`naslab.proxies` for notebook 03, `naslab.bakeoff` for notebook 06) use the same machinery:

* **Build** (`read_partial`, `run_jobs`): every finished job is one JSON line appended (and flushed) to
  `<name>.partial.jsonl`, so Ctrl-C or a crash loses only the running jobs and the same command resumes;
  lines cut by an interrupted write are skipped (that job is redone). Jobs run in this process or in a
  `ProcessPoolExecutor` of `workers` processes; Ctrl-C cancels the jobs not yet started.
* **Load** (`load_checked`): `<name>.npz` (numbers, never pickle) + `<name>.json` (config, shapes, build
  record, the SHA-256 of the .npz). A missing file is a FileNotFoundError naming the rebuild command; bad
  metadata, a checksum mismatch or an unreadable archive is a `BenchmarkError` (a ValueError) naming the
  file and the command: never wrong numbers. Each table then checks its own arrays (shapes, ranges).

What a job computes, how the records are packed and what is checked beyond that stays with each table.

Taught in: notebooks/03_proxy_evaluation.ipynb and notebooks/06_nas_bakeoff.ipynb (data/README.md says how
the shipped files were made).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np


class BenchmarkError(ValueError):
    """The benchmark file is missing a part, corrupt, truncated or inconsistent."""


def fail(path, what: str, rebuild: str) -> BenchmarkError:
    """The error for a broken file: `benchmark file <path> <what>; rebuild it with `<rebuild>``."""
    return BenchmarkError(f"benchmark file {path} {what}; rebuild it with `{rebuild}`")


def load_checked(npz: Path, js: Path, rebuild: str, required: Iterable[str] = ("sha256",)) -> tuple[dict, dict]:
    """(arrays, meta) of a benchmark's .npz + .json after the checks every table shares.

    Args:
        npz, js: the two files.
        rebuild: the command that rebuilds them (quoted in every error).
        required: keys the .json must have ("sha256" always counts).

    Raises:
        FileNotFoundError: a file is missing.
        BenchmarkError: the .json is not valid metadata, the .npz does not match its checksum or cannot be read.
    """
    for p in (npz, js):
        if not p.exists():
            raise FileNotFoundError(f"no benchmark file {p}; build it with `{rebuild}`")
    try:
        meta = json.loads(js.read_text())
        for key in ("sha256", *required):
            meta[key]  # noqa: B018 (must exist)
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise fail(js, f"is not valid benchmark metadata ({type(e).__name__}: {e})", rebuild) from e
    if hashlib.sha256(npz.read_bytes()).hexdigest() != meta["sha256"]:
        raise fail(npz, "does not match the checksum in its .json (corrupt, truncated or edited)", rebuild)
    try:
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as e:  # BadZipFile, EOFError, ValueError...: all mean a broken file
        raise fail(npz, f"cannot be read ({type(e).__name__}: {e})", rebuild) from e
    return arrays, meta


def read_partial(path: Path) -> tuple[dict, list]:
    """(finished job records by their "key", session records) of a partial build file (none if it is absent)."""
    done, sessions = {}, []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by an interrupted write: that job is simply redone
            if isinstance(rec, dict) and "session" in rec:
                sessions.append(rec["session"])
            elif isinstance(rec, dict) and "key" in rec:
                done[rec["key"]] = rec
    return done, sessions


def run_jobs(run: Callable[[dict], dict], todo: list[dict], finish: Callable[[dict], None], workers: int = 1) -> None:
    """Call `finish(run(job))` for every job, in this process (workers = 1) or in a process pool (then `run`
    must be picklable: a module-level function or a `functools.partial` of one), in completion order.
    Ctrl-C cancels the jobs not yet started and propagates; what `finish` has written stays written."""
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(workers) as ex:
            futures = [ex.submit(run, j) for j in todo]
            try:
                for fut in as_completed(futures):
                    finish(fut.result())
            except KeyboardInterrupt:
                for fut in futures:
                    fut.cancel()
                raise
    else:
        for j in todo:
            finish(run(j))


__all__ = ["BenchmarkError", "fail", "load_checked", "read_partial", "run_jobs"]
