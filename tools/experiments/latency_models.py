"""Latency models against the measured table, and the exact Pareto fronts: `python tools/experiments/latency_models.py`.

Part 1 (issue 24, item 2). For batch 1 and 64, every model of `naslab.hardware.models.compare_models` is
fitted on a seeded random half of the 4,930 distinct cells of data/bench/mnist1d_nb201_latency and scored
on the other half by Spearman's rho and the mean absolute percentage error (MAPE): calibrated FLOPs and
#params, the op-level lookup table (each op timed alone at its input shape on THIS machine, now, summed
along the cells, plus the all-`none` network as the fixed overhead; as measured and calibrated), and the
fitted predictors on the op per edge position (linear least squares, gradient boosting). Printed beside it:
the table's own noise, the median relative IQR (q75 - q25) / median, which no model of a single run's
median can be expected to beat by much, and how far the lookup table's sum falls short of the cell.

The lookup table is a *measurement*: run it on a quiet machine (the load average is printed), or pass
`--no-lut` for the fitted models only (they need no timing).

Part 2 (item 3). The exact Pareto front of (test error, cost) for cost = batch-1 latency, batch-64 latency,
#params and MACs, with its size and hypervolume against the reference point `naslab.hardware.race.
default_reference` (the front's nadir plus 10 % of its range per objective), both stated.

    python tools/experiments/latency_models.py            # about 10 s of timing for the lookup table
    python tools/experiments/latency_models.py --no-lut --seed 1
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from naslab.bakeoff.race import load_table
from naslab.hardware.build import LatencyConfig, jobs
from naslab.hardware.latency import CellTimer
from naslab.hardware.models import compare_models, fit_predictor, lut_predict, measure_lut, score
from naslab.hardware.race import default_reference, exact_front
from naslab.hardware.table import LatencyTable
from naslab.utils import script_threads


def models_table(lat: LatencyTable, *, seed: int, train_fraction: float, lut: bool) -> None:
    cells = lat.unique_cells()
    timer = CellTimer() if lut else None  # batch 1 and 64, 30 runs after 5 warm-up, one thread
    for b in lat.batch_sizes:
        y = lat.latencies(b)
        load0, t0 = os.getloadavg()[0], time.perf_counter()
        table = measure_lut(b, timer) if lut else None
        out = compare_models(cells, y, macs=lat.arrays["macs"], params=lat.arrays["params"], lut=table,
                             train_fraction=train_fraction, seed=seed)
        rel_iqr = (lat.latencies(b, "q75") - lat.latencies(b, "q25")) / y
        n_test = len(cells) - int(round(train_fraction * len(cells)))
        print(f"\nbatch {b}: held-out {n_test} of {len(cells)} cells (split seed {seed}); the table's noise, "
              f"median relative IQR {np.median(rel_iqr):.1%} (90th percentile {np.quantile(rel_iqr, 0.9):.1%})")
        print(f"  {'model':<26} {'Spearman':>8} {'MAPE':>7}")
        for name, s in out.items():
            print(f"  {name:<26} {s['spearman']:8.3f} {s['mape']:7.1%}")
        noise_split(lat, b, seed=seed, train_fraction=train_fraction)
        if table is not None:
            pred = lut_predict(cells, *table)
            print(f"  lookup table: measured / LUT sum, median {np.median(y / pred):.2f} "
                  f"(the all-none network {table[1] * 1e6:.0f} us; cell minus LUT sum, median "
                  f"{np.median(y - pred) * 1e6:.0f} us: > 0 is what the ops alone leave out, node sums and dispatch; "
                  "< 0 says the ops ran slower now than during the build); "
                  f"timed in {time.perf_counter() - t0:.1f} s at load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")
            entries = ", ".join(f"s{s} {op} {v * 1e6:.0f}" for (s, op), v in sorted(table[0].items()))
            print(f"  LUT entries (us): {entries}")


def noise_split(lat: LatencyTable, b: int, *, seed: int, train_fraction: float) -> None:
    """Where the linear predictor misses: its score on the held-out cells measured quietly (relative IQR below
    the median) against the noisy half, and its median ratio measured / predicted over each tenth of the
    build's (seeded random) timing order, which shows a drift of the machine during the build."""
    cells, y = lat.unique_cells(), lat.latencies(b)
    rel = (lat.latencies(b, "q75") - lat.latencies(b, "q25")) / y
    perm = np.random.default_rng(seed).permutation(len(cells))  # the split of compare_models
    k = int(round(train_fraction * len(cells)))
    tr, te = perm[:k], perm[k:]
    pred = fit_predictor([cells[i] for i in tr], y[tr], "linear")(cells)
    quiet = te[rel[te] < np.median(rel)]
    noisy = np.setdiff1d(te, quiet)
    sq, sn = score(pred[quiet], y[quiet]), score(pred[noisy], y[noisy])
    order = np.array([r for j in jobs(LatencyConfig()) for r in j["rows"]])  # row timed t-th
    ratio = [np.median(y[c] / pred[c]) for c in np.array_split(order, 10)]
    print(f"  fitted (linear) on the quiet half of the held-out cells: Spearman {sq['spearman']:.3f}, MAPE "
          f"{sq['mape']:.1%}; on the noisy half: {sn['spearman']:.3f}, {sn['mape']:.1%}; measured / predicted per "
          f"tenth of the build order {min(ratio):.3f}-{max(ratio):.3f}")


def fronts(lat: LatencyTable) -> None:
    acc = load_table()
    if acc.unique_cells() != lat.unique_cells():
        raise SystemExit("the latency table's cells are not the accuracy table's; rebuild it")
    err = 1.0 - acc.accuracies("test")  # mean test error over the table's training seeds
    costs = {"latency, batch 1 (s)": lat.latencies(1), "latency, batch 64 (s)": lat.latencies(64),
             "#params": acc.arrays["params"].astype(float), "MACs": acc.arrays["macs"].astype(float)}
    print("\nexact Pareto fronts of (test error, cost) over the 4,930 distinct cells; reference point = front nadir "
          "+ 10 % of the front's range")
    for name, cost in costs.items():
        ref = default_reference(err, cost)
        front, hv = exact_front(err, cost, ref)
        e, c = err[front], cost[front]
        print(f"  {name:<22} {len(front):3d} cells on the front, HV {hv:.4g} against r = ({ref[0]:.4f}, {ref[1]:.4g}); "
              f"error {e.min():.4f}-{e.max():.4f}, cost {c.min():.4g}-{c.max():.4g}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0, help="the train / held-out split")
    p.add_argument("--train-fraction", type=float, default=0.5)
    p.add_argument("--no-lut", action="store_true", help="skip the lookup table (it times ops on this machine)")
    a = p.parse_args()
    script_threads(1)
    lat = LatencyTable.load()
    print(f"{lat!r}; machine now: load average {os.getloadavg()[0]:.2f}")
    models_table(lat, seed=a.seed, train_fraction=a.train_fraction, lut=not a.no_lut)
    fronts(lat)


if __name__ == "__main__":
    main()
