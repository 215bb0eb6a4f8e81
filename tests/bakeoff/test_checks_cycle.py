"""Notebook 06, exercise 2: the regularised-evolution cycle. The right cycle evaluates exactly the cells naslab's
`RegularizedEvolution` evaluates on the same seed; each typical wrong cycle is rejected with a message naming
its slip (the message text is asserted). Oracle: naslab's full loop, and the invariants of one cycle."""

import numpy as np
import pytest

from naslab.bakeoff import checks_search
from naslab.bakeoff.race import Lookup
from naslab.bakeoff.searchers import mutate
from naslab.bakeoff.toy import ToyTable
from naslab.checking import CheckError


@pytest.fixture(scope="module")
def lookup():
    return Lookup.from_table(ToyTable(seed=0))


def my_mutate(cell, rng, n_ops=5):
    e = int(rng.integers(len(cell)))
    others = [op for op in range(n_ops) if op != cell[e]]
    return tuple(cell[:e]) + (others[int(rng.integers(len(others)))],) + tuple(cell[e + 1:])


def cycle(*, sample="S", pick=max, remove="oldest", mutation=my_mutate, rng_of=None, replace=False):
    """One cycle of regularised evolution with a choice of slips."""
    def fn(population, S, rng, evaluate):
        r = rng if rng_of is None else rng_of()
        k = len(population) if sample == "all" else S
        picks = r.choice(len(population), size=k, replace=replace)
        parent = pick((population[int(i)] for i in picks), key=lambda m: m[1])
        child = mutation(parent[0], r)
        population.append((child, evaluate(child)))
        if remove == "oldest":
            population.popleft()
        elif remove == "worst":
            population.remove(min(population, key=lambda m: m[1]))
        elif remove == "two":
            population.popleft()
            population.popleft()
        return child
    return fn


def test_accepts_the_cycle_of_real_et_al(lookup):
    assert checks_search.check_evolution_cycle(cycle(), lookup).startswith("✓")


WRONG = {
    "classic: removes the worst, not the oldest": (cycle(remove="worst"), "removed the worst member instead of the "
                                                                          "oldest"),
    "tournament over the whole population": (cycle(sample="all"), "tournament runs over the whole population"),
    "picks the tournament's worst": (cycle(pick=min), "you take the tournament's worst"),
    "mutation may return the parent": (cycle(mutation=lambda c, rng: my_mutate(c, rng) if rng.random() < 0.8
                                             else tuple(c)), "returned its parent unchanged"),
    "mutation draws among all 5 ops": (cycle(mutation=lambda c, rng: tuple(c[:1]) + (int(rng.integers(5)),)
                                             + tuple(c[2:]) if rng.random() < 0.5 else my_mutate(c, rng)),
                                       "returned its parent unchanged"),
    "ignores its rng": (cycle(rng_of=np.random.default_rng), "ignores its rng"),
    "off by one: the population grows": (cycle(remove="none"), "went from 10 to 11 members"),
    "off by one: two members removed": (cycle(remove="two"), "went from 10 to 9 members"),
    "tournament with replacement": (cycle(replace=True), "where naslab's RegularizedEvolution evaluated"),
    "calls naslab's mutate": (cycle(mutation=mutate), "called naslab's naslab.bakeoff.searchers.mutate"),
    "returns nothing": (lambda pop, S, rng, evaluate: cycle()(pop, S, rng, evaluate) and None,
                        "return the child"),
}


@pytest.mark.parametrize("slip", list(WRONG))
def test_names_the_slip(lookup, slip):
    fn, fragment = WRONG[slip]
    with pytest.raises(CheckError, match=fragment):
        checks_search.check_evolution_cycle(fn, lookup)


def test_a_stub_is_not_implemented_yet(lookup):
    def stub(population, S, rng, evaluate):
        raise NotImplementedError("Exercise 2: the evolution cycle")

    verdict = checks_search.check_evolution_cycle(stub, lookup)
    assert "not implemented yet" in verdict and not verdict.passed


def test_wrong_argument_types_are_its_own_type_errors(lookup):
    with pytest.raises(TypeError, match="fn must be a function, got str"):
        checks_search.check_evolution_cycle("my_cycle", lookup)
    with pytest.raises(TypeError, match="lookup must be Lookup, got dict"):
        checks_search.check_evolution_cycle(cycle(), {})
