"""The multi-objective race on the cell table: `python tools/experiments/hardware_race.py --cost latency`.

Every searcher of `naslab.hardware.race.default_searchers` x 50 seeds, 200 trainings each, against a table
objective returning (validation accuracy, cost); prints the exact front's size and hypervolume, the IQM of
the share of that hypervolume each searcher's deployed set reaches after 50, 100 and 200 trainings with its
95 % bootstrap interval, the ceiling a run that trained every cell would reach, and the CPU seconds per
seed with the load average.

    python tools/experiments/hardware_race.py --cost macs       # before the latency table exists
    python tools/experiments/hardware_race.py --cost latency    # batch-1 latency from data/bench
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from naslab.bakeoff.race import Lookup, load_table
from naslab.bakeoff.stats import iqm
from naslab.hardware.race import cost_per_cell, exact_front, mo_race, noise_ceiling
from naslab.utils import script_threads

COSTS = ("latency", "latency64", "macs", "params")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cost", default="latency", choices=COSTS, help="the second objective")
    p.add_argument("--seeds", type=int, default=50)
    a = p.parse_args()
    script_threads()
    table = load_table()
    if a.cost.startswith("latency"):
        from naslab.hardware.table import LatencyTable

        lat = LatencyTable.load()
        if lat.unique_cells() != table.unique_cells():
            raise SystemExit("the latency table's cells are not the accuracy table's; rebuild it")
        values = lat.latencies(64 if a.cost == "latency64" else 1)
    else:
        values = table.arrays[a.cost].astype(float)
    front, hv = exact_front(1.0 - table.accuracies("test"), values)
    print(f"exact front of (test error, {a.cost}): {len(front)} of {len(values)} distinct cells, HV {hv:.4g}")
    lookup, load0, t0 = Lookup.from_table(table), os.getloadavg()[0], time.perf_counter()
    r = mo_race(lookup, cost_per_cell(table, values), seeds=range(a.seeds), cost_name=a.cost)
    print(f"reference point {tuple(round(v, 6) for v in r.ref)}; {time.perf_counter() - t0:.0f} s wall, "
          f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
    ceiling = noise_ceiling(lookup, cost_per_cell(table, values), seeds=range(a.seeds))
    print(f"ceiling (every cell trained once, deployed by its validation score): IQM {iqm(ceiling):.3f}")
    rows = {(row["searcher"], row["trainings"]): row for row in r.summary()}
    print(f"share of the exact front's HV, IQM [95 % bootstrap interval] over {a.seeds} seeds; CPU s per seed")
    print(f"{'searcher':<22} " + " ".join(f"{f'{n} trainings':>22}" for n in r.checkpoints) + "   CPU s: median (max)")
    for name, c in r.cpu_seconds.items():
        cells = [rows[(name, n)] for n in r.checkpoints]
        print(f"{name:<22} " + " ".join(f"{x['iqm']:8.3f} [{x['lo']:.3f}, {x['hi']:.3f}]" for x in cells)
              + f"   {np.median(c):.2f} ({c.max():.2f})")


if __name__ == "__main__":
    main()
