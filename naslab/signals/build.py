"""Building the proxy table: every registered zero-cost proxy on every distinct cell, seeds x mini-batches.

One command: `python tools/build/build_proxies.py --workers 2`. The 4,930 canonical cells of notebook 06's
table (`naslab.bakeoff.cells.unique_cells`, in the NB201 table's row order) are cut into jobs of
`cells_per_job` cells; a job scores each cell with each initialisation seed (`network.init_params(cfg, s)`,
the weights the table's training seed s started from) on each of `n_batches` fixed, disjoint training
mini-batches. Proxies that ignore the data (synflow, params, flops) are computed once per seed.

Resumable as notebook 06's build (`naslab.build_loop`: one JSON line per finished job in
<name>.partial.jsonl; Ctrl-C loses only running jobs; the same command resumes). Jobs run in this process,
in `workers` processes (`build_loop.run_jobs`), or on any `concurrent.futures`-style `executor` (anything with
`submit(fn, job) -> future` and `future.result()`: a ProcessPoolExecutor, Dask's `client.get_executor()`, a
Ray-backed pool), so a bigger table (more seeds, batches, other proxies) is one argument away.

The .npz is written byte-for-byte reproducibly (`write_npz`: fixed zip timestamps), so an interrupted and
resumed build gives the same file as one uninterrupted run; the .json is sealed with tabular's scheme.

Taught in: notebooks/07_cheap_signals.ipynb §1 (the table it builds); data/README.md says how the shipped file was made.
"""

from __future__ import annotations

import functools
import os
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from naslab.bakeoff.build import BENCH_DIR
from naslab.bakeoff.cells import OPS, unique_cells
from naslab.bakeoff.network import NetConfig
from naslab.build_loop import resumable_build
from naslab.signals.codes import code_scores
from naslab.signals.measures import BUILTIN
from naslab.signals.nets import cell_net
from naslab.signals.registry import REGISTRY, compute
from naslab.signals.saliency import gradient_scores
from naslab.tabular import write_meta

REBUILD = "python tools/build/build_proxies.py --workers 2"
GRADIENT, CODES = ("grad_norm", "snip", "grasp", "fisher"), ("jacob_cov", "naswot")  # one forward pass each


@dataclass(frozen=True)
class ProxyConfig:
    """What the proxy table scores (defaults: the shipped `mnist1d_nb201_proxies`)."""

    name: str = "mnist1d_nb201_proxies"
    dataset: str = "mnist1d"
    net: NetConfig = field(default_factory=lambda: NetConfig(C=8, stem_stride=2))  # the NB201 table's network
    seeds: tuple = (0, 1, 2)
    n_batches: int = 2
    batch_size: int = 32  # <= the 40 inputs of MNIST-1D, so jacob_cov's correlation matrix can be full rank
    proxies: tuple = BUILTIN
    cells_per_job: int = 50
    cells: tuple | None = None  # None: every canonical cell (tests pass a few)

    def all_cells(self) -> list[tuple]:
        return [tuple(c) for c in self.cells] if self.cells is not None else unique_cells()

    def batch_rows(self, n_train: int) -> np.ndarray:
        """(n_batches, batch_size) training-split rows: consecutive blocks of one seeded permutation."""
        need = self.n_batches * self.batch_size
        if need > n_train:
            raise ValueError(f"{self.n_batches} batches of {self.batch_size} need {need} training examples; "
                             f"the split has {n_train}")
        return np.random.default_rng(0).permutation(n_train)[:need].reshape(self.n_batches, self.batch_size)


def jobs(cfg: ProxyConfig) -> list[dict]:
    """Blocks of `cells_per_job` consecutive cells."""
    n, k = len(cfg.all_cells()), cfg.cells_per_job
    return [{"key": f"cells/{a}", "start": a, "stop": min(n, a + k)} for a in range(0, n, k)]


def score_cell(cell, cfg: ProxyConfig, batches: list, seconds: dict) -> dict:
    """{proxy: (S, n_batches) or (S,) scores} of one cell; adds each group's CPU seconds to `seconds`."""

    def timed(key, fn, *args):
        t0 = time.process_time()
        out = fn(*args)
        seconds[key] = seconds.get(key, 0.0) + time.process_time() - t0
        return out

    out = {p: [] for p in cfg.proxies}
    for seed in cfg.seeds:
        net = cell_net(cell, cfg.net, seed)
        row = {p: [] for p in cfg.proxies}
        for x, y in batches:
            got = {}
            if any(p in GRADIENT for p in cfg.proxies):
                got.update(timed("gradient", gradient_scores, net, x, y))
            if any(p in CODES for p in cfg.proxies):
                got.update(timed("codes", code_scores, net, x))
            for p in cfg.proxies:
                if p in got:
                    row[p].append(got[p])
                elif REGISTRY[p].needs_data or not row[p]:  # data-free ones once per seed
                    row[p].append(timed(p, compute, p, net, x, y))
        for p in cfg.proxies:
            out[p].append(row[p] if REGISTRY[p].needs_data else row[p][0])
    return out


