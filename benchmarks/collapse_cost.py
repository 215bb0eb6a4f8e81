"""What does skip-connection collapse cost at notebook 05's scale? Retrain normal cells of S2 with 0, 2 and 4 skips.

    .venv/bin/python benchmarks/collapse_cost.py --threads 1                 # digits and MNIST-1D, 3 seeds each
    .venv/bin/python benchmarks/collapse_cost.py --datasets digits --seeds 5 --threads 1
    .venv/bin/python benchmarks/collapse_cost.py --reduce skip --threads 1   # reduction cells of skips instead

RobustDARTS's space S2 (Zela et al., ICLR 2020) lets every edge pick `sep_conv_3x3` or `skip_connect`.
Collapse fills the normal cell with skips; a mitigation (DARTS+'s early stopping, P-DARTS's cap) can only
give a better cell where skips in the normal cell cost accuracy. This script measures that cost directly,
with no search in between: the reduction cell is held at four convolutions (`--reduce skip`: four skips,
i.e. strided 1x1 convolutions, so that the normal cells do all the spatial work) and the normal cell
(4 edges, 2 nodes) gets 0, 2 or 4 skips. Each cell is retrained from scratch with the recipes notebook 05 uses:

- digits, §7's recipe: C=8, 5 cells, SGD lr 0.05, batch 32, 3 epochs (and a longer 10-epoch run);
- MNIST-1D, §5's recipe: C=8, 5 cells, SGD lr 0.1, batch 128, 3 epochs (and Adam lr 3e-3, 5 epochs, which
  is steadier).

It prints the validation accuracy per seed and mean ± std per cell, then the gap "all-conv − all-skip".
A gap within the seed spread means the normal cell's convolutions do not matter at this scale, and no
mitigation of collapse can show a better cell there. `NASLAB_FAST=1` shrinks it to a smoke test.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from naslab.config import budget
from naslab.darts.genotype import Genotype
from naslab.darts.search import evaluate_genotype
from naslab.data import load_dataset

CONV, SKIP = "sep_conv_3x3", "skip_connect"
REDUCE = {"conv": (((CONV, 0), (CONV, 1)), ((CONV, 0), (CONV, 1))),  # the reduction cell, in every variant
          "skip": (((SKIP, 0), (SKIP, 1)), ((SKIP, 0), (SKIP, 1)))}   # (a stride-2 skip is FactorizedReduce)
NORMAL = {  # node 0 takes inputs 0, 1; node 1 takes inputs 0, 1 (the warm-up cell's wiring)
    "0 skips (all conv)": (((CONV, 0), (CONV, 1)), ((CONV, 0), (CONV, 1))),
    "2 skips (collapsed)": (((SKIP, 0), (CONV, 1)), ((CONV, 0), (SKIP, 1))),
    "4 skips (all skip)": (((SKIP, 0), (SKIP, 1)), ((SKIP, 0), (SKIP, 1))),
}
RECIPES = {  # dataset -> [(label, TrainConfig fields)]: notebook 05's retraining, plus a longer / steadier one
    "digits": [("§7: SGD 0.05, batch 32, 3 ep", dict(lr=0.05, batch_size=32, epochs=budget(full=3, fast=1))),
               ("SGD 0.05, batch 32, 10 ep", dict(lr=0.05, batch_size=32, epochs=budget(full=10, fast=1)))],
    "mnist1d": [("§5: SGD 0.1, batch 128, 3 ep", dict(lr=0.1, batch_size=128, epochs=budget(full=3, fast=1))),
                ("Adam 3e-3, batch 64, 5 ep", dict(optimizer="adam", lr=3e-3, batch_size=64,
                                                   epochs=budget(full=5, fast=1)))],
}


def retrain(genotype: Genotype, data, seed: int, **fields) -> float:
    """Validation accuracy of the cell retrained from scratch as notebook 05 does (C=8, 5 cells, weight decay 3e-4)."""
    return evaluate_genotype(genotype, data, seed=seed, C=8, layers=5, **fields).score()


def measure(dataset: str, seeds: int, reduce: str = "conv") -> dict:
    data = load_dataset(dataset, n_train=budget(full=None, fast=256))
    out = {}
    for label, fields in RECIPES[dataset]:
        print(f"\n## {dataset}, {label}, reduction cell of {reduce}s ({len(data.y_train)} training examples, "
              f"{len(data.y_val)} validation)")
        accs = {}
        for name, normal in NORMAL.items():
            t0 = time.perf_counter()
            accs[name] = [retrain(Genotype(normal, REDUCE[reduce]), data, s, **fields) for s in range(seeds)]
            print(f"  {name:20s} {np.mean(accs[name]):.3f} ± {np.std(accs[name]):.3f}   seeds "
                  + " ".join(f"{a:.3f}" for a in accs[name]) + f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
        conv, skip = np.array(accs["0 skips (all conv)"]), np.array(accs["4 skips (all skip)"])
        print(f"  all-conv − all-skip: {np.mean(conv - skip):+.3f} (per seed "
              + " ".join(f"{d:+.3f}" for d in conv - skip) + ")")
        out[dataset, label] = accs
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    ap.add_argument("--seeds", type=int, default=budget(full=3, fast=1), help="retraining seeds per cell")
    ap.add_argument("--reduce", default="conv", choices=list(REDUCE), help="what the reduction cell holds")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for dataset in args.datasets:
        measure(dataset, args.seeds, args.reduce)


if __name__ == "__main__":
    main()
