"""Exercise checks of notebook 06: mutation and the interquartile mean with its bootstrap interval.

Each `check_*` follows naslab's check contract (`naslab.checking`): it runs the student's answer against an
oracle, through `call_student` (an exception inside the student's code is reported as theirs, a stub as
"not implemented yet"), and returns a "✓ ..." verdict or raises `CheckError` naming the mistake.

* `check_mutation(fn)`: Real et al.'s mutation changes exactly one edge to a *different* op, every draw
  from the rng it is given (exercise 1).
* `check_iqm(fn)`: the interquartile mean (the 25 %-trimmed mean, floor(n/4) runs off each end), not the
  median, the mean or round(n/4) (exercise 4).
* `check_iqm_interval(fn, iqm_fn)`: the 95 % percentile-bootstrap interval of the IQM, against scipy's
  `stats.bootstrap` (method="percentile") on the same samples (exercise 4).

The evolution cycle (exercise 2) and the searcher of exercise 5 are checked in `naslab.bakeoff.checks_search`,
Hyperband's schedule (exercise 3) in `naslab.bakeoff.checks_hyperband`.
Oracles: scipy (`stats.trim_mean`, `stats.bootstrap`), exact invariants; the student's code runs under
`call_student(forbid=...)`, so calling naslab's own `mutate`, `iqm` or `bootstrap_band` is refused.

Taught in: notebooks/06_nas_bakeoff.ipynb (exercises).
"""

from __future__ import annotations

import math

import numpy as np

from naslab.bakeoff.searchers import N_OPS, neighbours
from naslab.checking import call_student, fail, graded

STATS_MODULES = ("naslab.bakeoff.stats", "scipy.stats._resampling", "scipy.stats._mstats_basic",
                 "scipy.stats._stats_py")


def _callable(fn, what: str = "fn") -> None:
    if not callable(fn):
        raise TypeError(f"{what} must be a function, got {type(fn).__name__}")


@graded("Exercise 1")
def check_mutation(fn, n_ops: int = N_OPS) -> str:
    """Check `fn(cell, rng) -> child`: one edge, chosen uniformly, gets a different op, chosen uniformly."""
    _callable(fn)
    rng = np.random.default_rng(0)
    parent = (0, 1, 2, 3, 4, 0)
    kids = []
    for _ in range(3000):
        kid = call_student(fn, parent, rng, what=f"cell={parent}", forbid=("naslab.bakeoff.searchers",))
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
    again = [[call_student(fn, parent, r, what=f"cell={parent}") for _ in range(10)]
             for r in (np.random.default_rng(5), np.random.default_rng(5))]
    if [tuple(k) for k in again[0]] != [tuple(k) for k in again[1]]:
        fail("two rngs in the same state gave different children: your mutation ignores its rng (draw the edge "
             "and the op from the rng argument, not from np.random, random or a new default_rng)")
    expect = len(kids) / len(counts)
    worst = max(abs(c - expect) / expect for c in counts.values())
    if worst >= 0.6:
        fail("some neighbours come out far more often than others: pick the edge and the op uniformly")
    return f"✓ one edge, a different op, all {len(counts)} neighbours reachable and about equally likely"


@graded("Exercise 4")
def check_iqm(fn) -> str:
    """Check `fn(x) -> float`, the interquartile mean of a 1-D array (scipy's 25 %-trimmed mean)."""
    from scipy import stats

    _callable(fn)
    rng = np.random.default_rng(1)
    for n in (8, 20, 50, 13, 11):
        x = rng.exponential(size=n)
        x[0] = 50.0  # one outlier run
        got = call_student(fn, x.copy(), what=f"an array of {n} regrets with one outlier", forbid=STATS_MODULES)
        want = float(stats.trim_mean(x, 0.25))
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
        if round(n / 4) != q and math.isclose(got, float(lo[round(n / 4):n - round(n / 4)].mean()), rel_tol=1e-9):
            fail(f"n={n}: you dropped round(n/4) = {round(n / 4)} runs at each end; the IQM drops floor(n/4) = {q} "
                 "(n // 4: the quarter rounded down)")
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
    return "✓ your IQM matches scipy.stats.trim_mean(x, 0.25) on 5 samples with an outlier"


