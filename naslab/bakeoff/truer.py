"""A truer cell table for when the compute is there, and how far the laptop table is from it.

The shipped table (`BuildConfig()`, "mnist1d_nb201") is low fidelity by necessity: C 8, 4 epochs on 768
of MNIST-1D's 3,200 training signals, 2 seeds. Its best cell reaches 0.707 test accuracy and its two
seeds rank the cells with Kendall tau 0.31 only, so every "truth" of notebooks 06-08 carries that noise.
`TRUER` ("mnist1d_nb201_c16e12") changes four fields and nothing else (tests/bakeoff/test_truer.py):

    net.C 8 -> 16,  spec.epochs 4 -> 12,  spec.n_train 768 -> None (all 3,200),  seeds (0, 1) -> (0, 1, 2)

It is built by the same resumable `naslab.bakeoff.build.build` (any device; any `concurrent.futures`-style
executor, e.g. a Ray cluster's, through `executor=`):

    python tools/build/build_nb201.py --config truer --device auto --workers 1

Cost, measured by `python tools/experiments/truer_cost.py --cells 64` (64 cells as one group, as the build
trains them, 1 epoch, one thread, load average 2.1 on 2 shared cores): 0.234 CPU s per cell-epoch against
0.046 for the shipped config in the same run, 22.8x per build (5.1x per cell-epoch, 3x the epochs, 1.5x the
seeds). Over 4,930 cells x 3 seeds x 12 epochs (177,480 cell-epochs) that is 11.6 CPU hours on one thread;
22.8x the shipped build's recorded 1,474 CPU s gives 9.3 h: about 5-6 h wall with 2 workers on an idle
2-core machine (8 cells as a group under load 7-9 measured 0.385 CPU s per cell-epoch: 19 h). On a GPU (an
assumption, not a measurement: a batched step of 64 tiny cells is launch-bound, a few hundred kernels at
~10 us, ~5 ms whatever C is at this size) the 78 groups x 3 seeds x 1,200 steps take about 25 min to an
hour; `tools/device_check.py`'s `truer_build` piece measures the real ratio when a GPU is there.

What notebooks 06-08 would show from it (`compare_tables(laptop, truer)`):
  * the best cell of each table and where the laptop's best cell ranks in the truer one (is the laptop's
    winner a winner at all?);
  * each table's seed-to-seed Kendall tau (`CellBenchmark.noise_ceiling`): the ceiling on any ranking
    method, and whether more epochs and data raise it from 0.31;
  * Kendall tau and Spearman rho between the two tables' mean accuracies over the distinct cells: how well
    the laptop table ranks the cells against the truer one (a searcher that wins on the laptop table
    wins only as far as this correlation carries).

Taught in: notebooks/06_nas_bakeoff.ipynb (the table's fidelity), once the truer table is built.
"""

from __future__ import annotations

from dataclasses import replace

from scipy import stats

from naslab.bakeoff.build import BuildConfig
from naslab.bakeoff.network import NetConfig
from naslab.bakeoff.training import TrainSpec
from naslab.proxies.ranking import kendall_tau

LAPTOP = BuildConfig()
TRUER = replace(LAPTOP, name="mnist1d_nb201_c16e12", net=NetConfig(C=16, stem_stride=2),
                spec=TrainSpec(epochs=12, batch_size=32, lr=1e-2, n_train=None), seeds=(0, 1, 2))
CONFIGS = {"laptop": LAPTOP, "truer": TRUER}


def config_named(name: str) -> BuildConfig:
    """The build configuration called `name` ("laptop": the shipped table, "truer": `TRUER`)."""
    if name not in CONFIGS:
        raise ValueError(f"config={name!r} is unknown; allowed: {list(CONFIGS)}")
    return CONFIGS[name]


def compare_tables(laptop, truer, metric: str = "test") -> dict:
    """How far table `laptop` is from table `truer` (two `CellBenchmark`s, or anything with `unique_cells`,
    `accuracies`, `best`, `rank_of` and `noise_ceiling`), over the cells both hold, by `metric` (mean over seeds).

    Returns {"best": {"laptop": (cell, acc), "truer": (cell, acc)}, "laptop_best_in_truer": {"rank", "acc"},
    "seed_tau": {"laptop", "truer"} (NaN for a one-seed table), "tau", "spearman", "n_cells"}.
    """
    cells_l, cells_t = laptop.unique_cells(), truer.unique_cells()
    row_t = {c: i for i, c in enumerate(cells_t)}
    common = [(i, row_t[c]) for i, c in enumerate(cells_l) if c in row_t]
    if len(common) < 2:
        raise ValueError(f"the tables share {len(common)} cell(s); comparing them needs at least 2")
    a_l, a_t = laptop.accuracies(metric), truer.accuracies(metric)
    x, y = a_l[[i for i, _ in common]], a_t[[j for _, j in common]]
    best_l = laptop.best(metric)
    in_truer = ({"rank": truer.rank_of(best_l[0], metric), "acc": float(a_t[row_t[best_l[0]]])}
                if best_l[0] in row_t else {"rank": None, "acc": float("nan")})
    return {"best": {"laptop": best_l, "truer": truer.best(metric)}, "laptop_best_in_truer": in_truer,
            "seed_tau": {"laptop": _seed_tau(laptop, metric), "truer": _seed_tau(truer, metric)},
            "tau": kendall_tau(x, y), "spearman": float(stats.spearmanr(x, y).statistic), "n_cells": len(common)}


def _seed_tau(table, metric: str) -> float:
    return table.noise_ceiling(metric) if len(table.seeds) > 1 else float("nan")


__all__ = ["TRUER", "LAPTOP", "CONFIGS", "config_named", "compare_tables"]
