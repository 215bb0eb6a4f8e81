"""What one DARTS search step costs: wall and CPU seconds, and peak memory, first against second order.

The second order (DARTS §2.3) adds, per step, a forward/backward for the look-ahead weights w' and two
for the finite-difference Hessian-vector product of eq. (8); memory stays at about one graph at a
time. An exact Hessian-vector product by double backward keeps the graph of a gradient alive
(`hvp="exact"`), which costs more of both. `profile_step` measures a few real steps of
`naslab.darts.search.search_step`, with every setting of the search; `peak_memory_mb` measures any function:

* on a GPU, with the CUDA allocator's peak statistics;
* on a CPU, from the profiler's allocation and free events, summed in time order (torch tensors only).

Taught in: notebooks/05_darts.ipynb (§ first against second order).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import asdict

import numpy as np
import torch

from naslab.darts.config import SearchConfig
from naslab.darts.search import build_search, configured_step
from naslab.darts.step import WSchedule


@contextmanager
def _quiet_stderr():
    """Silence file descriptor 2 (the profiler's C++ start / stop log lines), then restore it."""
    try:
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no real fd 2 (some embedded interpreters): nothing to silence
        yield
        return
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def peak_memory_mb(fn, device) -> float:
    """Peak memory (MiB) that `fn()` allocates above what was live before it: CUDA allocator statistics on
    a GPU, the profiler's allocation events on the CPU (torch tensors only, not Python objects)."""
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        fn()
        torch.cuda.synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - base) / 2**20
    from torch.profiler import ProfilerActivity, profile

    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    try:  # every allocation / free, in order
        ev = [(e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    except AttributeError:  # older / newer torch: net allocation per op, in order
        ev = [(e.time_range.start, e.cpu_memory_usage) for e in prof.events()]
    live = peak = 0
    for _, nbytes in sorted(ev, key=lambda t: t[0]):
        live += nbytes
        peak = max(peak, live)
    return peak / 2**20


def profile_step(data, cfg: SearchConfig | None = None, *, n_steps: int = 3, **overrides) -> dict:
    """Measure one search step of `cfg` (first or second order): wall seconds per step (median of
    `n_steps` after one warm-up step), CPU seconds per step, and the peak memory of one more step.

    The steps are the first steps of `run_darts` with every setting of `cfg` (`configured_step`: its
    step order, clip, ξ, learning rate and warm-up), on consecutive batches of the two halves."""
    cfg = SearchConfig(**{**asdict(cfg or SearchConfig()), **overrides})
    model, architect, w_opt, ((Xw, yw), (Xa, ya)) = build_search(data, cfg)
    bs = cfg.batch_size
    schedule = WSchedule(w_opt, cfg, -(-len(yw) // bs))
    schedule.start_epoch(1)
    step = configured_step(cfg, model, architect, w_opt, schedule, epoch=1)
    walls, cpus = [], []
    for i in range(n_steps + 2):  # one warm-up step, n_steps timed steps, one step under the memory profiler
        start = (i * bs) % max(1, len(yw) - bs)
        batches = ((Xw[start:start + bs], yw[start:start + bs]), (Xa[start:start + bs], ya[start:start + bs]))
        if i == n_steps + 1:
            peak = peak_memory_mb(lambda batches=batches: step(*batches), Xw.device)
            break
        t, c = time.perf_counter(), time.process_time()
        step(*batches)
        if Xw.device.type == "cuda":  # the step reads nothing back: wait for the device before reading the clock
            torch.cuda.synchronize(Xw.device)
        schedule.after_step()
        if i > 0:  # the first step warms up caches
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
    return {"order": cfg.order, "seconds_per_step": float(np.median(walls)),
            "cpu_seconds_per_step": float(np.median(cpus)), "peak_mb": peak, "batch_size": bs}


__all__ = ["peak_memory_mb", "profile_step"]
