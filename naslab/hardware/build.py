"""Building the latency table: every distinct cell of notebook 06's table timed on this machine, resumable.

One command: `python tools/build/build_latency.py`. The 4,930 distinct cells (`naslab.bakeoff.cells`)
are timed by `naslab.hardware.latency.CellTimer` (batch 1 and 64, warm-up, median and IQR of `runs`
passes, one thread) in jobs of `group_size` cells. The cells are visited in a *seeded random order*, so a
slow drift of the machine's load spreads over all cells instead of biasing one corner of the space
(the lexicographic order would put every conv_3-heavy cell at the end).

**One process at a time (workers = 1, the default).** Latency is a property of an otherwise quiet core:
two timing processes on a 2-core machine compete for the cores, the memory bandwidth and the caches, and
each measures the other's interference. `workers` exists because the build loop is `naslab.build_loop`'s
(executor-agnostic, shared with the accuracy tables), not because parallel timing is sound.

Every finished job is one JSON line of data/bench/<name>.partial.jsonl (`naslab.build_loop`), so Ctrl-C
loses at most the running job and the same command resumes. Each session's wall
time, CPU seconds, load averages and machine are logged; resuming on another CPU is refused. When every
job is done the records are packed into <name>.npz + <name>.json, checksummed by `naslab.tabular.write_meta`.

Taught in: notebooks/08_hardware_aware.ipynb.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from naslab.bakeoff.build import BENCH_DIR
from naslab.bakeoff.cells import OPS, unique_cells
from naslab.bakeoff.network import NetConfig, macs, n_params
from naslab.build_loop import read_partial, resumable_build
from naslab.hardware.latency import BENCH_NET, CellTimer, TimingSpec, machine_info
from naslab.tabular import write_meta

NAME = "mnist1d_nb201_latency"
REBUILD = "python tools/build/build_latency.py"


@dataclass(frozen=True)
class LatencyConfig:
    """What the latency table times (defaults: the shipped `mnist1d_nb201_latency`)."""

    name: str = NAME
    net: NetConfig = BENCH_NET
    spec: TimingSpec = field(default_factory=TimingSpec)
    group_size: int = 50
    order_seed: int = 0  # the seeded random order in which cells are timed
    cells: tuple | None = None  # None: every canonical cell (tests pass a few)

    def all_cells(self) -> list[tuple]:
        return [tuple(c) for c in self.cells] if self.cells is not None else unique_cells()

    @staticmethod
    def from_dict(d: dict) -> LatencyConfig:
        d = dict(d)
        spec = {**d["spec"], "batch_sizes": tuple(d["spec"]["batch_sizes"])}
        d["net"], d["spec"] = NetConfig(**d["net"]), TimingSpec(**spec)
        d["cells"] = None if d.get("cells") is None else tuple(tuple(c) for c in d["cells"])
        return LatencyConfig(**d)


def jobs(cfg: LatencyConfig) -> list[dict]:
    """Groups of `group_size` table rows, in a random order seeded by `order_seed`."""
    order = np.random.default_rng(cfg.order_seed).permutation(len(cfg.all_cells())).tolist()
    return [{"key": f"group/{g}", "rows": order[i:i + cfg.group_size]}
            for g, i in enumerate(range(0, len(order), cfg.group_size))]


@functools.lru_cache(maxsize=2)
def _timer(cfg: LatencyConfig) -> CellTimer:
    return CellTimer(cfg.net, cfg.spec)  # one per process: the same weights and inputs for every cell


def run_job(cfg: LatencyConfig, job: dict) -> dict:
    """Time the job's cells in this process (module level, so a process pool could call it)."""
    timer, cells = _timer(cfg), cfg.all_cells()
    out = {k: [] for k in ("median", "q25", "q75")}
    for row in job["rows"]:
        r = timer.cell(cells[row])
        for k in out:
            out[k].append([r[b][k] for b in cfg.spec.batch_sizes])
    return {**job, **out}


