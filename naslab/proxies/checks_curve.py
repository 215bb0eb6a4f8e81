"""Check for notebook 03's Exercise 3: a proxy read from the start of the learning curve, and its judge.

Learning-curve extrapolation is one of the performance-estimation strategies of Elsken et al. 2019 (§4;
Domhan et al. 2015): score an architecture from the first epochs of its curve. The student writes

* `judge(scores, truth, seconds) -> {"rho", "top_overlap", "cost"}`: Spearman's ρ = Pearson's r of the
  average ranks (tied values share the mean of the positions they occupy), the top-k overlap
  |top_k(scores) ∩ top_k(truth)| / k with k = max(1, n // 10), and the total seconds. Oracles:
  `scipy.stats.spearmanr`, naslab's `top_k_overlap` and `np.sum`, on random inputs with and without
  ties (no tie straddles a top-k border, so the top-k sets are unambiguous); the answer may not call
  scipy's or naslab's rank functions (`call_student(forbid=...)`).
* `proxy(curve) -> float`: one score from the validation accuracies of the first `CURVE_EPOCHS` epochs, a
  fresh read-only (CURVE_EPOCHS,) array per architecture that the check cuts from the benchmark's seed 0,
  so later epochs cannot leak. Rejected: no single number, NaN or inf, a constant, a ranking equal to one
  epoch's value (the fewer-epochs proxy of §2), to a later epoch's or the truth's (it read beyond its
  input), an index past the curve's end, a call into the benchmark, an int. Its ρ and top-k overlap against the
  truth (a retrain, seed 1) are then reported beside the last-value proxy's: a design exercise, no bar.

Taught in: notebooks/03_proxy_evaluation.ipynb (§ Exercises, Exercise 3).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import stats

from naslab.checking import CheckError, call_student, describe, expect, fail, graded
from naslab.proxies.ranking import rank_agreement, top_k_overlap
from naslab.proxies.study import OBSERVE_SEED, truth

__all__ = ["CURVE_EPOCHS", "check_curve_proxy"]

CURVE_EPOCHS = 3  # the epochs a curve proxy sees: it costs what the 3-epoch proxy of §2 costs
JUDGE_FORBID = ("naslab.proxies.ranking", "naslab.proxies.study", "scipy.stats._stats_py")
PROXY_FORBID = ("naslab.proxies.benchmark", "naslab.proxies.study")
KEYS = ("rho", "top_overlap", "cost")


def _k(n: int) -> int:
    return max(1, n // 10)


def _clear_border(x: np.ndarray) -> bool:
    """No tie across the top-k border of `x` (the k-th and the (k+1)-th largest differ)."""
    s = np.sort(x)[::-1]
    return s[_k(len(x)) - 1] > s[_k(len(x))]


def judge_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(scores, truth, seconds) triples: two without ties, then ties in one list, then in both."""
    rng, out = np.random.default_rng(22), []
    for n, step_s, step_t in ((20, None, None), (31, None, None), (40, 0.25, None), (25, 0.3, 0.3), (50, 0.2, 0.25),
                              (60, 0.5, 0.4)):
        while True:
            t = rng.normal(size=n)
            s = 0.7 * t + 0.7 * rng.normal(size=n)
            s = s if step_s is None else np.round(s / step_s) * step_s
            t = t if step_t is None else np.round(t / step_t) * step_t
            if _clear_border(s) and _clear_border(t):
                break
        out.append((s, t, np.round(rng.uniform(0.2, 3.0, size=n), 3)))
    return out


def _has_ties(s, t) -> bool:
    return len(np.unique(s)) < len(s) or len(np.unique(t)) < len(t)


def _hit(e: CheckError) -> str | None:
    """The forbidden function a `call_student(forbid=...)` error names, or None for any other error."""
    return str(e).split("called naslab's ", 1)[1].split(":", 1)[0] if "called naslab's " in str(e) else None


def _judged(fn, s, t, c) -> dict:
    what = f"scores, truth, seconds of {len(s)} architectures" + (" (with ties)" if _has_ties(s, t) else "")
    try:
        out = call_student(fn, s.copy(), t.copy(), c.copy(), what=what, forbid=JUDGE_FORBID)
    except CheckError as e:
        if _hit(e) is None:
            raise
        fail(f"your judge called {_hit(e)}: compute the ranks (average ranks for ties) and the top-k sets yourself; "
             "scipy's and naslab's rank functions are the oracles this check compares you with")
    expect(isinstance(out, dict) and all(k in out for k in KEYS), f"your judge returned {describe(out)} on {what}: "
           f"return a dict with the keys {list(KEYS)}")
    for k in KEYS:
        v = out[k]
        expect(isinstance(v, numbers.Real) and not isinstance(v, bool) or (np.ndim(v) == 0 and
               np.issubdtype(np.asarray(v).dtype, np.number)), f"your judge's {k!r} is {describe(v)} on {what}: "
               "return one number (wrong shape)")
    return {k: float(out[k]) for k in KEYS}


