"""naslab.proxies.benchmark / build: the shipped file, its lookups against fresh training, bad input, resuming."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from naslab.proxies.benchmark import BENCH_DIR, BenchConfig, Benchmark, BenchmarkError, bench_space
from naslab.proxies.build import build, job_key, jobs, run_job
from naslab.proxies.halving import SuccessiveHalving
from naslab.search import run_search

NAME = BenchConfig().name


@pytest.fixture(scope="module")
def bench():
    return Benchmark.load()


def test_shipped_benchmark_loads_and_covers_the_whole_space(bench):
    space = bench_space()
    assert bench.size == space.size == 128
    assert {a.key for a in bench.archs} == {a.key for a in space.enumerate()}
    assert bench.fidelities == tuple(range(1, 10)) and len(bench.seeds) >= 2
    assert bench.arrays["val_acc"].shape == (128, len(bench.seeds), 9)
    acc = bench.accuracy()
    assert 0.1 < acc.min() < acc.max() <= 1.0 and acc.std() > 0.02  # architectures differ
    size = sum(p.stat().st_size for p in BENCH_DIR.glob(f"{NAME}.*"))
    assert size < 3_000_000  # a few MB at most


def test_lookups_agree_with_a_fresh_training_within_the_seed_spread(bench):
    cfg = bench.config
    assert cfg == BenchConfig()  # the shipped file is the default benchmark
    short = replace(cfg, epochs=3)  # epoch e of the 9-epoch run is an e-epoch run (constant lr): cheaper to check
    for a in (5, 77, 120):  # a few entries, trained again from scratch
        fresh = run_job(short, {"kind": "main", "arch": a, "seed": 0, "level": 0})["curve"]
        runs = bench.arrays["val_acc"][a]  # (seeds, epochs)
        for e in (1, 3):
            spread = runs[:, e - 1].max() - runs[:, e - 1].min()
            stored = bench.lookup(a, e, seed=0)["val_acc"]
            assert abs(fresh[e - 1] - stored) <= max(spread, 0.02), (a, e, fresh[e - 1], stored, spread)


def test_lookup_api_and_a_search_on_the_benchmark(bench):
    arch = bench.archs[17]
    r1, r9 = bench.lookup(arch, 1), bench.lookup(arch.key, 9, seed=bench.seeds[1])
    assert set(r1) == {"val_acc", "seconds", "params", "epochs"} and r1["params"] == r9["params"]
    assert bench.lookup(arch, 3)["seconds"] > r1["seconds"]  # more epochs cost more simulated time
    assert bench.index(bench.space.encode(arch)) == bench.index(arch.to_dict()) == 17
    sh = SuccessiveHalving([a.key for a in bench.archs[:27]], eta=3, r_min=1, r_max=9)
    trials = run_search(sh, bench.objective(seed=0), budget=1000)
    assert len(trials) == 27 + 9 + 3
    assert sum(t.seconds for t in trials) == pytest.approx(
        sum(bench.lookup(t.config, t.fidelity)["seconds"] for t in trials))  # simulated, not measured


def test_bad_input_names_the_space_and_the_fidelities(bench):
    with pytest.raises(ValueError, match=r"benchmark's space MacroSpace\(n_layers=3"):
        bench.lookup("16-3-2|8-3-2|8-3-2", 9)  # 16 filters: not in this subspace
    with pytest.raises(ValueError, match="benchmark's space"):
        bench.lookup([0, 1], 9)  # wrong token count
    with pytest.raises(ValueError, match=r"available fidelities \(epochs\): \[1, 2, 3, 4, 5, 6, 7, 8, 9\]"):
        bench.lookup(0, 27)
    with pytest.raises(ValueError, match="available fidelities"):
        bench.accuracy(fidelity=2.5)
    with pytest.raises(ValueError, match="available seeds"):
        bench.lookup(0, 9, seed=7)
    with pytest.raises(ValueError, match="available proxy tables"):
        bench.proxy_table("depth")


def _copy(tmp_path):
    for ext in ("npz", "json"):
        shutil.copy(BENCH_DIR / f"{NAME}.{ext}", tmp_path / f"{NAME}.{ext}")
    return tmp_path / f"{NAME}.npz", tmp_path / f"{NAME}.json"


def test_corrupt_or_truncated_files_give_a_clear_error(tmp_path):
    npz, js = _copy(tmp_path)
    raw = npz.read_bytes()
    npz.write_bytes(raw[: len(raw) // 2])  # truncated download / interrupted copy
    with pytest.raises(BenchmarkError, match="rebuild"):
        Benchmark.load(root=tmp_path)
    npz.write_bytes(raw[:100] + bytes([raw[100] ^ 0xFF]) + raw[101:])  # one flipped byte
    with pytest.raises(BenchmarkError, match="checksum"):
        Benchmark.load(root=tmp_path)
    npz.write_bytes(raw)
    js.write_text("{not json")
    with pytest.raises(BenchmarkError, match="metadata"):
        Benchmark.load(root=tmp_path)
    (tmp_path / f"{NAME}.json").unlink()
    with pytest.raises(FileNotFoundError, match="build_bench"):
        Benchmark.load(root=tmp_path)


def test_a_consistent_checksum_does_not_hide_impossible_numbers(tmp_path):
    npz, js = _copy(tmp_path)
    with np.load(npz) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["val_acc"][3, 0, 4] = np.nan
    np.savez_compressed(npz, **arrays)
    meta = json.loads(js.read_text())
    meta["sha256"] = __import__("hashlib").sha256(npz.read_bytes()).hexdigest()
    js.write_text(json.dumps(meta))
    with pytest.raises(BenchmarkError, match="NaN"):
        Benchmark.load(root=tmp_path)
    del arrays["tokens"]
    np.savez_compressed(npz, **arrays)
    meta["sha256"] = __import__("hashlib").sha256(npz.read_bytes()).hexdigest()
    js.write_text(json.dumps(meta))
    with pytest.raises(BenchmarkError, match="tokens"):
        Benchmark.load(root=tmp_path)


TINY = BenchConfig(name="tiny", space=(("n_layers", 1), ("filters", (4, 8)), ("kernels", (3,)),
                                       ("strides", (2,)), ("skips", False)),
                   epochs=2, proxy_sample=1, big_sample=1)


def test_build_resumes_after_an_interruption(tmp_path, monkeypatch):
    import naslab.proxies.build as bb

    calls = []
    real = bb.run_job
    monkeypatch.setattr(bb, "run_job", lambda cfg, job: calls.append(job_key(job)) or real(cfg, job))
    assert build(TINY, root=tmp_path, limit=3, progress=False) is None  # "interrupted" after 3 runs
    partial = tmp_path / "tiny.partial.jsonl"
    assert len(partial.read_text().splitlines()) == 3
    with partial.open("a") as f:
        f.write('{"kind": "main", "arch": 1, "se')  # a line cut by a killed process
    first = list(calls)
    path = build(TINY, root=tmp_path, progress=False)
    assert path is not None and not partial.exists()
    assert len(calls) == len(jobs(TINY)) and not set(first) & set(calls[3:])  # nothing ran twice
    b = Benchmark.load("tiny", root=tmp_path)
    assert b.size == 2 and b.fidelities == (1, 2)
    assert b.proxy_table("data")["acc"].shape == (1, 2, 2) and b.proxy_table("big")["acc"].shape == (1, 1, 2)
