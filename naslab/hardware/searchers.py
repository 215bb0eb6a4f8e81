"""Multi-objective searchers over cells on naslab's ask/tell contract: accuracy up, latency (or size) down.

Every searcher is told `Trial`s whose metrics hold two objectives, `metrics = (accuracy key, cost key)`
(default ("val_acc", "latency")); internally both are minimised, f = (-accuracy, cost). All but Optuna's
are population searches in the style of regularised evolution (Real et al., AAAI 2019): P members,
oldest first; each ask samples S members, mutates the tournament winner (one edge, `naslab.bakeoff.
searchers.mutate`), and each tell appends the child and removes the oldest. They differ in the winner:

* `MultiObjectiveEvolution`: NSGA-II's crowded comparison (Deb et al., IEEE TEC 2002): the lowest
  non-dominated rank within the population, then the largest crowding distance (`pareto.nsga2_order`);
* `RandomScalarisation`: a fresh weight λ ~ U(0, 1) at every ask, as ParEGO (Knowles, IEEE TEC 2006)
  does; the winner minimises the augmented Chebyshev scalarisation of the objectives normalised to the
  population's range,  g_λ(f) = max(λ f1', (1 - λ) f2') + ρ (λ f1' + (1 - λ) f2'),  ρ = 0.05;
* `ConstrainedEvolution`: the best accuracy under a cost budget (MnasNet's hard-constraint form, Tan et
  al., CVPR 2019): candidates with cost_fn(cell) > budget are rejected *before* training (latency is
  cheap to measure or predict, accuracy is not), the winner is the most accurate;
* `OptunaNSGA2`: Optuna's `NSGAIISampler` on a two-objective study (a thin wrapper: naslab's
  `OptunaSearch` creates single-objective studies, and the topics may not import the integrations).

Taught in: notebooks/08_hardware_aware.ipynb.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from naslab.bakeoff.searchers import N_EDGES, N_OPS, mutate, random_cell, validate_cell_space
from naslab.hardware.pareto import nsga2_order
from naslab.searchers import Proposal, Searcher

RHO = 0.05  # ParEGO's augmentation weight


def _objectives(trial, metrics) -> tuple[float, float] | None:
    """(-accuracy, cost) of a trial, or None when either is missing or not finite (a failed trial)."""
    acc, cost = trial.score(metrics[0]), trial.score(metrics[1])
    return (-acc, cost) if math.isfinite(acc) and math.isfinite(cost) else None


class PopulationSearch(Searcher):
    """Regularised evolution's loop with a pluggable tournament winner (`winner`); subclasses set it."""

    def __init__(self, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, population_size: int = 20,
                 sample_size: int = 5, seed: int = 0, metrics=("val_acc", "latency")):
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        if isinstance(population_size, bool) or not isinstance(population_size, int) or population_size < 1:
            raise ValueError(f"population_size={population_size!r} must be an int >= 1")
        if isinstance(sample_size, bool) or not isinstance(sample_size, int) or not 1 <= sample_size <= population_size:
            raise ValueError(f"sample_size={sample_size!r} must be an int in 1..population_size={population_size}")
        if len(metrics) != 2 or not all(isinstance(m, str) for m in metrics):
            raise ValueError(f"metrics={metrics!r} must be two metric names: (accuracy to maximise, cost to minimise)")
        self.P, self.S, self.seed, self.metrics = population_size, sample_size, seed, tuple(metrics)
        self.metric = self.metrics[0]  # run_search's score key
        self.rng = np.random.default_rng(seed)
        self.population: deque = deque()  # (cell, f1, f2, trial_id), oldest first; f = (-accuracy, cost)
        self._asked = 0

    def winner(self, sample: list[tuple]) -> tuple:
        raise NotImplementedError

    def candidate(self) -> Proposal:
        """A random cell while the population fills, then a mutation of the tournament winner."""
        if self._asked <= self.P or not self.population:
            return Proposal(random_cell(self.rng, self.n_ops, self.n_edges), info={"op": "random"})
        picks = self.rng.choice(len(self.population), size=min(self.S, len(self.population)), replace=False)
        parent = self.winner([self.population[int(i)] for i in sorted(picks)])
        return Proposal(mutate(parent[0], self.rng, self.n_ops), parent=parent[3], info={"op": "mutate"})

    def ask(self) -> Proposal:
        self._asked += 1
        return self.candidate()

    def tell(self, config, trial) -> None:
        f = _objectives(trial, self.metrics)
        if f is None:
            return  # a failed trial never becomes a parent
        self.population.append((tuple(config), f[0], f[1], trial.trial_id))
        if len(self.population) > self.P:
            self.population.popleft()  # ageing: the oldest dies


