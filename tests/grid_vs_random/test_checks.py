"""Notebook 01's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message that names the mistake (the message text is asserted, not only the type)."""

import itertools
import math

import numpy as np
import pytest

from naslab.checking import CheckError
from naslab.domains import Choice, Uniform, grid, sample
from naslab.grid_vs_random.checks import (
    check_grid,
    check_momentum_space,
    check_searcher,
    check_trials_needed,
    surrogate_objective,
)
from naslab.grid_vs_random.spaces import COURSE_VALUES, course_grid
from naslab.searchers import RandomSearch, Searcher


def reject(check, answer, fragment):
    with pytest.raises(CheckError, match=fragment):
        check(answer)


# ---- exercise 3: trials_needed with distinct draws ------------------------------------------------------------


def right_trials(N, G, p):
    n, miss = 0, 1.0
    while 1 - miss < p:  # P(no good one in n distinct draws) = Π_i (N - G - i) / (N - i)
        miss *= (N - G - n) / (N - n)
        n += 1
    return n


def by_comb(N, G, p):
    return next(n for n in range(1, N + 1) if 1 - math.comb(N - G, n) / math.comb(N, n) >= p)


def raises_value_error(N, G, p):
    raise ValueError("my own bug")


TRIALS_WRONG = {
    "classic: with replacement": (lambda N, G, p: math.ceil(math.log(1 - p) / math.log(1 - G / N)),
                                  "with-replacement answer of section 6"),
    "off by one (+1)": (lambda N, G, p: right_trials(N, G, p) + 1, "one too many \\(off by one\\)"),
    "off by one (-1)": (lambda N, G, p: right_trials(N, G, p) - 1, "one too few \\(off by one\\)"),
    "sign error": (lambda N, G, p: -right_trials(N, G, p), "not positive \\(a sign error"),
    "wrong shape (a list)": (lambda N, G, p: [right_trials(N, G, p)], "not a sequence \\(wrong shape\\)"),
    "constant": (lambda N, G, p: 59, "whatever N, G and p are \\(a constant\\)"),
    "a float": (lambda N, G, p: float(right_trials(N, G, p)), "is a float, not an int"),
    "own ValueError": (raises_value_error, "raised ValueError: my own bug on input \\(N=720, G=36, p=0.95\\)"),
}


def test_trials_needed_accepts_two_right_answers():
    for fn in (right_trials, by_comb):
        v = check_trials_needed(fn)
        assert v.passed and v.startswith("✓") and "57 distinct draws" in v


@pytest.mark.parametrize("name", TRIALS_WRONG)
def test_trials_needed_names_the_mistake(name):
    reject(check_trials_needed, *TRIALS_WRONG[name])


def test_trials_needed_stub_and_wrong_type():
    def stub(N, G, p):
        raise NotImplementedError("Exercise 3: trials_needed")

    v = check_trials_needed(stub)
    assert not v.passed and "not implemented yet" in v and "Exercise 3" in v
    with pytest.raises(TypeError, match="takes your function trials_needed"):
        check_trials_needed(57)


# ---- exercise 1: the full grid -------------------------------------------------------------------------------


def right_grid(space):
    keys = list(space)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(space[k].values for k in keys))]


def recursive_grid(space):
    keys = list(space)
    if not keys:
        return [{}]
    rest = recursive_grid({k: space[k] for k in keys[1:]})
    return [{keys[0]: v, **r} for v in space[keys[0]].values for r in rest]


GRID_WRONG = {
    "zip, not product": (lambda sp: [dict(zip(sp, vals)) for vals in itertools.zip_longest(*(d.values for d in
                          sp.values()))], "paired the values \\(zip\\)"),
    "last key slowest": (lambda sp: [dict(zip(sp, c[::-1])) for c in itertools.product(*(d.values for d in
                         reversed(sp.values())))], "another order: the first key changes slowest"),
    "tuples, not dicts": (lambda sp: list(itertools.product(*(d.values for d in sp.values()))),
                          "each config is a dict"),
    "a repeated config": (lambda sp: right_grid(sp) + right_grid(sp)[:1], "repeats a config"),
    "missing the last axis": (lambda sp: right_grid(dict(list(sp.items())[:-1])) if len(sp) > 1 else right_grid(sp),
                              "every key of the space"),
    "calls naslab's grid": (lambda sp: grid(sp), "called naslab's naslab.domains"),
    "a set, not a list": (lambda sp: {tuple(c.items()) for c in right_grid(sp)}, "return a list of dicts"),
}