def _check_judge(fn) -> int:
    cases = judge_cases()
    got = [_judged(fn, s, t, c) for s, t, c in cases]
    ties = np.array([_has_ties(s, t) for s, t, _ in cases])
    rho = np.array([g["rho"] for g in got])
    want = np.array([stats.spearmanr(s, t).statistic for s, t, _ in cases])
    if not np.allclose(rho, want, atol=1e-9):
        pearson = [stats.pearsonr(s, t).statistic for s, t, _ in cases]
        shortcut = [1 - 6 * np.sum((stats.rankdata(s) - stats.rankdata(t)) ** 2) / (len(s) * (len(s) ** 2 - 1))
                    for s, t, _ in cases]
        if np.allclose(rho, pearson, atol=1e-9):
            fail("your ρ is Pearson's r of the raw scores: Spearman's ρ is Pearson's r of their RANKS")
        if np.allclose(rho, -want, atol=1e-9):
            fail("your ρ has the wrong sign: rank both lists the same way (1 = lowest) before correlating them")
        if np.allclose(rho[~ties], want[~ties], atol=1e-9):
            if np.allclose(rho[ties], np.array(shortcut)[ties], atol=1e-9):
                fail("your ρ uses 1 - 6 Σd² / (n(n² - 1)): that shortcut holds only without ties; with ties, take "
                     "Pearson's r of the average ranks")
            fail("your ρ is right without ties but wrong with them: tied values must share the AVERAGE of the "
                 "positions they occupy (two values tied for ranks 3 and 4 both get 3.5), not distinct ranks")
        i = int(np.flatnonzero(~np.isclose(rho, want, atol=1e-9))[0])
        fail(f"your ρ is {rho[i]:.4f} on case {i} ({len(cases[i][0])} architectures), scipy's spearmanr gives "
             f"{want[i]:.4f}: ρ = Pearson's r of the average ranks")
    top = np.array([g["top_overlap"] for g in got])
    want = np.array([top_k_overlap(s, t, _k(len(s))) for s, t, _ in cases])
    if not np.allclose(top, want, atol=1e-9):
        if np.allclose(top, [top_k_overlap(-s, t, _k(len(s))) for s, t, _ in cases], atol=1e-9) or \
                np.allclose(top, [top_k_overlap(-s, -t, _k(len(s))) for s, t, _ in cases], atol=1e-9):
            fail("your top-k sets hold the LOWEST scores: the top 10 % are the k highest, of both the proxy and "
                 "the truth (accuracy: higher is better)")
        if np.allclose(top, want * [_k(len(s)) for s, _, _ in cases], atol=1e-9):
            fail("your top_overlap counts the shared architectures: divide by k to get a fraction")
        i = int(np.flatnonzero(~np.isclose(top, want, atol=1e-9))[0])
        fail(f"your top_overlap is {top[i]:.4f} on case {i} ({len(cases[i][0])} architectures, k = "
             f"{_k(len(cases[i][0]))}), expected {want[i]:.4f}: |top_k(scores) ∩ top_k(truth)| / k, k = n // 10")
    cost = np.array([g["cost"] for g in got])
    want = np.array([np.sum(c) for _, _, c in cases])
    if not np.allclose(cost, want, rtol=1e-9):
        if np.allclose(cost, [np.mean(c) for _, _, c in cases], rtol=1e-9):
            fail("your cost is the MEAN seconds per architecture: the cost of scoring them all is the total")
        fail(f"your cost is {cost[0]:.4g} on case 0, expected {want[0]:.4g}: the total of the seconds")
    return len(cases)


