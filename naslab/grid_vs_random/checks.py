"""Checkers for the exercises of notebook 01: each returns a short "ok" message or raises AssertionError.

* `check_trials_needed(fn)`: fn(q, p) is the smallest n with 1 - (1 - q)^n >= p, i.e.
  n = ceil(log(1 - p) / log(1 - q)) (59 for the top 5 % at 95 %, the "60 trials" rule);
* `check_momentum_space(space)`: the course grid plus momentum as a third grid axis;
* `check_searcher(cls)`: a student's searcher follows the ask/tell contract (dict configs inside
  the course space, seeded and reproducible, not stuck on one point) and searches at least about as
  well as random search on a smooth stand-in of the lr x weight-decay landscape (`surrogate_objective`).

Taught in: notebooks/01_grid_vs_random_search.ipynb (Exercises).
"""

from __future__ import annotations

import json
import math

import numpy as np

from naslab.anytime import best_vs_trials
from naslab.domains import Choice, grid_size
from naslab.grid_vs_random.spaces import COURSE_HIGH, COURSE_LOW, COURSE_VALUES
from naslab.search import run_search
from naslab.searchers import RandomSearch


def surrogate_objective(config: dict) -> dict:
    """A smooth lr x wd landscape in log10 space: best near lr = 0.3, wd <= 1e-3; chance level far away."""
    u, v = math.log10(config["lr"]), math.log10(config["weight_decay"])
    acc = 0.1 + 0.88 * math.exp(-((u + 0.5) ** 2) / 0.5) / (1 + math.exp(2.5 * (v + 1.5)))
    return {"val_acc": acc}


def check_trials_needed(fn) -> str:
    """fn(q, p) must return the exact smallest integer n with 1 - (1 - q)^n >= p."""
    cases = [(0.05, 0.95), (0.01, 0.95), (0.1, 0.9), (0.05, 0.5), (0.2, 0.99), (0.5, 0.75)]
    for q, p in cases:
        want = math.ceil(math.log(1 - p) / math.log(1 - q) - 1e-12)
        got = fn(q, p)
        assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), \
            f"trials_needed({q}, {p}) should be an int, got {got!r}"
        assert got == want, (f"trials_needed({q}, {p}) = {got}, expected {want}: the smallest n with "
                             f"1 - (1 - q)^n >= p (check: 1 - (1 - q)^{got} = {1 - (1 - q) ** got:.4f})")
    return f"ok: trials_needed agrees on {len(cases)} cases, e.g. top 5 % at 95 % needs {fn(0.05, 0.95)} trials"


def check_momentum_space(space) -> str:
    """The course grid (lr, weight_decay) plus a `momentum` Choice of >= 3 values in [0, 1)."""
    assert isinstance(space, dict), f"space should be a dict name -> domain, got {type(space).__name__}"
    assert set(space) == {"lr", "weight_decay", "momentum"}, \
        f"space should have exactly the keys lr, weight_decay, momentum; got {sorted(space)}"
    for name in ("lr", "weight_decay"):
        dom = space[name]
        assert isinstance(dom, Choice) and sorted(dom.values) == sorted(COURSE_VALUES), \
            f"space[{name!r}] should be the course values Choice({list(COURSE_VALUES)})"
    mom = space["momentum"]
    assert isinstance(mom, Choice), f"space['momentum'] should be a Choice of grid values, got {mom!r}"
    assert len(set(mom.values)) >= 3, f"give momentum at least 3 distinct values, got {mom.values}"
    assert all(0 <= m < 1 for m in mom.values), f"momentum values must lie in [0, 1), got {mom.values}"
    n = grid_size(space)
    assert n == 36 * len(set(mom.values))
    return f"ok: {n} grid points = 36 x {len(mom.values)} momentum values"


def check_searcher(cls, *, budget: int = 30, seeds: int = 10) -> str:
    """Run `cls(space, seed=s)` on the surrogate landscape and check the ask/tell contract and its quality."""
    from naslab.grid_vs_random.spaces import course_space

    runs = []
    for s in range(seeds):
        trials = run_search(cls(course_space(), seed=s), surrogate_objective, budget)
        assert len(trials) == budget, f"seed {s}: the searcher stopped after {len(trials)} of {budget} trials"
        for t in trials:
            c = t.config
            assert isinstance(c, dict) and set(c) == {"lr", "weight_decay"}, \
                f"ask() should return a dict with keys lr, weight_decay, got {c!r}"
            assert all(COURSE_LOW <= c[k] <= COURSE_HIGH for k in c), f"{c} lies outside [1e-4, 10]"
            assert t.status == "ok", f"trial {t.trial_id} {t.status}: {t.error}"
            json.dumps(c)  # configs must be JSON-serialisable (for the JSONL log)
        runs.append(trials)
    again = run_search(cls(course_space(), seed=0), surrogate_objective, budget)
    assert [t.config for t in again] == [t.config for t in runs[0]], "the same seed must give the same configs"
    assert [t.config for t in runs[1]] != [t.config for t in runs[0]], "different seeds should differ"
    distinct = len({json.dumps(t.config, sort_keys=True) for t in runs[0]})
    assert distinct >= budget // 3, f"only {distinct} distinct configs in {budget} trials: the search is stuck"
    mine = best_vs_trials(runs)[:, -1].mean()
    rand = best_vs_trials([run_search(RandomSearch(course_space(), seed=s), surrogate_objective, budget)
                           for s in range(seeds)])[:, -1].mean()
    assert mine >= rand - 0.02, f"mean best {mine:.3f} after {budget} trials is worse than random search's {rand:.3f}"
    return f"ok: mean best after {budget} trials {mine:.3f} (random search: {rand:.3f}) over {seeds} seeds"
