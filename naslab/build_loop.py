"""The resumable build loop every table of the course shares: a list of independent jobs, one JSON line each.

A tabular benchmark (NAS-Bench-101/201 style: every architecture evaluated once, so that a search becomes
lookups) is built as a list of independent jobs. Notebook 03's macro table, notebook 06's cell table,
notebook 07's zero-cost proxy table and notebook 08's latency table all build the same way:

* every finished job is one JSON line appended (and flushed) to `<root>/<name>.partial.jsonl`, so Ctrl-C
  or a crash loses only the running jobs and the same command resumes (`read_partial`); a line cut by an
  interrupted write is ended before anything is appended (that job is redone, the next one is kept);
* the first record of a build holds its config; resuming with another config is a ValueError;
* jobs run in this process, in a pool of `workers` processes, or on any `concurrent.futures`-style
  `executor` (a process pool, Dask's `client.get_executor()`, `naslab.executors.RayExecutor`): the records
  are the same whichever runs them, since each job is computed from its own description alone;
* each run of the command appends one session record: wall and CPU seconds, jobs, workers and the 1-minute
  load average (min / mean / max), so the shipped file says what its build cost and under what load.

`resumable_build` returns the finished records; packing them into the checked .npz + .json files
(`naslab.tabular`) stays with each table.

Taught in: notebooks 03, 06 (data/README.md says how the shipped tables were built); used by 07 and 08's builders.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, as_completed
from pathlib import Path

import numpy as np


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


def run_jobs(run: Callable[[dict], dict], todo: list[dict], finish: Callable[[dict], None], workers: int = 1,
             executor=None) -> None:
    """Call `finish(run(job))` for every job: in this process (workers = 1), in a process pool of `workers`,
    or on `executor` (anything with `submit(fn, *args) -> future`); then `run` must be picklable (a
    module-level function or a `functools.partial` of one). Results arrive in completion order for
    `concurrent.futures` futures, else in submission order. Ctrl-C cancels the jobs not yet started and
    propagates; what `finish` has written stays written."""
    if executor is None and workers <= 1:
        for j in todo:
            finish(run(j))
        return
    if executor is None:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            run_jobs(run, todo, finish, executor=pool)
        return
    futures = [executor.submit(run, j) for j in todo]
    try:
        for fut in as_completed(futures) if all(isinstance(f, Future) for f in futures) else futures:
            finish(fut.result())
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()
        raise


def end_cut_line(path: Path) -> None:
    """End a last line cut by a crash, so that the next record is not glued onto it (and lost with it)."""
    if path.exists() and path.stat().st_size:
        with path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            cut = f.read(1) != b"\n"
        if cut:
            with path.open("a") as f:
                f.write("\n")


def _session(t0: float, c0, loads: list, todo: list, workers, extra: dict) -> dict:
    c1 = os.times()
    cpu = sum(getattr(c1, k) - getattr(c0, k) for k in ("user", "system", "children_user", "children_system"))
    return {"wall_seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(cpu, 1), "jobs": len(todo),
            "workers": workers, **extra, "load_min": round(min(loads), 2),
            "load_mean": round(float(np.mean(loads)), 2), "load_max": round(max(loads), 2),
            "date": time.strftime("%Y-%m-%d %H:%M")}


def resumable_build(partial: Path, config: dict, all_jobs: list[dict], run: Callable[[dict], dict], *,
                    workers: int = 1, executor=None, limit: int | None = None, progress: bool = True,
                    desc: str = "build", session: dict | None = None) -> tuple[dict, list, bool]:
    """Run the jobs of `all_jobs` not yet in `partial`, appending one record per job and one session record.

    Args:
        partial: the `<name>.partial.jsonl` file (its folder must exist).
        config: the build's config as JSON (`dataclasses.asdict`); stored with the first record, and a resume
            with another config is refused.
        all_jobs: every job of the build, each a dict with a unique "key"; `run(job)` returns its record
            (a dict holding the same "key").
        workers / executor: where the jobs run (`run_jobs`).
        limit: run at most this many missing jobs, then stop (the next call resumes).
        progress: a tqdm bar over all jobs, with the load average.
        session: extra fields of this run's session record (the device, the machine).

    Returns: (finished records by key, session records, whether every job is finished).
    """
    config = json.loads(json.dumps(config))
    done, sessions = read_partial(partial)
    if any(r.get("config") not in (None, config) for r in done.values()):
        raise ValueError(f"{partial} was started with another config; delete it to start over")
    todo = [j for j in all_jobs if j["key"] not in done][:limit]
    t0, c0, loads = time.perf_counter(), os.times(), [os.getloadavg()[0]]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(all_jobs), initial=sum(j["key"] in done for j in all_jobs), desc=desc, unit="job")
    end_cut_line(partial)
    with partial.open("a") as f:
        def finish(rec: dict) -> None:
            rec["config"] = config if not done else None
            f.write(json.dumps(rec) + "\n")
            f.flush()  # on disk at once: an interrupted build keeps it
            done[rec["key"]] = rec
            loads.append(os.getloadavg()[0])
            if bar is not None:
                bar.update(1)
                bar.set_postfix(load=f"{loads[-1]:.1f}")

        try:
            run_jobs(run, todo, finish, workers, executor)
        finally:
            record = _session(t0, c0, loads, todo, workers if executor is None else type(executor).__name__,
                              session or {})
            f.write(json.dumps({"session": record}) + "\n")
            sessions.append(record)
            if bar is not None:
                bar.close()
    return done, sessions, all(j["key"] in done for j in all_jobs)


def build_summary(path: Path) -> str:
    """One line on a finished table: its files' sizes, and the wall / CPU time and load of each build session."""
    js = path.with_suffix(".json")
    line = f"done: {path} ({path.stat().st_size / 1e3:.0f} kB + {js.stat().st_size / 1e3:.0f} kB json)"
    b = json.loads(js.read_text()).get("build")
    if not isinstance(b, dict) or "sessions" not in b:
        return line
    return (f"{line}; wall {b['wall_seconds'] / 60:.1f} min over {len(b['sessions'])} session(s), CPU "
            f"{b['cpu_seconds']:.0f} s; load average per session: "
            + ", ".join(f"{s['load_min']}-{s['load_max']} (mean {s['load_mean']})" for s in b["sessions"]))


def run_build_command(build_call: Callable[[], Path | None], rebuild: str) -> Path | None:
    """Run a table build from a command line: Ctrl-C keeps the finished jobs and exits with 130; a build
    stopped by its limit says how to resume; a finished one prints `build_summary`."""
    t0 = time.perf_counter()
    try:
        path = build_call()
    except KeyboardInterrupt:
        print(f"\ninterrupted after {time.perf_counter() - t0:.0f} s: finished jobs are kept; `{rebuild}` resumes")
        raise SystemExit(130) from None
    if path is None:
        print(f"stopped after {time.perf_counter() - t0:.0f} s; run `{rebuild}` again to resume")
        return None
    print(build_summary(path))
    return path


__all__ = ["build_summary", "end_cut_line", "read_partial", "resumable_build", "run_build_command", "run_jobs"]
