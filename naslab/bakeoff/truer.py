"""A truer cell table for when the compute is there, and how far the laptop table is from it.

The shipped table (`BuildConfig()`, "mnist1d_nb201") is low fidelity by necessity: C 8, 4 epochs on 768
of MNIST-1D's 3,200 training signals, 2 seeds. Its best cell reaches 0.707 test accuracy and its two
seeds rank the cells with Kendall tau 0.31 only, so every "truth" of notebooks 06-08 carries that noise.
`TRUER` ("mnist1d_nb201_c16e12") changes four fields and nothing else (tests/bakeoff/test_truer.py):

    net.C 8 -> 16,  spec.epochs 4 -> 12,  spec.n_train 768 -> None (all 3,200),  seeds (0, 1) -> (0, 1, 2)

It is built by the same resumable `naslab.bakeoff.build.build` (any device; any `concurrent.futures`-style
executor, e.g. a Ray cluster's, through `executor=`):

    python tools/build/build_nb201.py --config truer --device auto --workers 1

Cost. Training one cell alone on one CPU thread costs about 16x the shipped table's per cell and seed
(2x width: ~4x the MACs; 4.2x the signals; 3x the epochs), and 3 seeds instead of 2: about 24x the shipped
build's CPU time. tools/experiments/truer_cost.py times a few cells of it (batched, as the build trains
them) and scales to 4,930 cells x 3 seeds; the numbers of this machine are in data/README.md's
"truer table" line when measured (the estimate waits for a GPU measurement: tools/device_check.py gives
the batched trainer's speed-up).

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