def test_grid_accepts_two_right_answers():
    assert check_grid(right_grid).passed and check_grid(recursive_grid).passed


@pytest.mark.parametrize("name", GRID_WRONG)
def test_grid_names_the_mistake(name):
    reject(check_grid, *GRID_WRONG[name])


def test_grid_wrong_type():
    with pytest.raises(TypeError, match="takes your function my_grid"):
        check_grid(course_grid())


# ---- exercise 1: the momentum grid ---------------------------------------------------------------------------


def with_momentum(values, base=None):
    return {**(base or course_grid()), "momentum": Choice(values)}


MOMENTUM_WRONG = {
    "classic: 3 of the 4 values": (with_momentum([0.0, 0.5, 0.9]), "missing \\[0.99\\]"),
    "off by one (1.0 instead of 0.99)": (with_momentum([0.0, 0.5, 0.9, 1.0]), "\\[1.0\\] is >= 1"),
    "sign error": (with_momentum([0.0, -0.5, 0.9, 0.99]), "negative \\(a sign error"),
    "constant": (with_momentum([0.9]), "single value .*constant"),
    "wrong axis (Uniform)": ({**course_grid(), "momentum": Uniform(0.0, 0.99)}, "not a grid axis"),
    "wrong axis (lr changed)": (with_momentum([0.0, 0.5, 0.9, 0.99], {"lr": Choice(COURSE_VALUES[:3]),
                                "weight_decay": Choice(COURSE_VALUES)}), "space\\['lr'\\] should stay"),
    "no momentum": (course_grid(), "no 'momentum' axis"),
    "wrong values": (with_momentum([0.0, 0.3, 0.6, 0.9]), "not asked \\[0.3, 0.6\\]"),
}


def test_a_repeated_momentum_value_is_refused_by_choice_itself():
    with pytest.raises(ValueError, match=r"Choice\(values=\(0.0, 0.5, 0.9, 0.9, 0.99\)\) repeats \[0.9\]"):
        with_momentum([0.0, 0.5, 0.9, 0.9, 0.99])


def test_momentum_space_accepts_the_right_answer():
    v = check_momentum_space(with_momentum([0.0, 0.5, 0.9, 0.99]))
    assert v.passed and "144" in v


@pytest.mark.parametrize("name", MOMENTUM_WRONG)
def test_momentum_space_names_the_mistake(name):
    reject(check_momentum_space, *MOMENTUM_WRONG[name])


def test_momentum_space_stub_is_not_implemented_yet():
    assert "not implemented yet" in check_momentum_space(None)


# ---- exercise 2: your searcher -------------------------------------------------------------------------------


class LocalSearch(Searcher):
    """The notebook's solution: random warm-up, then log-space steps around the incumbent."""

    name = "local"

    def __init__(self, space, *, seed=0, n_init=10, step=0.5):
        self.space, self.seed, self.n_init, self.step = space, seed, n_init, step
        self.rng = np.random.default_rng(seed)
        self.best, self.best_score, self.asked = None, -np.inf, 0

    def ask(self):
        self.asked += 1
        if self.asked <= self.n_init or self.best is None:
            return sample(self.space, self.rng)
        out = {}
        for k, v in self.best.items():
            lo, hi = np.log10(self.space[k].low), np.log10(self.space[k].high)
            out[k] = float(10 ** np.clip(np.log10(v) + self.step * self.rng.normal(), lo, hi))
        return out

    def tell(self, config, trial):
        if trial.score() > self.best_score:
            self.best, self.best_score = config, trial.score()


class OwnRandom(Searcher):  # random search written by hand: honest, but it ignores tell()
    def __init__(self, space, *, seed=0):
        self.space, self.seed, self.rng = space, seed, np.random.default_rng(seed + 12345)

    def ask(self):
        return sample(self.space, self.rng)


class Minimises(LocalSearch):  # the classic slip, a sign error: keeps the *worst* trial
    def tell(self, config, trial):
        if -trial.score() > self.best_score:
            self.best, self.best_score = config, -trial.score()


