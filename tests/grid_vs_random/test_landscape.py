"""The cached lr x weight-decay landscape: build, save / load, lookup, replayed searches."""

import json
import shutil

import numpy as np
import pytest

from naslab.data import load_dataset
from naslab.domains import grid
from naslab.grid_vs_random.landscape import (
    TrainObjective,
    build_landscape,
    default_path,
    load_landscape,
    load_or_build,
    random_configs,
    rebuild_command,
    save_landscape,
)
from naslab.grid_vs_random.population import train_member
from naslab.grid_vs_random.spaces import COURSE_VALUES, course_grid, course_space
from naslab.search import run_search
from naslab.searchers import RandomSearch
from naslab.tabular import BenchmarkError, file_sha256, meta_sha256, write_meta
from naslab.train import TrainConfig
from tests.helpers import edit_json

from ..core.test_tabular import flip_audit


@pytest.fixture(scope="module")
def tiny():
    return build_landscape("digits", epochs=1, n_seeds=2, n_trials=3)


def test_build_save_load_round_trip(tiny, tmp_path):
    assert tiny.n_seeds == 2 and tiny.n_trials == 3 and tiny.grid_matrix().shape == (6, 6)
    np.testing.assert_array_equal(tiny.grid_lr.reshape(6, 6)[:, 0], COURSE_VALUES)  # rows = lr
    np.testing.assert_array_equal(tiny.grid_wd.reshape(6, 6)[0], COURSE_VALUES)  # columns = wd
    path = tmp_path / "land.npz"
    save_landscape(tiny, path)
    back = load_landscape(path)
    for k in ("grid_acc", "rand_lr", "rand_acc", "rand_diverged", "grid_seconds"):
        np.testing.assert_array_equal(getattr(back, k), getattr(tiny, k))
    assert (back.dataset, back.epochs, back.hidden) == ("digits", 1, (64,))
    with np.load(path, allow_pickle=False) as f:  # plain arrays, no pickle
        assert "meta" in f.files
    meta = json.loads(path.with_suffix(".json").read_text())  # metadata and both checksums beside it
    assert meta["shapes"]["rand_acc"] == [2, 3] and meta["meta_sha256"] == meta_sha256(meta)


def test_lookup_and_replayed_searches_match_the_table(tiny):
    cfgs = random_configs(2, 3)
    assert cfgs[1] == [RandomSearch(course_space(), seed=1).ask() for _ in range(1)] + cfgs[1][1:]
    run = tiny.random_search(1)
    assert [t.config for t in run] == cfgs[1]
    np.testing.assert_allclose([t.score() for t in run], tiny.rand_acc[1])
    g = tiny.grid_search(seed=4)
    assert len(g) == 36 and sorted(t.config["lr"] for t in g) == sorted(c["lr"] for c in grid(course_grid()))
    m = tiny.objective({"lr": 10.0, "weight_decay": 10.0})
    assert m["diverged"] and m["val_acc"] == pytest.approx(0.1)
    with pytest.raises(KeyError, match="not in the cached landscape"):
        tiny.objective({"lr": 0.123, "weight_decay": 0.1})
    with pytest.raises(ValueError, match="seed"):
        tiny.random_search(5)


def test_table_entries_equal_one_by_one_training(tiny):
    data = load_dataset("digits")
    cfg = TrainConfig(epochs=1, device="cpu")
    for c, acc in [(random_configs(2, 3)[0][0], tiny.rand_acc[0, 0]), ({"lr": 0.1, "weight_decay": 1e-4},
                                                                       tiny.grid_matrix()[3, 0])]:
        r = train_member(data, c, cfg)
        assert abs(r.val_acc - acc) <= 1 / len(data.y_val) + 1e-9
    objective = TrainObjective(data, cfg)
    trials = run_search(RandomSearch(course_space(), seed=0), objective, 2)
    np.testing.assert_allclose([t.score() for t in trials], tiny.rand_acc[0, :2], atol=1 / len(data.y_val) + 1e-9)
    assert all(t.seconds > 0 for t in trials)


def test_load_or_build_reads_a_matching_cache_and_rebuilds_otherwise(tiny, tmp_path, monkeypatch):
    path = tmp_path / "cache.npz"
    save_landscape(tiny, path)
    calls = []
    monkeypatch.setattr("naslab.grid_vs_random.landscape.build_landscape", lambda *a, **k: calls.append(k) or tiny)
    assert load_or_build("digits", epochs=1, n_seeds=2, n_trials=3, path=path).n_seeds == 2 and not calls
    load_or_build("digits", epochs=1, n_seeds=3, n_trials=3, path=path)  # asks for more seeds: rebuild
    load_or_build("digits", epochs=2, n_seeds=1, n_trials=1, path=path)  # other epochs: rebuild
    load_or_build("digits", epochs=1, n_seeds=1, n_trials=1, path=path, rebuild=True)
    assert len(calls) == 3


@pytest.mark.parametrize("dataset", ["digits", "mnist1d"])
def test_shipped_tables_have_20_seeds_and_learning_rate_matters_most(dataset):
    land = load_landscape(default_path(dataset, 20))
    assert (land.epochs, land.n_seeds, land.n_trials) == (20, 20, 36)
    acc = land.grid_matrix()
    i, j = np.unravel_index(acc.argmax(), acc.shape)  # the best cell
    across_lr = np.ptp(acc[:, j])  # change lr at the best wd: from chance to the best
    across_wd = np.ptp(acc[i, :3])  # change wd in 1e-4..1e-2 at the best lr: a few points
    assert across_lr > 0.3 and across_wd < 0.2 * across_lr
    assert land.grid_matrix("diverged")[5].all()  # lr = 10 diverges whatever the weight decay
    np.testing.assert_array_equal(land.rand_lr[0], [c["lr"] for c in random_configs(1, 36)[0]])


