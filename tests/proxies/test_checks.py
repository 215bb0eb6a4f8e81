"""Notebook 03's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message naming the mistake (the message text is asserted). Exercise 3 (the curve proxy
and its judge) is in test_checks_curve.py."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from naslab.checking import CheckError
from naslab.proxies.checks import check_kendall_tau, check_sh_budget
from naslab.proxies.halving import SuccessiveHalving, rung_schedule
from naslab.proxies.ranking import kendall_tau


def reject(check, answer, fragment, *args):
    with pytest.raises(CheckError, match=fragment):
        check(answer, *args)


# ---- exercise 2: Kendall's tau -------------------------------------------------------------------------------


def pairs_tau(a, b):
    n = len(a)
    s = sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j]) for i, j in itertools.combinations(range(n), 2))
    return s / (n * (n - 1) / 2)


def concordant_only(a, b):
    n = len(a)
    c = sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j]) > 0 for i, j in itertools.combinations(range(n), 2))
    return c / math.comb(n, 2)


def own_error(a, b):
    raise ValueError("ties are not handled")


TAU_WRONG = {
    "off by one: n(n+1)/2 pairs": (lambda a, b: pairs_tau(a, b) * (len(a) - 1) / (len(a) + 1), "off by one"),
    "sign error": (lambda a, b: -pairs_tau(a, b), "sign error"),
    "constant": (lambda a, b: 0.5, "same value 0.5 for every input \\(a constant\\)"),
    "wrong shape: scipy's pair": (lambda a, b: (pairs_tau(a, b), 0.05), "p-value.*wrong shape"),
    "wrong shape: an array": (lambda a, b: np.full(2, pairs_tau(a, b)), "one number \\(wrong shape\\)"),
    "classic: forgets D": (concordant_only, "subtract the discordant pairs"),
    "classic: Spearman": (lambda a, b: 1 - 6 * ((np.argsort(np.argsort(a)) - np.argsort(np.argsort(b))) ** 2).sum()
                          / (len(a) * (len(a) ** 2 - 1)), "that is Spearman's ρ"),
    "scipy's Spearman": (lambda a, b: stats.spearmanr(a, b).statistic, "called scipy's spearmanr: that is Spearman"),
    "each pair twice": (lambda a, b: pairs_tau(a, b) / 2, "each pair counted once"),
    "calls naslab's kendall_tau": (lambda a, b: kendall_tau(a, b), "called naslab's naslab.proxies.ranking"),
    "calls scipy's kendalltau": (lambda a, b: float(stats.kendalltau(a, b).statistic),
                                 "called scipy's kendalltau: this exercise asks you to count"),
    "own ValueError": (own_error, "raised ValueError: ties are not handled on input a=\\[0.0"),
}


def test_kendall_tau_accepts_the_right_answer():
    assert check_kendall_tau(pairs_tau).passed


@pytest.mark.parametrize("name", TAU_WRONG)
def test_kendall_tau_names_the_mistake(name):
    reject(check_kendall_tau, *TAU_WRONG[name])


# ---- exercise 4: the successive-halving budget ---------------------------------------------------------------


def sh_budget(n, eta, r_min, r_max):
    total, i = 0, 0
    while True:
        n_i, r_i = n // eta**i, min(r_min * eta**i, r_max)
        total += n_i * r_i
        if n_i // eta < 1 or r_i >= r_max:
            return total
        i += 1


def no_cap(n, eta, r_min, r_max):  # the classic slip: r_i = r_min eta^i, never capped at r_max
    total, i = 0, 0
    while True:
        n_i, r_i = n // eta**i, r_min * eta**i
        total += n_i * r_i
        if n_i // eta < 1 or r_i >= r_max:
            return total
        i += 1


def one_rung_short(n, eta, r_min, r_max):
    total, i = 0, 0
    while True:
        n_i, r_i = n // eta**i, min(r_min * eta**i, r_max)
        if n_i // eta < 1 or r_i >= r_max:
            return total  # the last rung is never added
        total += n_i * r_i
        i += 1


def float_division(n, eta, r_min, r_max):
    total, i = 0, 0
    while True:
        n_i, r_i = n / eta**i, min(r_min * eta**i, r_max)
        total += n_i * r_i
        if n_i / eta < 1 or r_i >= r_max:
            return total
        i += 1


SH_WRONG = {
    "classic: r_i not capped at r_max": (no_cap, "capped at r_max"),
    "off by one: last rung left out": (one_rung_short, "left out the last rung .* \\(off by one\\)"),
    "sign error": (lambda *a: -sh_budget(*a), "sign error"),
    "constant": (lambda *a: 243, "same value 243 for every input \\(a constant\\)"),
    "wrong shape: the rungs": (lambda n, eta, r_min, r_max: [(n, r_min)], "not the rungs \\(wrong shape\\)"),
    "calls naslab's rung_schedule": (lambda *a: sum(n * r for n, r in rung_schedule(*a)),
                                     "called naslab's naslab.proxies.halving.rung_schedule"),
    "calls naslab's total_budget": (lambda n, *a: SuccessiveHalving(range(n), eta=a[0], r_min=a[1], r_max=a[2])
                                    .total_budget(), "called naslab's naslab.proxies.halving"),
    "float division": (float_division, "floor\\(n / eta\\^i\\)"),
    "everyone fully trained": (lambda n, eta, r_min, r_max: n * r_max, "expected"),
    "own error": (lambda n, eta, r_min, r_max: n // (eta - 3), "raised ZeroDivisionError: .* on input"),
}


def test_sh_budget_accepts_the_right_answer_and_reaches_the_cap():
    assert check_sh_budget(sh_budget).passed
    assert rung_schedule(81, 3, 1, 10)[-1] == (3, 10)  # a rung stopped by the cap, not by running out


@pytest.mark.parametrize("name", SH_WRONG)
def test_sh_budget_names_the_mistake(name):
    reject(check_sh_budget, *SH_WRONG[name])
