"""Checks for the exercises of notebook 03 (proxy evaluation); contract in `naslab.checking`.

* `check_successive_halving(fn, bench)` (Exercise 1, in `naslab.proxies.checks_halving`): the student's
  rungs of successive halving against naslab's `SuccessiveHalving` on the same lookup.
* `check_kendall_tau(fn)`: a hand-written Kendall tau matches scipy's tau-b (no ties); calling naslab's
  or scipy's τ is refused.
* `check_new_proxy(result, bench, data)`: a student's proxy, graded on what the check recomputes: it
  re-runs the `Proxy` in `result["proxy"]` on a sample of the architectures (the reported scores and
  seconds must match the re-run), recomputes τ against the truth, and asks for a proxy that is
  cheaper than full training by construction (fewer epochs or steps, less data, a smaller model).
* `check_sh_budget(fn)`: a successive-halving budget count Σ n_i r_i matches `rung_schedule`,
  including settings where r_i reaches the cap r_max; calling `naslab.proxies.halving` is refused.

Taught in: notebooks/03_proxy_evaluation.ipynb (§ Exercises).
"""

from __future__ import annotations

import numpy as np

from naslab.checking import CheckError, call_student, describe, expect, fail, graded, slip
from naslab.config import budget
from naslab.proxies.checks_halving import check_successive_halving
from naslab.proxies.halving import rung_schedule
from naslab.proxies.proxy import Proxy, run_proxy
from naslab.proxies.ranking import kendall_tau, spearman_rho
from naslab.proxies.study import truth

__all__ = ["check_kendall_tau", "check_new_proxy", "check_sh_budget", "check_successive_halving"]


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


def _cheaper(proxy: Proxy, full_epochs: int) -> list[str]:
    """The knobs that make `proxy` cheaper than full training (empty: it is not cheaper)."""
    cuts = []
    if proxy.epochs < full_epochs:
        cuts.append(f"{proxy.epochs} of {full_epochs} epochs")
    if proxy.max_steps is not None:
        cuts.append(f"at most {proxy.max_steps} steps")
    if proxy.data_fraction < 1:
        cuts.append(f"{proxy.data_fraction:.2g} of the data")
    if proxy.width < 1:
        cuts.append(f"width x{proxy.width:g}")
    if proxy.depth is not None:
        cuts.append(f"the first {proxy.depth} layers")
    more = proxy.epochs > full_epochs or proxy.width > 1 or proxy.repeats > 1
    return [] if more else cuts


@graded("Exercise 3 (a new proxy)")
def check_new_proxy(result: dict, bench, data=None, *, n_rerun: int | None = None) -> str:
    """Check the new-proxy exercise: `result` = {"proxy", "index", "scores", "seconds", "tau"} of your proxy.

    Nothing self-reported is trusted: `n_rerun` architectures (2 in FAST mode, 3 in class mode, drawn by
    the check) are re-trained with `result["proxy"]` on `data` (default: the benchmark's dataset) and
    must give the reported scores and at least about the reported seconds; τ is recomputed.
    """
    if not isinstance(result, dict):
        raise TypeError(f"check_new_proxy(result, bench): result must be the dict of your proxy's run, got "
                        f"{type(result).__name__} {describe(result)}")
    for key in ("proxy", "index", "scores", "seconds", "tau"):
        expect(key in result, f"result needs a {key!r} entry (got {sorted(result)})"
               + ("; put your Proxy in it so the check can re-run it" if key == "proxy" else ""))
    proxy = result["proxy"]
    expect(isinstance(proxy, Proxy), f"result['proxy'] should be your naslab Proxy, got {describe(proxy)}")
    idx = np.asarray(result["index"]).ravel()
    scores, seconds = np.asarray(result["scores"], float), np.asarray(result["seconds"], float)
    expect(scores.shape == idx.shape and seconds.shape == idx.shape, f"one score and one seconds entry per index: "
           f"index {idx.shape}, scores {scores.shape}, seconds {seconds.shape} (wrong shape)")
    expect(len(idx) >= 5, f"score at least 5 architectures, got {len(idx)}")
    expect(np.issubdtype(idx.dtype, np.integer) and idx.min() >= 0 and idx.max() < bench.size,
           f"index must hold benchmark positions in 0..{bench.size - 1}, got {idx.tolist()}")
    dup = sorted({int(i) for i in idx if (idx == i).sum() > 1})
    expect(not dup, f"index lists architectures {dup} more than once")
    cuts = _cheaper(proxy, bench.config.epochs)
    expect(cuts, f"{proxy} is not cheaper than full training ({bench.config.epochs} epochs, all the data, the "
           "model as searched): cut epochs, data or model size, and add no width or repeats")
    expect(np.all(np.isfinite(scores)), f"your scores contain NaN: {scores.tolist()}")
    expect(np.ptp(scores) > 0, f"all your scores equal {scores[0]:.4g} (a constant): Kendall's τ is undefined (nan) "
           "when a proxy cannot tell the architectures apart; train longer or on more data")
    from naslab.data import load_dataset  # the check re-runs the proxy on real data

    data = data if data is not None else load_dataset(bench.config.dataset)
    n_rerun = n_rerun or budget(full=3, fast=2)
    pick = np.random.default_rng(int(idx.sum()) + len(idx)).choice(len(idx), size=min(n_rerun, len(idx)),
                                                                    replace=False)
    for j in sorted(pick.tolist()):
        out = call_student(run_proxy, bench.space, bench.archs[int(idx[j])], proxy, data,
                           seed=int(result.get("seed", 0)), name=f"run_proxy with your Proxy {proxy.name!r}",
                           what=f"architecture {int(idx[j])} of the benchmark")
        expect(abs(out["val_acc"] - scores[j]) <= 0.02, f"architecture {int(idx[j])} (scores[{j}]): you report "
               f"{scores[j]:.3f}, re-running your proxy gives {out['val_acc']:.3f}. Report the proxy's own "
               "validation accuracy, one score per index in the same order (the truth is not a proxy)")
        expect(seconds[j] >= 0.2 * out["cpu_seconds"], f"architecture {int(idx[j])}: you report {seconds[j]:.3g} s, "
               f"re-running your proxy took {out['cpu_seconds']:.3g} CPU s: report the measured seconds")
    want = kendall_tau(scores, truth(bench, idx))
    tau = _number(result["tau"], "result['tau']")
    if not np.isclose(tau, want, atol=1e-9):
        if np.isclose(tau, -want, atol=1e-9):
            fail(f"tau = {tau:.3f} has the wrong sign: your scores against truth(bench, index) give {want:.3f}")
        if np.isclose(tau, spearman_rho(scores, truth(bench, idx)), atol=1e-9):
            fail(f"tau = {tau:.3f} is Spearman's ρ; Kendall's τ of your scores is {want:.3f}")
        fail(f"tau = {tau:.3f}, but your scores against truth(bench, index) give {want:.3f}")
    return (f"✓ your proxy ({', '.join(cuts)}): τ = {want:.2f} on {len(idx)} architectures; "
            f"{len(pick)} re-run by the check agree")


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
