"""naslab.grid_vs_random.checks: the exercise checks of notebook 01 accept right answers and reject wrong ones."""

import math

import numpy as np
import pytest

from naslab.domains import Choice, IntRange, sample
from naslab.grid_vs_random.checks import check_momentum_space, check_searcher, check_trials_needed, surrogate_objective
from naslab.grid_vs_random.spaces import COURSE_VALUES, course_grid, course_space
from naslab.searchers import RandomSearch, Searcher


def test_trials_needed_checker():
    assert "59" in check_trials_needed(lambda q, p: math.ceil(math.log(1 - p) / math.log(1 - q)))
    wrong = [
        lambda q, p: round(math.log(1 - p) / math.log(1 - q)),  # rounds 58.4 down to 58
        lambda q, p: math.ceil(math.log(1 - p) / math.log(1 - q)) + 1,  # off by one
        lambda q, p: math.log(1 - p) / math.log(1 - q),  # not an integer
        lambda q, p: math.ceil(math.log(p) / math.log(q)),  # wrong formula
    ]
    for fn in wrong:
        with pytest.raises(AssertionError):
            check_trials_needed(fn)


def test_momentum_space_checker():
    right = {**course_grid(), "momentum": Choice([0.0, 0.5, 0.9, 0.99])}
    assert "144" in check_momentum_space(right)
    wrong = [
        course_grid(),  # no momentum
        {**course_grid(), "momentum": Choice([0.5, 0.9, 1.0])},  # momentum 1 never forgets
        {**course_grid(), "momentum": Choice([0.9])},  # one value is no dimension
        {**course_grid(), "momentum": IntRange(0, 1)},  # not a Choice of values
        {**course_space(), "momentum": Choice([0.0, 0.5, 0.9])},  # log-uniform axes are not a grid
        {"lr": Choice(COURSE_VALUES[:3]), "weight_decay": Choice(COURSE_VALUES), "momentum": Choice([0, 0.5, 0.9])},
    ]
    for space in wrong:
        with pytest.raises(AssertionError):
            check_momentum_space(space)


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


class _Stuck(Searcher):
    def __init__(self, space, *, seed=0):
        self.seed = seed

    def ask(self):
        return {"lr": 0.1, "weight_decay": 1e-4}


class _OutOfBounds(RandomSearch):
    def ask(self):
        c = super().ask()
        return {"lr": c["lr"] * 100, "weight_decay": c["weight_decay"]}


class _Unseeded(RandomSearch):
    def __init__(self, space, *, seed=0):
        super().__init__(space, seed=seed)
        self.rng = np.random.default_rng()  # ignores the seed: not reproducible


class _WrongKeys(RandomSearch):
    def ask(self):
        c = super().ask()
        return {"learning_rate": c["lr"], "weight_decay": c["weight_decay"]}


class _Bad(Searcher):  # always the worst corner of the space: keeps its contract, never searches
    def __init__(self, space, *, seed=0):
        self.rng = np.random.default_rng(seed)

    def ask(self):
        return {"lr": float(10 ** self.rng.uniform(-4, -3.5)), "weight_decay": float(10 ** self.rng.uniform(0, 1))}


def test_searcher_checker_accepts_random_and_local_search():
    assert check_searcher(RandomSearch).startswith("ok")
    msg = check_searcher(LocalSearch)
    assert msg.startswith("ok")


@pytest.mark.parametrize("cls", [_Stuck, _OutOfBounds, _Unseeded, _WrongKeys, _Bad])
def test_searcher_checker_rejects_broken_searchers(cls):
    with pytest.raises(AssertionError):
        check_searcher(cls)


def test_surrogate_has_its_optimum_where_documented():
    u = np.linspace(-4, 1, 101)
    acc = np.array([[surrogate_objective({"lr": 10**a, "weight_decay": 10**b})["val_acc"] for b in u] for a in u])
    i, j = np.unravel_index(acc.argmax(), acc.shape)
    assert u[i] == pytest.approx(-0.5) and u[j] == -4.0
    assert acc.min() >= 0.1 and acc.max() < 0.99
