"""naslab.hardware.build and table: a tiny latency table built, resumed, loaded and checked; a full-size one packed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from naslab.bakeoff.cells import unique_cells
from naslab.hardware import build as hw_build
from naslab.hardware.build import NAME, LatencyConfig, build, estimate_seconds, jobs, pack
from naslab.hardware.latency import TimingSpec, machine_info
from naslab.hardware.table import LatencyTable, live_check
from naslab.tabular import BenchmarkError, BenchmarkMissingError

CELLS = tuple(unique_cells()[i] for i in (0, 5, 100, 2000, 4929))
TINY = LatencyConfig(spec=TimingSpec(batch_sizes=(1, 8), runs=3, warmup=1), group_size=2, cells=CELLS)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("latency")
    assert build(TINY, root=root, limit=1, progress=False) is None  # stopped after one job: resumable
    assert (root / f"{NAME}.partial.jsonl").exists()
    path = build(TINY, root=root, progress=False)
    return root, path


def test_jobs_cover_every_cell_once_in_a_seeded_random_order():
    rows = [r for j in jobs(TINY) for r in j["rows"]]
    assert sorted(rows) == list(range(len(CELLS))) and len(jobs(TINY)) == 3
    full = [r for j in jobs(LatencyConfig()) for r in j["rows"]]
    assert sorted(full) == list(range(4930)) and full != sorted(full)


def test_build_resumes_and_loads(built):
    root, path = built
    assert path == root / f"{NAME}.npz" and not (root / f"{NAME}.partial.jsonl").exists()
    t = LatencyTable.load(root=root)
    assert t.unique_cells() == list(CELLS) and t.batch_sizes == (1, 8)
    med, q25, q75 = (t.latencies(8, s) for s in ("median", "q25", "q75"))
    assert med.shape == (5,) and np.all(med > 0) and np.all(q25 <= med) and np.all(med <= q75)
    assert t.latency(CELLS[2], batch=8) == med[2]
    assert len(t.meta["build"]["sessions"]) == 2 and t.meta["machine"]["cpu"] == machine_info()["cpu"]
    assert "measured on" in repr(t)
    with pytest.raises(ValueError, match=r"batch=64 was not measured; available: \[1, 8\]"):
        t.latency(CELLS[0], batch=64)
    with pytest.raises(ValueError, match="stat='mean' is unknown"):
        t.latencies(1, "mean")
    with pytest.raises(ValueError, match="is not in this table"):
        t.row((3,) * 6)


def test_corrupt_or_missing_files_are_refused(built, tmp_path):
    root, _ = built
    with pytest.raises(BenchmarkMissingError, match="build_latency.py"):
        LatencyTable.load(root=tmp_path)
    for suffix in (".npz", ".json"):
        (tmp_path / f"{NAME}{suffix}").write_bytes((root / f"{NAME}{suffix}").read_bytes())
    data = bytearray((tmp_path / f"{NAME}.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / f"{NAME}.npz").write_bytes(bytes(data))
    with pytest.raises(BenchmarkError, match="does not match the checksum"):
        LatencyTable.load(root=tmp_path)


def test_the_checks_reject_wrong_arrays(built):
    root, _ = built
    t = LatencyTable.load(root=root)
    bad = {k: v.copy() for k, v in t.arrays.items()}
    bad["q25"][0, 0] = bad["median"][0, 0] * 2
    with pytest.raises(BenchmarkError, match="quartiles out of order"):
        LatencyTable.check("x.npz", bad, t.meta)
    bad = {k: v.copy() for k, v in t.arrays.items()}
    bad["macs"][1] += 1
    with pytest.raises(BenchmarkError, match="MACs or parameter counts"):
        LatencyTable.check("x.npz", bad, t.meta)


def test_resume_refuses_another_config_or_machine(tmp_path, monkeypatch):
    assert build(TINY, root=tmp_path, limit=1, progress=False) is None
    other = LatencyConfig(spec=TimingSpec(batch_sizes=(1,), runs=3, warmup=1), group_size=2, cells=CELLS)
    with pytest.raises(ValueError, match="was started with another config"):
        build(other, root=tmp_path, progress=False)
    monkeypatch.setattr(hw_build, "machine_info", lambda: {**machine_info(), "cpu": "Imaginary CPU"})
    with pytest.raises(ValueError, match="one table must come from one machine"):
        build(TINY, root=tmp_path, progress=False)


def test_a_full_size_table_packs_under_one_megabyte(tmp_path):
    cfg = LatencyConfig()
    rng = np.random.default_rng(0)
    done = {}
    for j in jobs(cfg):  # fabricated timings of realistic size and noise (no measurement)
        med = rng.uniform(5e-5, 2e-3, (len(j["rows"]), 2))
        done[j["key"]] = {**j, "median": med.tolist(), "q25": (med * 0.95).tolist(), "q75": (med * 1.1).tolist()}
    (tmp_path / f"{NAME}.partial.jsonl").write_text("")
    path = pack(cfg, tmp_path, done, [{"machine": machine_info(), "wall_seconds": 1.0, "cpu_seconds": 1.0}])
    size = path.stat().st_size + path.with_suffix(".json").stat().st_size
    assert size <= 1_000_000, size
    t = LatencyTable.load(root=tmp_path)
    assert len(t.unique_cells()) == 4930 and json.loads(path.with_suffix(".json").read_text())["n_cells"] == 4930


def test_estimate_extrapolates_per_cell_cost():
    e = estimate_seconds(TINY, n_sample=2)
    assert e["n_sample"] == 2 and e["total"] == pytest.approx(e["per_cell"] * len(CELLS)) and e["per_cell"] > 0
    with pytest.raises(ValueError, match="n_sample=0 must be an int >= 1"):
        estimate_seconds(TINY, 0)


def test_live_check_compares_this_machine_with_the_table(built):
    t = LatencyTable.load(root=built[0])
    out = live_check(t, seconds=1e-9, batch=8, spec=TimingSpec(batch_sizes=(8,), runs=3, warmup=1))
    assert out["n"] == 2 == len(out["cells"]) and set(out["cells"]) <= set(CELLS)  # min_cells=2, however short
    assert out["shipped"].tolist() == [t.latency(c, 8) for c in out["cells"]] and np.all(out["measured"] > 0)
    ratio = np.median(out["measured"] / out["shipped"])
    assert -1 <= out["spearman"] <= 1 and out["median_ratio"] == pytest.approx(ratio)
    assert out["shipped_machine"] == t.meta["machine"] and "cpu" in out["machine"]
    with pytest.raises(ValueError, match=r"batch=64 was not measured; available: \[1, 8\]"):
        live_check(t, seconds=1, batch=64, spec=TimingSpec(batch_sizes=(64,), runs=1, warmup=0))
    with pytest.raises(ValueError, match="batch=1 is not measured by spec.batch_sizes"):
        live_check(t, seconds=1, batch=1, spec=TimingSpec(batch_sizes=(8,), runs=1, warmup=0))
