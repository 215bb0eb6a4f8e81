"""naslab.proxies.benchmark / build: the shipped file, its lookups against fresh training, bad input, resuming."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace

import numpy as np
import pytest

from naslab.proxies.benchmark import BENCH_DIR, REBUILD, BenchConfig, Benchmark, BenchmarkError, bench_space
from naslab.proxies.build import build, job_key, jobs, run_job
from naslab.proxies.halving import SuccessiveHalving
from naslab.search import run_search
from naslab.tabular import write_meta
from tests.helpers import edit_json

from ..core.test_tabular import flip_audit

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
    with pytest.raises(ValueError, match=re.escape("is unknown; allowed: ['data', 'width', 'big']")):
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
    write_meta(npz, js, meta)  # resealed: both checksums match
    with pytest.raises(BenchmarkError, match="NaN"):
        Benchmark.load(root=tmp_path)
    del arrays["tokens"]
    np.savez_compressed(npz, **arrays)
    write_meta(npz, js, meta)
    with pytest.raises(BenchmarkError, match="tokens"):
        Benchmark.load(root=tmp_path)


def _load_content(root):
    b = Benchmark.load(root=root)
    return b.arrays, b.meta


def test_single_bit_flips_in_both_files_are_caught_or_harmless(tmp_path):
    npz, js = _copy(tmp_path)
    got = flip_audit(lambda: _load_content(tmp_path), [js, npz], REBUILD, n=150)
    assert got["bad"] == [] and got["caught"] + got["harmless"] >= 290, got
    assert got["caught"] >= 290  # none of this table's flips happens to be harmless


def _set(path, value):
    def edit(meta):
        *keys, last = path
        d = meta
        for k in keys:
            d = d[k]
        d[last] = value
    return edit


METADATA_EDITS = {  # the edits an adversarial tester made: each relabelled results before the checksum covered them
    "filters": lambda m: (m["space"].update(filters=[16, 64]), m["config"]["space"][1].__setitem__(1, [16, 64])),
    "seeds swapped": _set(("config", "seeds"), [1, 0]),
    "fidelities truncated": _set(("fidelities",), [1, 2, 3]),
    "epochs": _set(("config", "epochs"), 3),
    "data fractions": _set(("config", "data_fractions"), [0.5, 1.0]),
    "a shape": _set(("shapes", "params"), [64]),
    "the npz checksum": _set(("sha256",), "0" * 64),
}


@pytest.mark.parametrize("edit", METADATA_EDITS.values(), ids=METADATA_EDITS.keys())
def test_edited_metadata_is_refused(tmp_path, edit):
    npz, js = _copy(tmp_path)
    edit_json(js, edit)
    with pytest.raises(BenchmarkError, match=rf"data file {js} does not match its own checksum 'meta_sha256' "
                                             rf"\(corrupt or edited metadata\); rebuild it with `{REBUILD}`"):
        Benchmark.load(root=tmp_path)


@pytest.mark.parametrize("edit, message", [
    (_set(("fidelities",), [1, 2, 3]), r"has fidelities \[1, 2, 3\] in its .json, but its config says \[1, 2,"),
    (_set(("space", "filters"), [16, 64]), "has space .* in its .json, but its config says"),
    (_set(("config", "seeds"), [0]), r"array 'val_acc' has shape \[128, 2, 9\], expected \[128, 1, 9\]"),
    (_set(("config", "data_fractions"), [0.5]), r"array 'data_acc' has shape \[48, 2, 9\], expected \[48, 1, 9\]"),
    (_set(("config", "epochs"), 3), "has fidelities"),
    (_set(("config", "seeds"), "01"), "has seeds '01', not a list of ints"),
    (lambda m: m.pop("space"), r"does not hold what its loader expects \(KeyError: 'space'\)"),
    (_set(("config", "space"), 3), r"does not hold what its loader expects \(TypeError"),
    (_set(("config", "extra"), 1), r"does not hold what its loader expects \(TypeError: .*extra"),
])
def test_resealed_inconsistent_metadata_is_refused_naming_the_file(tmp_path, edit, message):
    """Rewriting both checksums is a forgery no checksum can see; the loader still refuses metadata that
    contradicts itself or the arrays (only a consistent rewrite, e.g. seeds [1, 0] for [0, 1], passes)."""
    npz, js = _copy(tmp_path)
    meta = json.loads(js.read_text())
    edit(meta)
    write_meta(npz, js, meta)
    with pytest.raises(BenchmarkError, match=rf"^data file {npz} {message}.*; rebuild it with `{REBUILD}`$"):
        Benchmark.load(root=tmp_path)


TINY = BenchConfig(name="tiny", space=(("n_layers", 1), ("filters", (4, 8)), ("kernels", (3,)),
                                       ("strides", (2,)), ("skips", False)),
                   epochs=2, proxy_sample=1, big_sample=1)


def test_build_resumes_after_an_interruption(tmp_path, monkeypatch):
    import naslab.proxies.build as bb

    calls = []
    real = bb.run_job
    monkeypatch.setattr(bb, "run_job", lambda cfg, job, **kw: calls.append(job_key(job)) or real(cfg, job, **kw))
    assert build(TINY, root=tmp_path, limit=3, progress=False) is None  # "interrupted" after 3 runs
    partial = tmp_path / "tiny.partial.jsonl"
    lines = partial.read_text().splitlines()  # three finished runs, then this session's record
    assert len(lines) == 4 and sum('"session"' in ln for ln in lines) == 1
    with partial.open("a") as f:
        f.write('{"kind": "main", "arch": 1, "se')  # a line cut by a killed process
    first = list(calls)
    path = build(TINY, root=tmp_path, progress=False)
    assert path is not None and not partial.exists()
    assert len(calls) == len(jobs(TINY)) and not set(first) & set(calls[3:])  # nothing ran twice
    b = Benchmark.load("tiny", root=tmp_path)
    assert b.size == 2 and b.fidelities == (1, 2)
    assert b.proxy_table("data")["acc"].shape == (1, 2, 2) and b.proxy_table("big")["acc"].shape == (1, 1, 2)
