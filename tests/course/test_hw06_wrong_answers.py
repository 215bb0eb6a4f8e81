"""Homework 06's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong searcher below is planted as a factory `make(seed)` and handed to the check helpers of the public tests
(homework/hw06_bakeoff/test_hw06.py) and the hidden tests (hidden/test_hw06_hidden.py). Oracles: the message
text each helper raises. Also: every hidden test rejects at least one wrong answer that ALL the public checks
accept (a hidden test that only repeats a public one would be a free point). The races use fewer seeds than the
graded ones (30 instead of 100) to stay cheap; the reference itself is graded by the homework's own tests.
"""

from __future__ import annotations

import importlib
from collections import deque

import numpy as np
import pytest

import naslab
from naslab.bakeoff.race import Lookup, load_table
from naslab.bakeoff.searchers import LocalSearch, RegularizedEvolution
from naslab.checking import CheckError

from .wrong_answers import homework

HW, public, hidden = homework("hw06_bakeoff")  # the assignment's own test modules


@pytest.fixture(scope="module")
def lookup():
    return Lookup.from_table(load_table())


@pytest.fixture(scope="module")
def ranking(lookup):
    """The shipped table's cells, best test accuracy first: what a searcher that read the data file would know."""
    ids = np.argsort(-lookup.test, kind="stable")
    return [tuple(int(d) for d in np.base_repr(int(i), 5).zfill(6)) for i in ids]


class Evolution(naslab.Searcher):
    """A student's regularised evolution, with a choice of slips."""

    top: list = []  # filled by the "reads the table" plants (computed outside the searcher, as an import would)

    def __init__(self, seed=0, *, remember="ask", pick=max, start="random", none_when_waiting=False):
        self.seed, self.rng = seed, np.random.default_rng(seed)
        self.population, self.asked = deque(maxlen=10), set()
        self.remember, self.pick, self.start, self.wait = remember, pick, start, none_when_waiting
        self.outstanding = 0

    def _fresh(self):
        if self.start == "top":
            return next(c for c in self.top if c not in self.asked)
        return tuple(int(o) for o in self.rng.integers(5, size=6))

    def ask(self):
        if self.wait and self.outstanding:
            return None
        cell = None
        for _ in range(100):
            if len(self.population) < 10:
                cell = self._fresh()
            else:
                idx = self.rng.choice(len(self.population), size=5, replace=False)
                parent = self.pick((self.population[i] for i in idx), key=lambda m: m[1])[0]
                e = int(self.rng.integers(6))
                cell = parent[:e] + ((parent[e] + 1 + int(self.rng.integers(4))) % 5,) + parent[e + 1:]
            if self.remember is None or cell not in self.asked:
                break
        if self.remember == "ask":
            self.asked.add(cell)
        self.outstanding += 1
        return cell

    def tell(self, cell, trial):
        self.outstanding -= 1
        if self.remember == "tell":
            self.asked.add(tuple(cell))
        self.population.append((tuple(cell), trial.score()))


class IgnoresTell(Evolution):
    def tell(self, cell, trial):
        self.outstanding -= 1


class UsesShippedEvolution(RegularizedEvolution):  # `from naslab.bakeoff import searchers` as a base class
    pass


class ReadsTheTableInside(Evolution):  # orders cells by the table's test accuracy, loading it in __init__
    def __init__(self, seed=0):
        super().__init__(seed)
        lk = Lookup.from_table(load_table())
        self.order = list(np.argsort(-lk.test))


def plant(**kw):
    return lambda seed: Evolution(seed, **kw)


def reference(seed):
    return importlib.import_module("my_cell_searcher").CellSearcher(seed=seed)


# (make, the public helper that rejects it, the message fragment)
PUBLIC_REJECTS = {
    "naslab's RegularizedEvolution": (lambda s: UsesShippedEvolution(seed=s), "asks_are_cells",
                                      "called naslab's naslab.bakeoff.searchers"),
    "naslab's LocalSearch": (lambda s: LocalSearch(seed=s), "asks_are_cells", "called naslab's naslab.bakeoff"),
    "reads the table inside the searcher": (lambda s: ReadsTheTableInside(s), "asks_are_cells",
                                            "called naslab's naslab.bakeoff.race.load_table"),
    "ignores tell": (lambda s: IgnoresTell(s), "uses_the_results", "only"),
    "a minimiser": (plant(pick=min), "uses_the_results", "minimises"),
    "asks a cell twice": (plant(remember=None), "never_repeats", "never pay twice"),
    "returns None while results are out": (plant(none_when_waiting=True), "four_workers", "returned None"),
}


@pytest.mark.parametrize("slip", list(PUBLIC_REJECTS))
def test_public_checks_reject(slip, lookup):
    make, helper, fragment = PUBLIC_REJECTS[slip]
    check = getattr(public, f"check_{helper}")
    args = (make,) if helper in ("uses_the_results", "four_workers") else (make, lookup)
    with pytest.raises((AssertionError, CheckError), match=fragment):
        check(*args)


def test_the_import_rule_sees_from_naslab_bakeoff_import_searchers(tmp_path):
    f = tmp_path / "my_cell_searcher.py"
    f.write_text("from naslab.bakeoff import searchers\n\nCellSearcher = searchers.RegularizedEvolution\n")
    with pytest.raises(AssertionError, match=r"naslab.bakeoff.searchers"):
        public.check_own_code(f)
    public.check_own_code(HW / "my_cell_searcher.py")


def _passes_public(make, lookup):
    for helper in ("asks_are_cells", "seeded", "never_repeats"):
        getattr(public, f"check_{helper}")(make, lookup)
    public.check_uses_the_results(make)
    public.check_four_workers(make)
    public.check_beats_random(make, lookup, seeds=range(100, 130))


def test_hidden_tests_reject_what_the_public_ones_accept(lookup, ranking):
    Evolution.top = ranking
    top_start = plant(start="top")          # evolution whose first cells are the shipped table's best
    late_memory = plant(remember="tell")    # remembers a cell when told, not when asked
    for make in (top_start, late_memory):
        _passes_public(make, lookup)
    with pytest.raises(AssertionError, match="reads the table instead of learning from tell"):
        hidden.check_first_asks_know_nothing(top_start, lookup)
    with pytest.raises(AssertionError, match="relabelled table"):
        hidden.check_relabelled_table_is_no_harder(top_start, lookup, seeds=range(900, 930))
    with pytest.raises(AssertionError, match="remember a cell when you ask it"):
        hidden.check_four_workers_never_repeat(late_memory, lookup)


def test_the_reference_passes_the_cheap_checks(lookup):
    for helper in ("asks_are_cells", "seeded", "never_repeats"):
        getattr(public, f"check_{helper}")(reference, lookup)
    public.check_uses_the_results(reference)
    public.check_four_workers(reference)
    hidden.check_first_asks_know_nothing(reference, lookup)
    hidden.check_four_workers_never_repeat(reference, lookup)


def test_relabelling_keeps_the_table_and_renames_the_ops(lookup):
    t = hidden.relabelled(lookup, seed=1)
    assert sorted(t.test) == sorted(lookup.test) and t.best_test == lookup.best_test
    assert not np.array_equal(t.test, lookup.test)
