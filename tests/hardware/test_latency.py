"""naslab.hardware.latency: the record's structure and orderings that hold on any CPU (never absolute times)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naslab.hardware.latency import CellTimer, TimingSpec, compare, machine_info, measure_sample, summarise, time_runs

ALL_CONV3, ALL_SKIP = (3,) * 6, (1,) * 6


@pytest.fixture(scope="module")
def timer():
    return CellTimer(spec=TimingSpec(batch_sizes=(1, 64), runs=30, warmup=3))


def test_summarise_is_the_quartiles_of_the_runs():
    s = summarise([5.0, 1.0, 3.0, 2.0, 4.0])  # oracle: np.percentile of 1..5
    assert s == {"median": 3.0, "q25": 2.0, "q75": 4.0, "iqr": 2.0}
    with pytest.raises(ValueError, match="non-empty 1-D"):
        summarise([])


def test_timing_spec_rejects_bad_values():
    with pytest.raises(ValueError, match="runs=0 must be an int >= 1"):
        TimingSpec(runs=0)
    with pytest.raises(ValueError, match="batch_sizes"):
        TimingSpec(batch_sizes=(1, 0))


def test_time_runs_counts_runs_and_restores_threads():
    before = torch.get_num_threads()
    calls = []
    t = time_runs(lambda: calls.append(torch.is_inference_mode_enabled()), TimingSpec(runs=7, warmup=2))
    assert t.shape == (7,) and np.all(t >= 0)
    assert len(calls) == 9 and all(calls)  # warm-up + runs, all under torch.inference_mode
    assert torch.get_num_threads() == before


def test_cell_record_structure_and_ordering(timer):
    r = timer.cell(ALL_CONV3)
    assert set(r) == {1, 64}
    for s in r.values():
        assert set(s) == {"median", "q25", "q75", "iqr"}
        assert s["iqr"] >= 0 and s["q25"] <= s["median"] <= s["q75"] and s["median"] > 0
    skip = timer.cell(ALL_SKIP)
    # twelve conv_3 (ReLU-Conv-BN) against twelve identities: slower at batch 64 on any CPU
    assert r[64]["median"] > skip[64]["median"]
    assert r[64]["median"] > r[1]["median"]  # 64 examples cost more than one


def test_ops_alone(timer):
    assert timer.op("none", 0)[1] == {"median": 0.0, "q25": 0.0, "q75": 0.0, "iqr": 0.0}
    conv, skip = timer.op("conv_3", 1), timer.op("skip_connect", 1)
    assert conv[64]["median"] > skip[64]["median"] and conv[64]["iqr"] >= 0
    with pytest.raises(ValueError, match="op 'sep_conv' is unknown; allowed"):
        timer.op("sep_conv", 0)
    with pytest.raises(ValueError, match="stage=2 is not in 0..1"):
        timer.op("conv_1", 2)


def test_machine_info_fields():
    m = machine_info()
    assert set(m) == {"cpu", "cores", "platform", "python", "torch", "threads"}
    assert m["torch"] == torch.__version__ and m["cpu"] and m["cores"] >= 1


def test_measure_sample_stops_at_its_time_budget():
    spec = TimingSpec(batch_sizes=(1,), runs=3, warmup=1)
    out = measure_sample([ALL_SKIP, ALL_CONV3, (0,) * 6], seconds=1e-9, spec=spec)
    assert out["cells"] == [ALL_SKIP] and out["median"].shape == (1, 1) and out["iqr"].shape == (1, 1)
    full = measure_sample([ALL_SKIP, ALL_CONV3], seconds=60, spec=spec)
    assert full["cells"] == [ALL_SKIP, ALL_CONV3] and full["batch_sizes"] == (1,) and "cpu" in full["machine"]
    with pytest.raises(ValueError, match="seconds=0 must be > 0"):
        measure_sample([ALL_SKIP], seconds=0)


def test_compare_rank_correlation_and_ratio():
    shipped = np.array([1.0, 2.0, 3.0, 4.0])
    assert compare(shipped, 2 * shipped) == {"spearman": 1.0, "median_ratio": 2.0, "n": 4}
    assert compare(shipped, shipped[::-1].copy())["spearman"] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same length"):
        compare(shipped, shipped[:3])
    with pytest.raises(ValueError, match="> 0"):
        compare(shipped, -shipped)
