"""Searchers over NAS-Bench-201-style cells on naslab's ask/tell contract.

A cell is a tuple of `n_edges` op indices in range(n_ops) (6 edges, 5 ops in
`naslab.bakeoff.cells`); every searcher here asks for cells and is told `Trial`s by
`naslab.search.run_search`. Its *neighbours* are the n_edges * (n_ops - 1) cells that differ on one edge.

* `RandomCellSearch`: independent uniform draws (naslab's `RandomSearch` with a cell draw).
* `RegularizedEvolution` (Real, Aggarwal, Huang, Le, "Regularized Evolution for Image Classifier
  Architecture Search", AAAI 2019, Algorithm 1): a population of P cells, oldest first. Each cycle
  samples S members uniformly, mutates the best of the sample (one edge gets another op), evaluates
  the child, appends it and removes the *oldest* member (ageing, not the worst):

      parent = argmax_{m in sample(population, S)} val(m);  child = mutate(parent);
      population.append(child);  population.popleft()

* `LocalSearch` (White, Nolen, Savani, "Local Search is State of the Art for NAS Benchmarks",
  arXiv:2005.02960, 2020): start from a random cell, evaluate all of its unseen neighbours, move to
  the best one if it beats the current cell, otherwise the current cell is a local optimum: restart
  from a new random cell.
* `CellController`: the REINFORCE controller of notebook 02 (`naslab.controller.searcher.ControllerSearcher`, an LSTM
  emitting one token per decision) with one decision per edge: 6 tokens of 5 choices.

Successive halving and Hyperband on the epoch fidelity are in `naslab.bakeoff.hyperband`.

Taught in: notebooks/06_nas_bakeoff.ipynb (sections 2 and 3).
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from naslab.bakeoff.cells import EDGES, OPS
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.searchers import Proposal, RandomSearch, Searcher

N_OPS, N_EDGES = len(OPS), len(EDGES)  # NAS-Bench-201: 5 operations on each of the 6 edges of a 4-node cell


def validate_cell_space(n_ops, n_edges) -> tuple[int, int]:
    """(n_ops, n_edges) as ints, or a ValueError naming the bad value."""
    for name, v, lo in (("n_ops", n_ops, 2), ("n_edges", n_edges, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name}={v!r} must be an int >= {lo}")
    return int(n_ops), int(n_edges)


def random_cell(rng: np.random.Generator, n_ops: int = N_OPS, n_edges: int = N_EDGES) -> tuple[int, ...]:
    """A uniform draw: each edge gets one of the n_ops operations."""
    return tuple(int(o) for o in rng.integers(n_ops, size=n_edges))


def neighbours(cell, n_ops: int = N_OPS) -> list[tuple[int, ...]]:
    """The n_edges * (n_ops - 1) cells that differ from `cell` on exactly one edge (edge-major order)."""
    out = []
    for e, op in enumerate(cell):
        for new in range(n_ops):
            if new != op:
                out.append(tuple(cell[:e]) + (new,) + tuple(cell[e + 1:]))
    return out


def mutate(cell, rng: np.random.Generator, n_ops: int = N_OPS) -> tuple[int, ...]:
    """Real et al.'s op mutation: one edge, chosen uniformly, gets a different op, chosen uniformly."""
    e = int(rng.integers(len(cell)))
    new = int(rng.integers(n_ops - 1))
    new += new >= cell[e]  # skip the current op: uniform over the n_ops - 1 others
    return tuple(cell[:e]) + (new,) + tuple(cell[e + 1:])


def _score(trial, metric: str) -> float:
    s = trial.score(metric)
    return -math.inf if math.isnan(s) else s  # a failed / diverged child is the worst, never a NaN in a max


class RandomCellSearch(RandomSearch):
    """Random search over cells: `RandomSearch` of notebook 01 with a cell as its draw."""

    name = "random"

    def __init__(self, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, seed: int = 0, max_trials: int | None = None):
        super().__init__((n_ops, n_edges), seed=seed, max_trials=max_trials)

    def _validate_space(self, space):
        return validate_cell_space(*space)

    def _draw(self) -> tuple[int, ...]:
        return random_cell(self.rng, *self.space)