@pytest.mark.parametrize("dataset", ["digits", "mnist1d"])
def test_shipped_tables_are_named_after_what_they_hold_and_checksummed(dataset):
    path = default_path(dataset)
    assert path.name == f"lr_wd_{dataset}_e20.npz"
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["sha256"] == file_sha256(path) and meta["meta_sha256"] == meta_sha256(meta)
    assert rebuild_command(path) == (f'python -c "from naslab.grid_vs_random.landscape import load_or_build; '
                                     f"load_or_build('{dataset}', epochs=20, rebuild=True)\"")


def _shipped_copy(tmp_path, dataset="digits"):
    for suffix in (".npz", ".json"):
        shutil.copy(default_path(dataset).with_suffix(suffix), tmp_path / f"lr_wd_{dataset}_e20{suffix}")
    return tmp_path / f"lr_wd_{dataset}_e20.npz", tmp_path / f"lr_wd_{dataset}_e20.json"


def _content(path):
    return {k: v for k, v in vars(load_landscape(path)).items() if k != "_index"}


@pytest.mark.parametrize("dataset", ["digits", "mnist1d"])
def test_single_bit_flips_in_the_shipped_tables_are_caught_or_harmless(tmp_path, dataset):
    npz, js = _shipped_copy(tmp_path, dataset)
    got = flip_audit(lambda: _content(npz), [js, npz], rebuild_command(npz), n=150)
    assert got["bad"] == [] and got["caught"] + got["harmless"] >= 280, got


METADATA_EDITS = {
    "epochs": lambda m: m.update(epochs=10), "dataset": lambda m: m.update(dataset="mnist1d"),
    "train seed": lambda m: m.update(train_seed=1), "hidden": lambda m: m.update(hidden=[128]),
    "a shape": lambda m: m["shapes"].update(rand_lr=[10, 36]),
}


@pytest.mark.parametrize("edit", METADATA_EDITS.values(), ids=METADATA_EDITS.keys())
def test_edited_metadata_is_refused(tmp_path, edit):
    npz, js = _shipped_copy(tmp_path)
    meta = edit_json(js, edit)
    with pytest.raises(BenchmarkError, match=rf"data file {js} does not match its own checksum 'meta_sha256'"):
        load_landscape(npz)
    write_meta(npz, js, meta)  # resealed: the metadata inside the .npz or the arrays still disagree
    with pytest.raises(BenchmarkError, match=rf"^data file {npz} (holds metadata|has array).*rebuild it with "
                                             rf"`python -c .*load_or_build\('digits', epochs=20, "
                                             rf"path='{npz}', rebuild=True\)"):
        load_landscape(npz)


def _rewrite(npz, js, edit):
    with np.load(npz, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    edit(arrays)
    np.savez_compressed(npz, **arrays)
    meta = json.loads(js.read_text())
    write_meta(npz, js, meta)


@pytest.mark.parametrize("edit, message", [
    (lambda a: a["rand_lr"].__setitem__((0, 0), 0.5), "has rand_lr values that are not the configurations"),
    (lambda a: a["grid_wd"].__setitem__(3, 0.5), "has grid_wd values that are not the configurations"),
    (lambda a: a["grid_acc"].__setitem__(3, np.nan), r"has accuracies outside \[0, 1\] or NaN in 'grid_acc'"),
    (lambda a: a.update(rand_diverged=a["rand_diverged"].astype(np.int8)),
     "has non-positive seconds in 'rand_seconds' or a non-bool 'rand_diverged'"),
    (lambda a: a.pop("grid_loss"), r"does not hold what its loader expects \(KeyError: 'grid_loss'\)"),
    (lambda a: a.update(meta=np.array("{}")), "holds metadata {} that its .json does not repeat"),
])
def test_resealed_impossible_tables_are_refused(tmp_path, edit, message):
    npz, js = _shipped_copy(tmp_path)
    _rewrite(npz, js, edit)
    with pytest.raises(BenchmarkError, match=rf"^data file {npz} {message}"):
        load_landscape(npz)


def test_load_or_build_raises_on_a_broken_cache_and_rebuilds_a_missing_one(tiny, tmp_path, monkeypatch):
    path = tmp_path / "lr_wd_digits_e1.npz"
    save_landscape(tiny, path)
    raw = bytearray(path.read_bytes())
    raw[100] ^= 4
    path.write_bytes(bytes(raw))
    with pytest.raises(BenchmarkError, match=r"lr_wd_digits_e1.npz does not match the checksum in its .json"):
        load_or_build("digits", epochs=1, n_seeds=2, n_trials=3, path=path)
    path.with_suffix(".json").unlink()  # a table without its .json is not a table: built again
    calls = []
    monkeypatch.setattr("naslab.grid_vs_random.landscape.build_landscape", lambda *a, **k: calls.append(k) or tiny)
    assert load_or_build("digits", epochs=1, n_seeds=2, n_trials=3, path=path).n_seeds == 2 and len(calls) == 1
    assert load_landscape(path).n_trials == 3
