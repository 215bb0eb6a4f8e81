"""Time and peak memory of one DARTS search step, first vs second order (notebook 05, section 6).

    .venv/bin/python benchmarks/darts_step_cost.py --steps 5      # the README's "search step" row
    NASLAB_FAST=1 .venv/bin/python benchmarks/darts_step_cost.py   # a smoke test

Three variants of `naslab.darts.profile.profile_step` on notebook 05's supernet (C=8, 3 cells, 2 nodes,
batch 64 per half, MNIST-1D): first order, second order with eq. (8)'s finite-difference Hessian-vector
product, and second order with the exact product (double backward). Prints wall and CPU seconds per step
(median of `--steps` after one warm-up step), the peak memory of one more step, and the ratios to first
order. Wall seconds depend on the machine's load; CPU seconds of this process are the load-free proxy.
A speed measurement only: the claims of notebook 05 come from `make claims SEEDS=0,1,2`.
"""

from __future__ import annotations

import argparse

import torch

from naslab.config import budget
from naslab.darts.profile import profile_step
from naslab.darts.search import SearchConfig
from naslab.data import load_dataset
from naslab.utils import script_threads

SUPERNET = dict(C=8, layers=3, steps=2, batch_size=64, alpha_lr=0.05)  # notebook 05's SEARCH (its seed: --seed)
VARIANTS = (("first", {"order": "first"}), ("second (eq. 8)", {"order": "second"}),
            ("second (exact HVP)", {"order": "second", "hvp": "exact"}))


def costs(n_steps: int, seed: int = 0, n_train: int = budget(full=1600, fast=256)) -> list[dict]:
    """One row per variant: label, seconds_per_step, cpu_seconds_per_step, peak_mb, batch_size."""
    data = load_dataset("mnist1d", n_train=n_train)
    rows = []
    for label, kw in VARIANTS:
        p = profile_step(data, SearchConfig(**SUPERNET, seed=seed), n_steps=n_steps, **kw)
        rows.append({"label": label, **p})
        print(f"{label:19s} {p['seconds_per_step']:.3f} s/step wall, {p['cpu_seconds_per_step']:.3f} s/step CPU, "
              f"peak {p['peak_mb']:.1f} MiB (batch {p['batch_size']} per half)", flush=True)
    first = rows[0]
    print(f"ratios to first order: CPU time {rows[1]['cpu_seconds_per_step'] / first['cpu_seconds_per_step']:.2f}x "
          f"(eq. 8); peak memory {rows[1]['peak_mb'] / first['peak_mb']:.2f}x (eq. 8), "
          f"{rows[2]['peak_mb'] / first['peak_mb']:.2f}x (exact HVP)", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=budget(full=5, fast=1), help="timed steps per variant")
    ap.add_argument("--seed", type=int, default=0, help="the search's seed (notebook 05's SEED)")
    args = ap.parse_args()
    threads = script_threads()
    print(f"torch {torch.__version__}, {threads} thread(s)")
    costs(args.steps, args.seed)


if __name__ == "__main__":
    main()