class RegularizedEvolution(Searcher):
    """Real et al. (2019): tournament selection of size S in a population of P, age-based removal.

    Args:
        population_size: P, the cells alive at any time (the first P asks are random cells).
        sample_size: S, the tournament size (S = P: always the best alive; S = 1: a random walk).
    """

    name = "evolution"

    def __init__(self, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, population_size: int = 20,
                 sample_size: int = 5, seed: int = 0, metric: str = "val_acc"):
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        if not (isinstance(population_size, int) and population_size >= 1):
            raise ValueError(f"population_size={population_size!r} must be an int >= 1")
        if not (isinstance(sample_size, int) and 1 <= sample_size <= population_size):
            raise ValueError(f"sample_size={sample_size!r} must be an int in 1..population_size={population_size}")
        self.P, self.S, self.seed, self.metric = population_size, sample_size, seed, metric
        self.rng = np.random.default_rng(seed)
        self.population: deque = deque()  # (cell, score, trial_id), oldest first
        self.history: list[tuple] = []  # every (cell, score) told, in order
        self._asked = 0

    def ask(self) -> Proposal:
        self._asked += 1
        if self._asked <= self.P or not self.population:  # initialise the population with random cells
            return Proposal(random_cell(self.rng, self.n_ops, self.n_edges), info={"op": "random"})
        k = min(self.S, len(self.population))
        picks = self.rng.choice(len(self.population), size=k, replace=False)  # S members, uniformly
        parent = max((self.population[int(i)] for i in picks), key=lambda m: m[1])  # the tournament winner
        child = mutate(parent[0], self.rng, self.n_ops)
        return Proposal(child, parent=parent[2], info={"op": "mutate"})

    def tell(self, config, trial) -> None:
        cell, score = tuple(config), _score(trial, self.metric)
        self.history.append((cell, score))
        self.population.append((cell, score, trial.trial_id))
        if len(self.population) > self.P:
            self.population.popleft()  # ageing: the oldest dies, however good it was


class LocalSearch(Searcher):
    """White et al. (2020): best-improvement hill climbing over one-edge neighbours, with random restarts.

    Attributes:
        current: (cell, score) of the cell the search stands on, or None between restarts.
        local_optima: the (cell, score) of every local optimum reached (one per restart).
    """

    name = "local search"

    def __init__(self, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, seed: int = 0, metric: str = "val_acc"):
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        self.seed, self.metric = seed, metric
        self.rng = np.random.default_rng(seed)
        self.seen: dict[tuple, float] = {}  # every evaluated cell -> its score (never asked twice)
        self.current: tuple | None = None
        self.local_optima: list[tuple] = []
        self._queue: list[tuple] = []  # neighbours of `current` still to ask
        self._pending = 0  # asked, not told yet
        self._starting = False  # a restart cell is out

    def ask(self):
        if self._queue:
            self._pending += 1
            return self._queue.pop()
        if self._pending or self._starting:
            return None  # wait for the outstanding neighbours before moving
        cell = random_cell(self.rng, self.n_ops, self.n_edges)
        for _ in range(100):  # a fresh start point, if one is found quickly
            if cell not in self.seen:
                break
            cell = random_cell(self.rng, self.n_ops, self.n_edges)
        self._starting = True
        return Proposal(cell, info={"op": "restart"})

    def tell(self, config, trial) -> None:
        cell = tuple(config)
        self.seen[cell] = _score(trial, self.metric)
        if self._starting and self.current is None:
            self._starting = False
            self._move_to(cell)
        else:
            self._pending -= 1
        while self.current is not None and not self._queue and not self._pending:
            self._step()

    def _move_to(self, cell) -> None:
        self.current = (cell, self.seen[cell])
        todo = [n for n in neighbours(cell, self.n_ops) if n not in self.seen]
        self._queue = [todo[i] for i in self.rng.permutation(len(todo))]  # popped from the end: a random order

    def _step(self) -> None:
        """All neighbours of `current` are known: move to the best one, or restart at a local optimum."""
        cell, score = self.current
        best = max(neighbours(cell, self.n_ops), key=lambda n: self.seen[n])
        if self.seen[best] > score:
            self._move_to(best)
        else:
            self.local_optima.append(self.current)
            self.current = None


class CellController(Searcher):
    """The REINFORCE controller of notebook 02 on the cell's tokens: one softmax of n_ops per edge.

    Args:
        cfg: a `naslab.controller.searcher.ControllerConfig` (default: its tiny CPU defaults, no per-update microscope).
    """

    name = "REINFORCE"

    def __init__(self, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, cfg=None, seed: int = 0):
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        self.seed = seed
        cfg = cfg if cfg is not None else ControllerConfig(record_favourite=False)
        self.inner = ControllerSearcher([self.n_ops] * self.n_edges, cfg=cfg, seed=seed)
        self._ready: list[tuple] = []  # sampled, not asked yet

    @property
    def controller(self):
        return self.inner.controller

    def ask(self) -> tuple[int, ...]:
        if not self._ready:  # one forward pass samples the m children of the next update (same policy)
            import torch

            with torch.no_grad():
                s = self.inner.controller(self.inner.cfg.batch_size, generator=self.inner.generator)
            self._ready = [tuple(int(o) for o in t) for t in s.tokens.tolist()]
        return self._ready.pop(0)

    def tell(self, config, trial) -> None:
        self.inner.tell({"tokens": list(config)}, trial)  # every batch_size tells make one REINFORCE update
