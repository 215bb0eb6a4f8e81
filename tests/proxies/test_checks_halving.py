"""Notebook 03's "build it" exercise: successive halving's rungs. The right answer passes; each typical wrong
answer is rejected with a message naming the slip (the message text is the oracle); an answer that calls
naslab's own SuccessiveHalving is refused; a wrong argument type is the check's own TypeError."""

import numpy as np
import pytest

from naslab.checking import CheckError
from naslab.proxies.benchmark import Benchmark
from naslab.proxies.checks_halving import check_successive_halving
from naslab.proxies.halving import SuccessiveHalving
from naslab.search import run_search


@pytest.fixture(scope="module")
def bench():
    return Benchmark.load()


def halving(*, keep="top", score="val_acc", raise_fidelity=True, charge="own", extra_rung=0, ties="earlier",
            order="best first", floor=True):
    """One successive-halving answer; each keyword plants one slip."""

    def fn(lookup, candidates, eta, r_min, r_max):
        alive, rungs, cost, r, extra = list(candidates), [], 0.0, r_min, extra_rung
        while True:
            r = min(r, r_max)
            scores = []
            for c in alive:
                out = lookup(c, r if raise_fidelity else r_min)
                scores.append(out[score])
                if charge == "own":
                    cost += out["seconds"]
                elif charge == "r_max":
                    cost += lookup(c, r_max)["seconds"]
            if charge == "last":
                cost = sum(lookup(c, r)["seconds"] for c in alive)
            rungs.append(list(alive))
            k = len(alive) // eta if floor else int(np.ceil(len(alive) / eta))
            stop = k < 1 or r >= r_max
            if stop and extra <= 0:
                return (rungs[:len(rungs) + extra] if extra < 0 else rungs), (cost if charge != "none" else 0.0)
            if stop:
                extra -= 1
                k = max(k, 1)
            s = np.asarray(scores, float)
            if ties == "earlier":
                idx = sorted(range(len(alive)), key=lambda j: (-s[j], j))
            else:
                idx = list(np.argsort(s, kind="stable")[::-1])
            idx = idx[:k] if keep == "top" else idx[::-1][:k]
            if order != "best first":
                idx = sorted(idx)
            alive = [alive[j] for j in idx]
            r *= eta

    return fn


def calls_naslab(lookup, candidates, eta, r_min, r_max):
    sh = SuccessiveHalving(list(candidates), eta=eta, r_min=r_min, r_max=r_max)
    trials = run_search(sh, lookup, budget=10**6)
    return [[c for c, _ in rung] for rung in sh.history], float(sum(t.seconds for t in trials))


WRONG = {
    "keeps the bottom": (halving(keep="bottom"), "you kept the WORST candidates"),
    "ranks by test": (halving(score="test_acc"), "you ranked by 'test_acc'"),
    "no fidelity raise": (halving(raise_fidelity=False), "every rung used r_min epochs: raise the fidelity"),
    "ties broken the other way": (halving(ties="later"), "ties broken the other way"),
    "one rung too few": (halving(extra_rung=-1), "off by one rung"),
    "one rung too many": (halving(extra_rung=1), "off by one rung"),
    "ceil instead of floor": (halving(floor=False), "floor\\(n_i / eta\\)"),
    "cost not charged": (halving(charge="none"), "cost is 0: charge every evaluation"),
    "only the last rung charged": (halving(charge="last"), "one rung was not charged"),
    "charged at r_max": (halving(charge="r_max"), "you charged every evaluation at r_max"),
    "calls naslab's SuccessiveHalving": (calls_naslab, "called naslab's naslab.proxies.halving"),
    "returns only the rungs": (lambda *a: halving()(*a)[0], "return the pair \\(rungs, cost\\)"),
    "cost as a list": (lambda *a: (halving()(*a)[0], [1.0]), "return one number, the total seconds"),
}


def test_the_right_answer_passes(bench):
    v = check_successive_halving(halving(), bench)
    assert v.passed and v.startswith("✓") and "ties included" in v


def test_survivors_in_any_order_pass_when_nothing_ties(bench):
    # the order inside a rung only decides ties; the tie cases then need best first, so this one fails there
    with pytest.raises(CheckError, match="ties|rung"):
        check_successive_halving(halving(order="as given"), bench)


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_named(bench, name):
    fn, says = WRONG[name]
    with pytest.raises(CheckError, match=says):
        check_successive_halving(fn, bench)


def test_a_stub_is_not_implemented_yet(bench):
    def stub(lookup, candidates, eta, r_min, r_max):
        raise NotImplementedError("Exercise 1")

    v = check_successive_halving(stub, bench)
    assert not v.passed and "not implemented yet" in v


def test_wrong_argument_types_are_the_checks_own_type_error(bench):
    with pytest.raises(TypeError, match="bench must be the naslab Benchmark"):
        check_successive_halving(halving(), {"archs": []})
    with pytest.raises(TypeError, match="fn must be your function, got int"):
        check_successive_halving(3, bench)


def test_the_other_03_checks_raise_their_own_type_error():
    from naslab.proxies.checks import check_kendall_tau, check_sh_budget

    for check in (check_kendall_tau, check_sh_budget):
        with pytest.raises(TypeError, match=f"{check.__name__}\\(fn\\): fn must be your function, got float 0.5"):
            check(0.5)
