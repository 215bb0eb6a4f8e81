"""Building the mini-benchmark: every run of `naslab.proxies.benchmark`, resumable, with a progress bar and workers.

A build is a list of jobs (architecture index, seed, kind, level):

* "main": the architecture as searched, full budget (`epochs`), for every seed;
* then one table per proxy kind with levels (`naslab.proxies.kinds.TABLE_KINDS`), seed 0 on the proxy sample:
  "data": a seeded subset (`data_fractions`) of the training data; "width": fewer channels (`widths`);
  "big": scaled up (2x width, N = 2 repeats) on the head of the sample ("search small, evaluate big").

Every finished run is appended as one JSON line to data/bench/<name>.partial.jsonl, so an
interrupted build (Ctrl-C, a closed laptop) resumes where it stopped; when all runs are done they
are packed into <name>.npz (numbers) + <name>.json (config, space, build time, SHA-256) and the
partial file is removed. Each run uses one thread; `workers` processes run side by side. The partial
file and the worker loop are `naslab.tabular`'s, shared with the cell benchmark of notebook 06.

Command line: `python tools/build/build_bench.py --workers 2` (about 25 min on 2 busy cores).

Taught in: notebooks/03_proxy_evaluation.ipynb (data/README.md says how the shipped file was made).
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from naslab.build_loop import resumable_build
from naslab.proxies.benchmark import BENCH_DIR, BenchConfig, bench_space
from naslab.proxies.kinds import TABLE_KINDS, build_changes, table_archs, table_levels
from naslab.tabular import write_meta
from naslab.utils import get_device

KINDS = ("main", *TABLE_KINDS)  # the main table (every architecture, every seed), then the proxy tables


def proxy_sample(cfg: BenchConfig) -> list[int]:
    """The seeded sample of architecture indices that gets the proxy tables (its head gets "big")."""
    n = bench_space(cfg).size
    return [int(a) for a in np.random.default_rng(0).permutation(n)[: min(cfg.proxy_sample, n)]]


def jobs(cfg: BenchConfig) -> list[dict]:
    """Every training run, in build order: main seeds first, then the proxies, then big."""
    n, sample = bench_space(cfg).size, proxy_sample(cfg)
    out = [{"kind": "main", "arch": a, "seed": s, "level": 0} for s in cfg.seeds for a in range(n)]
    for kind in TABLE_KINDS:  # data, width, big: seed 0 on the proxy sample
        out += [{"kind": kind, "arch": a, "seed": 0, "level": i} for a in table_archs(cfg, kind, sample)
                for i in range(len(table_levels(cfg, kind)))]
    return out


def job_key(job: dict) -> str:
    return f"{job['kind']}/{job['arch']}/{job['seed']}/{job['level']}"


@functools.lru_cache(maxsize=1)
def _warm_up() -> None:
    """Pay torch's one-off start-up costs once per process, outside any run's timed CPU seconds."""
    import torch

    net = torch.nn.Sequential(torch.nn.Conv1d(1, 4, 3), torch.nn.BatchNorm1d(4), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 38, 10))
    opt = torch.optim.Adam(net.parameters())
    for _ in range(3):
        opt.zero_grad()
        net(torch.randn(8, 1, 40)).logsumexp(1).mean().backward()
        opt.step()


def run_job(cfg: BenchConfig, job: dict, device="cpu") -> dict:
    """Train one run on `device` (module level, so a process pool can call it). "cpu" by default: the table's
    curves are CPU seconds, its cost model; "auto" (`get_device`) trains on a GPU when there is one."""
    import torch

    from naslab.data import load_dataset
    from naslab.proxies.proxy import Proxy, run_proxy
    from naslab.train import TrainConfig

    torch.set_num_threads(1)  # one core per run: costs are comparable across runs and workers
    _warm_up()
    space = bench_space(cfg)
    arch = space.decode([int(t) for t in np.unravel_index(job["arch"], space.num_choices)])
    proxy = Proxy(epochs=cfg.epochs)
    if job["kind"] != "main":
        proxy = proxy.scaled(**build_changes(cfg, job["kind"], job["level"]))
    tc = TrainConfig(optimizer=cfg.optimizer, lr=cfg.lr, batch_size=cfg.batch_size, device=device)
    out = run_proxy(space, arch, proxy, load_dataset(cfg.dataset), train_cfg=tc, seed=job["seed"])
    return {**job, "key": job_key(job), **{k: out[k] for k in ("curve", "cpu_curve", "seconds", "params")}}


def build(cfg: BenchConfig | None = None, *, root: str | Path | None = None, workers: int = 1,
          limit: int | None = None, progress: bool = True, device="cpu") -> Path | None:
    """Build, or resume building, the benchmark.

    Args:
        cfg: what to train (default: the shipped benchmark).
        root: the folder of the files (default: data/bench/).
        workers: worker processes (1: in this process).
        limit: run at most this many of the missing jobs, then stop (the rest on the next call).
        progress: show a tqdm progress bar.
        device: where the runs train ("cpu": the shipped table's CPU-second curves; "auto": `get_device`).

    Returns:
        the .npz path once every run is done (the files are then packed), else None.
    """
    cfg = cfg or BenchConfig()
    get_device(device)  # a bad name fails before any work starts
    root = Path(root) if root is not None else BENCH_DIR
    root.mkdir(parents=True, exist_ok=True)
    all_jobs = [{**j, "key": job_key(j)} for j in jobs(cfg)]
    done, sessions, complete = resumable_build(root / f"{cfg.name}.partial.jsonl", asdict(cfg), all_jobs,
                                               functools.partial(run_job, cfg, device=device), workers=workers,
                                               limit=limit, progress=progress, desc=f"bench {cfg.name}")
    return _pack(cfg, root, done, sessions[-1]["wall_seconds"], workers) if complete else None


def _robust_seconds(rec: dict) -> list[float]:
    """Cumulative cost e * (median CPU seconds of one epoch): every epoch does the same work, and the
    median ignores an epoch stalled by a busy machine (seen while building: one epoch took 40 s)."""
    per_epoch = np.diff([0.0, *rec["cpu_curve"]])  # (E,) CPU seconds of each epoch
    return (float(np.median(per_epoch)) * np.arange(1, len(per_epoch) + 1)).tolist()


def _pack(cfg: BenchConfig, root: Path, done: dict, seconds: float, workers: int) -> Path:
    """Turn the finished runs into the compact .npz + .json pair (the .npz written atomically)."""
    import torch

    space = bench_space(cfg)
    n, e = space.size, cfg.epochs
    sample = proxy_sample(cfg)
    big = sample[: cfg.big_sample]

    def table(kind, archs, pairs, field, dtype=np.float32):  # -> (len(archs), len(pairs), ...)
        get = _robust_seconds if field == "cpu_curve" else (lambda r: r[field])
        return np.array([[get(done[f"{kind}/{a}/{sd}/{lv}"]) for sd, lv in pairs] for a in archs], dtype=dtype)

    seeds = [(sd, 0) for sd in cfg.seeds]
    arrays = {
        "tokens": np.array([space.encode(a) for a in space.enumerate()], dtype=np.int8),  # (n, T)
        "val_acc": table("main", range(n), seeds, "curve"),  # (n, S, E)
        "cpu_seconds": table("main", range(n), seeds, "cpu_curve"),  # (n, S, E), cumulative, robust
        "params": table("main", range(n), seeds[:1], "params", np.int64)[:, 0],  # (n,)
        "proxy_index": np.array(sample, dtype=np.int64),
        "big_index": np.array(big, dtype=np.int64),
    }
    for kind in TABLE_KINDS:
        archs, pairs = table_archs(cfg, kind, sample), [(0, i) for i in range(len(table_levels(cfg, kind)))]
        arrays[f"{kind}_acc"] = table(kind, archs, pairs, "curve")  # (m, levels, E)
        arrays[f"{kind}_cpu_seconds"] = table(kind, archs, pairs, "cpu_curve")
        arrays[f"{kind}_params"] = table(kind, archs, pairs, "params", np.int64)  # (m, levels)
    assert arrays["val_acc"].shape == (n, len(cfg.seeds), e)
    npz, tmp = root / f"{cfg.name}.npz", root / f"{cfg.name}.tmp.npz"
    np.savez_compressed(tmp, **arrays)
    tmp.replace(npz)
    meta = {"config": asdict(cfg), "space": dict(cfg.space), "size": n, "fidelities": list(range(1, e + 1)),
            "sha256": hashlib.sha256(npz.read_bytes()).hexdigest(),
            "shapes": {k: list(v.shape) for k, v in arrays.items()},
            "build": {"runs": len(done), "workers": workers, "last_session_wall_seconds": round(seconds, 1),
                      "sum_run_cpu_seconds": round(sum(r["cpu_curve"][-1] for r in done.values()), 1),
                      "sum_run_wall_seconds": round(sum(r["seconds"] for r in done.values()), 1),
                      "torch": torch.__version__, "date": time.strftime("%Y-%m-%d %H:%M")}}
    write_meta(npz, root / f"{cfg.name}.json", meta)  # adds the checksum of the metadata
    (root / f"{cfg.name}.partial.jsonl").unlink()
    return npz
