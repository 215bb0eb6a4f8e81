"""Notebook 06's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message naming the mistake (the message text is asserted, not only the type)."""

import numpy as np
import pytest

import naslab
from naslab.bakeoff import checks, checks_search
from naslab.bakeoff.race import Lookup, load_table
from naslab.bakeoff.searchers import RandomCellSearch, RegularizedEvolution, mutate
from naslab.bakeoff.stats import iqm
from naslab.bakeoff.toy import ToyTable
from naslab.checking import CheckError


def reject(check, answer, fragment, *args, **kwargs):
    with pytest.raises(CheckError, match=fragment):
        check(answer, *args, **kwargs)


# ---- exercise 1: mutation ---------------------------------------------------------------------------------------


def my_mutate(cell, rng):
    e = int(rng.integers(len(cell)))
    others = [op for op in range(5) if op != cell[e]]
    return tuple(cell[:e]) + (others[int(rng.integers(4))],) + tuple(cell[e + 1:])


def _raises(cell, rng):
    raise ValueError("my bug")


MUTATION_WRONG = {
    "classic: the same op may come back": (lambda c, rng: my_mutate(c, rng) if rng.random() < 0.9 else tuple(c),
                                           "equalled its parent"),
    "two edges changed": (lambda c, rng: ((c[0] + 1) % 5, (c[1] + 1) % 5) + tuple(c[2:]), "changes 2 edges"),
    "not uniform: always edge 0": (lambda c, rng: ((c[0] + 1 + int(rng.integers(4))) % 5,) + tuple(c[1:]),
                                   "never came out"),
    "off by one: a cell of 5 ops": (lambda c, rng: tuple(my_mutate(c, rng))[:5], "with 5 ops"),
    "sign error: op - 1": (lambda c, rng: (c[0] - 1,) + tuple(c[1:]), "an index in 0..4"),
    "constant: one fixed cell": (lambda c, rng: (1, 1, 1, 1, 1, 1), "changes 5 edges"),
    "not a cell": (lambda c, rng: 3, "a child is a tuple of 6 op indices"),
    "ignores its rng: draws from np.random": (lambda c, rng: my_mutate(c, np.random.default_rng()), "ignores its rng"),
    "calls naslab's own mutate": (lambda c, rng: mutate(c, rng), "called naslab's naslab.bakeoff.searchers.mutate"),
    "the student's own error": (_raises, "your function _raises raised ValueError: my bug on input cell="),
}


def test_check_mutation_accepts_real_et_al():
    assert checks.check_mutation(my_mutate).startswith("✓")


@pytest.mark.parametrize("slip", list(MUTATION_WRONG))
def test_check_mutation_names_the_slip(slip):
    fn, fragment = MUTATION_WRONG[slip]
    reject(checks.check_mutation, fn, fragment)


# ---- exercise 4 (a): the interquartile mean -----------------------------------------------------------------


def _trim(x, a, b):
    x = np.sort(np.asarray(x, dtype=float))
    return x[a:len(x) - b].mean()


