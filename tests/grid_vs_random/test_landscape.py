"""The cached lr x weight-decay landscape: build, save / load, lookup, replayed searches."""

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
    save_landscape,
)
from naslab.grid_vs_random.population import train_member
from naslab.grid_vs_random.spaces import COURSE_VALUES, course_grid, course_space
from naslab.search import run_search
from naslab.searchers import RandomSearch
from naslab.train import TrainConfig


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
