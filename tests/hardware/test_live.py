"""`live_check_verbose`: the same sample and comparison as `live_check`, with progress lines (structure only:
latency tests never assert absolute times)."""

import numpy as np
import pytest

from naslab.hardware.latency import TimingSpec
from naslab.hardware.live import live_check_verbose
from naslab.hardware.table import LatencyTable


@pytest.fixture(scope="module")
def table():
    return LatencyTable.load()


def test_live_check_verbose_times_the_seeded_sample_in_order_and_reports(table):
    lines = []
    spec = TimingSpec(batch_sizes=(1,), runs=3, warmup=1)
    out = live_check_verbose(table, seconds=0.6, every=0.2, seed=3, spec=spec, report=lines.append)
    order = np.random.default_rng(3).permutation(len(table.unique_cells()))
    assert out["cells"] == [table.unique_cells()[i] for i in order[: out["n"]]]
    assert out["n"] >= 2 and len(out["measured"]) == len(out["shipped"]) == out["n"]
    assert np.all(out["measured"] > 0) and -1 <= out["spearman"] <= 1 and out["median_ratio"] > 0
    assert len(lines) >= 2 and lines[-1].endswith(f"{out['n']} cells timed")
    np.testing.assert_array_equal(out["shipped"], [table.latency(c, 1) for c in out["cells"]])


def test_live_check_verbose_refuses_bad_arguments(table):
    with pytest.raises(ValueError, match="must be > 0"):
        live_check_verbose(table, seconds=0)
    with pytest.raises(ValueError, match="batch=64 is not measured"):
        live_check_verbose(table, batch=64, spec=TimingSpec(batch_sizes=(1,)))
    with pytest.raises(ValueError, match="batch=8 was not measured"):
        live_check_verbose(table, batch=8, spec=TimingSpec(batch_sizes=(8,)))
