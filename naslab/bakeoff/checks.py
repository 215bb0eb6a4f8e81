"""Exercise checks of notebook 06, and `claim`, the code behind every "Expected result".

Each `check_*` runs the student's answer against an oracle and returns a "✓ ..." message, or raises
AssertionError with a message that names the mistake.

* `check_mutation(fn)`: Real et al.'s mutation changes exactly one edge to a *different* op.
* `check_iqm(fn)`: the interquartile mean (the 25 %-trimmed mean), not the median or the mean.
* `check_searcher(make, lookup)`: a searcher entered in the bake-off: valid cells, seeded, uses
  `tell`, and its final regret against random search's over the same seeds.

`claim(text, value, lo, hi)` states a number the notebook's prose promises: it prints whether the
computed `value` lies in [lo, hi] (a tolerance measured over several seeds). In class mode a claim
that fails raises AssertionError; in FAST mode (smaller budgets, fewer seeds) it is reported only.

Taught in: notebooks/06_nas_bakeoff.ipynb (exercises and expected results).
"""

from __future__ import annotations

import math

import numpy as np

import naslab
from naslab.bakeoff.searchers import N_EDGES, N_OPS, neighbours


def _fail(msg: str):
    """Reject an answer with `msg` (an AssertionError that also fires under `python -O`)."""
    raise AssertionError(msg)


def check_mutation(fn, n_ops: int = N_OPS) -> str:
    """Check `fn(cell, rng) -> child`: one edge, chosen uniformly, gets a different op, chosen uniformly."""
    rng = np.random.default_rng(0)
    parent = (0, 1, 2, 3, 4, 0)
    kids = [tuple(int(o) for o in fn(parent, rng)) for _ in range(3000)]
    bad = [k for k in kids if len(k) != len(parent)]
    if bad:
        _fail(f"fn returned {bad[0]!r} with {len(bad[0])} ops; a cell has {len(parent)} (one per edge)")
    bad = [k for k in kids if not all(0 <= o < n_ops for o in k)]
    if bad:
        _fail(f"fn returned {bad[0]!r}: every op must be an index in 0..{n_ops - 1}")
    same = sum(k == parent for k in kids)
    if same:
        _fail(f"the child equalled its parent in {same} of {len(kids)} draws: the new op must differ "
              f"from the current one (draw among the {n_ops - 1} others)")
    many = [k for k in kids if sum(a != b for a, b in zip(parent, k)) > 1]
    if many:
        _fail(f"{parent} -> {many[0]} changes {sum(a != b for a, b in zip(parent, many[0]))} edges; mutate one")
    counts = {n: 0 for n in neighbours(parent, n_ops)}
    for k in kids:
        counts[k] += 1
    missing = [n for n, c in counts.items() if c == 0]
    if missing:
        _fail(f"{len(missing)} of the {len(counts)} neighbours never came out, e.g. {missing[0]}: "
              "choose the edge and the new op uniformly at random")
    expect = len(kids) / len(counts)
    worst = max(abs(c - expect) / expect for c in counts.values())
    if worst >= 0.6:
        _fail("some neighbours come out far more often than others: pick the edge and the op uniformly")
    return f"✓ one edge, a different op, all {len(counts)} neighbours reachable and about equally likely"


def check_iqm(fn) -> str:
    """Check `fn(x) -> float`, the interquartile mean of a 1-D array (scipy's 25 %-trimmed mean)."""
    from naslab.bakeoff.stats import iqm

    rng = np.random.default_rng(1)
    for n in (8, 20, 50, 13):
        x = rng.exponential(size=n)
        x[0] = 50.0  # one outlier run
        got, want = float(fn(x.copy())), float(iqm(x))
        if math.isclose(got, float(np.median(x)), rel_tol=1e-9) and not math.isclose(got, want, rel_tol=1e-9):
            _fail(f"n={n}: you returned the median ({got:.4f}); the IQM averages the middle half")
        if math.isclose(got, float(np.mean(x)), rel_tol=1e-9):
            _fail(f"n={n}: you returned the plain mean ({got:.4f}), which the outlier drags up; "
                  "drop the lowest and the highest quarter first")
        if not math.isclose(got, want, rel_tol=1e-9):
            _fail(f"n={n}: got {got:.4f}, expected {want:.4f}: sort, drop floor(n/4) runs at each end, "
                  "average the rest")
    return "✓ your IQM matches scipy.stats.trim_mean(x, 0.25) on 4 samples with an outlier"


def check_searcher(make, lookup, *, seeds=range(10), max_seconds: float | None = None) -> str:
    """Enter `make(seed) -> Searcher` in the bake-off against random search, over the same seeds.

    Rejects: asks that are not cells of the table, a searcher that ignores its seed (two runs with the
    same seed differ) or that never proposes. Returns the two IQM final regrets.
    """
    from naslab.bakeoff.race import default_searchers, race
    from naslab.bakeoff.stats import final_ranking

    s = make(0)
    if not (hasattr(s, "ask") and hasattr(s, "tell")):
        _fail(f"make(0) returned a {type(s).__name__}, not a searcher with ask() and tell(config, trial) "
              "(subclass naslab.Searcher)")
    obj_cells = []
    for _ in range(5):
        p = s.ask()
        if p is None:
            _fail("ask() returned None before any result: a searcher must propose a first cell")
        cfg = p.config if isinstance(p, naslab.Proposal) else p
        cell = tuple(cfg)
        if not (len(cell) == N_EDGES and all(isinstance(o, (int, np.integer)) and 0 <= o < N_OPS for o in cell)):
            _fail(f"ask() returned {cfg!r}; a cell is a tuple of {N_EDGES} op indices in 0..{N_OPS - 1}")
        obj_cells.append(cell)
    max_seconds = 30 * lookup.full_seconds() if max_seconds is None else max_seconds
    runs = [[tuple(t.config) for t in naslab.run_search(make(3), _objective(lookup, 3), budget=50)] for _ in (0, 1)]
    if runs[0] != runs[1]:
        _fail("two runs with seed 3 asked different cells: draw from np.random.default_rng(seed), "
              "never from np.random or random without a seed")
    res = race(lookup, {"yours": make, "random": default_searchers(lookup)["random"]}, seeds=seeds,
               max_seconds=max_seconds)
    rows = {r.name: r for r in final_ranking(res)}
    y, r = rows["yours"], rows["random"]
    verdict = "better than" if y.hi < r.lo else ("worse than" if y.lo > r.hi else "not separable from")
    return (f"✓ your searcher ran in the bake-off ({len(list(seeds))} seeds, {max_seconds:,.0f} simulated s): "
            f"IQM regret {100 * y.value:.2f} [{100 * y.lo:.2f}, {100 * y.hi:.2f}] points vs random "
            f"{100 * r.value:.2f} [{100 * r.lo:.2f}, {100 * r.hi:.2f}]: {verdict} random search")


def _objective(lookup, seed):
    from naslab.bakeoff.race import TableObjective

    return TableObjective(lookup, seed)
