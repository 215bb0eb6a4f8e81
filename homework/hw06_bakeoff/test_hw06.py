"""Homework 6 tests: the cell searcher's contract, and it beats random search on unseen seeds."""

import ast
from pathlib import Path

import numpy as np
import pytest
from my_cell_searcher import CellSearcher

import naslab
from naslab.bakeoff.race import Lookup, TableObjective, default_searchers, load_table, race
from naslab.bakeoff.stats import final_ranking


@pytest.fixture(scope="module")
def lookup():
    return Lookup.from_table(load_table())


def _asks(seed, lookup, n=60):
    trials = naslab.run_search(CellSearcher(seed=seed), TableObjective(lookup, seed), budget=n)
    return [tuple(t.config) for t in trials], trials


def test_asks_are_cells(lookup):
    cells, trials = _asks(0, lookup)
    assert len(cells) == 60, f"the search stopped after {len(cells)} of 60 trials"
    for cell in cells:
        assert len(cell) == 6 and all(type(o) is int and 0 <= o < 5 for o in cell), \
            f"ask() returned {cell!r}: a cell is a tuple of 6 Python ints in 0..4"
    assert all(t.status == "ok" for t in trials), [t.error for t in trials if t.status != "ok"][:1]


def test_seeded_and_deterministic(lookup):
    assert _asks(3, lookup)[0] == _asks(3, lookup)[0], "the same seed must give the same asks"
    assert _asks(3, lookup)[0] != _asks(4, lookup)[0], "another seed must give other asks"


def test_uses_the_results(lookup):
    # a searcher that ignores tell() is random search under another name: once one cell scored 1 and every
    # other 0, its next asks must gather near that cell (random cells lie within 2 edges of it 1.7 % of the time)
    s = CellSearcher(seed=5)
    first = [s.ask() for _ in range(30)]
    best = first[-1]
    for cell in first:
        s.tell(cell, naslab.Trial(config=list(cell), metrics={"val_acc": float(cell == best)}))
    later = [s.ask() for _ in range(60)]
    near = np.mean([sum(a != b for a, b in zip(c, best)) <= 2 for c in later])
    assert near >= 0.15, f"after cell {best} scored 1 and the others 0, only {near:.0%} of the next asks are near it"


def test_writes_its_own_searcher():
    assert len(CellSearcher(seed=0).ask()) == 6  # a searcher must exist before its imports are judged
    tree = ast.parse(Path(__file__).with_name("my_cell_searcher.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
               {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "naslab.bakeoff.searchers" not in imported, "write the searcher yourself: no naslab.bakeoff.searchers"


def test_beats_random_search_on_seeds_it_has_not_seen(lookup):
    budget = 100 * lookup.full_seconds()
    res = race(lookup, {"yours": lambda s: CellSearcher(seed=s), "random": default_searchers(lookup)["random"]},
               seeds=range(100, 200), max_seconds=budget)
    rows = {r.name: r for r in final_ranking(res)}
    y, r = rows["yours"], rows["random"]
    assert y.value < r.value, (f"IQM test regret {100 * y.value:.2f} points is not below random search's "
                               f"{100 * r.value:.2f} (100 seeds, {budget:,.0f} simulated s)")
