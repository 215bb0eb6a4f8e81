"""Checks for the exercises of notebook 01 (contract: `naslab.checking`; a Verdict when right, CheckError naming
the mistake when wrong, "not implemented yet" for a stub).

* `check_momentum_space(space)`: the course grid plus momentum {0, 0.5, 0.9, 0.99} as a third grid axis;
* `check_searcher(cls)`: a student's searcher (not naslab's RandomSearch) follows the ask/tell contract (dict
  configs of Python floats inside the course space, seeded and reproducible, not stuck on one point) and beats
  random search by `MARGIN` on a smooth stand-in of the lr x weight-decay landscape (`surrogate_objective`);
* `check_grid(fn)`: fn(space) lists every configuration of a space of Choice axes, first key slowest; oracle:
  `naslab.domains.grid` (which the answer may not call);
* `check_trials_needed(fn)`: fn(N, G, p) is the smallest number n of *distinct* draws from a table of N
  configurations, G of them good, with P(at least one good) >= p (sampling without replacement); oracle: answers
  stored below as numbers (`FINITE_CASES`), not the code that made them.

Taught in: notebooks/01_grid_vs_random_search.ipynb (Exercises).
"""

from __future__ import annotations

import json
import math

import numpy as np

from naslab.anytime import best_vs_trials
from naslab.checking import call_student, expect, fail, graded
from naslab.domains import Choice, grid, grid_size
from naslab.grid_vs_random.spaces import COURSE_HIGH, COURSE_LOW, COURSE_VALUES
from naslab.search import run_search
from naslab.searchers import RandomSearch

MOMENTUM = (0.0, 0.5, 0.9, 0.99)  # the values exercise 1 asks for
MARGIN = 0.02  # a searcher must beat random search's mean best by this much on the stand-in landscape


def surrogate_objective(config: dict) -> dict:
    """A smooth lr x wd landscape in log10 space: best near lr = 0.3, wd <= 1e-3; chance level far away."""
    u, v = math.log10(config["lr"]), math.log10(config["weight_decay"])
    acc = 0.1 + 0.88 * math.exp(-((u + 0.5) ** 2) / 0.5) / (1 + math.exp(2.5 * (v + 1.5)))
    return {"val_acc": acc}


def _need(q: float, p: float) -> int:
    """The with-replacement answer of section 6 (a slip when the table is finite)."""
    return math.ceil(math.log(1 - p) / math.log(1 - q) - 1e-12)


# (N, G, p) -> the smallest n with P(a good one among n distinct draws) >= p, stored as numbers
FINITE_CASES = {(720, 36, 0.95): 57, (100, 5, 0.95): 45, (100, 1, 0.5): 50, (50, 10, 0.99): 17, (20, 2, 0.9): 14,
                (1000, 10, 0.95): 258, (60, 3, 0.8): 25}


@graded("Exercise 3 (trials_needed)")
def check_trials_needed(fn) -> str:
    """fn(N, G, p) must return the exact smallest n of distinct draws (see `FINITE_CASES`)."""
    if not callable(fn):
        raise TypeError(f"check_trials_needed takes your function trials_needed(N, G, p), got {type(fn).__name__}")
    got = {}
    for N, G, p in FINITE_CASES:
        n = call_student(fn, N, G, p, what=f"(N={N}, G={G}, p={p})")
        expect(not isinstance(n, (list, tuple, np.ndarray)), f"trials_needed({N}, {G}, {p}) returned "
               f"{type(n).__name__} {n!r}: return one int (a number of trials), not a sequence (wrong shape)")
        expect(isinstance(n, (int, np.integer)) and not isinstance(n, bool),
               f"trials_needed({N}, {G}, {p}) = {n!r} is a {type(n).__name__}, not an int: a number of trials is "
               "a whole number")
        got[(N, G, p)] = int(n)
    cases = list(FINITE_CASES)
    if len(set(got.values())) == 1:
        fail(f"trials_needed returns {got[cases[0]]} whatever N, G and p are (a constant); compute it from them")
    for (N, G, p), want in FINITE_CASES.items():
        n = got[(N, G, p)]
        if n == want:
            continue
        if n == _need(G / N, p):
            fail(f"trials_needed({N}, {G}, {p}) = {n} is the with-replacement answer of section 6: here the draws "
                 f"are distinct, so after each miss the good ones make up a larger share of what is left "
                 f"(expected {want})")
        if n <= 0:
            fail(f"trials_needed({N}, {G}, {p}) = {n} is not positive (a sign error?)")
        if n == want - 1:
            fail(f"trials_needed({N}, {G}, {p}) = {n} is one too few (off by one): {n} distinct draws reach a "
                 f"probability below p = {p}")
        if n == want + 1:
            fail(f"trials_needed({N}, {G}, {p}) = {n} is one too many (off by one): {want} draws already reach "
                 "p; return the *smallest* such n")
        fail(f"trials_needed({N}, {G}, {p}) = {n}, expected {want}: the smallest n of distinct draws with "
             "P(at least one good) >= p")
    return (f"trials_needed agrees on {len(cases)} cases, e.g. the top 5 % of a 720-run table at 95 % needs "
            f"{got[cases[0]]} distinct draws (59 with replacement)")


