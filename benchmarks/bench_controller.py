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

`--seeds 0,1,2` instead runs notebook 02's section 5 exactly as the notebook does, once per value of
its `SEED` parameter (the seed of every child's training and of the winners' longer training; the
searches' own seeds stay `SEEDS = [0, 1, 2]`), and prints the values the section's `claim(...)` calls
check, per notebook seed: this is where their bounds come from (about 3 minutes per seed on one thread).
"""

from __future__ import annotations

import sys

import numpy as np
import torch

from naslab.anytime import best_trial, best_vs_trials
from naslab.controller.children import ChildConfig, ChildObjective, compare_searchers
from naslab.controller.macro_space import MacroSpace
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.data import load_dataset
from naslab.search import run_search
from naslab.train import TrainConfig, evaluate, train
from naslab.utils import seed_everything

FINAL_STEPS = 1000  # the notebook's longer training of the two winners (class mode)


def notebook_claims(seed: int, n_children: int = 40, steps: int = 80, search_seeds=(0, 1, 2)) -> dict:
    """Notebook 02, section 5, with `SEED = seed`: the values its claims check."""
    space = MacroSpace(n_layers=4, filters=(4, 8, 16, 32), kernels=(1, 3, 5, 7), strides=(1, 2), skips=True)
    data = load_dataset("mnist1d")
    cmp = compare_searchers(space, n_children, list(search_seeds), data=data, child=ChildConfig(steps=steps, seed=seed),
                            controller=ControllerConfig(lr=0.05, batch_size=4, entropy_weight=1e-3))
    curves = {m: best_vs_trials(runs) for m, runs in cmp.trials.items()}
    climb = [np.mean([t.score() for t in r[-10:]]) - np.mean([t.score() for t in r[:10]])
             for r in cmp.trials["controller"]]
    v = {"climb": float(np.mean(climb)), "climb_per_search": [round(float(c), 3) for c in climb],
         "random_mean_child": float(np.mean([[t.score() for t in r] for r in cmp.trials["random"]])),
         "controller_mean_child": float(np.mean([[t.score() for t in r] for r in cmp.trials["controller"]])),
         "best_controller": float(curves["controller"][:, -1].mean()),
         "best_random": float(curves["random"][:, -1].mean())}
    v["abs_best_gap"] = abs(v["best_controller"] - v["best_random"])
    proxy = TrainConfig(optimizer="adam", lr=1e-2, batch_size=64, epochs=1000, max_steps=steps, seed=seed)
    for m, runs in cmp.trials.items():  # the notebook's last cell: each method's winner trained longer, test split
        a = space.decode(best_trial([t for r in runs for t in r]).config["tokens"])
        seed_everything(seed)
        net = space.build(a, data.input_shape, data.num_classes)
        train(net, data, proxy, max_steps=FINAL_STEPS)
        v[f"test_{m}"] = float(evaluate(net, data.X_test, data.y_test)[1])
    v["min_test"] = min(v["test_controller"], v["test_random"])
    print(f"SEED {seed} ({cmp.seconds:.0f} s): " + ", ".join(
        f"{k} {x:.3f}" if isinstance(x, float) else f"{k} {x}" for k, x in v.items()), flush=True)
    return v


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
    if "--seeds" in args:  # notebook 02's section 5, once per notebook SEED
        torch.set_num_threads(1)
        seeds = [int(x) for x in args[args.index("--seeds") + 1].split(",")]
        rows = {s: notebook_claims(s) for s in seeds}
        for k in rows[seeds[0]]:
            if isinstance(rows[seeds[0]][k], float):
                print(f"{k:>22}: " + "  ".join(f"{rows[s][k]:.3f}" for s in seeds) + f"   (SEED = {seeds})")
        sys.exit(0)
    main(int(args[0]) if args else 40, int(args[1]) if len(args) > 1 else 80,
         tuple(int(s) for s in args[2].split(",")) if len(args) > 2 else (0, 1, 2))
