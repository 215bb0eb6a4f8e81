"""Measure notebook 02's real search: controller overhead per child and controller vs random best-so-far.

Runs the class-mode settings of notebooks/02_reinforce_controller.ipynb (MNIST-1D, 80 Adam steps per
child, 40 children per search, seeds 0-2, controller lr 0.05 with m = 4 and entropy bonus 1e-3) and, on
the same children budget, a controller with `ControllerConfig()`'s exploring defaults; it prints

* the controller's own time per child (sampling + REINFORCE updates) as a share of a child's
  training time (target < 5 %);
* the best validation accuracy after 10, 20 and 40 children for each method, mean ± std over seeds,
  and each method's mean child accuracy in the first and last quarter of the search.

Each method trains its own children (no cache shared between methods) after a warm-up child.

Usage: `.venv/bin/python benchmarks/bench_controller.py [n_children] [child_steps] [seeds, e.g. 0,1,2]`
"""

from __future__ import annotations

import sys

import numpy as np
import torch

from naslab.anytime import best_vs_trials
from naslab.controller.children import ChildConfig, ChildObjective, compare_searchers
from naslab.controller.macro_space import MacroSpace
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.data import load_dataset
from naslab.search import run_search


def main(n_children: int = 40, steps: int = 80, seeds=(0, 1, 2)) -> None:
    torch.set_num_threads(1)
    space = MacroSpace(n_layers=4, filters=(4, 8, 16, 32), kernels=(1, 3, 5, 7), strides=(1, 2), skips=True)
    data = load_dataset("mnist1d")
    cmp = compare_searchers(space, n_children, list(seeds), data=data, child=ChildConfig(steps=steps),
                            controller=ControllerConfig(lr=0.05, batch_size=4, entropy_weight=1e-3))
    defaults = ChildObjective(space, ChildConfig(steps=steps), data)  # its own cache
    cmp.trials["ctrl-defaults"] = [run_search(ControllerSearcher(space, ControllerConfig(), seed=s), defaults,
                                              n_children) for s in seeds]
    per_child = sum(cmp.controller_seconds) / (n_children * len(seeds))
    per_train = cmp.train_seconds / cmp.n_trained
    print(f"space: {space.size:,} architectures; {n_children} children x {len(seeds)} seeds x 2 methods, "
          f"{steps} steps per child; {cmp.n_trained} distinct children trained; total {cmp.seconds:.0f} s")
    print(f"controller: {per_child * 1e3:.1f} ms per child; child training: {per_train:.2f} s per child; "
          f"share {cmp.overhead():.2%} (target < 5 %)")
    q = max(1, n_children // 4)
    for method, runs in cmp.trials.items():
        curves = best_vs_trials(runs)
        acc = np.array([[t.score() for t in r] for r in runs])
        best = "  ".join(f"n={n}: {curves[:, n - 1].mean():.3f} ± {curves[:, n - 1].std():.3f}"
                         for n in sorted({min(10, n_children), min(20, n_children), n_children}))
        print(f"{method:>10}: best so far {best} | mean child first/last quarter "
              f"{acc[:, :q].mean():.3f} / {acc[:, -q:].mean():.3f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 40, int(args[1]) if len(args) > 1 else 80,
         tuple(int(s) for s in args[2].split(",")) if len(args) > 2 else (0, 1, 2))
