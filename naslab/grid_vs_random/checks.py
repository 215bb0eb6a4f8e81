"""Checks for the exercises of notebook 01 (contract: `naslab.checking`; a Verdict when right, CheckError naming
the mistake when wrong, "not implemented yet" for a stub).

* `check_momentum_space(space)`: the course grid plus momentum {0, 0.5, 0.9, 0.99} as a third grid axis;
* `check_searcher(cls)`: a student's searcher follows the ask/tell contract (dict configs inside
  the course space, seeded and reproducible, not stuck on one point) and searches at least about as
  well as random search on a smooth stand-in of the lr x weight-decay landscape (`surrogate_objective`);
* `check_trials_needed(fn)`: fn(q, p) is the smallest n with 1 - (1 - q)^n >= p, i.e.
  n = ceil(log(1 - p) / log(1 - q)) (59 for the top 5 % at 95 %, the "60 trials" rule).

Taught in: notebooks/01_grid_vs_random_search.ipynb (Exercises).
"""

from __future__ import annotations

import json
import math

import numpy as np

from naslab.anytime import best_vs_trials
from naslab.checking import call_student, expect, fail, graded
from naslab.domains import Choice, grid_size
from naslab.grid_vs_random.spaces import COURSE_HIGH, COURSE_LOW, COURSE_VALUES
from naslab.search import run_search
from naslab.searchers import RandomSearch

MOMENTUM = (0.0, 0.5, 0.9, 0.99)  # the values exercise 1 asks for


def surrogate_objective(config: dict) -> dict:
    """A smooth lr x wd landscape in log10 space: best near lr = 0.3, wd <= 1e-3; chance level far away."""
    u, v = math.log10(config["lr"]), math.log10(config["weight_decay"])
    acc = 0.1 + 0.88 * math.exp(-((u + 0.5) ** 2) / 0.5) / (1 + math.exp(2.5 * (v + 1.5)))
    return {"val_acc": acc}


def _need(q: float, p: float) -> int:
    return math.ceil(math.log(1 - p) / math.log(1 - q) - 1e-12)


@graded("Exercise 3 (trials_needed)")
def check_trials_needed(fn) -> str:
    """fn(q, p) must return the exact smallest integer n with 1 - (1 - q)^n >= p."""
    cases = [(0.05, 0.95), (0.01, 0.95), (0.1, 0.9), (0.05, 0.5), (0.2, 0.99), (0.5, 0.75)]
    got = [call_student(fn, q, p, what=f"(q={q}, p={p})") for q, p in cases]
    for (q, p), n in zip(cases, got):
        expect(not isinstance(n, (list, tuple, np.ndarray)), f"trials_needed({q}, {p}) returned "
               f"{type(n).__name__} {n!r}: return one int (a number of trials), not a sequence (wrong shape)")
        expect(isinstance(n, (int, np.integer)) and not isinstance(n, bool),
               f"trials_needed({q}, {p}) = {n!r} is a {type(n).__name__}, not an int: a number of trials is a "
               "whole number; round *up* with math.ceil")
    want = [_need(q, p) for q, p in cases]
    if got == [_need(p, q) for q, p in cases]:
        fail(f"trials_needed(q, p) gives the answers for q and p the other way round: you swapped q and p "
             f"(trials_needed({cases[0][0]}, {cases[0][1]}) should be {want[0]}, not {got[0]})")
    if len(set(got)) == 1 and len(set(want)) > 1:
        fail(f"trials_needed returns {got[0]} whatever q and p are (a constant); compute it from q and p")
    for (q, p), n, w in zip(cases, got, want):
        if n == w:
            continue
        if n <= 0:
            fail(f"trials_needed({q}, {p}) = {n} is not positive: a sign error? log(1 - p) and log(1 - q) are "
                 "both negative, so their ratio is positive")
        if n == w - 1:
            fail(f"trials_needed({q}, {p}) = {n} is one too few (off by one): 1 - (1 - q)^{n} = "
                 f"{1 - (1 - q) ** n:.4f} < p = {p}; round up (math.ceil), not down or to nearest")
        if n == w + 1:
            fail(f"trials_needed({q}, {p}) = {n} is one too many (off by one): {w} trials already give "
                 f"1 - (1 - q)^{w} = {1 - (1 - q) ** w:.4f} >= p; return the *smallest* such n")
        fail(f"trials_needed({q}, {p}) = {n}, expected {w}: the smallest n with 1 - (1 - q)^n >= p "
             f"(your n gives 1 - (1 - q)^{n} = {1 - (1 - q) ** n:.4f})")
    return f"trials_needed agrees on {len(cases)} cases, e.g. top 5 % at 95 % needs {got[0]} trials"


