"""Homework 8 tests: the budget searcher asks only admissible cells, is seeded, learns from what it is told,
recommends the best cell told, reads no table, and beats random search over the admissible cells on seeds
it has never seen.

Each `check_*` helper takes the searcher class, so tests/course/test_hw08_wrong_answers.py can plant wrong
answers in it: when a result matches a known slip, the message names the slip. Every call into the
student's class goes through `naslab.checking.call_student` with naslab's searchers and table loaders
forbidden (`Guarded`)."""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass

import numpy as np
from my_budget_search import BudgetSearcher

import naslab
from naslab.bakeoff.race import Lookup, load_table
from naslab.bakeoff.stats import iqm
from naslab.checking import CheckError, NotImplementedYet, call_student
from naslab.hardware.race import MOObjective, cost_per_cell
from naslab.hardware.table import LatencyTable

N_EDGES, N_OPS = 6, 5
NPZ = "numpy.lib._npyio_impl" if importlib.util.find_spec("numpy.lib._npyio_impl") else "numpy.lib.npyio"
TABLES = ("naslab.tabular", "naslab.bakeoff.table", "naslab.bakeoff.race", "naslab.hardware.table", NPZ)
FORBID = ("naslab.bakeoff.searchers", "naslab.hardware.searchers", *TABLES)


def expect(ok: bool, message: str) -> None:
    """An assert whose message is the report's last line (what course/grade.py prints for a failed test)."""
    if not ok:
        raise AssertionError(message)


def cell_index(cell) -> int:
    i = 0
    for o in cell:
        i = i * N_OPS + int(o)
    return i


@dataclass
class Costs:
    """One cost per cell id (5^6 = 15,625 cells) and a budget; `fn` is what the searcher is given."""

    cost: np.ndarray
    budget: float

    def fn(self, cell) -> float:
        return float(self.cost[cell_index(cell)])


@functools.lru_cache(maxsize=1)
def load_bench():
    """(lookup of the accuracy table, batch-1 latency per cell id, batch-64 latency per cell id)."""
    table, lat = load_table(), LatencyTable.load()
    return Lookup.from_table(table), cost_per_cell(table, lat.latencies(1)), cost_per_cell(table, lat.latencies(64))


def median_budget() -> Costs:
    _, lat1, _ = load_bench()
    return Costs(lat1, float(np.median(lat1)))  # 15,625 values: the median is one cell's latency


def student(fn, *args, name: str, **kwargs):
    """The student's call, with naslab's searchers and the table loaders forbidden while it runs."""
    try:
        return call_student(fn, *args, name=name, forbid=FORBID, **kwargs)
    except NotImplementedYet as e:
        raise NotImplementedError(str(e)) from None  # the grader's "not implemented yet"
    except CheckError as e:
        hit = re.search(r"called naslab's (\S+):", str(e))
        if hit and hit.group(1).rsplit(".", 1)[0] in TABLES:
            raise AssertionError(f"{name} called {hit.group(1)}: the searcher may not read the benchmark tables; "
                                 "it learns only from the trials it is told") from None
        raise


class Guarded:
    """The student's searcher, every call through `student`."""

    def __init__(self, cls, costs: Costs, seed: int):
        self.s = student(cls, costs.fn, costs.budget, seed=seed, name=f"{cls.__name__}(cost_fn, budget, seed={seed})")

    def ask(self):
        return student(self.s.ask, name="ask()")

    def tell(self, cell, trial):
        student(self.s.tell, cell, trial, name="tell()")

    def recommend(self):
        return student(self.s.recommend, name="recommend()")


class RandomAdmissible:
    """The baseline: uniformly random cells under the budget; recommends the best told."""

    def __init__(self, costs: Costs, seed: int):
        self.costs, self.rng, self.best = costs, np.random.default_rng([seed, 8]), None

    def ask(self):
        while True:
            cell = tuple(int(o) for o in self.rng.integers(N_OPS, size=N_EDGES))
            if self.costs.fn(cell) <= self.costs.budget:
                return cell

    def tell(self, cell, trial):
        if trial.score() == trial.score() and (self.best is None or trial.score() > self.best[0]):
            self.best = (trial.score(), tuple(cell))

    def recommend(self):
        return None if self.best is None else self.best[1]


def check_cell(cell, where: str) -> tuple:
    expect(type(cell) is tuple and len(cell) == N_EDGES and all(type(o) is int and 0 <= o < N_OPS for o in cell),
           f"{where} returned {cell!r}: a cell is a tuple of 6 Python ints in 0..4")
    return cell


def run(searcher, costs: Costs, seed: int, n: int) -> tuple[list, object]:
    """n rounds of ask / train (a table lookup of one training seed) / tell; (the asks, recommend())."""
    lookup = load_bench()[0]
    objective, asked = MOObjective(lookup, costs.cost, seed), []
    for i in range(n):
        cell = check_cell(searcher.ask(), "ask()")
        c = costs.fn(cell)
        expect(c <= costs.budget, f"ask() returned {cell} with cost {c:.6g} over the budget {costs.budget:.6g} "
               f"(ask {i}, seed {seed}): a cell over the budget must never be trained")
        m = objective(cell)
        searcher.tell(cell, naslab.Trial(config=list(cell), metrics=m, seconds=m["seconds"], trial_id=i))
        asked.append(cell)
    return asked, searcher.recommend()


