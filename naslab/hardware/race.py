"""The multi-objective race: every searcher, many seeds, scored by the share of the exact front's hypervolume.

Each (searcher, seed) run is `naslab.search.run_search` against a table lookup returning two objectives:
the validation accuracy of one training seed per cell (drawn once per run, as in notebook 06's
`naslab.bakeoff.race.TableObjective`) and a cost per cell (`cost`: the measured latency, or MACs or #params
until a latency table exists: the second objective is a parameter). After n trainings (trials) the run
would *deploy* the cells non-dominated by what it observed, (1 - val accuracy, cost); they are judged by
their test error, which the search never saw:

    HV fraction(n) = HV({(test error, cost) of the deployed cells}) / HV(exact front of (test error, cost))

both against the reference point r (default: the exact front's nadir pushed out by 10 % of its range,
r_k = max_front f_k + 0.1 (max_front f_k - min_front f_k), so every front point counts and the area far from
the front, which any search covers, does not dilute the score), hypervolume by Zitzler & Thiele (1998),
`naslab.hardware.pareto`. A
fraction of 1 means the run found a set as good as the whole table's front. Over seeds, the IQM and its
percentile-bootstrap interval (`naslab.bakeoff.stats`, Agarwal et al., NeurIPS 2021).

Taught in: notebooks/08_hardware_aware.ipynb (future).
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field

import numpy as np

from naslab.bakeoff.cells import all_cells
from naslab.bakeoff.race import Lookup, cell_id
from naslab.bakeoff.searchers import N_EDGES, N_OPS, RandomCellSearch
from naslab.bakeoff.stats import bootstrap_band
from naslab.hardware.pareto import hypervolume, pareto_front
from naslab.hardware.searchers import ConstrainedEvolution, MultiObjectiveEvolution, OptunaNSGA2, RandomScalarisation
from naslab.search import run_search

CHECKPOINTS = (50, 100, 200)


def cost_per_cell(table, values) -> np.ndarray:
    """(n_ops^n_edges,) a per-distinct-cell array (in `table.unique_cells()` order) spread over every cell id,
    through the table's isomorphism classes (`table.row`)."""
    values = np.asarray(values, dtype=float)
    if values.shape != (len(table.unique_cells()),):
        raise ValueError(f"values has shape {values.shape}, expected ({len(table.unique_cells())},): "
                         "one per distinct cell")
    return values[[table.row(c) for c in all_cells()]]


class MOObjective:
    """objective(cell) -> {"val_acc", cost_name, "seconds"}: a lookup, no training.

    The run with seed `seed` observes training seed `obs_seed[cell]` of each cell (drawn once)."""

    def __init__(self, lookup: Lookup, cost, seed: int = 0, cost_name: str = "latency"):
        self.lookup, self.cost, self.cost_name = lookup, np.asarray(cost, dtype=float), cost_name
        if self.cost.shape != (len(lookup.test),):
            raise ValueError(f"cost has shape {self.cost.shape}, expected ({len(lookup.test)},): one per cell id")
        self.obs_seed = np.random.default_rng([int(seed), 7]).integers(lookup.val.shape[1], size=len(lookup.test))

    def __call__(self, config, fidelity=None) -> dict:
        cell = tuple(config)
        k, m = self.lookup.n_ops, self.lookup.n_edges
        if len(cell) != m or not all(isinstance(o, (int, np.integer)) and 0 <= o < k for o in cell):
            raise ValueError(f"cell {cell!r} is not a cell of this table: {m} op indices in 0..{k - 1}")
        i = cell_id(cell, k)
        return {"val_acc": float(self.lookup.val[i, self.obs_seed[i], -1]), self.cost_name: float(self.cost[i]),
                "seconds": float(self.lookup.sec[i, -1])}


def default_reference(test_error, cost, margin: float = 0.1) -> tuple[float, float]:
    """r = the nadir of the exact front of (test error, cost) plus `margin` times the front's range, per objective."""
    f1, f2 = np.asarray(test_error, dtype=float), np.asarray(cost, dtype=float)
    front = pareto_front(f1, f2)
    return tuple(float(f[front].max() + margin * (f[front].max() - f[front].min())) for f in (f1, f2))


def exact_front(test_error, cost, ref=None) -> tuple[np.ndarray, float]:
    """(indices of the exact Pareto front of (test error, cost), its hypervolume against `ref`, default
    `default_reference`)."""
    ref = default_reference(test_error, cost) if ref is None else ref
    return pareto_front(test_error, cost), hypervolume(test_error, cost, ref)


def deployed_hypervolume(trials, lookup: Lookup, cost, ref, cost_name: str = "latency") -> float:
    """HV of (test error, cost) of the cells non-dominated by the trials' observed (1 - val_acc, cost)."""
    ok = [t for t in trials if t.status == "ok"]
    if not ok:
        return 0.0
    f1 = np.array([1.0 - t.metrics["val_acc"] for t in ok])
    f2 = np.array([t.metrics[cost_name] for t in ok])
    ids = np.array([cell_id(ok[j].config, lookup.n_ops) for j in pareto_front(f1, f2)])
    return hypervolume(1.0 - lookup.test[ids], np.asarray(cost, dtype=float)[ids], ref)