def _scored(fn, curve: np.ndarray, i: int) -> float:
    what = f"curve = {np.round(curve, 4).tolist()} (architecture {i}, epochs 1-{len(curve)})"
    try:
        out = call_student(fn, curve, what=what, forbid=PROXY_FORBID)
    except CheckError as e:
        cause = e.__cause__
        if isinstance(cause, IndexError):
            fail(f"your proxy read past the end of its input on {what}: it gets only the first {len(curve)} epochs, "
                 f"curve[0] .. curve[{len(curve) - 1}] (the later ones are what it must predict)")
        if isinstance(cause, ValueError) and "read-only" in str(cause):
            fail(f"your proxy changed its input curve on {what}: compute on a copy (np.array(curve))")
        if _hit(e) is not None:
            fail(f"your proxy looked into the benchmark ({_hit(e)}) on {what}: it may use only the curve it gets, "
                 f"the first {len(curve)} epochs")
        raise
    if isinstance(out, np.ndarray) and out.ndim == 0:
        out = out[()]
    expect(out is not None, f"your proxy returned None on {what}: return the score (did you forget `return`?)")
    expect(isinstance(out, numbers.Real) and not isinstance(out, bool), f"your proxy returned {describe(out)} on "
           f"{what}: return one float, the architecture's score (wrong shape)")
    expect(not isinstance(out, numbers.Integral), f"your proxy returned the int {out!r} on {what}: return a float "
           "score (an int is a count, an index or a rounded value: float(...) of what you computed)")
    expect(np.isfinite(out), f"your proxy returned {out} on {what}: a score must be a finite number")
    return float(out)


@graded("Exercise 3 (a curve proxy and its judge)")
def check_curve_proxy(proxy, judge, bench) -> str:
    """`judge` against scipy's Spearman ρ, naslab's top-k overlap and the total on random inputs, then
    `proxy(curve)` on the first `CURVE_EPOCHS` epochs of every architecture of `bench` (reported, not graded)."""
    from naslab.proxies.benchmark import Benchmark

    for name, fn in (("proxy", proxy), ("judge", judge)):
        if fn is not None and fn is not Ellipsis and not callable(fn):
            raise TypeError(f"check_curve_proxy(proxy, judge, bench): {name} must be your function, got "
                            f"{type(fn).__name__} {describe(fn)}")
    if not isinstance(bench, Benchmark):
        raise TypeError(f"check_curve_proxy(proxy, judge, bench): bench must be the naslab Benchmark "
                        f"(Benchmark.load()), got {type(bench).__name__}")
    n_cases = _check_judge(judge)
    acc = bench.arrays["val_acc"][:, bench.seeds.index(OBSERVE_SEED)]     # (n, E): every epoch of seed 0
    scores = []
    for i in range(bench.size):
        curve = np.array(acc[i, :CURVE_EPOCHS], dtype=float)               # a fresh copy: no view of later epochs
        curve.setflags(write=False)
        scores.append(_scored(proxy, curve, i))
    scores, true = np.array(scores), truth(bench)
    expect(np.ptp(scores) > 0, f"your proxy gives every architecture {scores[0]:.4g} (a constant): it cannot tell "
           "them apart (ρ is undefined); score each curve by its values")
    rank = stats.rankdata(scores)
    if np.array_equal(rank, stats.rankdata(true)):
        fail("your scores rank the architectures exactly as the truth does: the proxy read beyond its input")
    for e in range(acc.shape[1]):
        expect(not np.array_equal(rank, stats.rankdata(-acc[:, e])), f"your scores rank the architectures exactly in "
               f"REVERSE of the accuracy after epoch {e + 1} (a sign error): a better curve must get a higher score")
        if np.array_equal(rank, stats.rankdata(acc[:, e])):
            expect(e >= CURVE_EPOCHS, f"your scores rank the architectures exactly as the accuracy after epoch "
                   f"{e + 1} alone: that is the fewer-epochs proxy of section 2 ({e + 1} epoch{'s' * (e > 0)}); "
                   "invent something new that uses the shape of the curve")
            fail(f"your scores rank the architectures exactly as epoch {e + 1}, which the proxy never gets: it read "
                 f"beyond its input (only epochs 1-{CURVE_EPOCHS} may be used)")
    last = acc[:, CURVE_EPOCHS - 1]
    mine, base = rank_agreement(scores, true), rank_agreement(last, true)
    seconds = bench.cost(CURVE_EPOCHS).sum()
    return (f"✓ your judge matches scipy's Spearman ρ, the top-10 % sets and the total cost on {n_cases} inputs "
            f"(ties included)\n  your curve proxy on all {bench.size} architectures ({CURVE_EPOCHS} epochs seen, "
            f"{seconds:.0f} CPU s): ρ = {mine['rho']:.2f}, top-10 % overlap {mine['top_k']:.0%}; the last value "
            f"alone: ρ = {base['rho']:.2f}, {base['top_k']:.0%}; ρ(yours, last value) = "
            f"{stats.spearmanr(scores, last).statistic:.2f}\n"
            "  (a design exercise: the quality is reported, not graded)")
