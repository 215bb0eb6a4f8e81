"""Measuring inference latency properly: one thread, warm-up, the median of many runs and its spread.

The latency of a network on a device is what a hardware-aware search optimises (MnasNet: Tan et al.,
CVPR 2019, measured on a phone; HW-NAS-Bench: Li et al., ICLR 2021, measured NAS-Bench-201 on six
devices). Here the device is the machine running the notebook, and the network is notebook 06's cell
network (`naslab.bakeoff.network`, the benchmark's `NetConfig(C=8, stem_stride=2)`). One measurement:

    set_threads(1); torch.inference_mode(); gc off
    `warmup` forward passes (caches, allocator, lazy initialisation), then `runs` timed passes
    t_r = perf_counter after - before,  r = 1..runs
    latency = median_r t_r,  spread = IQR = q75 - q25   (robust to the few runs another process interrupts)

at batch 1 (the latency of one request) and one larger batch (throughput: seconds per batch of 64).
HW-NAS-Bench's users met the pitfall of mixing per-image and per-batch latency: every number here says
its batch size. The record keeps the machine (CPU model, cores), the torch version and the thread count,
since a latency means nothing without them.

Taught in: notebooks/08_hardware_aware.ipynb.
"""

from __future__ import annotations

import gc
import os
import platform
import time
from dataclasses import dataclass

import numpy as np
import torch

from naslab.bakeoff.build import BuildConfig
from naslab.bakeoff.cells import OPS, check_cell
from naslab.bakeoff.network import NetConfig, apply_op, forward, init_buffers, init_params
from naslab.proxies.ranking import spearman_rho
from naslab.utils import set_threads

BENCH_NET = BuildConfig().net  # the network of the shipped table: NetConfig(C=8, stem_stride=2)


@dataclass(frozen=True)
class TimingSpec:
    """How one latency is measured: `warmup` untimed passes, then the median of `runs` timed ones."""

    batch_sizes: tuple = (1, 64)
    runs: int = 30
    warmup: int = 5

    def __post_init__(self):
        for name, v, lo in (("runs", self.runs, 1), ("warmup", self.warmup, 0)):
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ValueError(f"{name}={v!r} must be an int >= {lo}")
        if not self.batch_sizes or not all(isinstance(b, int) and not isinstance(b, bool) and b >= 1
                                           for b in self.batch_sizes):
            raise ValueError(f"batch_sizes={self.batch_sizes!r} must be a non-empty tuple of ints >= 1")


def machine_info() -> dict:
    """What a latency depends on: CPU model, cores, OS, Python, torch version and torch's thread count."""
    model = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo").read().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass  # not Linux: platform.processor() is what there is
    return {"cpu": model or platform.machine(), "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "torch": torch.__version__, "threads": torch.get_num_threads()}


def time_runs(fn, spec: TimingSpec) -> np.ndarray:
    """(runs,) seconds of `fn()` after `spec.warmup` untimed calls, one thread, inference mode, gc off."""
    before, was_gc = torch.get_num_threads(), gc.isenabled()
    set_threads(1)
    gc.disable()
    try:
        with torch.inference_mode():
            for _ in range(spec.warmup):
                fn()
            out = np.empty(spec.runs)
            for r in range(spec.runs):
                t0 = time.perf_counter()
                fn()
                out[r] = time.perf_counter() - t0
    finally:
        if was_gc:
            gc.enable()
        torch.set_num_threads(before)
    return out


def summarise(times) -> dict:
    """{"median", "q25", "q75", "iqr"} in seconds of a (runs,) array of timings."""
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)):
        raise ValueError(f"times must be a non-empty 1-D array of finite seconds, got shape {t.shape}")
    q25, med, q75 = np.percentile(t, [25, 50, 75])
    return {"median": float(med), "q25": float(q25), "q75": float(q75), "iqr": float(q75 - q25)}