class Stuck(Searcher):  # a constant proposal
    def __init__(self, space, *, seed=0):
        self.seed = seed

    def ask(self):
        return {"lr": 0.1, "weight_decay": 1e-4}


class StopsEarly(OwnRandom):  # off by one: stops after budget - 1 trials
    def __init__(self, space, *, seed=0):
        super().__init__(space, seed=seed)
        self.n = 0

    def ask(self):
        self.n += 1
        return None if self.n >= 30 else super().ask()


class Tuple(OwnRandom):  # wrong shape: a tuple, not a dict
    def ask(self):
        c = super().ask()
        return (c["lr"], c["weight_decay"])


class NegativeLr(OwnRandom):  # sign error: -log instead of log
    def ask(self):
        c = super().ask()
        return {"lr": -c["lr"], "weight_decay": c["weight_decay"]}


class OutOfBounds(OwnRandom):
    def ask(self):
        c = super().ask()
        return {"lr": c["lr"] * 100, "weight_decay": c["weight_decay"]}


class Unseeded(OwnRandom):
    def __init__(self, space, *, seed=0):
        super().__init__(space, seed=seed)
        self.rng = np.random.default_rng()


class WrongKeys(OwnRandom):
    def ask(self):
        c = super().ask()
        return {"learning_rate": c["lr"], "weight_decay": c["weight_decay"]}


class Float32(OwnRandom):  # numpy scalars: rounded, and not JSON-serialisable
    def ask(self):
        return {k: np.float32(v) for k, v in super().ask().items()}


class Linear(LocalSearch):  # the classic slip: uniform on [1e-4, 10] instead of log-uniform
    def ask(self):
        if self.asked < self.n_init or self.best is None:
            self.asked += 1
            return {k: float(self.rng.uniform(1e-4, 10.0)) for k in self.space}
        return super().ask()


class TellRaises(OwnRandom):
    def tell(self, config, trial):
        raise ValueError("my tell is broken")


SEARCHER_WRONG = {
    "classic: minimises (sign error)": (Minimises, "worse than random search.*highest"),
    "constant": (Stuck, "stuck \\(a constant proposal\\)"),
    "off by one (stops early)": (StopsEarly, "stopped after 29 of 30.*off-by-one"),
    "wrong shape (tuple)": (Tuple, "got a (tuple|list) .*wrong shape"),
    "sign error (negative lr)": (NegativeLr, "not positive \\(a sign error"),
    "out of bounds": (OutOfBounds, "outside \\[1e-4, 10\\]"),
    "unseeded": (Unseeded, "same seed must give the same configs"),
    "wrong keys": (WrongKeys, "keys lr, weight_decay"),
    "ignores tell (random by hand)": (OwnRandom, "about random search's .* must learn from tell"),
    "numpy float32 values": (Float32, "not Python floats \\(numpy scalars such as np.float32"),
    "classic: linear, not log sampling": (Linear, "you sample uniformly on \\[1e-4, 10\\].*log-uniformly"),
    "own exception in tell": (TellRaises, "raised ValueError: my tell is broken on input run_search"),
}


def test_searcher_accepts_local_search_and_rejects_naslabs_random_search():
    assert check_searcher(LocalSearch).passed
    reject(check_searcher, RandomSearch, "naslab's RandomSearch")



@pytest.mark.parametrize("name", SEARCHER_WRONG)
def test_searcher_names_the_mistake(name):
    reject(check_searcher, *SEARCHER_WRONG[name])


def test_searcher_wrong_type():
    with pytest.raises(TypeError, match="takes your searcher class"):
        check_searcher(RandomSearch(course_grid()))


def test_searcher_stub_is_not_implemented_yet():
    class Stub(Searcher):
        def __init__(self, space, *, seed=0):
            pass

        def ask(self):
            raise NotImplementedError("Exercise 2: write ask()")

    v = check_searcher(Stub)
    assert not v.passed and "not implemented yet (Exercise 2: write ask())" in v


def test_surrogate_has_its_optimum_where_documented():
    u = np.linspace(-4, 1, 101)
    acc = np.array([[surrogate_objective({"lr": 10**a, "weight_decay": 10**b})["val_acc"] for b in u] for a in u])
    i, j = np.unravel_index(acc.argmax(), acc.shape)
    assert u[i] == pytest.approx(-0.5) and u[j] == -4.0
    assert acc.min() >= 0.1 and acc.max() < 0.99
