"""Does the REINFORCE controller keep exploring? Configurations side by side on random reward tables.

Tables have 4 decisions of 3 choices (81 sequences); each policy gets 400 samples (100 updates of m = 4).

* default mode (planted tables, issue 13): rewards uniform in [0.3, 0.8) and one random sequence set
  to 0.9; tables and controller seeds 0..n_seeds-1 (one table per seed). Old defaults (lr 0.05, β 1e-3)
  against `ControllerConfig()`, and ENAS's logit bound (Pham et al. 2018, c·tanh(logits/T), T 5, c 2.5).
* `--unstructured` (issue 21): rewards U[0, 1), nothing planted (the best is the argmax, the runner-up
  typically ~0.01 below), n_tables tables x n_seeds controller seeds. The LSTM controller with the
  earlier default lr 5e-3 and with `ControllerConfig()`, a factorised REINFORCE (one independent softmax
  per decision) with the same lr, m, baseline and entropy bonus as each, and uniform random search.

Printed per configuration: found (share of runs whose samples include the best sequence; uniform search:
1 - (80/81)^400 = 0.993), kept (share whose final favourite, the greedy sequence, is the best one), and
the mean and median final P(best) (uniform: 1/81 = 0.0123).

Usage (OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python tools/experiments/controller_exploration.py ...):
    `... [n_seeds] [n_samples]` (planted tables), `... --unstructured [n_tables] [n_seeds] [n_samples]`
(the issue-21 table: `--unstructured 10 5 400`, the defaults).
"""

from __future__ import annotations

import sys
import time

import numpy as np

import naslab
from naslab.controller.exploration import explore_table, random_reward_table, uniform_found, uniform_found_rate
from naslab.utils import script_threads


def _row(name: str, runs: list[dict], t0: float) -> tuple[float, float, float]:
    found, kept = np.mean([r["found"] for r in runs]), np.mean([r["kept"] for r in runs])
    p = np.array([r["p_best"] for r in runs])
    print(f"{name:>44}: found {found:.2f} | kept {kept:.2f} | P(best) mean {p.mean():.3g}, median "
          f"{np.median(p):.2g} ({len(runs)} runs, {time.perf_counter() - t0:.0f} s)", flush=True)
    return found, kept, p.mean()


def unstructured(n_tables: int = 10, n_seeds: int = 5, n_samples: int = 400) -> dict:
    """Issue 21: LSTM vs factorised REINFORCE vs uniform search on unstructured tables."""
    script_threads()
    before, after = naslab.ControllerConfig(lr=5e-3), naslab.ControllerConfig()
    print(f"unstructured tables 0-{n_tables - 1} x controller seeds 0-{n_seeds - 1}, {n_samples} samples; "
          f"defaults now: lr {after.lr}, entropy_weight {after.entropy_weight}, m {after.batch_size}, "
          f"baseline_decay {after.baseline_decay}")
    tables = [random_reward_table(seed=t, low=0.0, high=1.0, best=None) for t in range(n_tables)]
    out = {}
    for name, cfg, policy in ((f"LSTM, default before (lr {before.lr})", before, "lstm"),
                              (f"factorised, lr {before.lr}", before, "factorised"),
                              (f"LSTM, default after (lr {after.lr})", after, "lstm"),
                              (f"factorised, lr {after.lr}", after, "factorised")):
        t0 = time.perf_counter()
        runs = [explore_table(cfg, table, arm, n_samples, seed=s, policy=policy)
                for table, arm in tables for s in range(n_seeds)]
        out[name] = _row(name, runs, t0)
    hits = [uniform_found(table.shape, arm, n_samples, seed=s) for table, arm in tables for s in range(n_seeds)]
    print(f"{'uniform random search':>44}: found {np.mean(hits):.2f} (expected "
          f"{uniform_found_rate((3, 3, 3, 3), n_samples):.3f}) | kept - | P(best) = 1/81 = {1 / 81:.3g}")
    out["uniform"] = (float(np.mean(hits)), None, 1 / 81)
    return out


def main(n_seeds: int = 5, n_samples: int = 400) -> dict:
    """Issue 13: planted tables, old defaults vs `ControllerConfig()` vs ENAS's tanh bound."""
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
        out[name] = _row(name, runs, t0)
    hits = [uniform_found((3, 3, 3, 3), random_reward_table(seed=s)[1], n_samples, seed=s) for s in range(n_seeds)]
    print(f"{'uniform random search':>44}: found {np.mean(hits):.2f} (expected "
          f"{uniform_found_rate((3, 3, 3, 3), n_samples):.3f}) | P(best) = 1/81 = {1 / 81:.3g}")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--unstructured":
        unstructured(*(int(a) for a in args[1:]))
    else:
        main(int(args[0]) if args else 5, int(args[1]) if len(args) > 1 else 400)