def _iqm(x):
    return _trim(x, len(x) // 4, len(x) // 4)


IQM_WRONG = {
    "classic: the median": (np.median, "the median"),
    "the plain mean": (np.mean, "the plain mean"),
    "off by one: one run too few at each end": (lambda x: _trim(x, len(x) // 4 - 1, len(x) // 4 - 1),
                                                "off by one"),
    "sign error": (lambda x: -_iqm(x), "a sign error"),
    "one end only": (lambda x: _trim(x, 0, len(x) // 4), "only one end"),
    "constant": (lambda x: 0.5, "expected"),
    "not a number": (lambda x: [1.0, 2.0], "the IQM is one number"),
    "round(n/4) instead of floor": (lambda x: _trim(x, round(len(x) / 4), round(len(x) / 4)), r"round\(n/4\) = 3"),
    "calls naslab's own iqm": (lambda x: iqm(x), "called naslab's naslab.bakeoff.stats"),
    "the student's own error": (lambda x: 1 / 0, "raised ZeroDivisionError"),
}


def test_check_iqm_accepts_the_trimmed_mean():
    assert checks.check_iqm(_iqm).startswith("✓")


@pytest.mark.parametrize("slip", list(IQM_WRONG))
def test_check_iqm_names_the_slip(slip):
    fn, fragment = IQM_WRONG[slip]
    reject(checks.check_iqm, fn, fragment)


def test_check_iqm_raises_its_own_type_error():
    with pytest.raises(TypeError, match="fn must be a function, got int"):
        checks.check_iqm(3)


# ---- exercise 4 (b): the bootstrap interval of the IQM ----------------------------------------------------------


def boot(stat=_iqm, q=(2.5, 97.5), replace=True, own_rng=False):
    def fn(x, rng, n_boot=2000):
        x = np.asarray(x, dtype=float)
        r = np.random.default_rng() if own_rng else rng
        idx = r.integers(len(x), size=(n_boot, len(x))) if replace else np.array([r.permutation(len(x))
                                                                                 for _ in range(n_boot)])
        v = [stat(x[i]) for i in idx]
        return float(np.percentile(v, q[0])), float(np.percentile(v, q[1]))
    return fn


INTERVAL_WRONG = {
    "classic: a 90 % interval": (boot(q=(5, 95)), "a 90 % interval"),
    "the mean's interval": (boot(stat=np.mean), "the bootstrap interval of the mean"),
    "without replacement": (boot(replace=False), r"with\* replacement"),
    "ignores its rng": (boot(own_rng=True), "two rngs in the same state"),
    "swapped ends": (lambda x, rng, n_boot=2000: boot()(x, rng, n_boot)[::-1], "return \\(lower, upper\\)"),
    "normal approximation": (lambda x, rng, n_boot=2000: (_iqm(x) - 0.1, _iqm(x) + 0.1),
                             "not the 95 % percentile-bootstrap interval"),
    "calls naslab's bootstrap_band": (lambda x, rng, n_boot=2000: tuple(
        float(v) for v in __import__("naslab.bakeoff.stats", fromlist=["_"]).bootstrap_band(x)[1:]),
        "called naslab's naslab.bakeoff.stats"),
}


def test_check_iqm_interval_accepts_the_percentile_bootstrap():
    assert checks.check_iqm_interval(boot(), _iqm).startswith("✓")


@pytest.mark.parametrize("slip", list(INTERVAL_WRONG))
def test_check_iqm_interval_names_the_slip(slip):
    fn, fragment = INTERVAL_WRONG[slip]
    reject(checks.check_iqm_interval, fn, fragment, _iqm)


# ---- exercise 5: a searcher in the bake-off ---------------------------------------------------------------


@pytest.fixture(scope="module")
def lookup():
    return Lookup.from_table(ToyTable(seed=0))


class MyRandom(naslab.Searcher):  # random search written by a student (naslab's own would be refused)
    def __init__(self, seed=0):
        self.seed, self.rng = seed, np.random.default_rng(seed)

    def ask(self):
        return self._draw()

    def _draw(self):
        return tuple(int(o) for o in self.rng.integers(5, size=6))

    def tell(self, config, trial):
        pass


class Unseeded(MyRandom):
    def _draw(self):
        return tuple(int(o) for o in np.random.randint(5, size=6))


class Short(MyRandom):  # off by one: 5 edges
    def _draw(self):
        return tuple(int(o) for o in self.rng.integers(5, size=5))


class Negative(MyRandom):  # sign error: ops in -4..0
    def _draw(self):
        return tuple(-int(o) - 1 for o in self.rng.integers(5, size=6))


class Constant(naslab.Searcher):  # one good cell, asked for ever
    def ask(self):
        return (3, 3, 3, 3, 3, 3)

    def tell(self, config, trial):
        pass


class ReadsTheTable(naslab.Searcher):  # orders cells by the table's test accuracy: it must only see tell()
    def __init__(self, seed=0):
        lk = Lookup.from_table(load_table("toy"))
        self.order = list(np.argsort(-lk.test))
        self.seed = seed

    def ask(self):
        i = int(self.order.pop(0))
        return tuple(int(c) for c in np.base_repr(i, 5).zfill(6))

    def tell(self, config, trial):
        pass


class Own(naslab.Searcher):  # a searcher of its own that follows its tells: evolution written out
    pick = staticmethod(max)

    def __init__(self, seed=0):
        self.seed, self.rng, self.pop = seed, np.random.default_rng(seed), []

    def ask(self):
        if len(self.pop) < 10:
            return tuple(int(o) for o in self.rng.integers(5, size=6))
        picks = self.rng.choice(len(self.pop), size=3, replace=False)
        cell = list(self.pick((self.pop[i] for i in picks), key=lambda m: m[1])[0])
        e = int(self.rng.integers(6))
        cell[e] = (cell[e] + 1 + int(self.rng.integers(4))) % 5
        return tuple(cell)

    def tell(self, config, trial):
        self.pop = (self.pop + [(tuple(config), trial.score())])[-10:]


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


class Minimiser(Own):  # keeps the tournament's *lowest* score
    pick = staticmethod(min)


SEARCHER_WRONG = {
    "classic: ignores its seed": (lambda s: Unseeded(seed=s), "default_rng"),
    "off by one: 5 edges": (lambda s: Short(seed=s), "a cell is a tuple of 6"),
    "sign error: negative ops": (lambda s: Negative(seed=s), "op indices in 0..4"),
    "constant: proposes nothing": (lambda s: Silent(), "returned None before any result"),
    "constant: one cell for ever": (lambda s: Constant(), "only 1 distinct cells"),
    "ignores tell: random search renamed": (lambda s: MyRandom(seed=s), "ignores what tell\\(\\) gives it"),
    "a minimiser": (lambda s: Minimiser(seed=s), "a minimiser"),
    "naslab's own random search": (lambda s: RandomCellSearch(seed=s), "called naslab's naslab.bakeoff.searchers"),
    "naslab's own evolution": (lambda s: RegularizedEvolution(seed=s), "called naslab's naslab.bakeoff.searchers"),
    "reads the table's test accuracy": (lambda s: ReadsTheTable(seed=s), "called naslab's naslab.bakeoff"),
    "not a searcher": (lambda s: (lambda: (0,) * 6), "not a searcher"),
    "the student's own error": (lambda s: Crashing(), "Crashing.ask raised KeyError"),
}


def test_check_searcher_accepts_a_searcher_of_its_own(lookup):
    msg = checks_search.check_searcher(lambda s: Own(seed=s), lookup, seeds=range(4))
    assert msg.startswith("✓") and "vs random" in msg


@pytest.mark.parametrize("slip", list(SEARCHER_WRONG))
def test_check_searcher_names_the_slip(lookup, slip):
    make, fragment = SEARCHER_WRONG[slip]
    reject(checks_search.check_searcher, make, fragment, lookup, seeds=range(2))


def test_check_searcher_raises_its_own_type_error():
    with pytest.raises(TypeError, match="lookup must be Lookup, got str"):
        checks_search.check_searcher(lambda s: Own(seed=s), "mnist1d_nb201")


@pytest.mark.parametrize("check", [checks.check_mutation, checks.check_iqm])
def test_a_stub_is_not_implemented_yet(check):
    def stub(*args):
        raise NotImplementedError("Exercise 1: mutation")

    verdict = check(stub)
    assert "not implemented yet" in verdict and not verdict.passed
