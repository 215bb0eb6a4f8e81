"""Evolution warm-started by a score: the first population is the top of a ranked random sample."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.race import Lookup, TableObjective
from naslab.bakeoff.toy import ToyTable
from naslab.search import run_search
from naslab.signals.warm_start import WarmStartEvolution, top_by_score


def test_top_by_score_is_the_best_of_the_sample():
    rng = np.random.default_rng(0)
    top = top_by_score(sum, rng, 5, 6, 300, 10)
    sample_rng = np.random.default_rng(0)
    from naslab.bakeoff.searchers import random_cell

    drawn = {random_cell(sample_rng) for _ in range(400)}
    assert len(top) == 10 and all(sum(c) >= 18 for c in top)  # 300 draws: the best sums are near 24
    assert sorted(map(sum, top), reverse=True) == list(map(sum, top))
    assert set(top) <= drawn


def test_first_asks_are_the_warm_population_then_evolution():
    lk = Lookup.from_table(ToyTable(seed=2))
    s = WarmStartEvolution(lambda c: -abs(sum(c) - 12), seed=4, population_size=8, n_sample=100)
    trials = run_search(s, TableObjective(lk, 4), budget=20)
    assert [tuple(t.config) for t in trials[:8]] == s.initial
    assert all(t.info["op"] == "warm start" for t in trials[:8]) and trials[8].info["op"] == "mutate"
    again = run_search(WarmStartEvolution(lambda c: -abs(sum(c) - 12), seed=4, population_size=8, n_sample=100),
                       TableObjective(lk, 4), budget=20)
    assert [t.config for t in again] == [t.config for t in trials]


def test_bad_score():
    with pytest.raises(TypeError, match="must be a callable"):
        WarmStartEvolution(3)
    with pytest.raises(ValueError, match="NaN or inf"):
        WarmStartEvolution(lambda c: float("nan"))
