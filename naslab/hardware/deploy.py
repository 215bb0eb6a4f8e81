"""What a multi-objective search would deploy, and the best cell under a latency budget.

A search observes (1 - validation accuracy, cost) of the cells it trained. It deploys the cells no other
trained cell dominates (its *observed* front, `naslab.hardware.pareto.pareto_front`); given a budget B it
picks, among them, the one with the lowest observed error and cost <= B, and is judged by that cell's
*test* error, which it never saw. The exact answer to the same question is the best test error among all
cells with cost <= B: it always lies on the exact front of (test error, cost).

Taught in: notebooks/08_hardware_aware.ipynb §4 and "Explore".
"""

from __future__ import annotations

import numpy as np

from naslab.bakeoff.race import cell_id
from naslab.hardware.pareto import pareto_front


def best_under_budget(error, cost, budget: float) -> int | None:
    """Index of the lowest `error` among the points with cost <= budget (ties: the cheaper), None if none fits."""
    e, c = np.asarray(error, dtype=float), np.asarray(cost, dtype=float)
    if e.shape != c.shape or e.ndim != 1:
        raise ValueError(f"error {e.shape} and cost {c.shape} must be 1-D arrays of the same length")
    ok = np.flatnonzero(c <= budget)
    if len(ok) == 0:
        return None
    return int(ok[np.lexsort((c[ok], e[ok]))[0]])


def deployed(trials, n_ops: int = 5, cost_name: str = "latency") -> dict:
    """The observed front of a search's finished trials: {"ids" (cell ids), "val_error", "cost"} (front order)."""
    ok = [t for t in trials if t.status == "ok"]
    if not ok:
        return {"ids": np.zeros(0, dtype=int), "val_error": np.zeros(0), "cost": np.zeros(0)}
    err = np.array([1.0 - t.metrics["val_acc"] for t in ok])
    cost = np.array([t.metrics[cost_name] for t in ok])
    front = pareto_front(err, cost)
    return {"ids": np.array([cell_id(ok[j].config, n_ops) for j in front]), "val_error": err[front],
            "cost": cost[front]}


def pick_under_budget(dep: dict, budget: float) -> int | None:
    """The cell id a search deploys under `budget`: the lowest observed error among its front with cost <= B."""
    j = best_under_budget(dep["val_error"], dep["cost"], budget)
    return None if j is None else int(dep["ids"][j])


__all__ = ["best_under_budget", "deployed", "pick_under_budget"]
