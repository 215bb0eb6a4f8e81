"""The shipped latency table (data/bench/mnist1d_nb201_latency): checksummed, small, its measurement recorded,
and ordered as the operations' cost says. Structure and ordering only, never an absolute time (a latency is
a property of the machine that measured it)."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.build import BENCH_DIR
from naslab.bakeoff.cells import OPS
from naslab.bakeoff.race import load_table
from naslab.hardware.build import NAME
from naslab.hardware.table import LatencyTable

CONV3, NONE, SKIP = OPS.index("conv_3"), OPS.index("none"), OPS.index("skip_connect")


@pytest.fixture(scope="module")
def table():
    return LatencyTable.load()  # through naslab.tabular.load_checked: both SHA-256 sums verified


def test_ships_under_one_megabyte_with_its_measurement_recorded(table):
    size = sum((BENCH_DIR / f"{NAME}{s}").stat().st_size for s in (".npz", ".json"))
    assert size <= 1_000_000, size
    m = table.meta["machine"]
    assert m["cpu"] and m["cores"] >= 1 and m["torch"] and m["threads"] == 1, m
    spec = table.meta["config"]["spec"]
    assert spec["runs"] >= 30 and spec["warmup"] >= 1 and table.batch_sizes == (1, 64), spec
    assert table.meta["build"]["wall_seconds"] > 0 and table.meta["build"]["sessions"][0]["machine"] == m


def test_covers_the_accuracy_tables_cells(table):
    assert table.unique_cells() == load_table().unique_cells() and len(table.unique_cells()) == 4930


@pytest.mark.parametrize("batch", [1, 64])
def test_quartiles_bracket_the_median(table, batch):
    q25, med, q75 = (table.latencies(batch, s) for s in ("q25", "median", "q75"))
    assert np.all(q25 <= med) and np.all(med <= q75) and np.all(med > 0)


@pytest.mark.parametrize("batch", [1, 64])
def test_conv3_heavy_cells_are_slower_than_skip_and_none_only_cells(table, batch):
    cells, med = np.array(table.unique_cells()), table.latencies(batch)
    light = np.all((cells == NONE) | (cells == SKIP), axis=1)  # no parametric op at all
    n_conv3 = (cells == CONV3).sum(1)
    assert light.sum() >= 3 and (n_conv3 >= 3).sum() >= 100
    assert np.median(med[light]) < np.median(med[n_conv3 >= 3])
    assert med[light].max() < np.median(med[n_conv3 >= 3])
    # more conv_3 edges, slower on median: one group per count 0..6
    by_count = [np.median(med[n_conv3 == k]) for k in range(7)]
    assert by_count == sorted(by_count), by_count


def test_a_batch_of_64_takes_longer_than_one_example(table):
    assert np.all(table.latencies(64) > table.latencies(1))
