"""BOHB's density ratio, checked against a hand-computed kernel density, and its schedule and seeds."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.hyperband import hyperband_brackets
from naslab.bakeoff.race import Lookup, TableObjective
from naslab.bakeoff.toy import ToyTable
from naslab.search import run_search
from naslab.signals.bohb import BOHB, TPEDensity, kde


def test_kde_by_hand():
    cells = np.array([[0, 1], [0, 2]])
    # at (0, 1): point 1 matches both edges (0.8 * 0.8), point 2 matches edge 0 only (0.8 * 0.2 / 2)
    assert kde(cells, np.array([[0, 1]]), 3, 0.2)[0] == pytest.approx((0.64 + 0.08) / 2)


def test_good_bad_split_and_ratio_prefers_the_good_cells():
    rng = np.random.default_rng(0)
    cells = rng.integers(5, size=(40, 6))
    scores = -(cells != 2).sum(1) + 0.01 * rng.random(40)  # the all-2 cell is best
    m = TPEDensity(cells, scores, 5)
    assert len(m.good) == 7 and len(m.bad) == 33  # n_l = max(N_min = 7, ceil(0.15 * 40) = 6), n_g = 40 - 7
    assert m.ratio([[2] * 6])[0] > m.ratio([[0] * 6])[0]
    draws = m.sample_good(rng, 2000)
    assert draws.shape == (2000, 6) and draws.min() >= 0 and draws.max() <= 4


def test_schedule_is_hyperbands_and_seeds_repeat():
    lk = Lookup.from_table(ToyTable(seed=1))
    runs = [[(t.config, t.metrics["epoch"]) for t in run_search(BOHB(5, 6, 12, seed=s), TableObjective(lk, s),
                                                                budget=120)] for s in (0, 0, 1)]
    assert runs[0] == runs[1] and runs[0] != runs[2]
    s_max, n, r = hyperband_brackets(12, 3)[0]
    assert [e for _, e in runs[0][:n]] == [round(r)] * n  # the first bracket's first rung: n cells at r epochs


def test_bad_arguments():
    with pytest.raises(ValueError, match="random_fraction=2 must lie in"):
        BOHB(5, 6, 12, random_fraction=2)
    with pytest.raises(ValueError, match="beta=0.9 must lie in"):
        TPEDensity([[0] * 6] * 10, np.arange(10), 5, beta=0.9)
