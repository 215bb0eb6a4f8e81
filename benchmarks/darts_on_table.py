"""DARTS on the cell benchmark's space, judged by its ground truth: `python benchmarks/darts_on_table.py`.

For each order (first, second) and seed: the cell derived after every search epoch, its true test
accuracy and rank among the distinct cells, the number of parameter-free edges (collapse count) and the
mean softmax weight of skip_connect. Then the weight-sharing supernet's Kendall tau with the truth
(uniform single-path training, and the DARTS supernet's own weights), and the table's noise ceiling.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from naslab.bakeoff.oneshot import darts_on_table, supernet_ranking  # noqa: E402
from naslab.bakeoff.table import CellBenchmark  # noqa: E402
from naslab.data import load_dataset  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--orders", default="first,second")
    p.add_argument("--cells", type=int, default=100, help="sample size for the supernet's tau")
    p.add_argument("--steps", type=int, default=400, help="single-path supernet training steps")
    a = p.parse_args()
    torch.set_num_threads(1)
    bench, data = CellBenchmark.load(), load_dataset("mnist1d")
    best, value = bench.best("test")
    n = len(bench.unique_cells())
    print(f"{bench}\nbest cell {best} test {value:.3f}; noise ceiling (seed-vs-seed Kendall tau, test) "
          f"{bench.noise_ceiling():.3f}; all-skip cell: test {bench.test_acc((1,) * 6):.3f}, rank "
          f"{bench.rank_of((1,) * 6)}/{n}")
    last = None
    for order in a.orders.split(","):
        for seed in range(a.seeds):
            t0 = time.perf_counter()
            r = darts_on_table(bench, order=order, epochs=a.epochs, seed=seed, data=data)
            if last is None:
                last = r  # the first run's weights (first order, seed 0) for the supernet's tau
            print(f"\nDARTS {order} order, seed {seed} ({time.perf_counter() - t0:.0f} s wall)")
            print(f" epoch  rank/{n:<5d} test   #param-free  skip weight  genotype")
            for h in r.history:
                print(f" {h['epoch']:5d}  {h['rank']:10d} {h['test_acc']:.3f}  {h['n_parameter_free']:11d}  "
                      f"{h['skip_weight']:.3f}        {h['genotype']}")
    t0 = time.perf_counter()
    s = supernet_ranking(bench, steps=a.steps, n_cells=a.cells, seed=0, data=data)
    print(f"\nsingle-path supernet ({a.steps} steps), {a.cells} cells: Kendall tau {s['tau']:.3f} "
          f"({time.perf_counter() - t0:.0f} s wall)")
    if last is not None:
        d = supernet_ranking(bench, n_cells=a.cells, seed=0, data=data, params=last.params)
        print(f"DARTS supernet weights (first run), same cells: Kendall tau {d['tau']:.3f}")
    print(f"mean true test acc of the sample {np.mean(s['true_acc']):.3f}")


if __name__ == "__main__":
    main()
