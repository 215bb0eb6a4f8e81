"""Homework 6, Level 1: a searcher that beats random search on the cell benchmark (edit this file).

Notebook 06 raced six searchers on `data/bench/mnist1d_nb201` (a NAS-Bench-201-style table on MNIST-1D):
a cell is a tuple of 6 op indices in 0..4 (`naslab.bakeoff.cells.OPS`, `EDGES`), a trial is a table
lookup returning the validation accuracy of one training seed and its simulated seconds.

Write `CellSearcher(seed=0)`, an ask/tell `naslab.Searcher` over cells:
- `ask()` returns a cell: a tuple of 6 Python ints in 0..4;
- `tell(cell, trial)` receives the `naslab.Trial` of that cell (`trial.score()` is its validation
  accuracy; higher is better);
- all randomness comes from `np.random.default_rng(seed)`: the same seed gives the same asks;
- do not import naslab's own bake-off searchers (`naslab.bakeoff.searchers`): write the idea yourself.
It passes when, on seeds it has never seen and at a fixed simulated budget (100 average full
trainings, 100 seeds), its IQM test regret is below random search's (`make grade HW=6`).

Ideas that work: regularised evolution (Real et al., AAAI 2019: a population of P cells, tournament of
S, mutate one edge of the winner, remove the oldest), local search with restarts (White et al. 2021).
Check yourself: `make grade HW=6`.
"""

from __future__ import annotations

from collections import deque

import numpy as np

import naslab

N_EDGES, N_OPS = 6, 5


class CellSearcher(naslab.Searcher):
    name = "my cell searcher"

    def __init__(self, seed: int = 0):
        self.seed = seed
        # BEGIN SOLUTION
        # regularised evolution: P = 10 cells alive, tournaments of S = 5, the oldest dies
        self.rng = np.random.default_rng(seed)
        self.population: deque = deque(maxlen=10)  # (cell, score), oldest on the left
        self.tournament = 5
        # END SOLUTION

    def ask(self) -> tuple:
        # BEGIN SOLUTION
        if len(self.population) < self.population.maxlen:  # warm-up: random cells
            return tuple(int(o) for o in self.rng.integers(N_OPS, size=N_EDGES))
        idx = self.rng.choice(len(self.population), size=self.tournament, replace=False)
        parent = max((self.population[i] for i in idx), key=lambda cs: cs[1])[0]
        edge = int(self.rng.integers(N_EDGES))
        others = [op for op in range(N_OPS) if op != parent[edge]]
        child = list(parent)
        child[edge] = int(others[int(self.rng.integers(len(others)))])  # one edge, another op
        return tuple(child)
        # END SOLUTION

    def tell(self, cell, trial) -> None:
        # BEGIN SOLUTION
        score = trial.score()
        if score == score:  # a NaN score (a failed lookup) never enters the population
            self.population.append((tuple(cell), float(score)))  # deque(maxlen) drops the oldest
        # END SOLUTION
