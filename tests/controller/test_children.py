"""naslab.controller.children: the child objective, random architecture search, the comparison, the token exercise."""

import math

import pytest

from naslab.controller.children import ChildConfig, ChildObjective, Comparison, RandomArchSearch, compare_searchers
from naslab.controller.macro_space import MacroSpace
from naslab.controller.searcher import ControllerConfig
from naslab.data import load_dataset
from naslab.search import run_search

SPACE = MacroSpace(n_layers=2, filters=(4, 8), kernels=(3, 5), strides=(1, 2))


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", n_train=200)


def test_child_objective_trains_caches_and_is_deterministic(digits):
    obj = ChildObjective(SPACE, ChildConfig(steps=5, batch_size=32), data=digits)
    config = {"tokens": [1, 0, 1, 0, 1, 0]}
    first = obj(config)
    assert first["cached"] is False and 0.0 <= first["val_acc"] <= 1.0 and first["steps"] == 5
    assert first["params"] == sum(p.numel() for p in SPACE.build(SPACE.decode(config["tokens"]), (1, 8, 8), 10)
                                  .parameters())
    again = obj(config)
    assert again["cached"] is True and again["val_acc"] == first["val_acc"]
    fresh = ChildObjective(SPACE, ChildConfig(steps=5, batch_size=32, cache=False), data=digits)(config)
    assert fresh["val_acc"] == first["val_acc"]  # seeded training: same child, same reward
    with pytest.raises(ValueError, match="expected 6 tokens"):
        obj({"tokens": [0]})


def test_random_arch_search_is_seeded_and_decodable():
    a = [RandomArchSearch(SPACE, seed=3).ask() for _ in range(1)]
    s1, s2 = RandomArchSearch(SPACE, seed=3), RandomArchSearch(SPACE, seed=3, max_trials=5)
    got1 = [s1.ask() for _ in range(5)]
    assert got1 == [s2.ask() for _ in range(5)] and s2.ask() is None
    assert got1[0] == a[0]
    for c in got1:
        assert SPACE.decode(c["tokens"]).key == c["arch"]


def test_failed_child_is_a_recorded_trial(digits):
    obj = ChildObjective(SPACE, ChildConfig(steps=2), data=digits)
    trials = run_search(RandomArchSearch(SPACE, seed=0), lambda c: obj({"tokens": c["tokens"][:-1]}), 2)
    assert [t.status for t in trials] == ["failed", "failed"] and "tokens" in trials[0].error


def test_compare_searchers_small_run(digits):
    cmp = compare_searchers(SPACE, 4, [0, 1], child=ChildConfig(steps=3, batch_size=32), data=digits,
                            controller=ControllerConfig(batch_size=2))
    assert isinstance(cmp, Comparison)
    assert [len(r) for r in cmp.trials["controller"]] == [4, 4] and [len(r) for r in cmp.trials["random"]] == [4, 4]
    assert len(cmp.histories) == 2 and len(cmp.histories[0]) == 2  # 4 children / m=2 per update
    assert 0 < cmp.n_trained <= 16 and cmp.train_seconds > 0
    assert math.isfinite(cmp.overhead()) and cmp.overhead() > 0
