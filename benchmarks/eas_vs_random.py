"""EAS (RL meta-controller) vs random transformations vs no growth, over seeds: `python benchmarks/eas_vs_random.py`.

Notebook 04's class-mode search: start network `conv-4-3 pool conv-4-3 pool fc-8` trained 1,000 Adam
updates on MNIST-1D; 5 episodes x 4 children, 1 wider + 1 deeper action per child, 60 updates per child.
Prints the best validation accuracy of each method per seed, the mean, and the updates spent
compared with training every child from scratch to the same point (sum of `lineage_steps`).

`--seeds 0,1,2` are values of the notebook's `SEED` parameter: each seed reproduces the notebook's
section 5 (teacher trained with that seed, the three searches, the `N_SCRATCH = 2` best EAS children
retrained from scratch) and prints the values its `claim(...)` calls check; this is where their bounds
come from (about 2 minutes per seed on one thread).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from naslab.data import load_dataset  # noqa: E402
from naslab.net2net.eas import EASConfig, run_eas, scratch_baseline  # noqa: E402
from naslab.net2net.network import make_plain_net  # noqa: E402
from naslab.train import TrainConfig, train  # noqa: E402
from naslab.utils import seed_everything  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seeds", default="0,1,2", help="the notebook's SEED values, e.g. 0,1,2")
    p.add_argument("--n-scratch", type=int, default=2, help="best EAS children retrained from scratch (N_SCRATCH)")
    p.add_argument("--episodes", type=int, default=5)
    p.add_argument("--children", type=int, default=4)
    p.add_argument("--child-steps", type=int, default=60)
    p.add_argument("--root-steps", type=int, default=1000)
    p.add_argument("--child-lr", type=float, default=EASConfig.child_lr)
    args = p.parse_args()
    torch.set_num_threads(1)
    data = load_dataset("mnist1d")
    arch = "conv-4-3 pool conv-4-3 pool fc-8"
    cfg = EASConfig(start_arch=arch, episodes=args.episodes, children=args.children, child_steps=args.child_steps,
                    root_steps=args.root_steps, child_lr=args.child_lr)
    seeds = [int(x) for x in args.seeds.split(",")]
    best = {"rl": [], "random": [], "none": []}
    claims = {"growth_minus_none": [], "scratch_over_paid": [], "scratch_minus_inherited": []}
    t0 = time.perf_counter()
    for seed in seeds:
        seed_everything(seed)  # the notebook's teacher cell
        start = make_plain_net(data.input_shape, data.num_classes, arch, bn=True)
        train(start, data, TrainConfig(optimizer="adam", lr=1e-2, max_steps=args.root_steps, epochs=50, seed=seed))
        start.eval()  # the notebook draws the teacher in eval mode before section 5
        row = []
        for policy in best:
            trials, _ = run_eas(data, cfg, policy=policy, seed=seed, start=start)
            best[policy].append(max(t.score() for t in trials))
            row.append(f"{policy} {best[policy][-1]:.3f}")
            if policy == "rl":
                eas = trials
                kids = [t for t in trials if t.parent is not None]
                paid, scratch = sum(t.metrics["steps"] for t in kids), sum(t.metrics["lineage_steps"] for t in kids)
        top = sorted(kids, key=lambda t: -t.score())[:args.n_scratch]
        redo = {}
        for t in top:
            redo.update(scratch_baseline(eas, data, cfg, ids=[t.trial_id], seed=seed))
        claims["growth_minus_none"].append(max(best["rl"][-1], best["random"][-1]) - best["none"][-1])
        claims["scratch_over_paid"].append(scratch / paid)
        claims["scratch_minus_inherited"].append(float(np.mean([redo[t.trial_id]["val_acc"] - t.score() for t in top])))
        print(f"seed {seed}: start {trials[0].score():.3f} · " + " · ".join(row) +
              f" · updates {paid} vs {scratch} from scratch ({scratch / paid:.1f}x) · retrained from scratch "
              + ", ".join(f"{redo[t.trial_id]['val_acc']:.3f} (inherited {t.score():.3f})" for t in top), flush=True)
    print(f"best validation accuracy, mean +- std over {len(seeds)} seeds ({time.perf_counter() - t0:.0f} s):")
    for policy, v in best.items():
        print(f"  {policy:<7} {np.mean(v):.3f} +- {np.std(v):.3f}   per seed " + " ".join(f"{x:.3f}" for x in v))
    print(f"the notebook's claims, per SEED {seeds}:")
    for k, v in claims.items():
        print(f"  {k:<24} " + " ".join(f"{x:.3f}" for x in v))


if __name__ == "__main__":
    main()
