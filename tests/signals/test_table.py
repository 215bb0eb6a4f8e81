"""The shipped proxy table: all 4,930 cells in the NB201 table's order, under 1 MB, and its numbers are what
the registry's measures compute today."""

import math

import numpy as np
import pytest

from naslab.bakeoff.build import BENCH_DIR
from naslab.bakeoff.table import CellBenchmark
from naslab.data import load_dataset
from naslab.signals.measures import BUILTIN
from naslab.signals.nets import cell_net
from naslab.signals.registry import compute
from naslab.signals.table import NAME, ProxyTable


@pytest.fixture(scope="module")
def table():
    return ProxyTable.load()


def test_the_shipped_table_covers_the_benchmark_and_is_small(table):
    bench = CellBenchmark.load()
    assert table.unique_cells() == bench.unique_cells()  # same rows, same order
    np.testing.assert_array_equal(table.rows_of(bench.unique_cells()), np.arange(4930))
    assert table.proxies == BUILTIN and table.seeds == (0, 1, 2) and table.n_batches == 2
    size = sum((BENCH_DIR / f"{NAME}{s}").stat().st_size for s in (".npz", ".json"))
    assert size <= 1_000_000, size
    np.testing.assert_array_equal(table.scores("params"), bench.arrays["params"])  # the cost model's oracle
    np.testing.assert_array_equal(table.scores("flops"), bench.arrays["macs"])
    for p in ("jacob_cov", "naswot"):  # only the zero cell (its output ignores the input) scores -inf
        assert np.flatnonzero(~np.isfinite(table.scores(p))).tolist() == [0], p
    assert table.unique_cells()[0] == (0,) * 6


def test_the_shipped_numbers_are_the_registry_measures(table):
    data = load_dataset("mnist1d")
    rows = np.array(table.meta["batch_rows"])
    for i in np.random.default_rng(0).choice(4930, 3, replace=False):
        cell = table.unique_cells()[i]
        for s, seed in enumerate(table.seeds[:2]):
            net = cell_net(cell, seed=seed)
            x, y = data.X_train[rows[1]].double(), data.y_train[rows[1]]
            for p in table.proxies:
                got, want = table.raw(p)[i, s, 1], compute(p, net, x, y)
                assert got == pytest.approx(want, rel=1e-6, abs=1e-12) or math.isinf(got) and got == want, (cell, p)
