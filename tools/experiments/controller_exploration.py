"""Does the REINFORCE controller keep exploring? Old vs new defaults on unstructured random reward tables.

A table has 4 decisions of 3 choices (81 sequences), rewards uniform in [0.3, 0.8) and one random
sequence set to 0.9 (clearly best); no structure links decisions. Each controller gets 400 samples
(100 updates of m = 4). Printed side by side, over seeds 0-4 (one table and one controller seed each):

* found-best rate: share of seeds whose 400 samples include the best sequence (uniform random
  search: 1 - (80/81)^400 = 0.993 per seed, also measured here with 400 uniform draws);
* mean final P(best): the controller's probability of the best sequence after the last update.

Configurations: "before" = the old defaults (Adam lr 0.05, entropy bonus 1e-3); "after" = the
current `ControllerConfig()` defaults; plus ENAS's logit bounding (Pham et al. 2018, c·tanh(logits/T)
with T = 5, c = 2.5) on the old lr, for comparison.

Usage: `OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python tools/experiments/controller_exploration.py [n_seeds] [n_samples]`
"""

from __future__ import annotations

import sys
import time

import numpy as np

import naslab
from naslab.controller.exploration import explore_table, random_reward_table, uniform_found_rate
from naslab.utils import script_threads


def main(n_seeds: int = 5, n_samples: int = 400) -> dict:
    script_threads()
    configs = {
        "before (lr 0.05, entropy 1e-3)": naslab.ControllerConfig(lr=0.05, entropy_weight=1e-3),
        "after (ControllerConfig() defaults)": naslab.ControllerConfig(),
        "old lr + ENAS tanh bound (T 5, c 2.5)": naslab.ControllerConfig(lr=0.05, entropy_weight=1e-3,
                                                                         temperature=5.0, tanh_constant=2.5),
    }
    d = naslab.ControllerConfig()
    print(f"defaults now: lr {d.lr}, entropy_weight {d.entropy_weight}, m {d.batch_size}, "
          f"baseline_decay {d.baseline_decay}; {n_samples} samples, seeds 0-{n_seeds - 1}")
    out = {}
    for name, cfg in configs.items():
        t0 = time.perf_counter()
        runs = [explore_table(cfg, *random_reward_table(seed=s), n_samples=n_samples, seed=s) for s in range(n_seeds)]
        found = np.mean([r["found"] for r in runs])
        p = np.array([r["p_best"] for r in runs])
        out[name] = (found, p.mean())
        print(f"{name:>40}: found-best rate {found:.2f} | mean P(best) {p.mean():.3g} | per seed "
              f"{' '.join(f'{v:.1e}' for v in p)} | first hit {[r['first'] for r in runs]} "
              f"({time.perf_counter() - t0:.0f} s)")
    hits = []
    for s in range(n_seeds):
        table, arm = random_reward_table(seed=s)
        rng = np.random.default_rng(s)
        draws = np.stack([rng.integers(k, size=n_samples) for k in table.shape], 1)
        hits.append(bool((draws == np.array(arm)).all(1).any()))
    print(f"{'uniform random search':>40}: found-best rate {np.mean(hits):.2f} (expected "
          f"{uniform_found_rate(table.shape, n_samples):.3f}) | P(best) = 1/{table.size} = {1 / table.size:.3g}")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 5, int(args[1]) if len(args) > 1 else 400)
