"""The predictor-based searchers in the bake-off: planted optima, the race table and the PI matrix."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.race import Lookup, race
from naslab.bakeoff.searchers import RandomCellSearch
from naslab.bakeoff.toy import ToyTable
from naslab.integrations.optuna import OptunaSearch
from naslab.signals.race import (
    DictCells,
    cell_space,
    pi_interval,
    pi_matrix,
    probability_of_improvement,
    signal_race,
    signal_searchers,
)


@pytest.fixture(scope="module")
def toy():
    table = ToyTable(seed=100)  # not a search seed: ToyTable(seed=s) plants the first cell a seed-s searcher draws
    return table, Lookup.from_table(table)


def proxy(table):
    """A noisy proxy: minus the Hamming distance to the optimum plus noise of two edges' worth."""
    rng = np.random.default_rng(5)
    noise = {c: 2.0 * rng.random() for c in table.cells()}
    return lambda c: -sum(a != b for a, b in zip(c, table.opt)) + noise[tuple(c)]


def test_every_searcher_finds_the_planted_optimum_more_often_than_random(toy):
    table, lk = toy
    searchers = {"random": lambda s: RandomCellSearch(seed=s),
                 **signal_searchers(lk, score=proxy(table), tpe=OptunaSearch)}
    res = race(lk, searchers, seeds=range(5), max_seconds=150 * lk.full_seconds())
    found = {n: int((res.final(n) <= 1e-12).sum()) for n in res.names}  # the incumbent is the optimum
    assert set(found) == {"random", "BANANAS", "BOHB", "TPE", "evolution + proxy"}
    assert found["random"] == 0, found  # 5 x ~150 uniform draws among 15,625 cells: expected 0.05 hits
    for name in ("BANANAS", "BOHB", "TPE", "evolution + proxy"):
        assert found[name] >= 2, found


def test_dict_cells_adapts_a_dict_searcher():
    space = cell_space(5, 6)
    assert list(space) == ["e0", "e1", "e2", "e3", "e4", "e5"] and list(space["e3"].values) == [0, 1, 2, 3, 4]
    a = DictCells(OptunaSearch(space, seed=0), name="TPE")
    b = DictCells(OptunaSearch(space, seed=0), name="TPE")
    cells = [a.ask() for _ in range(5)]
    assert cells == [b.ask() for _ in range(5)] and all(len(c) == 6 and isinstance(c, tuple) for c in cells)
    assert a.name == "TPE" and a.metric == "val_acc"


def test_probability_of_improvement_by_hand():
    x, y = [1, 2, 3], [2, 2, 0]
    # x=1 beats 0 (1); x=2 ties 2, 2 and beats 0 (0.5 + 0.5 + 1); x=3 beats all (3): 6 of 9 pairs
    assert probability_of_improvement(x, y) == pytest.approx(6 / 9)
    assert probability_of_improvement(y, x) == pytest.approx(3 / 9)
    assert probability_of_improvement(x, y, higher_is_better=False) == pytest.approx(3 / 9)
    p, lo, hi = pi_interval(x, y)
    assert lo <= p <= hi and p == pytest.approx(6 / 9)
    with pytest.raises(ValueError, match="at least one run each"):
        probability_of_improvement([], y)


def test_pi_matrix_is_half_on_the_diagonal_and_complementary():
    rng = np.random.default_rng(0)
    finals = {"a": rng.random(20), "b": rng.random(20) + 0.3, "c": np.round(rng.random(20), 1)}
    m = pi_matrix(finals, n_resamples=200)
    assert m["names"] == ["a", "b", "c"]
    assert np.allclose(np.diag(m["p"]), 0.5) and np.allclose(m["p"] + m["p"].T, 1.0)
    assert m["p"][0, 1] > 0.5  # lower regret is better: a beats b
    assert np.all(m["lo"] <= m["p"]) and np.all(m["p"] <= m["hi"])


def test_signal_race_reports_every_training_count(toy):
    _, lk = toy
    out = signal_race(lk, {"random": lambda s: RandomCellSearch(seed=s), **signal_searchers(lk)}, seeds=range(3),
                      trainings=(5, 10, 20), n_resamples=100)
    assert out["names"] == ["random", "BANANAS", "BOHB"] and list(out["trainings"]) == [5, 10, 20]
    for n in out["names"]:
        assert out["iqm"][n].shape == (3,) and np.all(out["lo"][n] <= out["iqm"][n] + 1e-12)
    assert len(out["pi"]) == 3 and out["pi"][-1]["p"].shape == (3, 3)
    for n in out["names"]:  # the timing the lead reads: CPU seconds of every seed's run, and the whole race
        c = out["cpu_seconds"][n]
        assert c.shape == (3,) and np.all(np.isfinite(c)) and np.all(c > 0), (n, c)
    assert out["wall_seconds"] > 0 and out["wall_seconds"] >= max(out["seconds_per_seed"].values())
    with pytest.raises(ValueError, match="must be a non-empty list of positive counts"):
        signal_race(lk, seeds=range(2), trainings=(0, 5))
