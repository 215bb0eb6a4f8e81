"""Homework 1 tests: the quasi-random searcher's contract, its even coverage and a known optimum."""

import json
import math

import numpy as np
import pytest
from my_searcher import QuasiRandomSearch

from naslab.domains import Choice, IntRange, LogUniform, Uniform
from naslab.search import run_search

SPACE = {"lr": LogUniform(1e-4, 1.0), "wd": Uniform(0.0, 0.1), "layers": IntRange(1, 4),
         "act": Choice(["relu", "tanh", "gelu"])}


def _asks(searcher, n):
    return [searcher.ask() for _ in range(n)]


def test_keys_types_and_bounds():
    for c in _asks(QuasiRandomSearch(SPACE, seed=0), 50):
        assert list(c) == list(SPACE), f"keys {list(c)}, want {list(SPACE)} in the space's order"
        assert 1e-4 <= c["lr"] <= 1.0 and 0.0 <= c["wd"] <= 0.1, c
        assert type(c["layers"]) is int and 1 <= c["layers"] <= 4, c
        assert c["act"] in ("relu", "tanh", "gelu"), c
        json.dumps(c)  # plain Python values


def test_to_config_maps_corners_and_log_scale():
    s = QuasiRandomSearch(SPACE, seed=0)
    lo = s.to_config([0.0, 0.0, 0.0, 0.0])
    assert lo == {"lr": pytest.approx(1e-4), "wd": 0.0, "layers": 1, "act": "relu"}
    mid = s.to_config([0.5, 0.5, 0.5, 0.5])
    assert mid["lr"] == pytest.approx(1e-2), "LogUniform(1e-4, 1): u = 0.5 is 1e-2 (the middle in log10)"
    assert mid["wd"] == pytest.approx(0.05) and mid["layers"] == 3 and mid["act"] == "tanh"
    top = s.to_config([0.999, 0.999, 0.999, 0.999])
    assert top["layers"] == 4 and top["act"] == "gelu", "the last int / choice must be reachable"


def test_seeded_and_deterministic():
    a, b = _asks(QuasiRandomSearch(SPACE, seed=3), 20), _asks(QuasiRandomSearch(SPACE, seed=3), 20)
    assert a == b, "the same seed must give the same sequence"
    assert a != _asks(QuasiRandomSearch(SPACE, seed=4), 20), "another seed must scramble differently"


def test_max_trials_then_none():
    s = QuasiRandomSearch(SPACE, seed=0, max_trials=5)
    assert all(c is not None for c in _asks(s, 5)) and s.ask() is None


def test_covers_every_bin_evenly():
    # 64 points, 8 equal bins per axis: a low-discrepancy sequence puts 8 +- 2 in every bin
    # (64 independent uniform draws do that in under 5 % of seeds)
    for seed in range(5):
        s = QuasiRandomSearch({"a": Uniform(0.0, 1.0), "b": Uniform(0.0, 1.0)}, seed=seed)
        u = np.array([[c["a"], c["b"]] for c in _asks(s, 64)])
        for j in range(2):
            counts = np.histogram(u[:, j], bins=8, range=(0.0, 1.0))[0]
            assert counts.min() >= 6 and counts.max() <= 10, f"seed {seed}, axis {j}: bin counts {counts.tolist()}"


def test_every_choice_gets_an_equal_share():
    # 200 points over 4 values: floor(u * 4) gives each value a quarter (50 +- 3 for an even sequence);
    # rounding u * 3 to the nearest index gives the two end values half the mass of the middle ones (33 / 67)
    for seed in range(3):
        s = QuasiRandomSearch({"c": Choice(["a", "b", "c", "d"])}, seed=seed)
        counts = [c["c"] for c in _asks(s, 200)]
        shares = {v: counts.count(v) for v in "abcd"}
        assert all(45 <= n <= 55 for n in shares.values()), (
            f"seed {seed}: counts {shares} over 200 asks; every value should get a quarter. Rounding u * "
            "(len - 1) to the nearest index gives the end values half the mass: use floor(u * len(values))")


def test_finds_a_known_optimum_through_run_search():
    # f(x, y) = -(x - 0.3)^2 - (y - 0.7)^2 on [0, 1]^2, optimum 0: 64 even points land within 0.01 of it
    def objective(c):
        return {"val_acc": -((c["x"] - 0.3) ** 2) - (c["y"] - 0.7) ** 2}

    s = QuasiRandomSearch({"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}, seed=0)
    trials = run_search(s, objective, 64)
    assert len(trials) == 64
    assert max(t.score() for t in trials) > -0.01
    assert not math.isnan(trials[-1].score())
