"""Batched vs one-by-one training of benchmark cells, side by side: `python benchmarks/bakeoff_batched_speed.py`.

Trains the same `--cells` canonical cells (a seeded sample) for one epoch with the shipped benchmark's
network and protocol, once one by one (`train_single`) and once as one batched computation
(`train_batched`), on one thread, and prints the CPU seconds per cell-epoch of both and their ratio.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import numpy as np

from naslab.bakeoff.build import BuildConfig
from naslab.bakeoff.cells import unique_cells
from naslab.bakeoff.training import train_batched, train_single
from naslab.data import load_dataset
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cells", type=int, default=32)
    p.add_argument("--epochs", type=int, default=1)
    a = p.parse_args()
    script_threads()
    cfg = BuildConfig()
    spec = replace(cfg.spec, epochs=a.epochs)
    data = load_dataset(cfg.dataset)
    cells = [unique_cells()[i] for i in np.random.default_rng(0).choice(len(unique_cells()), a.cells, replace=False)]
    train_single(cells[0], 0, data, cfg.net, replace(spec, epochs=1))  # warm-up
    load0 = os.getloadavg()[0]
    t0 = time.process_time()
    single = [train_single(c, 0, data, cfg.net, spec) for c in cells]
    t_single = time.process_time() - t0
    t0 = time.process_time()
    batched = train_batched(cells, 0, data, cfg.net, spec)
    t_batched = time.process_time() - t0
    diff = max(abs(s["val_acc"][-1] - batched["val_acc"][k, -1]) for k, s in enumerate(single))
    per = a.cells * a.epochs
    print(f"{a.cells} cells x {a.epochs} epoch(s), net {cfg.net}, {spec}; load average {load0:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")
    print(f"one by one : {t_single:7.2f} CPU s  ({t_single / per:.3f} s per cell-epoch, evaluation included)")
    print(f"batched    : {t_batched:7.2f} CPU s  ({t_batched / per:.3f} s per cell-epoch, evaluation included)")
    print(f"speed-up   : {t_single / t_batched:.2f}x   (max |val acc difference| {diff:.4f})")


if __name__ == "__main__":
    main()
