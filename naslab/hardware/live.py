"""The notebook's live latency check, with a progress line every few seconds.

`naslab.hardware.table.live_check` times a seeded random sample of the table's cells for about `seconds`
and compares it with the shipped latencies; a notebook cell that stays silent for 20 s looks frozen, so
`live_check_verbose` does the same in chunks of `every` seconds and prints one line per chunk. Same
sample order (the seed's permutation), same timing (`measure_sample`), same comparison (`compare`).

Taught in: notebooks/08_hardware_aware.ipynb §1.
"""

from __future__ import annotations

import time

import numpy as np

from naslab.hardware.latency import TimingSpec, compare, machine_info, measure_sample


def live_check_verbose(table, *, seconds: float = 20.0, batch: int = 1, seed: int = 0, every: float = 5.0,
                       spec: TimingSpec | None = None, report=print) -> dict:
    """`live_check`'s result ({"spearman", "median_ratio", "n", "cells", "measured", "shipped", "machine",
    "shipped_machine"}), timed in chunks of `every` seconds with a progress line after each."""
    if not seconds > 0 or not every > 0:
        raise ValueError(f"seconds={seconds!r} and every={every!r} must be > 0")
    spec = spec or TimingSpec(batch_sizes=(batch,))
    if batch not in spec.batch_sizes:
        raise ValueError(f"batch={batch!r} is not measured by spec.batch_sizes={list(spec.batch_sizes)}")
    table.batch_index(batch)  # a ValueError when the table lacks this batch size
    cells = table.unique_cells()
    order = [cells[i] for i in np.random.default_rng(seed).permutation(len(cells))]
    col, t0, done, measured = spec.batch_sizes.index(batch), time.perf_counter(), [], []
    while len(done) < len(order):
        left = seconds - (time.perf_counter() - t0)
        if left <= 0 and len(done) >= 2:
            break
        chunk = measure_sample(order[len(done):], seconds=max(min(every, left), 1e-3), spec=spec, seed=seed,
                               min_cells=1 if len(done) >= 2 else 2 - len(done))
        done += chunk["cells"]
        measured += list(chunk["median"][:, col])
        report(f"  {time.perf_counter() - t0:5.1f} s: {len(done)} cells timed")
    measured = np.array(measured)
    shipped = np.array([table.latency(c, batch) for c in done])
    return {**compare(shipped, measured), "cells": done, "measured": measured, "shipped": shipped,
            "machine": machine_info(), "shipped_machine": table.meta["machine"]}


__all__ = ["live_check_verbose"]
