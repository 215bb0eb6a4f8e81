"""naslab.bakeoff.table / build: lookups, a tiny resumable build, corruption errors, the shipped table."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from scipy import stats

from naslab.bakeoff.build import BENCH_DIR, REBUILD, BuildConfig, build, jobs, pack_finished
from naslab.bakeoff.cells import OPS, all_cells, canonical, cell_str, unique_cells
from naslab.bakeoff.network import NetConfig, macs, n_params
from naslab.bakeoff.table import BenchmarkError, CellBenchmark
from naslab.bakeoff.training import TrainSpec, train_single
from naslab.data import load_dataset
from naslab.tabular import write_meta
from naslab.utils import get_device
from tests.helpers import edit_json

TINY = BuildConfig(name="tiny", cells=tuple(unique_cells()[:5]) + ((0, 0, 0, 3, 0, 0),), group_size=4, n_calib=2,
                   calib_epochs=1, spec=TrainSpec(epochs=2, batch_size=32, n_train=64),
                   net=NetConfig(C=4, stem_stride=2))


def fake_bench(n_seeds: int = 2, epochs: int = 3) -> CellBenchmark:
    """A table whose truth is known: accuracy = 0.2 + 0.1 * (number of conv_3 edges) + seed noise."""
    cells = unique_cells()
    rng = np.random.default_rng(0)
    base = np.array([0.2 + 0.1 * sum(o == 3 for o in c) for c in cells])
    val = np.clip(base[:, None, None] + 0.01 * rng.standard_normal((len(cells), n_seeds, epochs)), 0, 1)
    test = np.clip(base[:, None] + 0.01 * rng.standard_normal((len(cells), n_seeds)), 0, 1)
    n = len(cells)
    arrays = {"cells": np.array(cells, np.int8), "val_acc": val.astype(np.float32),
              "test_acc": test.astype(np.float32), "train_loss": np.ones_like(val, np.float32),
              "params": np.arange(n), "macs": np.arange(n), "seconds_per_epoch": np.full(n, 0.5, np.float32)}
    meta = {"name": "fake", "ops": list(OPS), "seeds": list(range(n_seeds)), "epochs": epochs,
            "config": {"cells": None}}
    return CellBenchmark(arrays, meta)


def test_lookups_map_any_cell_to_its_class():
    b = fake_bench()
    cell = (3, 0, 0, 3, 0, 0)  # node 1 is dead: its class is (0, 0, 0, 3, 0, 0)
    i = b.unique_cells().index((0, 0, 0, 3, 0, 0))
    assert b.test_acc(cell) == pytest.approx(b.arrays["test_acc"][i].mean())
    assert b.test_acc(cell, seed=1) == pytest.approx(b.arrays["test_acc"][i, 1])
    assert b.val_acc(cell) == pytest.approx(b.arrays["val_acc"][i, :, -1].mean())
    assert b.val_acc(cell_str(cell), epoch=1, seed=0) == pytest.approx(b.arrays["val_acc"][i, 0, 0])
    assert b.seconds(cell, epoch=2) == pytest.approx(1.0) and b.seconds(cell) == pytest.approx(1.5)
    assert b.params(cell) == i and b.flops(cell) == i
    assert len(b.cells()) == 15_625 and len(b.unique_cells()) == 4_930


def test_best_and_ranks_against_the_known_truth():
    b = fake_bench()
    cell, value = b.best("test")
    assert cell == (3,) * 6 and value == pytest.approx(b.test_acc((3,) * 6))
    assert b.rank_of((3,) * 6) == 1
    acc = b.accuracies("test")
    for c in [(0,) * 6, (1, 2, 3, 4, 0, 1), (3, 3, 3, 0, 0, 0)]:
        assert b.rank_of(c) == 1 + int(np.sum(acc > b.test_acc(c)))
    assert b.rank_of((0,) * 6) > b.rank_of((3, 0, 0, 3, 0, 0)) > 1
    t = b.arrays["test_acc"]
    assert b.noise_ceiling() == pytest.approx(stats.kendalltau(t[:, 0], t[:, 1]).statistic)
    b3 = fake_bench(n_seeds=3)
    t3 = b3.arrays["test_acc"]
    want = np.mean([stats.kendalltau(t3[:, i], t3[:, j]).statistic for i, j in ((0, 1), (0, 2), (1, 2))])
    assert b3.noise_ceiling() == pytest.approx(want)


@pytest.mark.parametrize("call, message", [
    (lambda b: b.val_acc((0,) * 6, epoch=4), r"epoch=4 is not available; allowed: 1..3"),
    (lambda b: b.val_acc((0,) * 6, epoch=0), "epoch=0"),
    (lambda b: b.test_acc((0,) * 6, seed=7), r"seed=7 is not in the table; available seeds: \[0, 1\]"),
    (lambda b: b.best("train"), r"metric='train' is unknown; allowed: \['val', 'test'\]"),
    (lambda b: b.test_acc((0, 1, 2)), "must have 6 ops"),
    (lambda b: b.test_acc("|conv_3~0|"), "has 1 nodes"),
])
def test_bad_queries_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(fake_bench())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    assert build(TINY, root=root, limit=2, progress=False) is None  # interrupted: 2 of the jobs
    assert (root / "tiny.partial.jsonl").exists() and pack_finished(TINY, root=root) is None  # no seed done
    assert build(TINY, root=root, limit=2, progress=False) is None  # calibration + seed 0's 2 groups
    provisional = CellBenchmark.load("tiny", root=pack_finished(TINY, root=root).parent)
    assert provisional.seeds == (0,) and provisional.meta["complete"] is False
    assert (root / "tiny.partial.jsonl").exists()  # still resumable
    path = build(TINY, root=root, workers=1, progress=False)  # resumes with the rest
    assert path is not None and not (root / "tiny.partial.jsonl").exists()
    return root


def test_tiny_build_resumes_and_matches_training_each_cell_alone(tiny):
    b = CellBenchmark.load("tiny", root=tiny)
    meta = json.loads((tiny / "tiny.json").read_text())
    assert meta["complete"] and b.seeds == (0, 1)
    assert len(meta["build"]["sessions"]) == 3 and sum(s["jobs"] for s in meta["build"]["sessions"]) == len(jobs(TINY))
    assert {s["device"] for s in meta["build"]["sessions"]} == {str(get_device("auto"))}  # logged, config unchanged
    assert "device" not in meta["config"] and "device" not in meta["config"]["spec"]
    data = load_dataset("mnist1d")
    for cell in (TINY.cells[1], TINY.cells[-1]):
        ref = train_single(cell, 1, data, TINY.net, TINY.spec)
        assert b.val_acc(cell, epoch=1, seed=1) == pytest.approx(ref["val_acc"][0], abs=2 / 800)
        assert b.test_acc(cell, seed=1) == pytest.approx(ref["test_acc"], abs=2 / 1000)
        assert b.params(cell) == n_params(cell, TINY.net) and b.flops(cell) == macs(cell, TINY.net)
    assert b.seconds(TINY.cells[-1], epoch=2) == pytest.approx(2 * b.seconds(TINY.cells[-1], epoch=1))
    with pytest.raises(ValueError, match="is not in this table"):
        b.test_acc((3,) * 6)


def _copy(tiny, tmp_path):
    for suffix in (".npz", ".json"):
        shutil.copy(tiny / f"tiny{suffix}", tmp_path / f"tiny{suffix}")
    return tmp_path / "tiny.npz", tmp_path / "tiny.json"


def _reseal(npz, js, **changes):
    meta = json.loads(js.read_text())
    meta.update(changes)
    write_meta(npz, js, meta)  # both checksums match again


def test_corrupt_files_raise_benchmark_error(tiny, tmp_path):
    npz, js = _copy(tiny, tmp_path)
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(BenchmarkError, match="does not match the checksum"):
        CellBenchmark.load("tiny", root=tmp_path)
    npz.write_bytes((tiny / "tiny.npz").read_bytes()[:300])  # truncated, checksum updated to match
    _reseal(npz, js)
    with pytest.raises(BenchmarkError, match="cannot be read"):
        CellBenchmark.load("tiny", root=tmp_path)
    js.write_text("{not json")
    with pytest.raises(BenchmarkError, match="is not valid metadata"):
        CellBenchmark.load("tiny", root=tmp_path)
    with pytest.raises(FileNotFoundError, match="build_nb201.py"):
        CellBenchmark.load("nope", root=tmp_path)


def _rewrite(tiny, tmp_path, edit):
    npz, js = _copy(tiny, tmp_path)
    with np.load(npz) as z:
        arrays = {k: z[k] for k in z.files}
    edit(arrays)
    np.savez_compressed(npz, **arrays)
    _reseal(npz, js)


@pytest.mark.parametrize("edit, message", [
    (lambda a: a.update(extra=np.zeros(3)), r"has arrays \['extra'\] its .json does not list"),
    (lambda a: a["val_acc"].__setitem__((0, 0, 0), 1.5), "accuracies outside"),
    (lambda a: a.pop("macs"), "has no array 'macs'"),
    (lambda a: a.update(test_acc=a["test_acc"][:2]), "array 'test_acc' has shape"),
    (lambda a: a["seconds_per_epoch"].__setitem__(0, 0.0), "non-positive costs"),
])
def test_inconsistent_contents_raise_benchmark_error(tiny, tmp_path, edit, message):
    _rewrite(tiny, tmp_path, edit)
    with pytest.raises(BenchmarkError, match=message):
        CellBenchmark.load("tiny", root=tmp_path)


def _shipped_copy(tmp_path):
    for suffix in (".npz", ".json"):
        shutil.copy(BENCH_DIR / f"mnist1d_nb201{suffix}", tmp_path / f"mnist1d_nb201{suffix}")
    return tmp_path / "mnist1d_nb201.npz", tmp_path / "mnist1d_nb201.json"


def test_single_bit_flips_in_the_shipped_files_are_caught_or_harmless(tmp_path):
    from ..core.test_tabular import flip_audit  # here: the Ctrl-C test imports this module as a top-level one

    npz, js = _shipped_copy(tmp_path)

    def load():
        b = CellBenchmark.load(root=tmp_path)
        return b.arrays, b.meta

    got = flip_audit(load, [js, npz], REBUILD, n=150)
    assert got["bad"] == [] and got["caught"] + got["harmless"] >= 290, got


METADATA_EDITS = {  # each relabelled results while the checksum covered the .npz only
    "seeds swapped": lambda m: m.update(seeds=[1, 0]),
    "epochs": lambda m: m.update(epochs=3),
    "cost model scaled": lambda m: m["cost_model"].update(a=2 * m["cost_model"]["a"]),
    "canonical cells emptied": lambda m: m["config"].update(cells=[]),
    "ops renamed": lambda m: m["ops"].reverse(),
}


@pytest.mark.parametrize("edit", METADATA_EDITS.values(), ids=METADATA_EDITS.keys())
def test_edited_metadata_is_refused(tmp_path, edit):
    npz, js = _shipped_copy(tmp_path)
    edit_json(js, edit)
    with pytest.raises(BenchmarkError, match=rf"data file {js} does not match its own checksum 'meta_sha256'.*"
                                             rf"rebuild it with `{REBUILD}`"):
        CellBenchmark.load(root=tmp_path)


@pytest.mark.parametrize("edit, message", [
    (lambda m: m.update(seeds=[1, 0]), r"has seeds \[1, 0\] and epochs 4, its config says \[0, 1\] and 4"),
    (lambda m: m.update(seeds=[0]), r"has val_acc \(4930, 2, 4\) / test_acc \(4930, 2\), expected \(4930, 1, 4\)"),
    (lambda m: m.update(epochs=3), r"has val_acc \(4930, 2, 4\) / test_acc \(4930, 2\), expected \(4930, 2, 3\)"),
    (lambda m: m["config"]["spec"].update(epochs=3), "has seeds .* and epochs 4, its config says .* and 3"),
    (lambda m: m["cost_model"].update(a=2 * m["cost_model"]["a"]), "has costs that are not its cost model"),
    (lambda m: m["config"].update(cells=[]), "does not list the 0 cells of its config in order"),
    (lambda m: m.pop("config"), r"is not valid metadata \(KeyError: 'config'\)"),
    (lambda m: m["config"].pop("spec"), r"does not hold what its loader expects \(KeyError: 'spec'\)"),
    (lambda m: m.update(seeds=None), r"does not hold what its loader expects \(TypeError"),
])
def test_resealed_inconsistent_metadata_is_refused(tmp_path, edit, message):
    """A rewrite of both checksums is a forgery no checksum sees; what contradicts the config is still refused."""
    npz, js = _shipped_copy(tmp_path)
    _reseal(npz, js)
    meta = json.loads(js.read_text())
    edit(meta)
    write_meta(npz, js, meta)
    with pytest.raises(BenchmarkError, match=rf"data file .*mnist1d_nb201.(npz|json) {message}.*`{REBUILD}`"):
        CellBenchmark.load(root=tmp_path)


# -- the shipped table -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return CellBenchmark.load()


def test_shipped_table_covers_every_distinct_cell(shipped):
    cfg = BuildConfig()
    assert shipped.unique_cells() == unique_cells() and len(shipped.unique_cells()) == 4_930
    assert shipped.n_seeds >= 2 and shipped.n_epochs == cfg.spec.epochs
    assert shipped.path.stat().st_size < 2_000_000
    for c in all_cells()[::1301]:
        assert shipped.test_acc(c) == shipped.test_acc(canonical(c))
    best, value = shipped.best("test")
    assert shipped.rank_of(best) == 1 and value > shipped.test_acc((1,) * 6)
    assert shipped.test_acc((0,) * 6) < 0.2  # the zero cell is a constant: chance level
    assert 0 < shipped.noise_ceiling() < 1


def test_shipped_table_repeats_fresh_training(shipped):
    cfg = BuildConfig()
    data = load_dataset(cfg.dataset)
    cell = unique_cells()[1234]  # a canonical cell: the table trained exactly this one
    ref = train_single(cell, cfg.seeds[0], data, cfg.net, cfg.spec)
    table = [shipped.val_acc(cell, epoch=e, seed=cfg.seeds[0]) for e in range(1, cfg.spec.epochs + 1)]
    np.testing.assert_allclose(table, ref["val_acc"], atol=3 / 800)


@pytest.mark.slow
def test_ctrl_c_keeps_finished_jobs_and_the_same_command_resumes(tiny, tmp_path):
    """A real SIGINT in the middle of a build (what Ctrl-C sends): the finished jobs stay in the partial
    file, every line of it is complete, and resuming gives exactly the table of an uninterrupted build."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    partial = tmp_path / "tiny.partial.jsonl"
    # a background job (CI, nohup) inherits SIGINT as ignored; a terminal's Ctrl-C raises KeyboardInterrupt
    code = ("import signal, sys, time; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "sys.path.insert(0, sys.argv[1]); from test_table import TINY; "
            "import naslab.bakeoff.build as B; job = B.run_job; "
            "B.run_job = lambda *a, **k: (job(*a, **k), time.sleep(0.5))[0]; "  # slow jobs: Ctrl-C lands mid-build
            "B.build(TINY, root=sys.argv[2], workers=1, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(Path(__file__).parent), str(tmp_path)],
                            env={**os.environ, "OMP_NUM_THREADS": "1"}, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:  # wait for calibration + one group job
        if partial.exists() and sum(1 for _ in partial.open()) >= TINY.n_calib + 1:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    lines = partial.read_text().splitlines()
    done = [json.loads(line) for line in lines]  # every record complete
    assert TINY.n_calib + 1 <= len(done) < len(jobs(TINY)) and not (tmp_path / "tiny.npz").exists()
    assert build(TINY, root=tmp_path, workers=1, progress=False) is not None  # the same call resumes
    a, b = CellBenchmark.load("tiny", root=tmp_path), CellBenchmark.load("tiny", root=tiny)
    for key in ("val_acc", "test_acc", "train_loss", "params", "macs"):
        np.testing.assert_array_equal(a.arrays[key], b.arrays[key])
