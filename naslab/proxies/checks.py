"""Checks for the exercises of notebook 03 (proxy evaluation); contract in `naslab.checking`.

* `check_successive_halving(fn, bench)` (Exercise 1, in `naslab.proxies.checks_halving`): the student's
  rungs of successive halving against naslab's `SuccessiveHalving` on the same lookup.
* `check_kendall_tau(fn)`: a hand-written Kendall tau matches scipy's tau-b (no ties); calling naslab's
  or scipy's τ is refused.
* `check_curve_proxy(proxy, judge, bench)` (Exercise 3, in `naslab.proxies.checks_curve`): the student's
  judge (Spearman ρ, top-10 % overlap, total cost) against scipy and naslab, then the student's proxy
  from the first epochs of the learning curve, on every architecture of the benchmark.
* `check_sh_budget(fn)`: a successive-halving budget count Σ n_i r_i matches `rung_schedule`,
  including settings where r_i reaches the cap r_max; calling `naslab.proxies.halving` is refused.

Taught in: notebooks/03_proxy_evaluation.ipynb (§ Exercises).
"""

from __future__ import annotations

import numpy as np

from naslab.checking import CheckError, call_student, describe, expect, fail, graded, slip
from naslab.proxies.checks_curve import check_curve_proxy
from naslab.proxies.checks_halving import check_successive_halving
from naslab.proxies.halving import rung_schedule
from naslab.proxies.ranking import kendall_tau, spearman_rho

__all__ = ["check_curve_proxy", "check_kendall_tau", "check_sh_budget", "check_successive_halving"]


# naslab's and scipy's Kendall τ: the exercise asks for the pair count itself
TAU_FORBID = ("naslab.proxies.ranking", "scipy.stats._stats_py")


def _number(x, call: str) -> float:
    if isinstance(x, tuple) and len(x) == 2:
        fail(f"{call} returned a pair {x!r}: return one number (scipy's kendalltau returns (statistic, p-value); "
             "yours should return only τ) (wrong shape)")
    expect(np.ndim(x) == 0, f"{call} returned {describe(x)}: return one number (wrong shape)")
    return float(x)


def _callable(fn, check: str) -> None:
    """A check's own TypeError for an answer that is not a function (a stub None is handled by `graded`)."""
    if not callable(fn):
        raise TypeError(f"{check}(fn): fn must be your function, got {type(fn).__name__} {describe(fn)}")


def _call_tau(fn, a, b):
    try:
        return call_student(fn, a.copy(), b.copy(), what=f"a={a.tolist()}, b={b.tolist()}", forbid=TAU_FORBID)
    except CheckError as e:
        if "called naslab's scipy." in str(e):
            name = str(e).split("called naslab's ", 1)[1].split(":", 1)[0].rsplit(".", 1)[-1]
            fail(f"your function called scipy's {name}: " + ("that is Spearman's ρ (a correlation of ranks); "
                 if name == "spearmanr" else "") + "this exercise asks you to count the concordant and discordant "
                 "pairs yourself, τ = (C - D) / (n choose 2)")
        raise


