"""Homework 8, Level 1: the most accurate cell under a latency budget (edit this file).

Notebook 08 measured the latency of every cell of the table on a CPU and raced multi-objective searchers.
Here the question is the one a deployment asks: *the best accuracy under a budget*, cost(cell) <= budget
(MnasNet's hard constraint, Tan et al., CVPR 2019). Latency is cheap to look up or predict; accuracy needs a
training. So a good searcher never trains a cell over the budget, and spends its trainings near the best
admissible cells it has seen.

Write `BudgetSearcher(cost_fn, budget, seed=0)`, an ask/tell `naslab.Searcher` over cells:
- a cell is a tuple of 6 Python ints in 0..4 (`naslab.bakeoff.cells.OPS`, `EDGES`);
- `cost_fn(cell)` returns the cell's cost (e.g. its latency in seconds): call it as often as you like;
- `ask()` returns a cell with `cost_fn(cell) <= budget` (the budget is inclusive), never one over it;
- `tell(cell, trial)` receives the `naslab.Trial` of that cell: `trial.score()` is its validation accuracy
  (higher is better; NaN when the training failed);
- `recommend()` returns the cell you would deploy: the told cell with the highest validation score
  (None before any cell was told);
- all randomness comes from `np.random.default_rng(seed)`: the same seed gives the same asks.
Do not import naslab's searchers (`naslab.bakeoff.searchers`, `naslab.hardware.searchers`) and do not read
the benchmark tables (naslab's loaders or `np.load`): the searcher learns only from the trials it is told.
The grader runs it on seeds it has never seen and compares its IQM test regret with random search over the
admissible cells. Check yourself: `make grade HW=8`.
"""

from __future__ import annotations

from collections import deque

import numpy as np

import naslab

N_EDGES, N_OPS = 6, 5


class BudgetSearcher(naslab.Searcher):
    name = "my budget searcher"

    def __init__(self, cost_fn, budget: float, seed: int = 0):
        self.cost_fn, self.budget, self.seed = cost_fn, float(budget), seed
        # BEGIN SOLUTION
        # regularised evolution restricted to admissible cells: P = 10 alive, tournaments of S = 5
        self.rng = np.random.default_rng(seed)
        self.population: deque = deque(maxlen=10)  # (cell, score), oldest on the left
        self.tournament = 5
        self.best: tuple | None = None  # (score, cell) of the best cell told
        # END SOLUTION

    def ask(self) -> tuple:
        # BEGIN SOLUTION
        def admissible(cell) -> bool:
            return self.cost_fn(cell) <= self.budget  # inclusive: a cell exactly at the budget may be deployed

        if len(self.population) == self.population.maxlen:
            idx = self.rng.choice(len(self.population), size=self.tournament, replace=False)
            parent = max((self.population[i] for i in idx), key=lambda cs: cs[1])[0]
            for _ in range(20):  # a mutant over the budget is never trained: try another edge / op
                child = list(parent)
                edge = int(self.rng.integers(N_EDGES))
                others = [op for op in range(N_OPS) if op != parent[edge]]
                child[edge] = int(others[int(self.rng.integers(len(others)))])
                if admissible(tuple(child)):
                    return tuple(child)
        while True:  # a random admissible cell (rejection sampling; the budget admits at least one cell)
            cell = tuple(int(o) for o in self.rng.integers(N_OPS, size=N_EDGES))
            if admissible(cell):
                return cell
        # END SOLUTION

    def tell(self, cell, trial) -> None:
        # BEGIN SOLUTION
        score = trial.score()
        if score != score:  # NaN: a failed training is never a parent nor the recommendation
            return
        cell = tuple(int(o) for o in cell)
        self.population.append((cell, float(score)))  # deque(maxlen) drops the oldest
        if self.best is None or score > self.best[0]:
            self.best = (float(score), cell)
        # END SOLUTION

    def recommend(self):
        # BEGIN SOLUTION
        return None if self.best is None else self.best[1]
        # END SOLUTION
