"""Check for notebook 03's "build it" exercise: successive halving's rungs, written by the student.

`check_successive_halving(fn, bench)` calls the student's
`fn(lookup, candidates, eta, r_min, r_max) -> (rungs, cost)` with `lookup(candidate, epochs) ->
{"val_acc", "test_acc", "seconds"}` (a view of the benchmark `bench`) and compares the result with
naslab's own `SuccessiveHalving` (Jamieson & Talwalkar 2016; `naslab.proxies.halving`) run through
`run_search` on the same lookup and the same candidates: the same candidates at every rung and the same
total cost (Σ over every evaluation of its `seconds`).

No reference logic lives here. A wrong answer is named by running naslab's searcher on a *perturbed*
lookup and finding the one the student's output matches: the scores negated (kept the bottom), ranked by
"test_acc" (the truth a search must not see), every rung at r_min (no fidelity raise), every evaluation
charged at r_max (cost at the wrong fidelity), nothing or only one rung charged; a rung whose survivors
are a valid top-k of its scores but not naslab's broke ties the other way. The student's answer may not
call `naslab.proxies.halving` or `naslab.search` (`call_student(forbid=...)`).

Taught in: notebooks/03_proxy_evaluation.ipynb (§7, Exercise 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.proxies.halving import SuccessiveHalving, rung_schedule
from naslab.search import run_search

FORBID = ("naslab.proxies.halving", "naslab.search")
# (n, eta, r_min, r_max, draw seed, val_acc rounded to this step or None): the last ones tie on purpose
CASES = [(27, 3, 1, 9, 0, None), (20, 2, 1, 9, 1, None), (10, 3, 1, 9, 2, None), (81, 3, 1, 9, 3, None),
         (27, 3, 1, 9, 4, 0.05), (16, 2, 1, 8, 5, 0.1)]


def make_lookup(bench, step: float | None = None, *, score: str = "val_acc", fidelity: Callable | None = None,
                charge: Callable | None = None, sign: float = 1.0) -> Callable:
    """`lookup(candidate, epochs) -> {"val_acc", "test_acc", "seconds"}` on `bench` (seed 0 observed, the
    full-budget accuracy of seed 1 as "test_acc"); the keyword arguments perturb it to name a slip."""
    test = bench.accuracy(None, seed=1)  # (size,) what a retrain reaches: never a search signal

    def lookup(candidate, epochs):
        r = bench.lookup(candidate, epochs if fidelity is None else fidelity(epochs), seed=0)
        val = r["val_acc"] if step is None else round(r["val_acc"] / step) * step
        out = {"val_acc": val, "test_acc": float(test[bench.index(candidate)]), "seconds": r["seconds"]}
        if charge is not None:
            out["seconds"] = bench.lookup(candidate, charge(epochs), seed=0)["seconds"]
        out["val_acc"] = sign * out[score]
        return out

    return lookup


def naslab_run(lookup, cands, eta, r_min, r_max) -> tuple[list[list], float, list[float]]:
    """naslab's SuccessiveHalving on `lookup`: (candidates per rung, total seconds, seconds per rung)."""
    sh = SuccessiveHalving(list(cands), eta=eta, r_min=r_min, r_max=r_max)
    trials = run_search(sh, lookup, budget=10**6)
    per_rung = [0.0] * len(sh.history)
    for t in trials:
        per_rung[t.info["rung"]] += t.seconds
    return [[c for c, _ in rung] for rung in sh.history], float(sum(per_rung)), per_rung


def _same(rungs, want) -> bool:
    return len(rungs) == len(want) and all(sorted(map(str, a)) == sorted(map(str, b)) for a, b in zip(rungs, want))


def _output(out, call: str) -> tuple[list[list], float]:
    expect(isinstance(out, tuple) and len(out) == 2, f"{call} returned {describe(out)}: return the pair (rungs, cost) "
           "(wrong shape)")
    rungs, cost = out
    expect(isinstance(rungs, list) and all(isinstance(r, list) for r in rungs), f"{call}: rungs is {describe(rungs)}; "
           "return a list with one list per rung: the candidates evaluated at that rung (wrong shape)")
    number = isinstance(cost, (int, float, np.integer, np.floating)) and not isinstance(cost, bool)
    expect(number and np.ndim(cost) == 0,
           f"{call}: cost is {describe(cost)}; return one number, the total seconds charged (wrong shape)")
    return rungs, float(cost)