@graded("Exercise 1 (the full grid)")
def check_grid(fn) -> str:
    """fn(space) -> the list of every config of a space of Choice axes, first key slowest (like naslab's `grid`)."""
    if not callable(fn):
        raise TypeError(f"check_grid takes your function my_grid(space), got {type(fn).__name__}")
    spaces = [{"lr": Choice([0.1, 1.0]), "wd": Choice([0.0, 1e-3, 1e-2])},
              {"a": Choice([1, 2, 3]), "b": Choice(["x", "y"]), "c": Choice([0.0, 0.5, 0.9, 0.99])},
              {"only": Choice([5, 6, 7])}]
    for space in spaces:
        shown = {k: list(v.values) for k, v in space.items()}
        out = call_student(fn, space, what=f"a space with axes {shown}", forbid=("naslab.domains",))
        expect(isinstance(out, list), f"my_grid({shown}) returned {type(out).__name__}: return a list of dicts")
        want = grid(space)
        bad = [c for c in out if not isinstance(c, dict)]
        if bad:
            fail(f"my_grid({shown}) returned {type(bad[0]).__name__} {bad[0]!r} among the configs: each config is a "
                 "dict name -> value")
        keys = [list(c) for c in out if list(c) != list(space)]
        if keys:
            fail(f"my_grid({shown}) gave a config with keys {keys[0]}: every config has every key of the space, in "
                 f"its order {list(space)}")
        if len(out) == max(len(v.values) for v in space.values()) and len(want) > len(out):
            fail(f"my_grid({shown}) has {len(out)} configs: you paired the values (zip) instead of combining "
                 f"every value of each axis with every value of the others ({len(want)} configs)")
        as_set = {tuple(c.items()) for c in out}
        expect(len(as_set) == len(out), f"my_grid({shown}) repeats a config: each combination appears once")
        if len(out) != len(want) or as_set != {tuple(c.items()) for c in want}:
            fail(f"my_grid({shown}) has {len(out)} configs, expected the {len(want)} combinations of "
                 f"{' x '.join(str(len(v.values)) for v in space.values())} values")
        expect(out == want, f"my_grid({shown}) has the right configs in another order: the first key changes "
               f"slowest, the last fastest (first configs {want[:2]}, yours {out[:2]})")
    return f"your grid matches on {len(spaces)} spaces (every combination, first key slowest)"


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
def check_searcher(cls, *, budget: int = 30, seeds: int = 30) -> str:
    """Run `cls(space, seed=s)` on the surrogate landscape and check the ask/tell contract and its quality.

    Quality: the mean best after `budget` trials must beat random search's by `MARGIN` (seeds 0-29). Random search
    with other random streams lands within -0.06..+0.01 of it, the worked local search +0.047 above.
    """
    from naslab.grid_vs_random.spaces import course_space

    if not isinstance(cls, type):
        raise TypeError(f"check_searcher takes your searcher class (e.g. LocalSearch), got {type(cls).__name__}")
    if issubclass(cls, RandomSearch):
        fail(f"{cls.__name__} is naslab's RandomSearch (or a subclass of it): write your own searcher, with an ask() "
             "that uses what tell() reported")
    probe = call_student(cls, course_space(), seed=0, what="cls(course_space(), seed=0)")
    for i in range(3):
        c = call_student(probe.ask, what="()", name=f"{cls.__name__}.ask")
        expect(isinstance(c, dict), f"ask() should return a dict like {{'lr': 0.1, 'weight_decay': 1e-4}}, got a "
               f"{type(c).__name__} {c!r} (wrong shape)")
        odd = {k: type(v).__name__ for k, v in c.items() if isinstance(v, np.generic) or not isinstance(v, float)}
        expect(not odd, f"ask() number {i + 1} returned {c!r}: {odd} are not Python floats (numpy scalars such as "
               "np.float32 round the value and are not JSON-serialisable): return float(x)")
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
    first = [t.config for r in runs for t in r[: budget // 3]]  # the first trials: a warm-up, if any
    above = np.mean([max(c.values()) > 1.0 for c in first])  # log-uniform: ~36 % have lr or wd > 1, uniform: 99 %
    mine = best_vs_trials(runs)[:, -1].mean()
    rand = best_vs_trials([run_search(RandomSearch(course_space(), seed=s), surrogate_objective, budget)
                           for s in range(seeds)])[:, -1].mean()
    expect(mine >= rand + MARGIN or above < 0.6, f"mean best {mine:.3f} after {budget} trials is worse than random "
           f"search's {rand:.3f}, and {above:.0%} of your first {budget // 3} configs have lr or weight_decay above 1: "
           "you sample uniformly on [1e-4, 10], so 9 of 10 draws land in the top decade; sample log-uniformly "
           "(uniform in log10, then 10 ** x)")
    expect(mine >= rand - 0.02, f"mean best {mine:.3f} after {budget} trials is worse than random search's "
           f"{rand:.3f}: does tell() keep the *highest* score (trial.score(), higher is better)?")
    expect(mine >= rand + MARGIN, f"mean best {mine:.3f} after {budget} trials is about random search's {rand:.3f}, "
           f"not {MARGIN} above it: your searcher must learn from tell() (e.g. search near the best so far)")
    return f"mean best after {budget} trials {mine:.3f} (random search: {rand:.3f}) over {seeds} seeds"