def estimate_seconds(cfg: LatencyConfig | None = None, n_sample: int = 20) -> dict:
    """Time `n_sample` cells of the build's order (a random sample) as the build would, and extrapolate:
    {"per_cell": mean wall seconds per cell, "total": per_cell * n_cells, "n_sample", "load"}."""
    cfg = cfg or LatencyConfig()
    if isinstance(n_sample, bool) or not isinstance(n_sample, int) or n_sample < 1:
        raise ValueError(f"n_sample={n_sample!r} must be an int >= 1")
    rows = [r for j in jobs(cfg) for r in j["rows"]][:n_sample]
    _timer(cfg)  # built once per process in a build too: not part of the per-cell cost
    t0 = time.perf_counter()
    run_job(cfg, {"key": "estimate", "rows": rows})
    per_cell = (time.perf_counter() - t0) / len(rows)
    return {"per_cell": per_cell, "total": per_cell * len(cfg.all_cells()), "n_sample": len(rows),
            "load": os.getloadavg()[0]}


def build(cfg: LatencyConfig | None = None, *, root: str | Path | None = None, workers: int = 1,
          limit: int | None = None, progress: bool = True) -> Path | None:
    """Build, or resume building, the latency table; returns the .npz path once every job is done, else None.

    `limit`: run at most this many of the missing jobs, then stop. `workers`: keep 1 (see the module docstring).
    """
    cfg = cfg or LatencyConfig()
    root = Path(root) if root is not None else BENCH_DIR
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f"{cfg.name}.partial.jsonl"
    machine, sessions = machine_info(), read_partial(partial)[1]
    if sessions and sessions[0]["machine"]["cpu"] != machine["cpu"]:
        raise ValueError(f"{partial} was started on {sessions[0]['machine']['cpu']!r}, this is {machine['cpu']!r}: "
                         "one table must come from one machine; delete the partial file to start over")
    done, sessions, complete = resumable_build(partial, asdict(cfg), jobs(cfg), functools.partial(run_job, cfg),
                                               workers=workers, limit=limit, progress=progress,
                                               desc=f"time {cfg.name}", session={"machine": machine})
    return pack(cfg, root, done, sessions) if complete else None


def pack(cfg: LatencyConfig, root: Path, done: dict, sessions: list) -> Path:
    """Write <name>.npz (cells, median / q25 / q75 seconds per batch size, MACs, params) + the sealed .json."""
    cells = cfg.all_cells()
    n, nb = len(cells), len(cfg.spec.batch_sizes)
    arrays = {k: np.zeros((n, nb), np.float32) for k in ("median", "q25", "q75")}  # (n, n_batches) seconds
    for j in jobs(cfg):
        for k in arrays:
            arrays[k][j["rows"]] = done[j["key"]][k]
    arrays["cells"] = np.array(cells, dtype=np.int8)  # (n, 6) canonical cells, op indices in EDGES order
    arrays["macs"] = np.array([macs(c, cfg.net) for c in cells], dtype=np.int64)
    arrays["params"] = np.array([n_params(c, cfg.net) for c in cells], dtype=np.int64)
    npz, tmp = root / f"{cfg.name}.npz", root / f"{cfg.name}.tmp.npz"
    np.savez_compressed(tmp, **arrays)
    tmp.replace(npz)
    meta = {"name": cfg.name, "config": asdict(cfg), "ops": list(OPS), "n_cells": n,
            "batch_sizes": list(cfg.spec.batch_sizes), "unit": "seconds per forward pass of one batch",
            "machine": sessions[0]["machine"], "shapes": {k: list(v.shape) for k, v in arrays.items()},
            "build": {"sessions": sessions, "wall_seconds": round(sum(s["wall_seconds"] for s in sessions), 1),
                      "cpu_seconds": round(sum(s["cpu_seconds"] for s in sessions), 1),
                      "date": time.strftime("%Y-%m-%d %H:%M")}}
    write_meta(npz, root / f"{cfg.name}.json", meta)  # adds both checksums
    (root / f"{cfg.name}.partial.jsonl").unlink()
    return npz


__all__ = ["LatencyConfig", "NAME", "REBUILD", "build", "estimate_seconds", "jobs", "pack", "run_job"]