def _diagnose(bench, step, args, cands, rungs, cost, want_rungs, want_cost, per_rung, call) -> None:
    n, eta, r_min, r_max = args
    if len(rungs) != len(want_rungs):
        fail(f"{call}: {len(rungs)} rungs with {[len(r) for r in rungs]} candidates, successive halving runs "
             f"{len(want_rungs)} with {[len(r) for r in want_rungs]} (off by one rung?): stop after the rung whose "
             f"budget reaches r_max or whose floor(n_i / eta) is 0, and run that last rung")
    sizes, want_sizes = [len(r) for r in rungs], [len(r) for r in want_rungs]
    expect(sizes == want_sizes, f"{call}: rung sizes {sizes}, expected {want_sizes}: keep floor(n_i / eta) "
           "candidates of each rung (integer division)")
    expect(sorted(map(str, rungs[0])) == sorted(map(str, cands)), f"{call}: rung 0 must evaluate every candidate given")
    if not _same(rungs, want_rungs):
        named = [("you kept the WORST candidates of each rung: keep the top floor(n_i / eta), highest val_acc first",
                  make_lookup(bench, step, sign=-1.0), cands),
                 ("you ranked by 'test_acc': a search may only rank by the validation accuracy 'val_acc' (the test "
                  "accuracy is what you report at the end, never what you choose with)",
                  make_lookup(bench, step, score="test_acc"), cands),
                 ("every rung used r_min epochs: raise the fidelity, r_i = min(r_min * eta^i, r_max)",
                  make_lookup(bench, step, fidelity=lambda e: r_min), cands)]
        for msg, lookup, order in named:
            if _same(rungs, naslab_run(lookup, order, eta, r_min, r_max)[0]):
                fail(f"{call}: {msg}")
        lookup, budgets = make_lookup(bench, step), [r for _, r in rung_schedule(n, eta, r_min, r_max)]
        for i, (a, b) in enumerate(zip(rungs, want_rungs)):
            if sorted(map(str, a)) != sorted(map(str, b)):
                s = {str(c): lookup(c, budgets[i - 1])["val_acc"] for c in rungs[i - 1]}
                kept = {str(c) for c in a}
                if kept <= set(s) and min(s[c] for c in kept) >= max([v for c, v in s.items() if c not in kept],
                                                                       default=-math.inf):
                    fail(f"{call}: rung {i}: ties broken the other way: among equal val_acc the candidate listed "
                         "EARLIER in the rung wins, and the survivors go on best first (a stable sort by -val_acc; "
                         "np.argsort(scores)[::-1] puts the later one first)")
                fail(f"{call}: rung {i} holds {sorted(map(str, a))}, successive halving promotes "
                     f"{sorted(map(str, b))}: keep the top floor(n_i / eta) of rung {i - 1} by val_acc at its budget")
    if math.isclose(cost, want_cost, rel_tol=1e-9, abs_tol=1e-9):
        return
    expect(cost != 0, f"{call}: cost is 0: charge every evaluation its 'seconds' (it is training time)")
    if math.isclose(cost, per_rung[-1], rel_tol=1e-9) or any(math.isclose(cost, want_cost - p, rel_tol=1e-9)
                                                             for p in per_rung):
        fail(f"{call}: cost {cost:.4g} s, expected {want_cost:.4g} s: one rung was not charged; add the "
             "'seconds' of EVERY evaluation of every rung")
    for msg, e in ((f"r_max = {r_max}", lambda _: r_max), (f"r_min = {r_min}", lambda _: r_min)):
        charged = naslab_run(make_lookup(bench, step, charge=e), cands, eta, r_min, r_max)[1]
        if math.isclose(cost, charged, rel_tol=1e-9):
            fail(f"{call}: cost {cost:.4g} s, expected {want_cost:.4g} s: you charged every evaluation at {msg} "
                 "epochs; charge each one the 'seconds' lookup returns at the budget it was evaluated with")
    fail(f"{call}: cost {cost:.4g} s, expected {want_cost:.4g} s (seconds per rung {[round(p, 4) for p in per_rung]}): "
         "add up the 'seconds' of every evaluation")


@graded("Exercise 1 (successive halving's rungs)")
def check_successive_halving(fn, bench) -> str:
    """`fn(lookup, candidates, eta, r_min, r_max) -> (rungs, cost)` against naslab's SuccessiveHalving on `bench`."""
    from naslab.proxies.benchmark import Benchmark

    if not isinstance(bench, Benchmark):
        raise TypeError(f"check_successive_halving(fn, bench): bench must be the naslab Benchmark "
                        f"(Benchmark.load()), got {type(bench).__name__}")
    if not callable(fn):
        raise TypeError(f"check_successive_halving(fn, bench): fn must be your function, got {type(fn).__name__}")
    for n, eta, r_min, r_max, seed, step in CASES:
        cands = [bench.archs[i].key for i in np.random.default_rng(seed).choice(bench.size, n, replace=False)]
        lookup = make_lookup(bench, step)
        args = (n, eta, r_min, r_max)
        call = f"fn(lookup, {n} candidates, eta={eta}, r_min={r_min}, r_max={r_max})" + \
            (f" with val_acc rounded to {step} (ties)" if step else "")
        out = call_student(fn, lookup, list(cands), eta, r_min, r_max, what=call, forbid=FORBID)
        rungs, cost = _output(out, call)
        want_rungs, want_cost, per_rung = naslab_run(lookup, cands, eta, r_min, r_max)
        _diagnose(bench, step, args, cands, rungs, cost, want_rungs, want_cost, per_rung, call)
    return (f"✓ your successive halving promotes the same candidates and charges the same cost as naslab's "
            f"SuccessiveHalving on {len(CASES)} settings (ties included)")