def _close(got, ref, scale=None) -> bool:
    """Both ends of `got` within 6 % of the width of `scale` (default: `ref`) from the ends of `ref`."""
    lo, hi = scale or ref
    return all(abs(g - r) <= 0.06 * (hi - lo) for g, r in zip(got, ref))


@graded("Exercise 4")
def check_iqm_interval(fn, iqm_fn, n_boot: int = 4000) -> str:
    """Check `fn(x, rng, n_boot) -> (lo, hi)`: the 95 % percentile-bootstrap interval of `iqm_fn` over the runs.

    Oracle: `scipy.stats.bootstrap(method="percentile")` with 20,000 resamples on the same samples; each end
    must agree within 6 % of the interval's width (the Monte Carlo error of n_boot resamples is about 2 %).
    """
    from scipy import stats

    _callable(fn)
    _callable(iqm_fn, "iqm_fn")
    rng = np.random.default_rng(2)
    for n in (12, 30):
        x = np.round(rng.exponential(size=n), 6)
        x[0] = 8.0  # one far-off run: the IQM's interval is short and lopsided, the mean's is not
        what = f"an array of {n} regrets with one outlier, n_boot={n_boot}"
        got = [call_student(fn, x.copy(), np.random.default_rng(s), n_boot, what=what, forbid=STATS_MODULES)
               for s in (7, 7)]
        try:
            (lo, hi), (lo2, hi2) = [(float(a), float(b)) for a, b in got]
        except (TypeError, ValueError):
            fail(f"n={n}: you returned {got[0]!r}; return two numbers (lo, hi)")
        if (lo, hi) != (lo2, hi2):
            fail(f"n={n}: two rngs in the same state gave different intervals: draw the resamples from the rng "
                 "argument (rng.integers(n, size=(n_boot, n))), not from np.random")
        if lo > hi:
            fail(f"n={n}: lo = {lo:.4f} > hi = {hi:.4f}: return (lower, upper)")
        if hi - lo < 1e-12:
            fail(f"n={n}: your interval has width 0: each resample must draw n runs *with* replacement (a "
                 "permutation of the runs has the same IQM)")
        want = {}
        for name, f in (("iqm", lambda v, axis=-1: stats.trim_mean(v, 0.25, axis=axis)),
                        ("mean", lambda v, axis=-1: np.mean(v, axis=axis))):
            for level in (0.95, 0.90):
                ci = stats.bootstrap((x,), f, vectorized=True, n_resamples=20000, confidence_level=level,
                                     method="percentile", random_state=np.random.default_rng(0)).confidence_interval
                want[name, level] = (float(ci.low), float(ci.high))
        if _close((lo, hi), want["iqm", 0.95]):
            continue
        if _close((lo, hi), want["mean", 0.95]):
            fail(f"n={n}: [{lo:.4f}, {hi:.4f}] is the bootstrap interval of the mean: resample, then take "
                 "iqm_fn of every resample")
        if _close((lo, hi), want["iqm", 0.90], want["iqm", 0.95]):
            fail(f"n={n}: [{lo:.4f}, {hi:.4f}] is a 90 % interval (5th and 95th percentiles); a 95 % interval "
                 "takes the 2.5th and 97.5th percentiles of the resampled IQMs")
        w = want["iqm", 0.95]
        fail(f"n={n}: your interval [{lo:.4f}, {hi:.4f}] is not the 95 % percentile-bootstrap interval of the IQM "
             f"[{w[0]:.4f}, {w[1]:.4f}] (scipy, 20,000 resamples): resample the runs with replacement n_boot times, "
             "take the IQM of each resample, then the 2.5th and 97.5th percentiles")
    return (f"✓ your interval matches scipy's percentile bootstrap of the IQM on 2 samples (within 6 % of its "
            f"width, n_boot={n_boot})")
