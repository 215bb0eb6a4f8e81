"""EAS (RL meta-controller) vs random transformations vs no growth, over seeds: `python benchmarks/eas_vs_random.py`.

Notebook 04's class-mode search: start network `conv-4-3 pool conv-4-3 pool fc-8` trained 1,000 Adam
updates on MNIST-1D; 5 episodes x 4 children, 1 wider + 1 deeper action per child, 60 updates per child.
Prints the best validation accuracy of each method per seed, the mean, and the updates spent
compared with training every child from scratch to the same point (sum of `lineage_steps`).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from naslab.data import load_dataset  # noqa: E402
from naslab.net2net.eas import EASConfig, run_eas  # noqa: E402
from naslab.net2net.network import make_plain_net  # noqa: E402
from naslab.train import TrainConfig, train  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seeds", type=int, default=3)
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
    best = {"rl": [], "random": [], "none": []}
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        start = make_plain_net(data.input_shape, 10, arch, bn=True)
        train(start, data, TrainConfig(optimizer="adam", lr=1e-2, max_steps=args.root_steps, epochs=50, seed=seed))
        row = []
        for policy in best:
            trials, _ = run_eas(data, cfg, policy=policy, seed=seed, start=start)
            best[policy].append(max(t.score() for t in trials))
            row.append(f"{policy} {best[policy][-1]:.3f}")
            if policy == "rl":
                kids = [t for t in trials if t.parent is not None]
                paid, scratch = sum(t.metrics["steps"] for t in kids), sum(t.metrics["lineage_steps"] for t in kids)
        print(f"seed {seed}: start {trials[0].score():.3f} · " + " · ".join(row) +
              f" · updates {paid} vs {scratch} from scratch ({scratch / paid:.1f}x)", flush=True)
    print(f"best validation accuracy, mean +- std over {args.seeds} seeds ({time.perf_counter() - t0:.0f} s):")
    for policy, v in best.items():
        print(f"  {policy:<7} {np.mean(v):.3f} +- {np.std(v):.3f}")


if __name__ == "__main__":
    main()
