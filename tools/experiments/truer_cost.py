"""Estimate what the truer cell table (`naslab.bakeoff.truer.TRUER`) costs to build, from a few timed cells.

    python tools/experiments/truer_cost.py --cells 64      # a build-sized group, 1 epoch each config, on the CPU
    python tools/experiments/truer_cost.py --device auto   # the same on a GPU when there is one

Trains `--cells` cells (evenly spread over the distinct cells) as one batched group for `--epochs` epochs with the
shipped configuration and with TRUER, measuring CPU seconds (process time, one thread) and wall seconds
per cell-epoch, and scales each to its full build (4,930 cells x seeds x epochs). Groups smaller than the
build's 64 amortise less per-step overhead, so their CPU figure is an upper bound. Prints the
load average too: on a shared machine the wall figures are only indicative.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from naslab.bakeoff.cells import unique_cells
from naslab.bakeoff.training import train_batched
from naslab.bakeoff.truer import LAPTOP, TRUER
from naslab.data import load_dataset
from naslab.utils import get_device, script_threads


def time_config(cfg, cells, epochs: int, device: str) -> dict:
    """CPU and wall seconds per cell-epoch of `cfg` on `cells`, and that scaled to the full build."""
    from dataclasses import replace

    data = load_dataset(cfg.dataset)
    spec = replace(cfg.spec, epochs=epochs)
    train_batched(cells[:2], 0, data, cfg.net, replace(spec, epochs=1, n_train=64), device=device)  # warm-up
    c0, t0 = time.process_time(), time.perf_counter()
    r = train_batched(cells, 0, data, cfg.net, spec, device=device)
    if str(get_device(device)).startswith("cuda"):
        torch.cuda.synchronize()
    cpu, wall = (time.process_time() - c0) / (len(cells) * epochs), (time.perf_counter() - t0) / (len(cells) * epochs)
    n = len(cfg.all_cells()) * len(cfg.seeds) * cfg.spec.epochs  # cell-epochs of the full build
    return {"name": cfg.name, "cpu_s_per_cell_epoch": cpu, "wall_s_per_cell_epoch": wall,
            "full_cpu_hours": cpu * n / 3600, "full_wall_hours": wall * n / 3600,
            "val_acc": r["val_acc"][:, -1].round(3).tolist()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    script_threads()
    every = unique_cells()
    cells = every[:: max(1, len(every) // args.cells)][: args.cells]
    print(f"torch {torch.__version__}, device {get_device(args.device)}, load average {os.getloadavg()}")
    rows = [time_config(cfg, cells, args.epochs, args.device) for cfg in (LAPTOP, TRUER)]
    for r in rows:
        print(f"{r['name']:22s} {r['cpu_s_per_cell_epoch']:.3f} CPU s / cell-epoch ({r['wall_s_per_cell_epoch']:.3f} "
              f"wall); full build {r['full_cpu_hours']:.1f} CPU h ({r['full_wall_hours']:.1f} wall h); "
              f"val acc after {args.epochs} epoch(s): mean {np.mean(r['val_acc']):.3f}, best {max(r['val_acc']):.3f}")
    print(f"truer / laptop: {rows[1]['full_cpu_hours'] / rows[0]['full_cpu_hours']:.1f}x the CPU time; "
          f"load average now {os.getloadavg()}")


if __name__ == "__main__":
    main()
