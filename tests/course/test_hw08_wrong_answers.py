"""Homework 08's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong answer below is a searcher class planted in the check helpers of the public tests
(homework/hw08_hardware/test_hw08.py) and the hidden tests (hidden/test_hw08_hidden.py), which take the class
under test as an argument. Oracles: the message text each helper raises. Also: the reference solution passes
every helper, and every hidden test rejects at least one wrong answer that ALL the public checks accept (a
hidden test that only repeats a public one would be a free point); a searcher that reads the table's test
accuracy, or wraps naslab's own constrained searcher, is refused by name.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections import deque
from pathlib import Path

import numpy as np
import pytest

import naslab

from .wrong_answers import homework

ROOT = Path(__file__).resolve().parents[2]
HW, public, hidden = homework("hw08_hardware")  # the assignment's own test modules


# -- the wrong answers ---------------------------------------------------------------------------------

class Slipped(naslab.Searcher):
    """Regularised evolution under the budget, written independently of the reference, with one slip (`slip`)."""

    slip: dict = {}

    def __init__(self, cost_fn, budget, seed=0):
        self.cost_fn, self.budget = cost_fn, budget
        self.rng = np.random.default_rng(seed if self.slip.get("seeded", True) else None)
        self.pop, self.told = deque(maxlen=10), []  # (cell, score); (cell, score, cost)

    def ok(self, cell) -> bool:
        if self.slip.get("ignore_budget"):
            return True
        return self.cost_fn(cell) < self.budget if self.slip.get("strict") else self.cost_fn(cell) <= self.budget

    def random_cell(self):
        for t in itertools.count(1):
            cell = tuple(int(o) for o in self.rng.integers(5, size=6))
            if self.ok(cell):
                return cell
            if t == self.slip.get("cap"):
                if self.slip.get("raise"):
                    raise ValueError(f"no admissible cell in {t} draws")
                return cell  # gives up: the last draw, over the budget

    def out(self, cell):
        kind = self.slip.get("returns")
        return list(cell) if kind == "list" else tuple(np.int64(o) for o in cell) if kind == "numpy" else cell

    def ask(self):
        if self.slip.get("learn", True) and len(self.pop) == 10:
            idx = self.rng.choice(10, size=5, replace=False)
            parent = max((self.pop[i] for i in idx), key=lambda cs: cs[1])[0]
            for _ in range(20):
                child = list(parent)
                e = int(self.rng.integers(6))
                child[e] = int((parent[e] + 1 + self.rng.integers(4)) % 5)
                if self.slip.get("unchecked_mutants") or self.ok(tuple(child)):
                    return self.out(tuple(child))
        return self.out(self.random_cell())

    def tell(self, cell, trial):
        s = trial.score()
        self.told.append((tuple(int(o) for o in cell), s, self.cost_fn(cell)))
        if s == s:
            self.pop.append((tuple(int(o) for o in cell), s))

    def recommend(self):
        told = self.told if not self.slip.get("nan_guard", True) else [t for t in self.told if t[1] == t[1]]
        if not told or self.slip.get("rule") == "none":
            return None
        rule = self.slip.get("rule", "best")
        if rule == "argmax":
            return told[int(np.argmax([t[1] for t in told]))][0]
        pick = {"best": lambda: max(told, key=lambda t: t[1]), "last": lambda: told[-1],
                "cheapest": lambda: min(told, key=lambda t: t[2]), "worst": lambda: min(told, key=lambda t: t[1])}
        return pick[rule]()[0]


def wrong(**slip):
    return type("BudgetSearcher", (Slipped,), {"slip": slip})


class ReadsTheTable(Slipped):
    """Recommends the told cell with the best TEST accuracy of the shipped table (load_table)."""

    def __init__(self, cost_fn, budget, seed=0):
        super().__init__(cost_fn, budget, seed)
        from naslab.bakeoff.race import Lookup, load_table

        self.test = Lookup.from_table(load_table()).test

    def recommend(self):
        return max(self.told, key=lambda t: self.test[public.cell_index(t[0])])[0] if self.told else None


class LoadsTheNpz(ReadsTheTable):
    """The same, reading the .npz with np.load."""

    def __init__(self, cost_fn, budget, seed=0):
        Slipped.__init__(self, cost_fn, budget, seed)
        self.test = np.load(ROOT / "data" / "bench" / "mnist1d_nb201.npz")["test_acc"]


class WrapsNaslab(naslab.Searcher):
    """naslab's own ConstrainedEvolution behind the homework's interface."""

    def __init__(self, cost_fn, budget, seed=0):
        from naslab.hardware.searchers import ConstrainedEvolution

        self.inner, self.told = ConstrainedEvolution(cost_fn, budget, seed=seed, metrics=("val_acc", "val_acc")), []

    def ask(self):
        return tuple(int(o) for o in self.inner.ask().config)

    def tell(self, cell, trial):
        self.inner.tell(cell, trial)
        self.told.append((tuple(cell), trial.score()))

    def recommend(self):
        return max(self.told, key=lambda t: t[1])[0] if self.told else None


# -- which check rejects which wrong answer, and with what message --------------------------------------

REJECTED = [  # (wrong answer, the check that rejects it, a fragment of its message)
    ("ignores the budget", wrong(ignore_budget=True), public.check_admissible, "must never be trained"),
    ("mutants not checked against the budget", wrong(unchecked_mutants=True), public.check_admissible,
     "must never be trained"),
    ("asks numpy ints", wrong(returns="numpy"), public.check_admissible, "a cell is a tuple of 6 Python ints"),
    ("asks a list", wrong(returns="list"), public.check_admissible, "a cell is a tuple of 6 Python ints"),
    ("unseeded generator", wrong(seeded=False), public.check_seeded, "the same seed must give the same asks"),
    ("ignores what it is told (random admissible search)", wrong(learn=False), public.check_uses_results,
     "must use the scores it is told"),
    ("recommends the last cell told", wrong(rule="last"), public.check_recommend, "the last cell told"),
    ("recommends the cheapest cell told", wrong(rule="cheapest"), public.check_recommend, "the cheapest cell told"),
    ("recommends the worst cell (min for max)", wrong(rule="worst"), public.check_recommend, "LOWEST validation"),
    ("recommends nothing", wrong(rule="none"), public.check_recommend, "returned None after 12 cells"),
    ("reads the table's test accuracy (load_table)", ReadsTheTable, public.check_admissible,
     "may not read the benchmark tables"),
    ("reads the table's .npz (np.load)", LoadsTheNpz, public.check_admissible, "may not read the benchmark tables"),
    ("wraps naslab's ConstrainedEvolution", WrapsNaslab, public.check_admissible,
     "called naslab's naslab.hardware.searchers"),
]

# wrong answers that every public check accepts and one hidden check rejects:
# (label, the wrong answer, the hidden file's check_* helper, a fragment of its message)
HIDDEN_ONLY = [
    ("budget compared with <", wrong(strict=True), "check_inclusive", "did you compare with < ?"),
    ("max() over scores with a NaN", wrong(nan_guard=False), "check_failed_training", "the cell whose training failed"),
    ("np.argmax over scores with a NaN", wrong(nan_guard=False, rule="argmax"), "check_failed_training",
     "the cell whose training failed"),
    ("gives up after 50 draws, asks the last", wrong(cap=50), "check_tight_budget", "must never be trained"),
    ("raises after 50 draws", wrong(cap=50, **{"raise": True}), "check_tight_budget", "ask() raised ValueError"),
]
HIDDEN_TESTS = {"test_a_cell_exactly_at_the_budget_is_admissible": "check_inclusive",
                "test_a_failed_training_is_never_recommended": "check_failed_training",
                "test_a_tight_budget_on_held_out_seeds": "check_tight_budget"}
PUBLIC_CHECKS = [public.check_admissible, public.check_seeded, public.check_uses_results, public.check_recommend]


@pytest.mark.parametrize("label, cls, check, says", REJECTED, ids=[r[0] for r in REJECTED])
def test_public_checks_reject_the_wrong_answer_by_name(label, cls, check, says):
    with pytest.raises(AssertionError, match=re.escape(says)):
        check(cls)


@pytest.mark.parametrize("label, cls, check, says", HIDDEN_ONLY, ids=[r[0] for r in HIDDEN_ONLY])
def test_hidden_checks_reject_what_the_public_ones_accept(label, cls, check, says):
    for public_check in PUBLIC_CHECKS:
        public_check(cls)  # accepted: the public tests do not see this slip
    with pytest.raises(AssertionError, match=re.escape(says)):
        getattr(hidden, check)(cls)


def test_the_slipped_searchers_beat_random_search_on_the_public_seeds():
    """The hidden-only wrong answers also pass the public test that races random search (one run covers
    them: until the slip shows, each asks exactly what the unslipped searcher asks)."""
    public.check_beats_random(wrong())
    public.check_beats_random(wrong(strict=True, cap=50, nan_guard=False))


def test_every_hidden_test_has_a_wrong_answer_only_it_rejects():
    src = (HW / "hidden" / "test_hw08_hidden.py").read_text()
    assert set(re.findall(r"^def (test_\w+)", src, flags=re.M)) == set(HIDDEN_TESTS)
    for test, check in HIDDEN_TESTS.items():
        assert f"{check}(" in src.split(f"def {test}(", 1)[1].split("\ndef ", 1)[0], (test, check)
        assert any(c == check for _, _, c, _ in HIDDEN_ONLY), f"{test}: no hidden-only wrong answer"


def test_the_reference_solution_passes_every_check():
    from my_budget_search import BudgetSearcher

    for check in [*PUBLIC_CHECKS, public.check_beats_random]:
        check(BudgetSearcher)
    for check in HIDDEN_TESTS.values():
        getattr(hidden, check)(BudgetSearcher)


def test_the_grader_prints_the_slip(tmp_path):
    """End to end: course/grade.py on a submission that compares the cost with < scores every public test and
    fails the hidden one, with the slip's message as the report's line."""
    sys.path.insert(0, str(ROOT / "course"))
    import grade

    sub = tmp_path / "hw08_hardware"
    sub.mkdir()
    src = (HW / "my_budget_search.py").read_text()
    slipped = src.replace("return self.cost_fn(cell) <= self.budget", "return self.cost_fn(cell) < self.budget")
    assert slipped != src
    (sub / "my_budget_search.py").write_text(slipped)
    s = grade.score(HW, sub)
    failed = {t.split("::")[-1]: m for t, (o, m) in s.tests.items() if o == "failed"}
    assert set(failed) == {"test_a_cell_exactly_at_the_budget_is_admissible"}, failed
    assert "did you compare with < ?" in failed["test_a_cell_exactly_at_the_budget_is_admissible"]
