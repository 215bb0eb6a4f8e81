"""Notebook 06's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message naming the mistake (the message text is asserted, not only the type)."""

import numpy as np
import pytest

import naslab
from naslab.bakeoff import checks
from naslab.bakeoff.race import Lookup
from naslab.bakeoff.searchers import RandomCellSearch, RegularizedEvolution, mutate
from naslab.bakeoff.stats import iqm
from naslab.bakeoff.toy import ToyTable
from naslab.checking import CheckError


def reject(check, answer, fragment, *args, **kwargs):
    with pytest.raises(CheckError, match=fragment):
        check(answer, *args, **kwargs)


# ---- exercise 1: mutation ---------------------------------------------------------------------------------------


def _raises(cell, rng):
    raise ValueError("my bug")


MUTATION_WRONG = {
    "classic: the same op may come back": (lambda c, rng: mutate(c, rng) if rng.random() < 0.9 else tuple(c),
                                           "equalled its parent"),
    "two edges changed": (lambda c, rng: ((c[0] + 1) % 5, (c[1] + 1) % 5) + tuple(c[2:]), "changes 2 edges"),
    "not uniform: always edge 0": (lambda c, rng: ((c[0] + 1 + int(rng.integers(4))) % 5,) + tuple(c[1:]),
                                   "never came out"),
    "off by one: a cell of 5 ops": (lambda c, rng: tuple(mutate(c, rng))[:5], "with 5 ops"),
    "sign error: op - 1": (lambda c, rng: (c[0] - 1,) + tuple(c[1:]), "an index in 0..4"),
    "constant: one fixed cell": (lambda c, rng: (1, 1, 1, 1, 1, 1), "changes 5 edges"),
    "not a cell": (lambda c, rng: 3, "a child is a tuple of 6 op indices"),
    "the student's own error": (_raises, "your function _raises raised ValueError: my bug on input cell="),
}


def test_check_mutation_accepts_real_et_al():
    assert checks.check_mutation(mutate).startswith("✓")


@pytest.mark.parametrize("slip", list(MUTATION_WRONG))
def test_check_mutation_names_the_slip(slip):
    fn, fragment = MUTATION_WRONG[slip]
    reject(checks.check_mutation, fn, fragment)


# ---- exercise 2: the interquartile mean ---------------------------------------------------------------------


def _trim(x, a, b):
    x = np.sort(np.asarray(x, dtype=float))
    return x[a:len(x) - b].mean()


IQM_WRONG = {
    "classic: the median": (np.median, "the median"),
    "the plain mean": (np.mean, "the plain mean"),
    "off by one: one run too few at each end": (lambda x: _trim(x, len(x) // 4 - 1, len(x) // 4 - 1),
                                                "off by one"),
    "sign error": (lambda x: -iqm(x), "a sign error"),
    "one end only": (lambda x: _trim(x, 0, len(x) // 4), "only one end"),
    "constant": (lambda x: 0.5, "expected"),
    "not a number": (lambda x: [1.0, 2.0], "the IQM is one number"),
    "the student's own error": (lambda x: 1 / 0, "raised ZeroDivisionError"),
}


def test_check_iqm_accepts_the_trimmed_mean():
    assert checks.check_iqm(iqm).startswith("✓")


@pytest.mark.parametrize("slip", list(IQM_WRONG))
def test_check_iqm_names_the_slip(slip):
    fn, fragment = IQM_WRONG[slip]
    reject(checks.check_iqm, fn, fragment)


# ---- exercise 3: a searcher in the bake-off -------------------------------------------------------------------


@pytest.fixture(scope="module")
def lookup():
    return Lookup.from_table(ToyTable(seed=0))


class Unseeded(RandomCellSearch):
    def _draw(self):
        return tuple(int(o) for o in np.random.randint(5, size=6))


class Short(RandomCellSearch):  # off by one: 5 edges
    def _draw(self):
        return tuple(int(o) for o in self.rng.integers(5, size=5))


class Negative(RandomCellSearch):  # sign error: ops in -4..0
    def _draw(self):
        return tuple(-int(o) - 1 for o in self.rng.integers(5, size=6))


class Silent(naslab.Searcher):  # constant: proposes nothing
    def ask(self):
        return None

    def tell(self, config, trial):
        pass


class Crashing(naslab.Searcher):
    def ask(self):
        raise KeyError("population")

    def tell(self, config, trial):
        pass


SEARCHER_WRONG = {
    "classic: ignores its seed": (lambda s: Unseeded(seed=s), "default_rng"),
    "off by one: 5 edges": (lambda s: Short(seed=s), "a cell is a tuple of 6"),
    "sign error: negative ops": (lambda s: Negative(seed=s), "op indices in 0..4"),
    "constant: proposes nothing": (lambda s: Silent(), "returned None before any result"),
    "not a searcher": (lambda s: (lambda: (0,) * 6), "not a searcher"),
    "the student's own error": (lambda s: Crashing(), "Crashing.ask raised KeyError"),
}


def test_check_searcher_accepts_evolution(lookup):
    msg = checks.check_searcher(lambda s: RegularizedEvolution(seed=s), lookup, seeds=range(4))
    assert msg.startswith("✓") and "vs random" in msg


@pytest.mark.parametrize("slip", list(SEARCHER_WRONG))
def test_check_searcher_names_the_slip(lookup, slip):
    make, fragment = SEARCHER_WRONG[slip]
    reject(checks.check_searcher, make, fragment, lookup, seeds=range(2))


@pytest.mark.parametrize("check", [checks.check_mutation, checks.check_iqm])
def test_a_stub_is_not_implemented_yet(check):
    def stub(*args):
        raise NotImplementedError("Exercise 1: mutation")

    verdict = check(stub)
    assert "not implemented yet" in verdict and not verdict.passed
