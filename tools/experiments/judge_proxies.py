"""Judge every zero-cost proxy of the shipped proxy table against notebook 06's ground truth.

`python tools/experiments/judge_proxies.py [--n-boot 1000]` prints, for the seed-mean test and validation
accuracy, each proxy's signed Spearman ρ and Kendall τ with bootstrap 95 % intervals, precision among the
top 5 %, ρ and τ inside the top 10 %, the vote and the seed-to-seed noise ceiling, beside the paper anchors
(Abdelfattah et al., ICLR 2021, NAS-Bench-201 CIFAR-10 ρ; model-zoo τ on CIFAR-100).
"""

from __future__ import annotations

import argparse
import time

from naslab.bakeoff.table import CellBenchmark
from naslab.signals.judge import format_rows, judge, single_runs
from naslab.signals.table import ProxyTable
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    args = p.parse_args()
    script_threads()
    table, bench = ProxyTable.load(), CellBenchmark.load()
    print(table)
    print(bench)
    for metric in ("test", "val"):
        t0 = time.perf_counter()
        rows = judge(table, bench, metric, n_boot=args.n_boot)
        print()
        print(format_rows(rows, f"{metric} accuracy (seed mean, {len(bench.unique_cells())} cells; scores: mean "
                                f"over {len(table.seeds)} seeds x {table.n_batches} batches) "
                                f"[{time.perf_counter() - t0:.0f} s]"))
        print("rho of single evaluations (one seed, one batch), mean ± sd [min, max]: " + "; ".join(
            f"{n} {r.mean():.3f} ± {r.std():.3f} [{r.min():.3f}, {r.max():.3f}]"
            for n in table.proxies if (r := single_runs(table, bench, n, metric)) is not None))


if __name__ == "__main__":
    main()