def noise_ceiling(lookup: Lookup, cost, *, seeds=range(50), ref=None) -> np.ndarray:
    """(n_seeds,) the HV fraction of a run that trained *every* cell once (run seed s observes the same
    training seeds as `MOObjective(lookup, cost, s)`): choosing by one noisy validation score caps what
    any search can deploy below 1."""
    cost = np.asarray(cost, dtype=float)
    ref = default_reference(1.0 - lookup.test, cost) if ref is None else tuple(ref)
    _, exact_hv = exact_front(1.0 - lookup.test, cost, ref)
    out = []
    for s in seeds:
        obs = MOObjective(lookup, cost, s).obs_seed  # (N,) the training seed run s sees for each cell
        val = lookup.val[np.arange(len(cost)), obs, -1]  # (N,)
        ids = pareto_front(1.0 - val, cost)
        out.append(hypervolume(1.0 - lookup.test[ids], cost[ids], ref) / exact_hv)
    return np.array(out)


def default_searchers(cost, *, budget: float | None = None, cost_name: str = "latency") -> dict:
    """name -> factory(seed): random search and the multi-objective searchers (Optuna's when installed); the
    constrained one's budget defaults to the median cost."""
    cost = np.asarray(cost, dtype=float)
    if cost.shape != (N_OPS**N_EDGES,):
        raise ValueError(f"cost has shape {cost.shape}, expected ({N_OPS**N_EDGES},): one per cell id")
    budget = float(np.median(cost)) if budget is None else float(budget)  # the median over all cell ids
    metrics = ("val_acc", cost_name)

    def cost_fn(cell):
        return cost[cell_id(cell, N_OPS)]

    out = {"random": lambda s: RandomCellSearch(seed=s),  # the baseline every searcher must beat
           "MO evolution": lambda s: MultiObjectiveEvolution(seed=s, metrics=metrics),
           "random scalarisation": lambda s: RandomScalarisation(seed=s, metrics=metrics),
           "constrained evolution": lambda s: ConstrainedEvolution(cost_fn, budget, seed=s, metrics=metrics)}
    if importlib.util.find_spec("optuna") is not None:  # an optional extra: the race runs without it
        out["Optuna NSGA-II"] = lambda s: OptunaNSGA2(seed=s, metrics=metrics)
    return out


@dataclass
class MORaceResult:
    """fraction[name] is (n_seeds, len(checkpoints)): the share of the exact front's hypervolume reached."""

    checkpoints: tuple
    fraction: dict
    exact_hv: float
    ref: tuple
    seeds: list
    cpu_seconds: dict = field(default_factory=dict)  # name -> (n_seeds,) process CPU seconds per run

    def summary(self, *, n_resamples: int = 2000, seed: int = 0) -> list[dict]:
        """One row per (searcher, checkpoint): IQM of the fraction over seeds with its 95 % bootstrap interval."""
        rows = []
        for name, f in self.fraction.items():
            point, lo, hi = bootstrap_band(f, n_resamples=n_resamples, seed=seed)
            for j, n in enumerate(self.checkpoints):
                rows.append({"searcher": name, "trainings": n, "iqm": float(point[j]), "lo": float(lo[j]),
                             "hi": float(hi[j])})
        return rows


def mo_race(lookup: Lookup, cost, searchers=None, *, seeds=range(50), checkpoints=CHECKPOINTS, ref=None,
            cost_name: str = "latency") -> MORaceResult:
    """Run every searcher with every seed for max(checkpoints) trainings; score the HV fraction at each checkpoint.

    Args:
        lookup: a `naslab.bakeoff.race.Lookup` of the accuracy table.
        cost: (n_ops^n_edges,) the second objective per cell id (`cost_per_cell`).
        searchers: name -> factory(seed) (default: `default_searchers(cost)`).
    """
    cost = np.asarray(cost, dtype=float)
    ref = default_reference(1.0 - lookup.test, cost) if ref is None else tuple(ref)
    _, exact_hv = exact_front(1.0 - lookup.test, cost, ref)
    if not exact_hv > 0:
        raise ValueError(f"the exact front has no hypervolume against ref={ref}; choose a larger reference point")
    searchers = default_searchers(cost, cost_name=cost_name) if searchers is None else dict(searchers)
    checkpoints, seeds = tuple(int(n) for n in checkpoints), [int(s) for s in seeds]
    frac, cpu = {}, {}
    for name, make in searchers.items():
        F, C = np.zeros((len(seeds), len(checkpoints))), np.zeros(len(seeds))
        for i, s in enumerate(seeds):
            c0 = time.process_time()
            trials = run_search(make(s), MOObjective(lookup, cost, s, cost_name), budget=max(checkpoints))
            C[i] = time.process_time() - c0
            F[i] = [deployed_hypervolume(trials[:n], lookup, cost, ref, cost_name) / exact_hv for n in checkpoints]
        frac[name], cpu[name] = F, C
    return MORaceResult(checkpoints, frac, exact_hv, ref, seeds, cpu)


__all__ = ["CHECKPOINTS", "MOObjective", "MORaceResult", "cost_per_cell", "default_reference", "default_searchers",
           "deployed_hypervolume", "exact_front", "mo_race", "noise_ceiling"]
