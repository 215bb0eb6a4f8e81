"""Evolution warm-started by a score: the first population is the top of a ranked random sample."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.cells import all_cells, canonical
from naslab.bakeoff.race import Lookup, TableObjective
from naslab.bakeoff.searchers import random_cell
from naslab.bakeoff.toy import ToyTable
from naslab.search import run_search
from naslab.signals.race import signal_searchers
from naslab.signals.table import ProxyTable
from naslab.signals.warm_start import DEFAULT_PROXY, WarmStartEvolution, table_score, top_by_score


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
    with pytest.raises(ValueError, match=r"returned NaN or \+inf"):
        WarmStartEvolution(lambda c: float("nan"))
    with pytest.raises(ValueError, match=r"returned NaN or \+inf"):
        WarmStartEvolution(lambda c: float("inf"))


def test_a_dead_cell_ranks_last():
    # -inf is a proxy's "this net cannot learn": allowed, and never in the warm population while others remain
    top = top_by_score(lambda c: float("-inf") if c[0] == 0 else float(sum(c)), np.random.default_rng(1), 5, 6, 50, 50)
    dead = [i for i, c in enumerate(top) if c[0] == 0]
    assert dead and dead == list(range(len(top) - len(dead), len(top)))


@pytest.fixture(scope="module")
def proxies():
    return ProxyTable.load()


def test_table_score_reads_the_shipped_column(proxies):
    score, col = table_score("synflow", proxies), proxies.scores("synflow")
    cells = proxies.unique_cells()
    for i in (0, 17, 2500, len(cells) - 1):
        assert score(cells[i]) == col[i]
    members = [c for c in all_cells() if canonical(c) != c][:25]  # isomorphic members read their class's row
    assert len(members) == 25
    assert [score(c) for c in members] == list(col[proxies.rows_of([canonical(c) for c in members])])
    assert DEFAULT_PROXY == "synflow" and score.proxy == "synflow"
    with pytest.raises(ValueError, match="proxy='nope' is not in the table; available: .*'synflow'"):
        table_score("nope", proxies)


@pytest.mark.parametrize("proxy", ["synflow", "naswot"])
def test_warm_population_is_the_top_of_the_sample_by_the_table_column(proxies, proxy):
    s = WarmStartEvolution(table_score(proxy, proxies), seed=3)
    rng, sample = np.random.default_rng(3), {}  # oracle: the same draws, scored straight from the table
    while len(sample) < 1000:
        sample[random_cell(rng)] = None
    col = proxies.scores(proxy)[proxies.rows_of([canonical(c) for c in sample])]  # (1000,)
    by_cell = dict(zip(sample, col))
    chosen = [by_cell[c] for c in s.initial]
    rest = [v for c, v in by_cell.items() if c not in set(s.initial)]
    assert len(s.initial) == 20 and len(set(s.initial)) == 20 and set(s.initial) <= set(sample)
    assert chosen == sorted(chosen, reverse=True) and min(chosen) >= max(rest)
    assert s.initial != WarmStartEvolution(table_score("params", proxies), seed=3).initial  # the column matters


def test_the_race_warm_starts_from_the_table_column(proxies):
    lk = Lookup.from_table(ToyTable(seed=2))
    made = signal_searchers(lk, score="synflow")["evolution + proxy"](3)
    assert made.initial == WarmStartEvolution(table_score("synflow", proxies), seed=3).initial