class MultiObjectiveEvolution(PopulationSearch):
    """Regularised evolution whose tournament is NSGA-II's crowded comparison over the population."""

    name = "MO evolution"

    def winner(self, sample):
        members = list(self.population)
        order = nsga2_order([m[1] for m in members], [m[2] for m in members])  # best first
        place = {id(members[i]): p for p, i in enumerate(order)}
        return min(sample, key=lambda m: place[id(m)])


class RandomScalarisation(PopulationSearch):
    """Regularised evolution whose tournament minimises a randomly weighted augmented Chebyshev function."""

    name = "random scalarisation"

    def winner(self, sample):
        f = np.array([[m[1], m[2]] for m in self.population])  # (P, 2)
        lo, span = f.min(0), np.maximum(f.max(0) - f.min(0), 1e-12)
        lam = self.rng.uniform()
        w = np.array([lam, 1.0 - lam])
        s = (np.array([[m[1], m[2]] for m in sample]) - lo) / span  # (S, 2) normalised to [0, 1]
        g = np.max(w * s, axis=1) + RHO * (s @ w)
        return sample[int(np.argmin(g))]


class ConstrainedEvolution(PopulationSearch):
    """Regularised evolution on accuracy that never trains a cell with cost_fn(cell) > budget.

    Args:
        cost_fn: cell -> cost (a measured or predicted latency), cheap to call.
        budget: the largest admissible cost.
        max_tries: draws before giving up on one ask (ValueError: the budget admits (almost) no cell).
    """

    name = "constrained evolution"

    def __init__(self, cost_fn, budget: float, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, max_tries: int = 1000,
                 **kw):
        super().__init__(n_ops, n_edges, **kw)
        if not callable(cost_fn):
            raise TypeError(f"cost_fn={cost_fn!r} must be callable: cell -> cost")
        self.cost_fn, self.budget, self.max_tries = cost_fn, float(budget), int(max_tries)
        self.rejected = 0  # candidates over the budget, never trained

    def ask(self) -> Proposal:
        self._asked += 1
        for _ in range(self.max_tries):
            p = self.candidate()
            if self.cost_fn(p.config) <= self.budget:
                return p
            self.rejected += 1
        raise ValueError(f"no cell with cost <= budget={self.budget!r} in {self.max_tries} draws; raise the budget")

    def winner(self, sample):
        return min(sample, key=lambda m: m[1])  # the most accurate (f1 = -accuracy)


class OptunaNSGA2(Searcher):
    """Optuna's NSGA-II sampler on the cell (one categorical parameter per edge), two objectives."""

    name = "Optuna NSGA-II"

    def __init__(self, n_ops: int = N_OPS, n_edges: int = N_EDGES, *, population_size: int = 20, seed: int = 0,
                 metrics=("val_acc", "latency")):
        try:
            import optuna
        except ImportError as e:
            raise ImportError("Optuna is an optional extra: install it with `pip install 'naslab[bench]'`") from e
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        self.seed, self.metrics, self.metric = seed, tuple(metrics), metrics[0]
        self._optuna = optuna
        self.dists = {f"e{e}": optuna.distributions.CategoricalDistribution(list(range(self.n_ops)))
                      for e in range(self.n_edges)}
        sampler = optuna.samplers.NSGAIISampler(population_size=population_size, seed=seed)
        self.study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
        self._open: deque = deque()  # asked, not told (run_search tells in ask order)

    def ask(self) -> tuple[int, ...]:
        ot = self.study.ask(self.dists)
        self._open.append(ot)
        return tuple(int(ot.params[f"e{e}"]) for e in range(self.n_edges))

    def tell(self, config, trial) -> None:
        ot, f = self._open.popleft(), _objectives(trial, self.metrics)
        if f is None:
            self.study.tell(ot, state=self._optuna.trial.TrialState.FAIL)
        else:
            self.study.tell(ot, [-f[0], f[1]])


__all__ = ["PopulationSearch", "MultiObjectiveEvolution", "RandomScalarisation", "ConstrainedEvolution",
           "OptunaNSGA2", "RHO"]
