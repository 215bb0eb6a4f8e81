"""Homework 8, hidden tests: a budget met exactly, a failed training, a tight budget on held-out seeds. Each
catches a slip that the public tests let through (the planted wrong answers of
tests/course/test_hw08_wrong_answers.py)."""

import numpy as np
from my_budget_search import BudgetSearcher
from test_hw08 import Costs, Guarded, check_cell, expect, load_bench, run

import naslab

CONV3 = 3


def check_inclusive(cls):
    # an integer cost, so many cells sit exactly at the budget: at most one conv_3 edge
    ops = np.indices((5,) * 6).reshape(6, -1)  # (6, 15625): the ops of every cell id, first edge slowest
    costs = Costs((ops == CONV3).sum(0).astype(float), 1.0)
    asked, rec = run(Guarded(cls, costs, 0), costs, 0, 60)
    at = sum(costs.fn(c) == costs.budget for c in asked)
    expect(at > 0, "with budget 1 (cost = the number of conv_3 edges) none of 60 asks had cost exactly 1: a cell AT "
           "the budget is admissible (cost <= budget), did you compare with < ?")
    expect(rec is not None and costs.fn(rec) <= costs.budget, f"recommend() returned {rec!r}, over the budget")


def check_failed_training(cls):
    costs = Costs(load_bench()[1], float(np.median(load_bench()[1])))
    s = Guarded(cls, costs, 2)
    first = check_cell(s.ask(), "ask()")
    s.tell(first, naslab.Trial(config=list(first), status="failed", error="the training ran out of memory",
                               trial_id=0))
    told = {}
    for i in range(1, 16):
        c = check_cell(s.ask(), "ask()")
        v = 0.3 + 0.02 * i
        s.tell(c, naslab.Trial(config=list(c), metrics={"val_acc": v}, trial_id=i))
        told[c] = max(v, told.get(c, 0.0))
    got = s.recommend()
    got = None if got is None else tuple(int(o) for o in got)
    expect(got != first or first in told, "recommend() returned the cell whose training failed (trial.score() is "
           "NaN; max() and np.argmax keep a NaN that comes first): skip failed trials")
    expect(got is not None and told.get(got) == max(told.values()),
           f"recommend() returned {got}, not the cell with the highest score told after a failed training")


def check_tight_budget(cls, seeds=range(900, 920)):
    # batch-64 latency and a budget that admits 2 % of the cells: most random draws and mutants are over it
    cost = load_bench()[2]
    costs = Costs(cost, float(np.sort(cost)[int(0.02 * len(cost))]))
    for seed in seeds:
        asked, rec = run(Guarded(cls, costs, seed), costs, seed, 100)
        expect(rec is not None and costs.fn(tuple(rec)) <= costs.budget,
               f"recommend() returned {rec!r} under a tight budget (seed {seed}): not an admissible cell told")


def test_a_cell_exactly_at_the_budget_is_admissible():
    check_inclusive(BudgetSearcher)


def test_a_failed_training_is_never_recommended():
    check_failed_training(BudgetSearcher)


def test_a_tight_budget_on_held_out_seeds():
    check_tight_budget(BudgetSearcher)
