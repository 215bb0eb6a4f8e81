"""Exercise checks of notebook 06, and `claim`, the code behind every "Expected result".

Each `check_*` follows naslab's check contract (`naslab.checking`): it runs the student's answer against an
oracle, through `call_student` (an exception inside the student's code is reported as theirs, a stub as
"not implemented yet"), and returns a "✓ ..." verdict or raises `CheckError` naming the mistake.

* `check_mutation(fn)`: Real et al.'s mutation changes exactly one edge to a *different* op.
* `check_iqm(fn)`: the interquartile mean (the 25 %-trimmed mean), not the median or the mean.
* `check_searcher(make, lookup)`: a searcher entered in the bake-off: valid cells, seeded, uses
  `tell`, and its final regret against random search's over the same seeds.

Taught in: notebooks/06_nas_bakeoff.ipynb (exercises).
"""

from __future__ import annotations

import math

import numpy as np

from naslab.bakeoff.searchers import N_EDGES, N_OPS, neighbours
from naslab.checking import call_student, fail, graded
from naslab.search import run_search
from naslab.searchers import Proposal


@graded("Exercise 1")
def check_mutation(fn, n_ops: int = N_OPS) -> str:
    """Check `fn(cell, rng) -> child`: one edge, chosen uniformly, gets a different op, chosen uniformly."""
    rng = np.random.default_rng(0)
    parent = (0, 1, 2, 3, 4, 0)
    kids = []
    for _ in range(3000):
        kid = call_student(fn, parent, rng, what=f"cell={parent}")
        try:
            kids.append(tuple(int(o) for o in kid))
        except (TypeError, ValueError):
            fail(f"fn returned {kid!r} for cell {parent}; a child is a tuple of {len(parent)} op indices")
    bad = [k for k in kids if len(k) != len(parent)]
    if bad:
        fail(f"fn returned {bad[0]!r} with {len(bad[0])} ops; a cell has {len(parent)} (one per edge)")
    bad = [k for k in kids if not all(0 <= o < n_ops for o in k)]
    if bad:
        fail(f"fn returned {bad[0]!r}: every op must be an index in 0..{n_ops - 1}")
    same = sum(k == parent for k in kids)
    if same:
        fail(f"the child equalled its parent in {same} of {len(kids)} draws: the new op must differ "
              f"from the current one (draw among the {n_ops - 1} others)")
    many = [k for k in kids if sum(a != b for a, b in zip(parent, k)) > 1]
    if many:
        fail(f"{parent} -> {many[0]} changes {sum(a != b for a, b in zip(parent, many[0]))} edges; mutate one")
    counts = {n: 0 for n in neighbours(parent, n_ops)}
    for k in kids:
        counts[k] += 1
    missing = [n for n, c in counts.items() if c == 0]
    if missing:
        fail(f"{len(missing)} of the {len(counts)} neighbours never came out, e.g. {missing[0]}: "
              "choose the edge and the new op uniformly at random")
    expect = len(kids) / len(counts)
    worst = max(abs(c - expect) / expect for c in counts.values())
    if worst >= 0.6:
        fail("some neighbours come out far more often than others: pick the edge and the op uniformly")
    return f"✓ one edge, a different op, all {len(counts)} neighbours reachable and about equally likely"


@graded("Exercise 2")
def check_iqm(fn) -> str:
    """Check `fn(x) -> float`, the interquartile mean of a 1-D array (scipy's 25 %-trimmed mean)."""
    from naslab.bakeoff.stats import iqm

    rng = np.random.default_rng(1)
    for n in (8, 20, 50, 13):
        x = rng.exponential(size=n)
        x[0] = 50.0  # one outlier run
        got, want = call_student(fn, x.copy(), what=f"an array of {n} regrets with one outlier"), float(iqm(x))
        try:
            got = float(got)
        except (TypeError, ValueError):
            fail(f"n={n}: you returned {got!r}; the IQM is one number")
        if math.isclose(got, float(np.median(x)), rel_tol=1e-9) and not math.isclose(got, want, rel_tol=1e-9):
            fail(f"n={n}: you returned the median ({got:.4f}); the IQM averages the middle half")
        if math.isclose(got, float(np.mean(x)), rel_tol=1e-9):
            fail(f"n={n}: you returned the plain mean ({got:.4f}), which the outlier drags up; "
                  "drop the lowest and the highest quarter first")
        if math.isclose(got, -want, rel_tol=1e-9):
            fail(f"n={n}: you returned {got:.4f}, the negative of the IQM (a sign error)")
        lo = np.sort(x)
        q = n // 4
        if q >= 1 and any(math.isclose(got, float(lo[a:n - b].mean()), rel_tol=1e-9)
                          for a, b in ((q + 1, q + 1), (q - 1, q - 1), (q, q + 1), (q + 1, q))):
            fail(f"n={n}: you dropped a wrong number of runs at an end (off by one): drop exactly floor(n/4) = {q} "
                  "at each end")
        if math.isclose(got, float(lo[:n - q].mean()), rel_tol=1e-9) or math.isclose(got, float(lo[q:].mean()),
                                                                                        rel_tol=1e-9):
            fail(f"n={n}: you trimmed only one end; drop floor(n/4) = {q} runs at *each* end")
        if not math.isclose(got, want, rel_tol=1e-9):
            fail(f"n={n}: got {got:.4f}, expected {want:.4f}: sort, drop floor(n/4) runs at each end, "
                  "average the rest")
    return "✓ your IQM matches scipy.stats.trim_mean(x, 0.25) on 4 samples with an outlier"


@graded("Exercise 3")
def check_searcher(make, lookup, *, seeds=range(10), max_seconds: float | None = None) -> str:
    """Enter `make(seed) -> Searcher` in the bake-off against random search, over the same seeds.

    Rejects: asks that are not cells of the table, a searcher that ignores its seed (two runs with the
    same seed differ) or that never proposes. Returns the two IQM final regrets.
    """
    from naslab.bakeoff.race import default_searchers, race
    from naslab.bakeoff.stats import final_ranking

    s = call_student(make, 0, what="seed=0", name="make")
    if not (hasattr(s, "ask") and hasattr(s, "tell")):
        fail(f"make(0) returned a {type(s).__name__}, not a searcher with ask() and tell(config, trial) "
              "(subclass naslab.searchers.Searcher)")
    obj_cells = []
    for _ in range(5):
        p = call_student(s.ask, what="a fresh searcher", name=f"{type(s).__name__}.ask")
        if p is None:
            fail("ask() returned None before any result: a searcher must propose a first cell")
        cfg = p.config if isinstance(p, Proposal) else p
        cell = tuple(cfg) if isinstance(cfg, (tuple, list, np.ndarray)) else (cfg,)
        if not (len(cell) == N_EDGES and all(isinstance(o, (int, np.integer)) and 0 <= o < N_OPS for o in cell)):
            fail(f"ask() returned {cfg!r}; a cell is a tuple of {N_EDGES} op indices in 0..{N_OPS - 1}")
        obj_cells.append(cell)
    max_seconds = 30 * lookup.full_seconds() if max_seconds is None else max_seconds
    runs = [[tuple(t.config) for t in run_search(make(3), _objective(lookup, 3), budget=50)] for _ in (0, 1)]
    if runs[0] != runs[1]:
        fail("two runs with seed 3 asked different cells: draw from np.random.default_rng(seed), "
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
