"""Homework 6 tests: a searcher of your own for four workers that never pays twice for a cell, and beats random
search on seeds it has never seen.

Each check is a helper that takes the searcher factory `make(seed)` (tests/course/test_hw06_wrong_answers.py
plants wrong searchers in them). Your searcher's asks and tells run under naslab's guard: a call into naslab's
own searchers (`naslab.bakeoff.searchers`, `hyperband`, the controller) or into the table's modules fails.
"""

import ast
from pathlib import Path

import pytest
from my_cell_searcher import CellSearcher

import naslab
from naslab.bakeoff.checks_search import guarded, near_share
from naslab.bakeoff.race import Lookup, TableObjective, default_searchers, load_table, race
from naslab.bakeoff.stats import final_ranking


@pytest.fixture(scope="module")
def lookup():
    return Lookup.from_table(load_table())


def run(make, seed, lookup, n=60, batch_size=1):
    trials = naslab.run_search(guarded(make)(seed), TableObjective(lookup, seed), budget=n, batch_size=batch_size)
    return [tuple(t.config) for t in trials], trials


def check_asks_are_cells(make, lookup):
    cells, trials = run(make, 0, lookup)
    assert len(cells) == 60, f"the search stopped after {len(cells)} of 60 trials"
    for cell in cells:
        assert len(cell) == 6 and all(type(o) is int and 0 <= o < 5 for o in cell), \
            f"ask() returned {cell!r}: a cell is a tuple of 6 Python ints in 0..4"
    assert all(t.status == "ok" for t in trials), [t.error for t in trials if t.status != "ok"][:1]


def check_seeded(make, lookup):
    assert run(make, 3, lookup)[0] == run(make, 3, lookup)[0], "the same seed must give the same asks"
    assert run(make, 3, lookup)[0] != run(make, 4, lookup)[0], "another seed must give other asks"


def check_uses_the_results(make):
    # a searcher that ignores tell() is random search under another name: once one cell scored 1 and every
    # other 0, its next asks must gather near that cell (random cells lie within 2 edges of it 1.7 % of the time)
    near = near_share(guarded(make)(5), scores_one=True)
    low = near_share(guarded(make)(5), scores_one=False)
    assert low < 0.15 or near > low, (f"after one cell scored 0 and the others 1, {low:.0%} of the next asks are "
                                      "near it: a higher score is better (your searcher minimises)")
    assert near >= 0.15, (f"after one cell scored 1 and the others 0, only {near:.0%} of the next asks are near it: "
                          "your searcher ignores what tell() gives it")


def check_never_repeats(make, lookup, n=150):
    cells, _ = run(make, 1, lookup, n=n)
    again = [c for i, c in enumerate(cells) if c in cells[:i]]
    assert not again, f"{len(again)} of {n} asks repeat an earlier cell, e.g. {again[0]}: never pay twice for a cell"


def check_four_workers(make):
    s = guarded(make)(2)
    first = [s.ask() for _ in range(8)]  # four workers start: asks come before any result
    assert None not in first, "ask() returned None before any result: with four workers it must always propose"
    cells = [tuple(c) for c in first]
    assert len(set(cells)) == 8, f"8 asks before any result hold only {len(set(cells))} distinct cells"


def check_own_code(path):
    tree = ast.parse(Path(path).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
               {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | \
               {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    bad = sorted(m for m in imported if m and m.startswith(("naslab.bakeoff", "naslab.controller")))
    assert not bad, f"write the searcher yourself: no imports from {bad}"


def check_beats_random(make, lookup, seeds=range(100, 200)):
    budget = 100 * lookup.full_seconds()
    res = race(lookup, {"yours": guarded(make), "random": default_searchers(lookup)["random"]},
               seeds=seeds, max_seconds=budget)
    rows = {r.name: r for r in final_ranking(res)}
    y, r = rows["yours"], rows["random"]
    assert y.value < r.value, (f"IQM test regret {100 * y.value:.2f} points is not below random search's "
                               f"{100 * r.value:.2f} ({len(seeds)} seeds, {budget:,.0f} simulated s)")


def make(seed):
    return CellSearcher(seed=seed)


def test_asks_are_cells(lookup):
    check_asks_are_cells(make, lookup)


def test_seeded_and_deterministic(lookup):
    check_seeded(make, lookup)


def test_uses_the_results():
    check_uses_the_results(make)


def test_never_asks_a_cell_twice(lookup):
    check_never_repeats(make, lookup)


def test_four_workers_get_distinct_cells():
    check_four_workers(make)


def test_writes_its_own_searcher():
    assert len(CellSearcher(seed=0).ask()) == 6  # a searcher must exist before its imports are judged
    check_own_code(Path(__file__).with_name("my_cell_searcher.py"))


def test_beats_random_search_on_seeds_it_has_not_seen(lookup):
    check_beats_random(make, lookup)