def check_admissible(cls):
    costs = median_budget()
    asked, _ = run(Guarded(cls, costs, 0), costs, 0, 100)
    expect(len(set(asked)) >= 20, f"only {len(set(asked))} distinct cells in 100 asks: explore the admissible cells")


def check_seeded(cls):
    costs = median_budget()
    a, b, c = (run(Guarded(cls, costs, s), costs, s, 40)[0] for s in (3, 3, 4))
    expect(a == b, "the same seed must give the same asks: draw every random number from np.random.default_rng(seed)")
    expect(a != c, "seeds 3 and 4 gave the same asks: use the seed")


def check_uses_results(cls):
    # a searcher that ignores tell() is random search under another name: once one cell scored 1 and every
    # other 0, its next asks must gather near that cell (random admissible cells lie within 2 edges of it rarely)
    costs = median_budget()
    s = Guarded(cls, costs, 5)
    first = [check_cell(s.ask(), "ask()") for _ in range(30)]
    best = first[-1]
    for i, cell in enumerate(first):
        s.tell(cell, naslab.Trial(config=list(cell), metrics={"val_acc": float(cell == best)}, trial_id=i))
    later = [check_cell(s.ask(), "ask()") for _ in range(60)]
    near = np.mean([sum(a != b for a, b in zip(c, best)) <= 2 for c in later])
    expect(near >= 0.15, f"after cell {best} scored 1 and the other 29 scored 0, only {near:.0%} of the next 60 "
           "asks are within 2 edges of it: the search must use the scores it is told")


def check_recommend(cls):
    costs = median_budget()
    s = Guarded(cls, costs, 1)
    expect(s.recommend() is None, f"recommend() before any tell returned {s.recommend()!r}, expected None")
    cells = []
    while len(cells) < 12:
        c = check_cell(s.ask(), "ask()")
        if c not in cells:
            cells.append(c)
    cost = np.array([costs.fn(c) for c in cells])
    # scores chosen so that the best is neither the first, the last, the cheapest nor the dearest cell told
    order = [i for i in np.argsort(cost) if i not in (0, len(cells) - 1)]
    best, worst = order[len(order) // 2], order[len(order) // 2 + 1]
    scores = np.linspace(0.40, 0.60, len(cells))
    np.random.default_rng(0).shuffle(scores)
    scores[[best, worst]] = 0.9, 0.1
    for i, (c, v) in enumerate(zip(cells, scores)):
        s.tell(c, naslab.Trial(config=list(c), metrics={"val_acc": float(v)}, trial_id=i))
    got = s.recommend()
    expect(got is not None, "recommend() returned None after 12 cells were told")
    got = tuple(int(o) for o in got)
    expect(got != cells[-1], "recommend() returned the last cell told: deploy the one with the highest score")
    expect(got != cells[int(np.argmin(cost))], "recommend() returned the cheapest cell told: among admissible "
           "cells the deployment wants the highest validation score, not the lowest cost")
    expect(got != cells[worst], "recommend() returned the cell with the LOWEST validation score (min for max?)")
    expect(got == cells[best], f"recommend() returned {got}, expected the told cell with the highest validation "
           f"score, {cells[best]}")


def regret(lookup, costs: Costs, cell) -> float:
    """Test-accuracy regret of `cell` against the best admissible cell (mean test accuracy of the table)."""
    admissible = costs.cost <= costs.budget
    return float(lookup.test[admissible].max() - lookup.test[cell_index(cell)])


def check_beats_random(cls, seeds=range(100, 200), n: int = 100):
    lookup, costs = load_bench()[0], median_budget()
    out = {"yours": [], "random": []}
    for seed in seeds:
        for name, s in (("yours", Guarded(cls, costs, seed)), ("random", RandomAdmissible(costs, seed))):
            _, rec = run(s, costs, seed, n)
            expect(rec is not None, f"recommend() returned None after {n} trainings (seed {seed})")
            rec = check_cell(tuple(rec), "recommend()")
            expect(costs.fn(rec) <= costs.budget, f"recommend() returned {rec}, over the budget (seed {seed})")
            out[name].append(regret(lookup, costs, rec))
    y, r = iqm(out["yours"]), iqm(out["random"])
    expect(y < r, f"IQM test regret {100 * y:.2f} points is not below random admissible search's {100 * r:.2f} "
           f"({len(out['yours'])} unseen seeds, {n} trainings each)")


def test_asks_only_admissible_cells():
    check_admissible(BudgetSearcher)


def test_seeded_and_deterministic():
    check_seeded(BudgetSearcher)


def test_uses_the_results():
    check_uses_results(BudgetSearcher)


def test_recommends_the_best_cell_told():
    check_recommend(BudgetSearcher)


def test_beats_random_search_on_seeds_it_has_not_seen():
    check_beats_random(BudgetSearcher)

