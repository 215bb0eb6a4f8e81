"""Search-space domains: `Choice`, `Uniform`, `LogUniform`, `IntRange`; grid enumeration and random sampling.

A *search space* is a dict `name -> domain`. Four domains cover the course:

* `Choice(values)`: a finite set, e.g. the optimiser or a grid axis;
* `Uniform(low, high)`: x ~ U(low, high);
* `LogUniform(low, high)`: log10 x ~ U(log10 low, log10 high), so every decade gets the same mass
  (density p(x) ∝ 1/x on [low, high]); the right prior for scale parameters like lr and weight decay;
* `IntRange(low, high, step)`: the integers low, low+step, ..., high (both ends included).

`grid(space)` enumerates the Cartesian product (|grid| = Π_i |values_i|, exponential in the number
of parameters); `sample(space, rng)` draws one configuration. Bergstra & Bengio (JMLR 2012) show why
random sampling beats a grid when only a few parameters matter: n grid points over d parameters give
each axis only n^(1/d) distinct values, n random points give every axis n. `validate_space`
raises ValueError for anything that is not a non-empty dict of domains.

The course's own spaces are in `naslab.grid_vs_random.spaces`.

Taught in: notebooks/01_grid_vs_random_search.ipynb; used by every search.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _rng(rng) -> np.random.Generator:
    """Accept a numpy Generator or an int seed (None -> seed 0, so the default is deterministic)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise ValueError(f"rng={rng!r} must be a numpy Generator or an int seed >= 0")
    return np.random.default_rng(int(rng))


def _number(x, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) \
            or not math.isfinite(x):
        raise ValueError(f"{what}={x!r} must be a finite number")
    return float(x)


@dataclass(frozen=True)
class Choice:
    """One of a finite list of values (kept in the given order)."""

    values: tuple

    def __init__(self, values: Sequence):
        if isinstance(values, (str, bytes)):  # Choice("relu") would become the four letters r, e, l, u
            raise TypeError(f"Choice(values={values!r}) needs a list of values, not a str; "
                            f"did you mean Choice([{values!r}])?")
        if isinstance(values, (set, frozenset, dict)) or not hasattr(values, "__iter__"):
            raise TypeError(f"Choice(values={values!r}) needs a list or tuple of values (not a set or dict: "
                            "their order is not the one you wrote), e.g. Choice([0.1, 1.0])")
        values = tuple(values)
        if not values:
            raise ValueError("Choice(values=()) is empty; give at least one value, e.g. Choice([0.1, 1.0])")
        repeated = [v for i, v in enumerate(values) if v in values[:i]]
        if repeated:
            raise ValueError(f"Choice(values={values!r}) repeats {repeated}: each value must appear once "
                             "(a repeat would be drawn more often and tried twice by a grid)")
        object.__setattr__(self, "values", values)

    def sample(self, rng) -> object:
        return self.values[int(_rng(rng).integers(len(self.values)))]

    def grid_values(self, n: int | None = None) -> list:
        return list(self.values)

    def __contains__(self, x) -> bool:
        return x in self.values


@dataclass(frozen=True)
class Uniform:
    """A real number drawn uniformly from [low, high]."""

    low: float
    high: float

    def __post_init__(self):
        low, high = _number(self.low, "Uniform.low"), _number(self.high, "Uniform.high")
        if low > high:
            raise ValueError(f"Uniform(low={low}, high={high}): low must be <= high")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def sample(self, rng) -> float:
        return float(_rng(rng).uniform(self.low, self.high))

    def grid_values(self, n: int | None = 3) -> list[float]:
        return [float(v) for v in np.linspace(self.low, self.high, _points(n, self))]

    def __contains__(self, x) -> bool:
        return self.low <= x <= self.high


@dataclass(frozen=True)
class LogUniform:
    """A positive real number whose log10 is uniform on [log10 low, log10 high]."""

    low: float
    high: float

    def __post_init__(self):
        low, high = _number(self.low, "LogUniform.low"), _number(self.high, "LogUniform.high")
        if low <= 0 or high <= 0:
            raise ValueError(f"LogUniform(low={low}, high={high}): both bounds must be > 0 (a log scale)")
        if low > high:
            raise ValueError(f"LogUniform(low={low}, high={high}): low must be <= high")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def sample(self, rng) -> float:
        u = _rng(rng).uniform(math.log10(self.low), math.log10(self.high))  # u ~ U(log10 a, log10 b)
        return float(10.0 ** u)  # x = 10^u, density ∝ 1/x

    def grid_values(self, n: int | None = 3) -> list[float]:
        # n points evenly spaced in the exponent (a geometric sequence), ends exactly low and high
        return [float(v) for v in np.geomspace(self.low, self.high, _points(n, self))]

    def __contains__(self, x) -> bool:
        return self.low * (1 - 1e-12) <= x <= self.high * (1 + 1e-12)