@graded("Exercise 2 (Kendall's τ)")
def check_kendall_tau(fn) -> str:
    """Check a student's `fn(a, b) -> tau` (no ties) against naslab's on random and fixed data."""
    _callable(fn, "check_kendall_tau")
    rng = np.random.default_rng(0)
    cases = [(np.arange(6.0), np.arange(6.0)), (np.arange(6.0), -np.arange(6.0))]
    cases += [(rng.permutation(n).astype(float), rng.permutation(n).astype(float)) for n in (12, 9, 12, 7, 10)]
    got = [_number(_call_tau(fn, a, b), f"fn({a.tolist()}, {b.tolist()})") for a, b in cases]
    want = [kendall_tau(a, b) for a, b in cases]
    how = slip(got, want, atol=1e-9)
    if how is None:
        return f"✓ your Kendall tau matches scipy's on {len(cases)} pairs of rankings"
    if np.allclose(got, [spearman_rho(a, b) for a, b in cases]):
        fail("that is Spearman's ρ (a correlation of ranks); Kendall's τ counts pairs: (C - D) / (n choose 2)")
    expect(how == "" or "sign" not in how, f"your τ is {how}: a concordant pair (ordered the same way by a and b) "
           "counts +1, a discordant one -1")
    # without ties C + D = n(n-1)/2, so C / (n choose 2) = (1 + τ) / 2: no pair counting needed here
    if np.allclose(got, [(1 + w) / 2 for w in want]):
        fail("you return C / (n choose 2): subtract the discordant pairs, τ = (C - D) / (n choose 2)")
    ratio = [g / w for g, w in zip(got, want) if w != 0]
    ns = [len(a) for (a, _), w in zip(cases, want) if w != 0]
    if np.allclose(ratio, [(n - 1) / (n + 1) for n in ns]):
        fail("you divided by n (n + 1) / 2: there are n (n - 1) / 2 pairs i < j (off by one)")
    if np.allclose(ratio, 0.5):
        fail("your τ is half the expected one: divide by n (n - 1) / 2 (each pair counted once), not n (n - 1)")
    i = int(np.flatnonzero(~np.isclose(got, want, atol=1e-9))[0])
    a, b = cases[i]
    fail(f"your τ is {how or 'wrong'}: fn({a.tolist()}, {b.tolist()}) = {got[i]:.4f}, expected {want[i]:.4f}")


@graded("Exercise 4 (successive-halving budget)")
def check_sh_budget(fn) -> str:
    """Check `fn(n, eta, r_min, r_max) -> total budget` of successive halving (Σ n_i * r_i); the last settings
    reach the cap r_i = r_max before one candidate is left."""
    _callable(fn, "check_sh_budget")
    cases = [(27, 3, 1, 9), (81, 3, 1, 81), (10, 3, 1, 81), (16, 2, 1, 100), (9, 3, 3, 9), (81, 3, 1, 10),
             (64, 2, 1, 5)]
    got = []
    for args in cases:
        out = call_student(fn, *args, what=f"(n, eta, r_min, r_max) = {args}", forbid=("naslab.proxies.halving",))
        if isinstance(out, (list, tuple)):
            fail(f"fn{args} returned {describe(out)}: return one number, the total Σ n_i r_i, not the rungs "
                 "(wrong shape)")
        got.append(_number(out, f"fn{args}"))
    want = [sum(n_i * r_i for n_i, r_i in rung_schedule(*a)) for a in cases]
    how = slip(got, want, atol=1e-9)
    if how is None:
        return f"✓ your successive-halving budget matches naslab's rung schedule on {len(cases)} settings"
    if how and "constant" in how:
        fail(f"your budget is {how}: compute it from n, eta, r_min and r_max")
    for (args, g, w) in zip(cases, got, want):
        if np.isclose(g, w):
            continue
        rungs = rung_schedule(*args)
        n, eta, r_min, r_max = args
        expect(g >= 0, f"fn{args} = {g} is negative (a sign error): the budget adds up n_i r_i >= 0")
        if np.isclose(g, _uncapped(*args)):
            fail(f"fn{args} = {g}, expected {w}: r_i must be capped at r_max (r_i = min(r_min eta^i, r_max)), and SH "
                 f"stops once a rung reaches r_max; rungs {rungs}")
        if np.isclose(g, w - rungs[-1][0] * rungs[-1][1]):
            fail(f"fn{args} = {g}, expected {w}: you left out the last rung {rungs[-1]} (off by one); rungs {rungs}")
        if np.isclose(g, sum(n * r_min * eta**i / eta**i for i in range(len(rungs)))) or \
                np.isclose(g, sum(min(r_min * eta**i, r_max) * n / eta**i for i in range(len(rungs)))):
            fail(f"fn{args} = {g}, expected {w}: n_i = floor(n / eta^i) (use //), rungs {rungs}")
        fail(f"fn{args} = {g}, expected {w}: your budget is {how or 'wrong'} (rungs (n_i, r_i): {rungs})")
    raise AssertionError("unreachable")


def _uncapped(n, eta, r_min, r_max) -> float:
    """The classic slip's total: naslab's rungs, each charged r_min eta^i without the cap at r_max."""
    return sum(n_i * r_min * eta**i for i, (n_i, _) in enumerate(rung_schedule(n, eta, r_min, r_max)))