class CellTimer:
    """One set of supernet weights and inputs, reused for every cell (weights do not change the time)."""

    def __init__(self, cfg: NetConfig = BENCH_NET, spec: TimingSpec = TimingSpec(), seed: int = 0):
        self.cfg, self.spec = cfg, spec
        self.params, self.buffers = init_params(cfg, seed), init_buffers(cfg)
        g = torch.Generator().manual_seed(seed)
        self.inputs = {b: torch.randn(b, 1, cfg.length, generator=g) for b in spec.batch_sizes}  # (B, 1, L)

    def cell(self, cell) -> dict:
        """batch size -> summary of the forward pass of the network with `cell` (eval mode, BN running stats)."""
        cell = check_cell(cell)
        return {b: summarise(time_runs(lambda x=x: forward(self.params, self.buffers, cell, x, self.cfg), self.spec))
                for b, x in self.inputs.items()}

    def op(self, op: str, stage: int) -> dict:
        """batch size -> summary of one edge op alone at stage `stage`'s shape (B, C_s, L_s); 'none' is 0."""
        if op not in OPS:
            raise ValueError(f"op {op!r} is unknown; allowed: {list(OPS)}")
        if not 0 <= stage < self.cfg.n_stages:
            raise ValueError(f"stage={stage!r} is not in 0..{self.cfg.n_stages - 1}")
        zero = {"median": 0.0, "q25": 0.0, "q75": 0.0, "iqr": 0.0}
        out = {}
        for b in self.spec.batch_sizes:
            if op == "none":
                out[b] = dict(zero)
                continue
            x = torch.randn(b, self.cfg.channels(stage), self.cfg.lengths(stage))  # (B, C_s, L_s)
            name = f"s{stage}c0.e0"  # the weights of edge 0: every edge's conv has the same shape
            out[b] = summarise(time_runs(lambda x=x, name=name: apply_op(op, x, self.params, self.buffers, name, False),
                                         self.spec))
        return out


def measure_sample(cells, *, seconds: float = 60.0, spec: TimingSpec = TimingSpec(), seed: int = 0,
                   min_cells: int = 1) -> dict:
    """Time cells in the given order until `seconds` of wall time are spent and at least `min_cells` are
    done (the notebook's live check).

    Returns {"cells": [...], "median": (n, n_batches), "iqr": (n, n_batches), "batch_sizes", "machine",
    "seconds"}: the cells measured, in order.
    """
    if not seconds > 0:
        raise ValueError(f"seconds={seconds!r} must be > 0")
    timer, t0 = CellTimer(spec=spec, seed=seed), time.perf_counter()
    done, med, iqr = [], [], []
    for c in cells:
        r = timer.cell(c)
        done.append(check_cell(c))
        med.append([r[b]["median"] for b in spec.batch_sizes])
        iqr.append([r[b]["iqr"] for b in spec.batch_sizes])
        if time.perf_counter() - t0 >= seconds and len(done) >= min_cells:
            break
    return {"cells": done, "median": np.array(med), "iqr": np.array(iqr), "batch_sizes": tuple(spec.batch_sizes),
            "machine": machine_info(), "seconds": time.perf_counter() - t0}


def compare(shipped, measured) -> dict:
    """How a fresh measurement agrees with a shipped one over the same cells (equal-length 1-D arrays):
    {"spearman": rank correlation, "median_ratio": median of measured / shipped, "n"}."""
    a, b = np.asarray(shipped, dtype=float), np.asarray(measured, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"shipped {a.shape} and measured {b.shape} must be 1-D of the same length >= 2")
    if not (np.all(a > 0) and np.all(b > 0)):
        raise ValueError("latencies must be > 0 seconds")
    return {"spearman": spearman_rho(a, b), "median_ratio": float(np.median(b / a)), "n": len(a)}


__all__ = ["BENCH_NET", "TimingSpec", "CellTimer", "machine_info", "time_runs", "summarise", "measure_sample",
           "compare"]