@graded("Exercise 1 (momentum grid)")
def check_momentum_space(space) -> str:
    """The course grid (lr, weight_decay) plus `momentum` = Choice of exactly {0, 0.5, 0.9, 0.99}."""
    expect(isinstance(space, dict), f"space should be a dict name -> domain, got {type(space).__name__}")
    expect("momentum" in space, f"space has no 'momentum' axis; its keys are {sorted(space)}")
    expect(set(space) == {"lr", "weight_decay", "momentum"},
           f"space should have exactly the keys lr, weight_decay, momentum; got {sorted(space)}")
    for name in ("lr", "weight_decay"):
        dom = space[name]
        expect(isinstance(dom, Choice) and sorted(dom.values) == sorted(COURSE_VALUES),
               f"space[{name!r}] should stay the course grid axis Choice({list(COURSE_VALUES)}), got {dom!r}")
    mom = space["momentum"]
    expect(isinstance(mom, Choice), f"space['momentum'] = {mom!r} is not a grid axis: a grid needs a Choice of "
           f"values, e.g. Choice({list(MOMENTUM)})")
    values = [float(m) for m in mom.values]  # distinct: Choice itself refuses a repeated value
    expect(len(values) > 1, f"momentum has a single value {values} (a constant): one value is not a grid axis")
    neg = [m for m in values if m < 0]
    expect(not neg, f"momentum {neg} is negative (a sign error?): momentum lies in [0, 1)")
    big = [m for m in values if m >= 1]
    expect(not big, f"momentum {big} is >= 1: the velocity would never decay; momentum lies in [0, 1)")
    missing = [m for m in MOMENTUM if not any(math.isclose(m, v) for v in values)]
    extra = [v for v in values if not any(math.isclose(m, v) for m in MOMENTUM)]
    parts = ([f"missing {missing}"] if missing else []) + ([f"not asked {extra}"] if extra else [])
    expect(not parts, f"momentum values {values}: {', '.join(parts)}; the exercise asks for exactly {list(MOMENTUM)}")
    n = grid_size(space)
    expect(n == 36 * len(MOMENTUM), f"the grid has {n} points, expected 36 x {len(MOMENTUM)} = {36 * len(MOMENTUM)}")
    return f"{n} grid points = 36 x {len(values)} momentum values"


def _run(cls, space, seed: int, budget: int):
    searcher = call_student(cls, space, seed=seed, what=f"cls(course_space(), seed={seed})")
    return call_student(run_search, searcher, surrogate_objective, budget,
                        what=f"run_search({cls.__name__}(course_space(), seed={seed}), objective, {budget}) "
                             "(an exception in your ask() or tell())")


@graded("Exercise 2 (your searcher)")
def check_searcher(cls, *, budget: int = 30, seeds: int = 10) -> str:
    """Run `cls(space, seed=s)` on the surrogate landscape and check the ask/tell contract and its quality."""
    from naslab.grid_vs_random.spaces import course_space

    runs = []
    for s in range(seeds):
        trials = _run(cls, course_space(), s, budget)
        expect(len(trials) == budget, f"seed {s}: the searcher stopped after {len(trials)} of {budget} trials "
               "(ask() returned None early: an off-by-one in your stopping rule?)")
        for t in trials:
            c = t.config
            expect(isinstance(c, dict), f"ask() should return a dict like {{'lr': 0.1, 'weight_decay': 1e-4}}, "
                   f"got a {type(c).__name__} {c!r} (wrong shape)")
            expect(set(c) == {"lr", "weight_decay"}, f"ask() should return a dict with keys lr, weight_decay, "
                   f"got keys {sorted(c)}")
            neg = {k: v for k, v in c.items() if not v > 0}
            expect(not neg, f"{c}: {sorted(neg)} not positive (a sign error? 10 ** x is positive, -x is not)")
            expect(all(COURSE_LOW <= c[k] <= COURSE_HIGH for k in c), f"{c} lies outside [1e-4, 10]: clip to the "
                   "space's bounds")
            expect(t.status == "ok", f"trial {t.trial_id} {t.status}: {t.error}")
            try:
                json.dumps(c)  # configs must be JSON-serialisable (for the JSONL log)
            except TypeError as e:
                fail(f"config {c!r} is not JSON-serialisable ({e}): return plain floats (float(x))")
        runs.append(trials)
    distinct = len({json.dumps(t.config, sort_keys=True) for t in runs[0]})
    expect(distinct >= budget // 3, f"only {distinct} distinct configs in {budget} trials: the search is stuck "
           "(a constant proposal)")
    again = _run(cls, course_space(), 0, budget)
    expect([t.config for t in again] == [t.config for t in runs[0]], "the same seed must give the same configs: "
           "draw from np.random.default_rng(seed), not from the global random state")
    expect([t.config for t in runs[1]] != [t.config for t in runs[0]], "seeds 0 and 1 give the same configs: "
           "use the seed argument")
    mine = best_vs_trials(runs)[:, -1].mean()
    rand = best_vs_trials([run_search(RandomSearch(course_space(), seed=s), surrogate_objective, budget)
                           for s in range(seeds)])[:, -1].mean()
    expect(mine >= rand - 0.02, f"mean best {mine:.3f} after {budget} trials is worse than random search's "
           f"{rand:.3f}: does tell() keep the *highest* score (trial.score(), higher is better)?")
    return f"mean best after {budget} trials {mine:.3f} (random search: {rand:.3f}) over {seeds} seeds"
