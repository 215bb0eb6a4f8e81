"""DARTS on the cell benchmark's space, judged by its ground truth: `python tools/experiments/darts_on_table.py`.

For each order (first, second) and seed: the cell derived after every search epoch, its true test
accuracy and rank among the distinct cells, the number of parameter-free edges (collapse count) and the
mean softmax weight of skip_connect. Then, per seed, first against second order: the largest gap
between their softmax(alpha) after every epoch, the edges on which their derived cells agree, and the
median top-1 minus top-2 margin (an edge's argmax flips only when the gap beats its margin). Then the
weight-sharing supernet's Kendall tau with the truth (uniform single-path training, and the DARTS
supernet's own weights), and the table's noise ceiling.

    OMP_NUM_THREADS=1 python tools/experiments/darts_on_table.py                 # 10 epochs, seeds 0-1
    OMP_NUM_THREADS=1 python tools/experiments/darts_on_table.py --hvp finite    # eq. 8's finite difference
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from naslab.bakeoff.oneshot import darts_on_table
from naslab.bakeoff.supernet import supernet_ranking
from naslab.bakeoff.table import CellBenchmark
from naslab.data import load_dataset
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--orders", default="first,second")
    p.add_argument("--cells", type=int, default=100, help="sample size for the supernet's tau")
    p.add_argument("--steps", type=int, default=400, help="single-path supernet training steps")
    p.add_argument("--hvp", default="exact", help="second order's Hessian-vector product: exact or finite (eq. 8)")
    p.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda[:N], mps")
    a = p.parse_args()
    script_threads()
    bench, data = CellBenchmark.load(), load_dataset("mnist1d")
    best, value = bench.best("test")
    n = len(bench.unique_cells())
    print(f"{bench}\nbest cell {best} test {value:.3f}; noise ceiling (seed-vs-seed Kendall tau, test) "
          f"{bench.noise_ceiling():.3f}; all-skip cell: test {bench.test_acc((1,) * 6):.3f}, rank "
          f"{bench.rank_of((1,) * 6)}/{n}")
    last, runs = None, {}
    for order in a.orders.split(","):
        for seed in range(a.seeds):
            t0 = time.perf_counter()
            r = darts_on_table(bench, order=order, epochs=a.epochs, seed=seed, data=data, hvp=a.hvp, device=a.device)
            runs[order, seed] = r
            if last is None:
                last = r  # the first run's weights (first order, seed 0) for the supernet's tau
            print(f"\nDARTS {order} order, seed {seed} ({time.perf_counter() - t0:.0f} s wall)")
            print(f" epoch  rank/{n:<5d} test   #param-free  skip weight  genotype")
            for h in r.history:
                print(f" {h['epoch']:5d}  {h['rank']:10d} {h['test_acc']:.3f}  {h['n_parameter_free']:11d}  "
                      f"{h['skip_weight']:.3f}        {h['genotype']}")
    for seed in range(a.seeds):
        if ("first", seed) not in runs or ("second", seed) not in runs:
            continue
        r1, r2 = runs["first", seed], runs["second", seed]
        gap = np.abs(r1.alpha - r2.alpha).max((1, 2))  # (epochs,)
        agree = [sum(x == y for x, y in zip(c1, c2)) for c1, c2 in zip(r1.column("cell"), r2.column("cell"))]
        top2 = np.sort(r1.alpha, -1)[..., -2:]
        margin = np.median(top2[..., 1] - top2[..., 0], -1)
        print(f"\nfirst vs second order, seed {seed} (hvp={a.hvp}): final cells agree on {agree[-1]}/6 edges"
              f"{' (same cell)' if r1.history[-1]['cell'] == r2.history[-1]['cell'] else ''}; "
              f"CPU s {r1.history[-1]['cpu_seconds']:.1f} / {r2.history[-1]['cpu_seconds']:.1f}")
        print(" epoch  max |softmax gap|  median top-2 margin  edges agreeing")
        for e in range(len(gap)):
            print(f" {e + 1:5d}  {gap[e]:16.4f}  {margin[e]:19.4f}  {agree[e]:14d}")
    t0 = time.perf_counter()
    s = supernet_ranking(bench, steps=a.steps, n_cells=a.cells, seed=0, data=data, device=a.device)
    print(f"\nsingle-path supernet ({a.steps} steps), {a.cells} cells: Kendall tau {s['tau']:.3f} "
          f"({time.perf_counter() - t0:.0f} s wall)")
    if last is not None:
        d = supernet_ranking(bench, n_cells=a.cells, seed=0, data=data, params=last.params, device=a.device)
        print(f"DARTS supernet weights (first run), same cells: Kendall tau {d['tau']:.3f}")
    print(f"mean true test acc of the sample {np.mean(s['true_acc']):.3f}")


if __name__ == "__main__":
    main()
