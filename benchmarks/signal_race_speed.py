"""Time notebook 07's race (issue 23): notebook 06's six searchers + BANANAS, BOHB, TPE and evolution
warm-started by a zero-cost proxy, 50 seeds, judged at 50, 150 and 300 trainings (targets: each seed <= 30 CPU-s,
the whole race <= 3 min).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/signal_race_speed.py                  # the shipped tables
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/signal_race_speed.py --proxy naswot   # another warm-start column
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/signal_race_speed.py --seeds 5 --no-tpe   # a quick look

Prints the IQM test regret table with 95 % bootstrap intervals, the probability of improvement of every
searcher over random search and over evolution at the largest budget, each searcher's CPU seconds per seed
(median and max over the seeds, `time.process_time` around each run), and the wall seconds of the whole race
(loading the tables, every run and the judging). Time it on a quiet machine: the figures are per process.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from naslab.bakeoff.race import Lookup, load_table
from naslab.signals.race import TRAININGS, format_table, signal_race
from naslab.signals.warm_start import DEFAULT_PROXY
from naslab.utils import script_threads

SEED_TARGET_S, RACE_TARGET_S = 30.0, 180.0


def main() -> None:
    ap = argparse.ArgumentParser(description="Time notebook 07's race of searchers on the cell table.")
    ap.add_argument("--seeds", type=int, default=50, help="search seeds per searcher (default 50)")
    ap.add_argument("--proxy", default=DEFAULT_PROXY, help=f"the warm start's proxy-table column ({DEFAULT_PROXY})")
    ap.add_argument("--no-tpe", action="store_true", help="leave Optuna's TPE out (Optuna not installed)")
    ap.add_argument("--n-resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    args = ap.parse_args()
    script_threads()
    t0 = time.perf_counter()
    lookup = Lookup.from_table(load_table())
    tpe = None
    if not args.no_tpe:
        from naslab.integrations.optuna import OptunaSearch

        tpe = OptunaSearch
    out = signal_race(lookup, score=args.proxy, tpe=tpe, seeds=range(args.seeds), trainings=TRAININGS,
                      n_resamples=args.n_resamples)
    total = time.perf_counter() - t0
    print(f"table {lookup.name}: one training = {lookup.full_seconds():.1f} simulated CPU-s; {args.seeds} seeds; "
          f"evolution + proxy warm-started by the proxy table's {args.proxy!r} column\n")
    print("IQM test regret (accuracy points / 100) [95 % bootstrap interval] after N trainings")
    print(format_table(out))
    pi, names = out["pi"][-1], out["names"]
    for ref in ("random", "evolution"):
        j = names.index(ref)
        print(f"\nP(row beats {ref}) at {int(out['trainings'][-1])} trainings: " + ", ".join(
            f"{n} {pi['p'][i, j]:.2f} [{pi['lo'][i, j]:.2f}, {pi['hi'][i, j]:.2f}]"
            for i, n in enumerate(names) if n != ref))
    print(f"\n{'searcher':<20}{'CPU-s/seed median':>19}{'max':>8}{'sum':>9}   "
          f"(target <= {SEED_TARGET_S:.0f} s per seed)")
    worst = 0.0
    for n in names:
        c = out["cpu_seconds"][n]
        worst = max(worst, float(c.max()))
        print(f"{n:<20}{np.median(c):>19.2f}{c.max():>8.2f}{c.sum():>9.1f}")
    print(f"\nslowest seed {worst:.2f} CPU-s: {'met' if worst <= SEED_TARGET_S else 'MISSED'}; whole race "
          f"{out['wall_seconds']:.1f} s wall ({total:.1f} s with loading the tables): "
          f"{'met' if total <= RACE_TARGET_S else 'MISSED'} (target <= {RACE_TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
