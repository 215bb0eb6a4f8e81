"""Building the cell benchmark: every distinct cell x seed, batched, resumable, with a progress bar.

One command: `python tools/build/build_nb201.py --workers 2` (or `make bench-nb201`). The jobs are

* "calib/i": cell i of a seeded sample trained *alone* (`train_single`) for `calib_epochs` epochs,
  measuring the CPU seconds (process time, one thread) of each epoch: the data for the cost model;
* "group/s/g": the g-th block of `group_size` canonical cells trained together with seed s
  (`train_batched`): validation accuracy after every epoch, test accuracy at the end.

Every finished job is appended as one JSON line to data/bench/<name>.partial.jsonl, so Ctrl-C (or a
crash) loses at most the running jobs; the same command resumes. When all jobs are done they are packed
into <name>.npz (numbers, no pickle) + <name>.json (config, build record, SHA-256) and the partial file
is removed. Each session's wall time, CPU seconds and load averages are logged into the partial file
and end up in the build record. The partial file and the worker loop are `naslab.tabular`'s (shared with
notebook 03's benchmark).

The simulated cost of a cell, `seconds_per_epoch`, is a least-squares fit of the calibration runs'
median CPU seconds per epoch against the cell's training MACs (a + b * macs): what training that cell
alone on one thread costs, for every cell, without training 9,860 nets one by one.

Device: `build(..., device="auto")` trains the groups on `naslab.utils.get_device(device)` (each worker
resolves it); the calibration runs always train on the CPU, as their CPU seconds are the cost model. The
resolved device is logged in each session record (the table's config, and so its file format, is unchanged).

Taught in: notebooks/06_nas_bakeoff.ipynb (data/README.md says how the shipped file was made).
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from naslab.bakeoff.cells import OPS, unique_cells
from naslab.bakeoff.network import NetConfig, macs, n_params
from naslab.bakeoff.training import TrainSpec
from naslab.build_loop import read_partial, resumable_build
from naslab.tabular import write_meta
from naslab.utils import get_device

BENCH_DIR = Path(__file__).resolve().parents[2] / "data" / "bench"
REBUILD = "python tools/build/build_nb201.py --workers 2"


@dataclass(frozen=True)
class BuildConfig:
    """What the benchmark trains (defaults: the shipped `mnist1d_nb201`)."""

    name: str = "mnist1d_nb201"
    dataset: str = "mnist1d"
    net: NetConfig = field(default_factory=lambda: NetConfig(C=8, stem_stride=2))
    spec: TrainSpec = field(default_factory=lambda: TrainSpec(epochs=4, batch_size=32, lr=1e-2, n_train=768))
    seeds: tuple = (0, 1)
    group_size: int = 64
    n_calib: int = 24
    calib_epochs: int = 2
    cells: tuple | None = None  # None: every canonical cell (tests pass a few)

    def all_cells(self) -> list[tuple]:
        return [tuple(c) for c in self.cells] if self.cells is not None else unique_cells()

    def calib_cells(self) -> list[tuple]:
        cells = self.all_cells()
        pick = np.random.default_rng(0).permutation(len(cells))[: min(self.n_calib, len(cells))]
        return [cells[i] for i in sorted(pick)]

    @staticmethod
    def from_dict(d: dict) -> BuildConfig:
        d = dict(d)
        d["net"], d["spec"] = NetConfig(**d["net"]), TrainSpec(**d["spec"])
        d["seeds"] = tuple(d["seeds"])
        d["cells"] = None if d.get("cells") is None else tuple(tuple(c) for c in d["cells"])
        return BuildConfig(**d)


def jobs(cfg: BuildConfig) -> list[dict]:
    """Calibration runs first (cheap, measured early), then the groups, seed by seed."""
    n = len(cfg.all_cells())
    out = [{"key": f"calib/{i}", "kind": "calib", "i": i} for i in range(len(cfg.calib_cells()))]
    out += [{"key": f"group/{s}/{g}", "kind": "group", "seed": s, "start": g * cfg.group_size,
             "stop": min(n, (g + 1) * cfg.group_size)} for s in cfg.seeds for g in range(-(-n // cfg.group_size))]
    return out


def run_job(cfg: BuildConfig, job: dict, device="auto") -> dict:
    """Run one job in this process, on one thread (module level, so a process pool can call it). Groups train
    on `device`; calibration runs on the CPU (they measure CPU seconds)."""
    import torch

    from naslab.bakeoff.training import train_batched, train_single
    from naslab.data import load_dataset

    torch.set_num_threads(1)
    data = load_dataset(cfg.dataset)
    if job["kind"] == "calib":
        spec = TrainSpec(**{**asdict(cfg.spec), "epochs": cfg.calib_epochs})
        warm_up = TrainSpec(**{**asdict(spec), "epochs": 1})
        train_single(cfg.calib_cells()[0], 0, data, cfg.net, warm_up, device="cpu")
        r = train_single(cfg.calib_cells()[job["i"]], 0, data, cfg.net, spec, device="cpu")
        return {**job, "cpu_seconds": r["cpu_seconds"].tolist()}
    cells = cfg.all_cells()[job["start"]:job["stop"]]
    r = train_batched(cells, job["seed"], data, cfg.net, cfg.spec, device=device)
    return {**job, "val_acc": np.round(r["val_acc"], 6).tolist(), "test_acc": np.round(r["test_acc"], 6).tolist(),
            "train_loss": np.round(r["train_loss"], 5).tolist(), "cpu_seconds": r["cpu_seconds"].tolist()}


def build(cfg: BuildConfig | None = None, *, root: str | Path | None = None, workers: int = 1,
          limit: int | None = None, progress: bool = True, device="auto", executor=None) -> Path | None:
    """Build, or resume building, the benchmark; returns the .npz path once every job is done, else None.

    `limit`: run at most this many of the missing jobs, then stop (the rest on the next call).
    `device`: where the groups train ("auto": `naslab.utils.get_device`); checked here, resolved per worker.
    `executor`: run the jobs there (any concurrent.futures-style executor, e.g. a Ray cluster's) instead of
    `workers` local processes. `naslab.bakeoff.truer.TRUER` is the truer table's configuration.
    """
    cfg = cfg or BuildConfig()
    resolved = str(get_device(device))  # a bad name fails before any work starts
    root = Path(root) if root is not None else BENCH_DIR
    root.mkdir(parents=True, exist_ok=True)
    done, sessions, complete = resumable_build(root / f"{cfg.name}.partial.jsonl", asdict(cfg), jobs(cfg),
                                               functools.partial(run_job, cfg, device=device), workers=workers,
                                               executor=executor, limit=limit, progress=progress,
                                               desc=f"build {cfg.name}", session={"device": resolved})
    return _pack(cfg, root, done, sessions) if complete else None


def cost_model(cfg: BuildConfig, done: dict) -> tuple[np.ndarray, list]:
    """(a, b) of seconds_per_epoch = a + b * training MACs, fitted to the calibration runs' median epoch."""
    calib = cfg.calib_cells()
    x = np.array([macs(c, cfg.net) for c in calib], dtype=float)
    t = np.array([np.median(done[f"calib/{i}"]["cpu_seconds"]) for i in range(len(calib))])
    A = np.stack([np.ones_like(x), x], 1)
    coef, *_ = np.linalg.lstsq(A, t, rcond=None)
    return coef, t.tolist()


def pack_finished(cfg: BuildConfig | None = None, *, root: str | Path | None = None) -> Path | None:
    """Pack the seeds whose every group is finished into the .npz / .json pair *now*, keeping the partial
    file so the build resumes (a provisional table while the other seeds train). None if no seed is done."""
    cfg = cfg or BuildConfig()
    root = Path(root) if root is not None else BENCH_DIR
    done, sessions = read_partial(root / f"{cfg.name}.partial.jsonl")
    groups = [j for j in jobs(cfg) if j["kind"] == "group"]
    seeds = tuple(s for s in cfg.seeds if all(j["key"] in done for j in groups if j["seed"] == s))
    calib = all(j["key"] in done for j in jobs(cfg) if j["kind"] == "calib")
    if not seeds or not calib:
        return None
    return _pack(cfg, root, done, sessions, seeds=seeds)


def _pack(cfg: BuildConfig, root: Path, done: dict, sessions: list, seeds: tuple | None = None) -> Path:
    """Write the .npz + .json; `seeds` (a subset of cfg.seeds) makes a provisional table and keeps the partial file."""
    import torch

    final = seeds is None
    cfg = cfg if final else replace(cfg, seeds=seeds)
    cells = cfg.all_cells()
    n, S, E = len(cells), len(cfg.seeds), cfg.spec.epochs
    val, test, loss = np.zeros((n, S, E), np.float32), np.zeros((n, S), np.float32), np.zeros((n, S, E), np.float32)
    group_cpu = []
    for j in jobs(cfg):  # cfg.seeds: the seeds being packed
        if j["kind"] != "group":
            continue
        r, s = done[j["key"]], cfg.seeds.index(j["seed"])
        val[j["start"]:j["stop"], s] = r["val_acc"]
        test[j["start"]:j["stop"], s] = r["test_acc"]
        loss[j["start"]:j["stop"], s] = r["train_loss"]
        group_cpu.append(r["cpu_seconds"])
    coef, calib_t = cost_model(cfg, done)
    m = np.array([macs(c, cfg.net) for c in cells], dtype=np.int64)
    arrays = {
        "cells": np.array(cells, dtype=np.int8),  # (n, 6) canonical cells, op indices in EDGES order
        "val_acc": val, "test_acc": test, "train_loss": loss,  # (n, S, E), (n, S), (n, S, E)
        "params": np.array([n_params(c, cfg.net) for c in cells], dtype=np.int64),
        "macs": m,  # forward multiply-accumulates per example
        "seconds_per_epoch": np.maximum(coef[0] + coef[1] * m, 1e-3).astype(np.float32),  # fitted standalone cost
        "calib_cells": np.array(cfg.calib_cells(), dtype=np.int8),
        "calib_seconds": np.array([done[f"calib/{i}"]["cpu_seconds"] for i in range(len(cfg.calib_cells()))],
                                  dtype=np.float32),
        "group_cpu_seconds": np.array(group_cpu, dtype=np.float32),  # (jobs, E) measured batched epochs
    }
    npz, tmp = root / f"{cfg.name}.npz", root / f"{cfg.name}.tmp.npz"
    np.savez_compressed(tmp, **arrays)
    tmp.replace(npz)
    meta = {"name": cfg.name, "config": asdict(cfg), "ops": list(OPS), "n_cells": n, "seeds": list(cfg.seeds),
            "epochs": E, "complete": final, "sha256": hashlib.sha256(npz.read_bytes()).hexdigest(),
            "shapes": {k: list(v.shape) for k, v in arrays.items()},
            "cost_model": {"a": float(coef[0]), "b_per_mac": float(coef[1])},
            "build": {"sessions": sessions, "wall_seconds": round(sum(s["wall_seconds"] for s in sessions), 1),
                      "cpu_seconds": round(sum(s["cpu_seconds"] for s in sessions), 1),
                      "sum_group_cpu_seconds": round(float(np.sum(group_cpu)), 1),
                      "torch": torch.__version__, "date": time.strftime("%Y-%m-%d %H:%M")}}
    write_meta(npz, root / f"{cfg.name}.json", meta)  # adds the checksum of the metadata
    if final:
        (root / f"{cfg.name}.partial.jsonl").unlink()
    return npz


__all__ = ["BuildConfig", "build", "pack_finished", "jobs", "run_job", "cost_model", "BENCH_DIR", "REBUILD"]
