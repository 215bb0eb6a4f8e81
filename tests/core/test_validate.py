"""The shared argument checks (`naslab.validate`): what each accepts, what it refuses, and the message."""

from __future__ import annotations

import math

import numpy as np
import pytest

from naslab.validate import (
    SEED_MAX,
    check_bool,
    check_callable,
    check_choice,
    check_fields,
    check_instance,
    check_int,
    check_items,
    check_real,
    check_seed,
    check_str,
)


@pytest.mark.parametrize("value", [0, 5, np.int64(7), np.int32(1)])
def test_check_int_accepts_ints_and_returns_a_python_int(value):
    got = check_int(value, "n", low=0)
    assert got == int(value) and type(got) is int


@pytest.mark.parametrize("value, kw, message", [
    (True, {}, "n=True must be an int"),
    (2.0, {}, "n=2.0 must be an int"),
    ("3", {}, "n='3' must be an int"),
    (-1, {"low": 0}, "n=-1 must be an int >= 0"),
    (9, {"low": 1, "high": 4}, "n=9 must be an int in [1, 4]"),
    (None, {"low": 1}, "n=None must be an int >= 1"),
    (0, {"low": 1, "none": True, "hint": "trials"}, "n=0 must be an int >= 1 or None (trials)"),
])
def test_check_int_refuses_with_the_name_the_value_and_the_range(value, kw, message):
    with pytest.raises(ValueError) as info:
        check_int(value, "n", **kw)
    assert str(info.value) == message


def test_check_int_and_check_real_let_none_through_only_when_asked():
    assert check_int(None, "n", none=True) is None and check_real(None, "x", none=True) is None


@pytest.mark.parametrize("value, kw, message", [
    (math.nan, {}, "x=nan must be a finite number"),
    (math.inf, {"low": 0}, "x=inf must be a finite number >= 0"),
    (False, {}, "x=False must be a finite number"),
    (0, {"low": 0, "low_open": True}, "x=0 must be a finite number > 0"),
    (1.0, {"low": 0, "high": 1, "low_open": True, "high_open": True}, "x=1.0 must be a finite number in (0, 1)"),
    (2, {"high": 1}, "x=2 must be a finite number <= 1"),
])
def test_check_real_refuses_with_the_interval(value, kw, message):
    with pytest.raises(ValueError) as info:
        check_real(value, "x", **kw)
    assert str(info.value) == message


def test_check_real_accepts_the_ends_of_a_closed_interval_and_numpy_floats():
    assert check_real(0, "x", low=0, high=1) == 0.0 and check_real(np.float32(1.0), "x", low=0, high=1) == 1.0


def test_check_seed_bounds_are_what_numpy_and_optuna_accept():
    assert check_seed(0) == 0 and check_seed(SEED_MAX) == SEED_MAX
    np.random.RandomState(SEED_MAX)  # the largest accepted seed is a valid legacy numpy seed
    for bad in (-1, SEED_MAX + 1, 1.5, "1", True):
        with pytest.raises(ValueError, match=r"must be an int in \[0, 4294967295\] \(a random seed\)"):
            check_seed(bad)


def test_bool_choice_str_instance_callable_items_and_fields():
    assert check_bool(np.bool_(True), "b") is True
    with pytest.raises(ValueError, match=r"^b='yes' must be True or False$"):
        check_bool("yes", "b")
    with pytest.raises(ValueError, match=r"^mode=\['a'\] is unknown; allowed: \['max', 'min'\]$"):
        check_choice(["a"], "mode", {"max": 1, "min": 2})  # an unhashable value against a dict: still a clear error
    with pytest.raises(ValueError, match=r"^metric='' must be a non-empty str$"):
        check_str("", "metric")
    with pytest.raises(TypeError, match=r"^cfg must be a dict or list, got int 3$"):
        check_instance(3, "cfg", (dict, list))
    with pytest.raises(TypeError, match=r"^f must be callable or None, got int 3$"):
        check_callable(3, "f", none=True)
    assert check_items([1, 2], "k", check_int, low=1) == (1, 2)
    with pytest.raises(ValueError, match=r"^k entry=0 must be an int >= 1$"):
        check_items((1, 0), "k", check_int, low=1)
    with pytest.raises(ValueError, match=r"^k=\(1, 1\) must be a non-empty tuple of distinct values$"):
        check_items((1, 1), "k", check_int, distinct=True)
    with pytest.raises(TypeError, match=r"^unknown Cfg field\(s\) \['lrr'\]; allowed: \['lr', 'seed'\]$"):
        check_fields({"lrr": 1}, ("seed", "lr"), "Cfg")
