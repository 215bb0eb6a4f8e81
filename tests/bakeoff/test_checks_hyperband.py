"""Notebook 06, exercise 3: Hyperband's schedule (Li et al., JMLR 2018, Algorithm 1). The right schedule matches
the paper's Table 1 and naslab's Hyperband; each classic slip is rejected with a message naming it (asserted)."""

import math

import pytest

from naslab.bakeoff import checks_hyperband
from naslab.bakeoff.hyperband import Hyperband, hyperband_brackets, hyperband_schedule
from naslab.checking import CheckError

check = checks_hyperband.check_hyperband_schedule


def _s_max_int(R, eta):
    s = 0
    while eta ** (s + 1) <= R:
        s += 1
    return s


def schedule(*, s_max=_s_max_int, n_round=math.ceil, ni_round=math.floor, r_of=lambda R, eta, s: R * eta**-s,
             order=-1, last_s=0, rungs=lambda s, s_max: s + 1):
    """A Hyperband schedule with one step swappable for a classic slip."""
    def fn(R, eta):
        top = s_max(R, eta)
        out = []
        for s in range(top, last_s - 1, -1):
            n = n_round((top + 1) / (s + 1) * eta**s)
            r = r_of(R, eta, s)
            out.append([(ni_round(n * eta**-i), r * eta**i) for i in range(rungs(s, top))])
        return out if order == -1 else out[::-1]
    return fn


def test_the_right_schedule_passes():
    assert check(schedule()).startswith("✓ your schedule matches Li et al.'s Table 1")


def test_naslabs_schedule_is_the_papers_table_and_what_hyperband_runs():
    assert hyperband_schedule(81, 3) == [list(b) for b in checks_hyperband.PAPER_R81_ETA3]
    for R, eta in checks_hyperband.PAIRS:
        assert hyperband_schedule(R, eta) == [Hyperband(lambda g: (0,) * 6, R, eta=eta, brackets=[s]).sh.schedule
                                              for s, _, _ in hyperband_brackets(R, eta)]
        assert [len(b) for b in hyperband_schedule(R, eta)] == list(range(_s_max_int(R, eta) + 1, 0, -1))


WRONG = {
    "float log for s_max": (schedule(s_max=lambda R, eta: int(math.log(R, eta))),
                            r"R=243, eta=3: you made 5 brackets \(s_max = 4\) but eta\*\*5 = 243 <= R.*float log"),
    "n rounded down": (schedule(n_round=math.floor), r"R=81, eta=3, bracket s = 3: n = 33, expected 34: n is rounded "
                                                     r"\*up\*"),
    "brackets in the wrong order": (schedule(order=1), r"brackets are in the wrong order \(s = 0 first\)"),
    "r = R / eta**(s+1)": (schedule(r_of=lambda R, eta, s: R / eta ** (s + 1)),
                           r"bracket s = 4: every r_i is a factor eta = 3 too small.*not R / eta\*\*\(s\+1\)"),
    "rungs past R, r_i not capped": (schedule(rungs=lambda s, s_max: s_max + 1),
                                     r"bracket s = 3: your rungs .* go past R = 81 \(r_i not capped\)"),
    "n_i rounded instead of floored": (schedule(ni_round=round),
                                       r"bracket s = 3, rung i = 2: n_i = 4, expected 3: n_i = floor\(n \* eta"),
    "missing the s = 0 bracket": (schedule(last_s=1), r"R=81, eta=3: the s = 0 bracket is missing"),
    "one bracket too many": (schedule(s_max=lambda R, eta: _s_max_int(R, eta) + 1),
                             r"you returned 6 brackets; Hyperband has s_max \+ 1 = 5"),
    "not a schedule": (lambda R, eta: 5, r"you returned 5: return a list with one list of \(n_i, r_i\) pairs"),
    "calls naslab's Hyperband": (lambda R, eta: hyperband_schedule(R, eta),
                                 r"called naslab's naslab\.bakeoff\.hyperband\.hyperband_schedule: this exercise"),
    "calls naslab's brackets": (lambda R, eta: [[(n, r)] for _, n, r in hyperband_brackets(R, eta)],
                                r"called naslab's naslab\.bakeoff\.hyperband\.hyperband_brackets"),
}


@pytest.mark.parametrize("slip", list(WRONG))
def test_names_the_slip(slip):
    fn, fragment = WRONG[slip]
    with pytest.raises(CheckError, match=fragment):
        check(fn)


def test_the_float_log_slip_passes_the_papers_table():
    # the slip only shows where the float log is inexact: floor(log(81, 3)) is 4, floor(log(243, 3)) is 4, not 5
    assert int(math.log(81, 3)) == 4 and int(math.log(243, 3)) == 4
    with pytest.raises(CheckError, match="R=243"):
        check(schedule(s_max=lambda R, eta: int(math.log(R, eta))))


def test_the_students_own_error_and_a_stub():
    def buggy(R, eta):
        raise ZeroDivisionError("my bug")

    with pytest.raises(CheckError, match="your function .*buggy raised ZeroDivisionError: my bug on input R=81, eta=3"):
        check(buggy)

    def stub(R, eta):
        raise NotImplementedError("Exercise 3: Hyperband's schedule")

    verdict = check(stub)
    assert "not implemented yet" in verdict and not verdict.passed


def test_a_wrong_argument_type_is_its_own_type_error():
    with pytest.raises(TypeError, match=r"fn must be a function my_hyperband\(R, eta\), got str"):
        check("my_hyperband")
