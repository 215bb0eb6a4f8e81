"""Notebook 03, Exercise 3: a proxy from the first epochs of the learning curve, and the judge that scores it.
The right judge (average ranks written here) matches scipy's Spearman ρ and naslab's top-k overlap; each
wrong judge and each wrong proxy is rejected with a message naming the slip (the text is asserted)."""

import time

import numpy as np
import pytest
from scipy import stats

from naslab.checking import CheckError
from naslab.proxies.benchmark import Benchmark
from naslab.proxies.checks import check_curve_proxy
from naslab.proxies.checks_curve import CURVE_EPOCHS, judge_cases
from naslab.proxies.ranking import spearman_rho, top_k_overlap
from naslab.proxies.study import truth


@pytest.fixture(scope="module")
def bench():
    return Benchmark.load()


def average_ranks(x):
    x = np.asarray(x, dtype=float)
    r = np.empty(len(x))
    r[np.argsort(x)] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        r[x == v] = r[x == v].mean()
    return r


def top(x, k):
    return set(np.argsort(-np.asarray(x, dtype=float))[:k].tolist())


def judge(scores, truth, seconds):
    k = max(1, len(scores) // 10)
    return {"rho": float(np.corrcoef(average_ranks(scores), average_ranks(truth))[0, 1]),
            "top_overlap": len(top(scores, k) & top(truth, k)) / k, "cost": float(np.sum(seconds))}


def proxy(curve):
    return float(curve[-1] + 0.5 * (curve[-1] - curve[0]) / (len(curve) - 1))


def judge_with(**slips):
    """The right judge with some entries replaced by a slip(scores, truth, seconds)."""
    def wrong(s, t, c):
        return {**judge(s, t, c), **{key: f(s, t, c) for key, f in slips.items()}}

    return wrong


def ordinal(x):  # distinct ranks: ties broken by position, not averaged
    r = np.empty(len(x))
    r[np.argsort(x, kind="stable")] = np.arange(1, len(x) + 1)
    return r


def k_of(s):
    return max(1, len(s) // 10)


# ---- the right answer, and what the check reports ------------------------------------------------------------


def test_the_right_answer_passes_and_reports_rho_against_naslabs(bench):
    t0 = time.process_time()
    v = check_curve_proxy(proxy, judge, bench)
    assert time.process_time() - t0 < 2.0  # class mode: the check must stay cheap
    first = bench.arrays["val_acc"][:, 0, :CURVE_EPOCHS]
    mine = np.array([proxy(c) for c in first])
    assert v.passed and "your judge matches scipy's Spearman ρ" in v and "6 inputs (ties included)" in v
    assert f"ρ = {spearman_rho(mine, truth(bench)):.2f}, top-10 % overlap" in v
    assert f"the last value alone: ρ = {spearman_rho(first[:, -1], truth(bench)):.2f}" in v
    assert f"top-10 % overlap {top_k_overlap(mine, truth(bench), 12):.0%}" in v
    assert "reported, not graded" in v


def test_the_judge_cases_hold_ties_but_no_tie_across_a_top_k_border():
    cases = judge_cases()
    tied = [len(np.unique(s)) < len(s) or len(np.unique(t)) < len(t) for s, t, _ in cases]
    assert tied.count(False) >= 2 and tied.count(True) >= 3
    for s, t, _ in cases:
        for x in (s, t):
            srt = np.sort(x)[::-1]
            assert srt[k_of(x) - 1] > srt[k_of(x)]
    for s, t, c in cases:  # the right judge written here against the oracles, case by case
        got = judge(s, t, c)
        assert got["rho"] == pytest.approx(stats.spearmanr(s, t).statistic, abs=1e-12)
        assert got["top_overlap"] == top_k_overlap(s, t, k_of(s)) and got["cost"] == pytest.approx(c.sum())


def test_the_proxy_gets_a_fresh_read_only_prefix(bench):
    seen = []

    def spy(curve):
        seen.append((len(curve), curve.flags.writeable, np.shares_memory(curve, bench.arrays["val_acc"])))
        return proxy(curve)

    check_curve_proxy(spy, judge, bench)
    assert len(seen) == bench.size and set(seen) == {(CURVE_EPOCHS, False, False)}


# ---- wrong judges ------------------------------------------------------------------------------------------------

WRONG_JUDGES = {
    "Pearson instead of Spearman": (judge_with(rho=lambda s, t, c: np.corrcoef(s, t)[0, 1]),
                                    "Pearson's r of the raw scores: Spearman's ρ is Pearson's r of their RANKS"),
    "ranks without tie-averaging": (judge_with(rho=lambda s, t, c: np.corrcoef(ordinal(s), ordinal(t))[0, 1]),
                                    "right without ties but wrong with them: tied values must share the AVERAGE"),
    "the d² shortcut with ties": (judge_with(rho=lambda s, t, c: 1 - 6 * np.sum((average_ranks(s) - average_ranks(t))
                                                                                ** 2) / (len(s) * (len(s) ** 2 - 1))),
                                  "that shortcut holds only without ties"),
    "sign error: ranks in opposite directions": (judge_with(rho=lambda s, t, c: np.corrcoef(average_ranks(s),
                                                                                           average_ranks(-t))[0, 1]),
                                                 "wrong sign"),
    "top-k of the lowest scores": (judge_with(top_overlap=lambda s, t, c: len(top(-s, k_of(s)) & top(t, k_of(s)))
                                              / k_of(s)), "your top-k sets hold the LOWEST scores"),
    "top-k of the lowest in both": (judge_with(top_overlap=lambda s, t, c: len(top(-s, k_of(s)) & top(-t, k_of(s)))
                                               / k_of(s)), "your top-k sets hold the LOWEST scores"),
    "top overlap as a count": (judge_with(top_overlap=lambda s, t, c: len(top(s, k_of(s)) & top(t, k_of(s)))),
                               "counts the shared architectures: divide by k"),
    "top-k of a fixed 10": (judge_with(top_overlap=lambda s, t, c: len(top(s, 10) & top(t, 10)) / 10),
                            "k = n // 10"),
    "cost as a mean": (judge_with(cost=lambda s, t, c: float(np.mean(c))), "your cost is the MEAN seconds"),
    "wrong shape: a list": (lambda s, t, c: [0.5, 0.5, 1.0], "return a dict with the keys \\['rho', 'top_overlap'"),
    "wrong shape: rho as a matrix": (judge_with(rho=lambda s, t, c: np.corrcoef(average_ranks(s), average_ranks(t))),
                                     "your judge's 'rho' is ndarray of shape \\(2, 2\\).*one number \\(wrong shape\\)"),
    "calls naslab's spearman_rho": (judge_with(rho=lambda s, t, c: spearman_rho(s, t)),
                                    "your judge called naslab.proxies.ranking.spearman_rho: compute the ranks"),
    "calls scipy's spearmanr": (judge_with(rho=lambda s, t, c: stats.spearmanr(s, t).statistic),
                                "your judge called scipy.stats._stats_py.spearmanr"),
    "calls scipy's rankdata": (judge_with(rho=lambda s, t, c: np.corrcoef(stats.rankdata(s), stats.rankdata(t))[0, 1]),
                               "your judge called scipy.stats._stats_py.rankdata"),
    "its own error": (judge_with(rho=lambda s, t, c: s["rho"]), "your function .* raised IndexError"),
}


@pytest.mark.parametrize("name", WRONG_JUDGES)
def test_a_wrong_judge_is_named(bench, name):
    fn, says = WRONG_JUDGES[name]
    with pytest.raises(CheckError, match=says):
        check_curve_proxy(proxy, fn, bench)


# ---- wrong proxies -----------------------------------------------------------------------------------------------


def wrong_proxies(bench):
    acc = bench.arrays["val_acc"][:, 0]

    def leak(curve):  # finds its architecture by the prefix, then reads epoch 9
        return float(acc[np.argmin(np.abs(acc[:, :CURVE_EPOCHS] - curve).sum(1)), -1])

    return {
        "constant": (lambda c: 0.5, "gives every architecture 0.5 \\(a constant\\)"),
        "the last value": (lambda c: float(c[-1]), "exactly as the accuracy after epoch 3 alone: that is the "
                           "fewer-epochs proxy of section 2 \\(3 epochs\\); invent something new"),
        "the last value, transformed": (lambda c: float(np.log(c[-1]) + 0.0 * c[0]), "after epoch 3 alone"),
        "the first value": (lambda c: float(c[0]), "after epoch 1 alone: that is the fewer-epochs proxy"),
        "reads past its input": (lambda c: float(c[-1] + c[CURVE_EPOCHS]), "read past the end of its input on curve "
                                 "= \\[.*\\] \\(architecture 0, epochs 1-3\\): it gets only the first 3 epochs"),
        "looks up the benchmark": (lambda c: bench.lookup(0, 9)["val_acc"] + float(c[-1]),
                                   "looked into the benchmark \\(naslab.proxies.benchmark.lookup\\)"),
        "reads a later epoch from the table": (leak, "exactly as epoch 9, which the proxy never gets: it read beyond"),
        "the truth": (lambda c: float(truth(bench)[np.argmin(np.abs(acc[:, :CURVE_EPOCHS] - c).sum(1))]),
                      "looked into the benchmark \\(naslab.proxies.study.truth\\)"),
        "sign error": (lambda c: -2.0 * float(c[-1]), "REVERSE of the accuracy after epoch"),
        "not one float: an array": (lambda c: c[1:] - c[:-1], "returned ndarray of shape \\(2,\\).*one float"),
        "not one float: None": (lambda c: None, "returned None .*did you forget `return`"),
        "not one float: an int": (lambda c: int(np.argmax(c)), "returned the int 2 .*return a float"),
        "not one float: a string": (lambda c: f"{c[-1]:.3f}", "returned '0.461' .*return one float"),
        "not finite": (lambda c: float("nan") if c[-1] < c[-2] else float(c[-1]), "returned nan on .*a finite number"),
        "changes its input": (lambda c: c.sort(), "changed its input curve .*compute on a copy"),
    }


NAMES = ["constant", "the last value", "the last value, transformed", "the first value", "reads past its input",
         "looks up the benchmark", "reads a later epoch from the table", "the truth", "sign error",
         "not one float: an array", "not one float: None", "not one float: an int", "not one float: a string",
         "not finite", "changes its input"]


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_proxy_is_named(bench, name):
    fn, says = wrong_proxies(bench)[name]
    with pytest.raises(CheckError, match=says):
        check_curve_proxy(fn, judge, bench)


def test_the_wrong_proxy_table_is_complete(bench):
    assert sorted(wrong_proxies(bench)) == sorted(NAMES)


def test_other_extrapolations_pass_whatever_their_rho(bench):
    fits = [lambda c: float(np.mean(c)), lambda c: float(np.polyval(np.polyfit(np.log([1, 2, 3]), c, 1), np.log(9)))]
    for fn in fits:
        assert check_curve_proxy(fn, judge, bench).passed


# ---- stubs and argument types --------------------------------------------------------------------------------------


def stub(*args):
    raise NotImplementedError("Exercise 3: my_judge")


def test_a_stub_is_not_implemented_yet(bench):
    for answer in ((proxy, stub), (stub, judge), (None, None)):
        v = check_curve_proxy(*answer, bench)
        assert not v.passed and "Exercise 3 (a curve proxy and its judge): not implemented yet" in v


def test_wrong_argument_types_are_the_checks_own_type_error(bench):
    with pytest.raises(TypeError, match="bench must be the naslab Benchmark \\(Benchmark.load\\(\\)\\), got dict"):
        check_curve_proxy(proxy, judge, {"val_acc": []})
    with pytest.raises(TypeError, match="judge must be your function, got dict"):
        check_curve_proxy(proxy, {"rho": 0.5}, bench)
    with pytest.raises(TypeError, match="proxy must be your function, got float 0.5"):
        check_curve_proxy(0.5, judge, bench)
