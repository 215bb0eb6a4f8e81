"""Time the bake-off of notebook 06: 6 searchers x 50 seeds over the cell table (target <= 60 s).

Each run is `naslab.run_search` against a table lookup, stopped at a simulated budget of
`BUDGET_TRAININGS` full trainings of an average cell (the notebook's class-mode budget). The per-
trial overhead is what costs here, so the bake-off writes no JSONL and shows no progress bar per
seed; the second part measures, side by side in this run, what those two would cost (random search,
`SIDE_SEEDS` seeds, with `path=` and `progress=True` vs without).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bakeoff_speed.py              # the shipped table
    OMP_NUM_THREADS=1 BAKEOFF_TABLE=toy .venv/bin/python benchmarks/bakeoff_speed.py   # a toy table

Prints the wall seconds and the trials per second of every searcher, the total, and the ratio.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

import naslab
from naslab.bakeoff.race import Lookup, TableObjective, race
from naslab.bakeoff.searchers import RandomCellSearch
from naslab.utils import script_threads

SEEDS = 50
BUDGET_TRAININGS = 100  # the simulated budget: this many full trainings of an average cell
SIDE_SEEDS = 5
TARGET_S = 60.0


def load_table():
    if os.environ.get("BAKEOFF_TABLE", "") == "toy":
        from naslab.bakeoff.toy import ToyTable

        return ToyTable(seed=0)
    from naslab.bakeoff.table import CellBenchmark

    return CellBenchmark.load()


def main() -> None:
    script_threads()
    t0 = time.perf_counter()
    table = load_table()
    lookup = Lookup.from_table(table)
    t_load = time.perf_counter() - t0
    budget = BUDGET_TRAININGS * lookup.full_seconds()
    print(f"table {lookup.name}: {lookup.val.shape[0]:,} cells, {lookup.n_epochs} epochs, "
          f"{lookup.val.shape[1]} seeds; lookup arrays built in {t_load:.1f} s")
    print(f"budget: {BUDGET_TRAININGS} full trainings = {budget:,.0f} simulated CPU s; {SEEDS} seeds per searcher")

    t0 = time.perf_counter()
    res = race(lookup, seeds=range(SEEDS), max_seconds=budget)
    total = time.perf_counter() - t0
    print(f"\n{'searcher':<20}{'wall s':>8}{'trials/run':>12}{'trials/s':>10}")
    for name in res.names:
        n = res.n_trials[name].sum()
        print(f"{name:<20}{res.wall_seconds[name]:>8.2f}{n / SEEDS:>12.0f}{n / res.wall_seconds[name]:>10,.0f}")
    print(f"{'total':<20}{total:>8.2f}   ({len(res.names)} searchers x {SEEDS} seeds; target <= {TARGET_S:.0f} s: "
          f"{'met' if total <= TARGET_S else 'MISSED'})")

    # side by side: the same random-search runs with a JSONL file and a progress bar per seed
    def run(with_overhead: bool) -> float:
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            for s in range(SIDE_SEEDS):
                kw = dict(path=Path(d) / f"seed{s}.jsonl", progress=True) if with_overhead else {}
                naslab.run_search(RandomCellSearch(seed=s), TableObjective(lookup, s), budget=10**7,
                                  max_seconds=budget, **kw)
        return time.perf_counter() - t

    lean, heavy = run(False), run(True)
    print(f"\nrandom search, {SIDE_SEEDS} seeds: lean {lean:.2f} s | with JSONL + progress bar {heavy:.2f} s "
          f"| {heavy / max(lean, 1e-9):.1f}x slower")
    print("final IQM regret (points): " + ", ".join(
        f"{n} {100 * np.mean(np.sort(res.final(n))[SEEDS // 4: SEEDS - SEEDS // 4]):.2f}" for n in res.names))


if __name__ == "__main__":
    main()