def run_job(cfg: ProxyConfig, job: dict) -> dict:
    """Score the job's cells on one thread (module level, so a process pool can call it)."""
    import torch

    from naslab.data import load_dataset

    torch.set_num_threads(1)
    data = load_dataset(cfg.dataset)
    rows = cfg.batch_rows(len(data.y_train))
    batches = [(data.X_train[r].to(torch.float64), data.y_train[r]) for r in torch.as_tensor(rows)]
    seconds, t0 = {}, time.process_time()
    scores = [score_cell(c, cfg, batches, seconds) for c in cfg.all_cells()[job["start"]:job["stop"]]]
    return {**job, "scores": scores, "seconds": seconds, "cpu_seconds": time.process_time() - t0}


def build(cfg: ProxyConfig | None = None, *, root: str | Path | None = None, workers: int = 1, executor=None,
          limit: int | None = None, progress: bool = True) -> Path | None:
    """Build, or resume building, the proxy table; returns the .npz path once every job is done, else None.

    `workers`: processes of `build_loop.run_jobs` (1: this process); `executor`: any concurrent.futures-style
    executor instead; `limit`: run at most this many missing jobs, then stop (the next call resumes)."""
    cfg = cfg or ProxyConfig()
    unknown = [p for p in cfg.proxies if p not in REGISTRY]
    if unknown:
        raise ValueError(f"proxies {unknown} are not registered; registered: {sorted(REGISTRY)}")
    root = Path(root) if root is not None else BENCH_DIR
    root.mkdir(parents=True, exist_ok=True)
    done, sessions, complete = resumable_build(root / f"{cfg.name}.partial.jsonl", asdict(cfg), jobs(cfg),
                                               functools.partial(run_job, cfg), workers=workers, executor=executor,
                                               limit=limit, progress=progress, desc=f"build {cfg.name}")
    return pack(cfg, root, done, sessions) if complete else None


def write_npz(path: Path, arrays: dict) -> None:
    """np.savez_compressed with fixed zip timestamps (same arrays -> same bytes), written atomically."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(arr), allow_pickle=False)
    tmp.replace(path)


def pack(cfg: ProxyConfig, root: Path, done: dict, sessions: list) -> Path:
    """Write <name>.npz (cells + one float32 array per proxy) and the sealed <name>.json; drop the partial file."""
    import torch

    recs = [done[j["key"]] for j in jobs(cfg)]
    per_cell = [s for r in recs for s in r["scores"]]
    arrays = {"cells": np.array(cfg.all_cells(), dtype=np.int8)}  # (n, 6) op indices, NB201 table order
    for p in cfg.proxies:  # (n, S, n_batches), or (n, S) for a proxy that ignores the data
        arrays[p] = np.array([c[p] for c in per_cell], dtype=np.float64).astype(np.float32)
    npz = root / f"{cfg.name}.npz"
    write_npz(npz, arrays)
    n, evals = len(per_cell), len(per_cell) * len(cfg.seeds)
    seconds = {k: sum(r["seconds"].get(k, 0.0) for r in recs) for k in {k for r in recs for k in r["seconds"]}}
    meta = {"name": cfg.name, "config": asdict(cfg), "ops": list(OPS), "n_cells": n, "proxies": list(cfg.proxies),
            "needs_data": {p: REGISTRY[p].needs_data for p in cfg.proxies},
            "papers": {p: REGISTRY[p].paper for p in cfg.proxies}, "sign": "higher = predicted better",
            "shapes": {k: list(v.shape) for k, v in arrays.items()},
            "batch_rows": cfg.batch_rows(_n_train(cfg)).tolist(),
            "build": {"cpu_ms_per_cell_and_seed": {k: round(1000 * v / evals, 3) for k, v in sorted(seconds.items())},
                      "sessions": sessions, "wall_seconds": round(sum(s["wall_seconds"] for s in sessions), 1),
                      "cpu_seconds": round(sum(s["cpu_seconds"] for s in sessions), 1),
                      "job_cpu_seconds": round(sum(r["cpu_seconds"] for r in recs), 1), "torch": torch.__version__}}
    write_meta(npz, root / f"{cfg.name}.json", meta)
    (root / f"{cfg.name}.partial.jsonl").unlink()
    return npz


def _n_train(cfg: ProxyConfig) -> int:
    from naslab.data import load_dataset

    return len(load_dataset(cfg.dataset).y_train)


__all__ = ["ProxyConfig", "build", "jobs", "run_job", "score_cell", "write_npz", "pack", "REBUILD",
           "GRADIENT", "CODES"]