@dataclass(frozen=True)
class IntRange:
    """The integers low, low + step, ..., up to high (inclusive)."""

    low: int
    high: int
    step: int = 1

    def __post_init__(self):
        for name in ("low", "high", "step"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"IntRange.{name}={v!r} must be an int")
        if self.low > self.high:
            raise ValueError(f"IntRange(low={self.low}, high={self.high}): low must be <= high")
        if self.step < 1:
            raise ValueError(f"IntRange(step={self.step}): step must be a positive int")

    def sample(self, rng) -> int:
        values = self.grid_values()
        return int(values[int(_rng(rng).integers(len(values)))])

    def grid_values(self, n: int | None = None) -> list[int]:
        return list(range(int(self.low), int(self.high) + 1, int(self.step)))

    def __contains__(self, x) -> bool:
        return self.low <= x <= self.high and (x - self.low) % self.step == 0


DOMAINS = (Choice, Uniform, LogUniform, IntRange)


def _points(n, domain) -> int:
    if n is None:
        n = 3
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"points={n!r} for {domain!r} must be a positive int")
    return int(n)


def validate_space(space: dict) -> dict:
    """Raise ValueError unless `space` is a non-empty dict name -> domain (a Choice, Uniform, ...)."""
    if not isinstance(space, dict) or not space:
        raise ValueError(f"a search space must be a non-empty dict name -> domain, got {space!r}")
    for name, dom in space.items():
        if not isinstance(name, str):  # configs go to JSON logs, where a key 3 comes back as "3"
            raise ValueError(f"space key {name!r} must be a str (a parameter name), got {type(name).__name__}")
        if not isinstance(dom, DOMAINS):
            allowed = [d.__name__ for d in DOMAINS]
            raise ValueError(f"space[{name!r}]={dom!r} is not a domain; allowed: {allowed}")
    return space


def grid(space: dict, *, points: int | dict | None = None) -> list[dict]:
    """Every configuration of the Cartesian product of the domains, first parameter slowest.

    Args:
        space: name -> domain.
        points: how many values a continuous domain (Uniform / LogUniform) contributes: an int for
            all of them, or a dict name -> int; default 3. Choice and IntRange use all their values.

    Returns:
        a list of Π_i |values_i| dicts.
    """
    axes = grid_axes(space, points=points)
    size = math.prod(len(a) for a in axes)
    if size > MAX_GRID:  # a 10^10-point list would fill the memory; enumerate lazily instead
        raise ValueError(f"grid(space) has {size} configurations, more than the {MAX_GRID} a list may hold; "
                         "use GridSearch (which enumerates lazily) or RandomSearch, or give fewer values/points")
    return [dict(zip(space, combo)) for combo in itertools.product(*axes)]


MAX_GRID = 10**7  # configurations grid() returns as a list


def grid_axes(space: dict, *, points: int | dict | None = None) -> list[list]:
    """The values of each axis of `grid(space)`, in the space's order (without building the product).

    A dict `points` may only name continuous axes of the space: a misspelt key is an error, not ignored.
    """
    validate_space(space)
    if isinstance(points, dict):
        continuous = [n for n, d in space.items() if isinstance(d, (Uniform, LogUniform))]
        unknown = [k for k in points if k not in continuous]
        if unknown:
            raise ValueError(f"points has key(s) {unknown} that are not continuous axes of the space; "
                             f"allowed keys: {continuous} (Choice and IntRange axes use all their values)")
        return [dom.grid_values(points.get(name)) for name, dom in space.items()]
    return [dom.grid_values(points) for dom in space.values()]


def grid_size(space: dict, *, points: int | dict | None = None) -> int:
    """|grid(space)| without building it: the product of the per-axis counts."""
    return math.prod(len(a) for a in grid_axes(space, points=points))


def sample(space: dict, rng=None) -> dict:
    """One configuration: each parameter drawn independently from its domain (in the dict's order)."""
    validate_space(space)
    rng = _rng(rng)
    return {name: dom.sample(rng) for name, dom in space.items()}
