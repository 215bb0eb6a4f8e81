"""Checkers for the exercises of notebook 03 (proxy evaluation).

* `check_kendall_tau(fn)`: a hand-written Kendall tau matches scipy's tau-b.
* `check_new_proxy(result, bench)`: a student's proxy row is complete and consistent with the benchmark.
* `check_sh_budget(fn)`: a hand-written total budget of successive halving (Σ n_i r_i) matches `rung_schedule`.

Each raises AssertionError with a hint when the answer is wrong, and returns a short message when right.

Taught in: notebooks/03_proxy_evaluation.ipynb (§ Exercises).
"""

from __future__ import annotations

import numpy as np

from naslab.proxies.halving import rung_schedule
from naslab.proxies.ranking import kendall_tau
from naslab.proxies.study import truth


def check_kendall_tau(fn) -> str:
    """Check a student's `fn(a, b) -> tau` (no ties) against naslab's on random and fixed data."""
    rng = np.random.default_rng(0)
    cases = [(np.arange(6.0), np.arange(6.0)), (np.arange(6.0), -np.arange(6.0))]
    cases += [(rng.permutation(12).astype(float), rng.permutation(12).astype(float)) for _ in range(5)]
    for a, b in cases:
        got, want = float(fn(a, b)), kendall_tau(a, b)
        assert np.isclose(got, want, atol=1e-9), f"fn({a.tolist()}, {b.tolist()}) = {got:.4f}, expected {want:.4f}"
    return f"✓ your Kendall tau matches scipy's on {len(cases)} pairs of rankings"


def check_new_proxy(result: dict, bench) -> str:
    """Check the new-proxy exercise: `result` = {"index", "scores", "seconds", "tau"} of your proxy."""
    for key in ("index", "scores", "seconds", "tau"):
        assert key in result, f"result needs a {key!r} entry (got {sorted(result)})"
    idx, scores = np.asarray(result["index"]), np.asarray(result["scores"], float)
    assert len(idx) == len(scores) >= 5, "score at least 5 architectures (one score per index)"
    want = kendall_tau(scores, truth(bench, idx))
    assert np.isclose(result["tau"], want, atol=1e-9), (
        f"tau = {result['tau']:.3f}, but your scores against `truth(bench, index)` give {want:.3f}")
    spent, full = float(np.sum(result["seconds"])), float(np.sum(bench.cost(None)[idx]))
    assert spent < full, f"your proxy spent {spent:.1f} s, more than full training of the same ({full:.1f} s)"
    return f"✓ your proxy: τ = {want:.2f} on {len(idx)} architectures at {spent / full:.0%} of the full cost"


def check_sh_budget(fn) -> str:
    """Check `fn(n, eta, r_min, r_max) -> total budget` of successive halving (Σ n_i * r_i)."""
    for args in [(27, 3, 1, 9), (81, 3, 1, 81), (10, 3, 1, 81), (16, 2, 1, 100), (9, 3, 3, 9)]:
        want = sum(n_i * r_i for n_i, r_i in rung_schedule(*args))
        got = fn(*args)
        assert np.isclose(got, want), f"fn{args} = {got}, expected {want} (rungs {rung_schedule(*args)})"
    return "✓ your successive-halving budget matches naslab's rung schedule on 5 settings"
