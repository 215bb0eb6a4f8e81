"""naslab.checking: the one contract of every exercise check (right -> a Verdict, wrong -> CheckError naming
the mistake, the student's exception reported as theirs, a stub -> "not implemented yet" and no traceback)."""

import pytest

from naslab.bakeoff.checks import check_iqm, check_mutation
from naslab.bakeoff.checks_hyperband import check_hyperband_schedule
from naslab.checking import CheckError, Verdict, call_student, graded, slip
from naslab.controller.check_sample import check_sample_child
from naslab.controller.check_update import check_reinforce_update
from naslab.controller.checks import check_reward_shaping, check_token_extension
from naslab.darts.checks import check_derivation, check_hvp, check_new_op, check_op, check_search_with_op
from naslab.darts.step_checks import check_darts_step, check_mixed_op
from naslab.darts.unrolled_check import check_unrolled_grad
from naslab.grid_vs_random.checks import check_grid, check_momentum_space, check_searcher, check_trials_needed
from naslab.hardware.checks import check_front_ranks, check_hypervolume, check_lut_latency
from naslab.net2net.checks import check_identity_kernel, check_widen_conv_linear, check_widen_linear
from naslab.net2net.checks_bn import check_widen_bn
from naslab.proxies.checks import check_curve_proxy, check_kendall_tau, check_sh_budget
from naslab.signals.checks import check_acquisition, check_gradsign
from naslab.welcome.checks import check_cnn, check_cnn_builder, check_n_params
from naslab.welcome.loop_checks import check_train_one_epoch

FUNCTION_CHECKS = [check_n_params, check_cnn_builder, check_train_one_epoch, check_trials_needed, check_grid,
                   check_reward_shaping, check_sample_child, check_reinforce_update, check_kendall_tau, check_sh_budget,
                   check_widen_linear, check_widen_conv_linear, check_identity_kernel, check_widen_bn, check_derivation,
                   check_hvp, check_mixed_op, check_darts_step, check_unrolled_grad, check_mutation, check_iqm,
                   check_gradsign, check_acquisition, check_front_ranks, check_hypervolume, check_lut_latency,
                   check_hyperband_schedule]
ALL_CHECKS = [check_cnn, check_momentum_space, check_searcher, check_token_extension, check_curve_proxy, check_op,
              check_new_op, check_search_with_op, *FUNCTION_CHECKS]


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise N: replace this stub")


@pytest.mark.parametrize("check", FUNCTION_CHECKS, ids=lambda c: c.__name__)
def test_a_stub_function_is_not_implemented_yet_not_a_traceback(check):
    v = check(stub)
    assert isinstance(v, Verdict) and not v.passed
    assert "not implemented yet (Exercise N: replace this stub)" in v and repr(v) == str(v)


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_every_check_says_not_implemented_for_a_missing_answer(check):
    args = {check_cnn: (None, None, None, None), check_curve_proxy: (None, None, None),
            check_search_with_op: (None, "x")}.get(check, (None,))
    v = check(*args)
    assert not v.passed and "not implemented yet" in v


def test_call_student_reports_the_students_own_exception_with_its_input():
    def mine(x):
        raise ValueError(f"bad x {x}")

    with pytest.raises(CheckError, match=r"your function .*mine raised ValueError: bad x 3 on input x=3"):
        call_student(mine, 3, what="x=3")
    with pytest.raises(CheckError, match=r"raised ZeroDivisionError: division by zero on input 1, 0"):
        call_student(lambda a, b: a / b, 1, 0)
    assert call_student(lambda a: a + 1, 1) == 2


def test_exercise_turns_a_message_into_a_passing_verdict_and_lets_errors_through():
    @graded("Exercise 9")
    def check_x(fn):
        if call_student(fn, 1) != 2:
            raise CheckError("off by one")
        return "fine"

    v = check_x(lambda a: a + 1)
    assert v.passed and v == "✓ fine" and repr(v) == "✓ fine"
    with pytest.raises(CheckError, match="off by one"):
        check_x(lambda a: a)
    assert "Exercise 9: not implemented yet" in check_x(...)
    assert issubclass(CheckError, AssertionError)  # `pytest.raises(AssertionError)` and notebooks keep working


@pytest.mark.parametrize("got, want, words", [
    ([1, 2, 3], [1, 2, 3], None),
    ([-1, -2, -3], [1, 2, 3], "sign error"),
    ([5, 5, 5], [1, 2, 3], "a constant"),
    ([2, 3, 4], [1, 2, 3], "off by one"),
    ([2, 4, 6], [1, 2, 3], "2 times"),
    ([1, 2], [1, 2, 3], "wrong shape"),
    ([1, 7, 3], [1, 2, 3], ""),
])
def test_slip_names_how_two_answers_differ(got, want, words):
    how = slip(got, want)
    assert how == words if words in (None, "") else words in how


def test_forbid_rejects_an_answer_that_calls_naslabs_own_version_however_imported():
    import sys

    import numpy as np

    from naslab.bakeoff import stats
    from naslab.bakeoff.stats import iqm

    def via_module(x):
        return stats.iqm(x)

    def via_name(x):
        return iqm(x)

    def own(x):
        x = np.sort(np.asarray(x, float))
        n = len(x)
        return float(x[n // 4: n - n // 4].mean())

    before = sys.getprofile()
    for answer in (via_module, via_name):
        with pytest.raises(CheckError, match=r"called naslab's naslab\.bakeoff\.stats\.iqm: this exercise asks you "
                                             r"to write that step yourself"):
            call_student(answer, np.arange(8.0), forbid=("naslab.bakeoff.stats",))
        assert sys.getprofile() is before
    assert call_student(own, np.arange(8.0), forbid=("naslab.bakeoff.stats",)) == pytest.approx(3.5)
    assert call_student(via_name, np.arange(8.0)) == pytest.approx(iqm(np.arange(8.0)))  # no forbid: allowed
