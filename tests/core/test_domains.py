"""Search-space domains: grid enumeration, sampling distributions, bad input."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from naslab.domains import Choice, IntRange, LogUniform, Uniform, grid, grid_size, sample
from naslab.grid_vs_random.spaces import (
    COURSE_VALUES,
    course_grid,
    course_space,
    synthetic_g,
    synthetic_grid,
    synthetic_objective,
)


def test_course_grid_is_the_36_point_cartesian_product():
    configs = grid(course_grid())
    assert len(configs) == 36 == grid_size(course_grid())
    expected = [{"lr": a, "weight_decay": b} for a, b in itertools.product(COURSE_VALUES, COURSE_VALUES)]
    assert configs == expected  # first parameter slowest, exact values
    assert sorted(COURSE_VALUES) == [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0]


@pytest.mark.parametrize("points", [2, 3, 5])
def test_grid_size_is_the_product_of_axis_sizes(points):
    space = {"a": Choice(["x", "y"]), "b": IntRange(1, 7, 3), "c": LogUniform(1e-3, 1.0), "d": Uniform(-1, 1)}
    configs = grid(space, points=points)
    assert len(configs) == 2 * 3 * points * points == grid_size(space, points=points)
    assert len({tuple(c.values()) for c in configs}) == len(configs)  # no duplicates
    assert sorted({c["b"] for c in configs}) == [1, 4, 7]


def test_continuous_grid_axes_are_geometric_and_linear_with_exact_ends():
    lv = LogUniform(1e-4, 10).grid_values(6)
    np.testing.assert_allclose(lv, COURSE_VALUES, rtol=1e-12)  # 6 log-spaced points = the course grid
    assert Uniform(0, 1).grid_values(5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert len(grid({"x": Uniform(0, 1), "y": LogUniform(1, 100)}, points={"x": 2, "y": 4})) == 8


def test_log_uniform_is_uniform_in_the_exponent():
    rng = np.random.default_rng(0)
    x = np.array([course_space()["lr"].sample(rng) for _ in range(4000)])
    assert x.min() >= 1e-4 and x.max() <= 10
    u = np.log10(x)  # should be U(-4, 1)
    assert stats.kstest(u, stats.uniform(loc=-4, scale=5).cdf).pvalue > 0.01
    per_decade = np.histogram(u, bins=[-4, -3, -2, -1, 0, 1])[0] / len(u)
    np.testing.assert_allclose(per_decade, 0.2, atol=0.03)  # every decade gets the same mass
    assert np.mean(x < 1.0) == pytest.approx(0.8, abs=0.03)  # a plain uniform would give ~0.1


def test_uniform_intrange_and_choice_sample_their_support():
    rng = np.random.default_rng(1)
    u = np.array([Uniform(2, 5).sample(rng) for _ in range(3000)])
    assert stats.kstest(u, stats.uniform(loc=2, scale=3).cdf).pvalue > 0.01
    ints = [IntRange(0, 10, 5).sample(rng) for _ in range(300)]
    assert set(ints) == {0, 5, 10}
    picks = [Choice(["a", "b", "c"]).sample(rng) for _ in range(300)]
    assert set(picks) == {"a", "b", "c"}


def test_sample_is_reproducible_and_seeded():
    space = course_space()
    assert sample(space, 3) == sample(space, 3)
    assert sample(space, 3) != sample(space, 4)
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    assert [sample(space, rng_a) for _ in range(5)] == [sample(space, rng_b) for _ in range(5)]
    assert set(sample(space, 0)) == {"lr", "weight_decay"}


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: Choice([]), "Choice"),
        (lambda: LogUniform(0.0, 1.0), "LogUniform"),
        (lambda: LogUniform(-1.0, 1.0), "LogUniform"),
        (lambda: LogUniform(1.0, 0.1), "LogUniform"),
        (lambda: Uniform(2.0, 1.0), "Uniform"),
        (lambda: IntRange(5, 1), "IntRange"),
        (lambda: IntRange(1, 5, 0), "IntRange"),
        (lambda: Uniform(0.0, float("nan")), "Uniform"),
    ],
)
def test_bad_domains_raise_value_error_naming_the_domain(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_bad_spaces_raise():
    with pytest.raises(ValueError, match="non-empty dict"):
        grid({})
    with pytest.raises(ValueError, match="not a domain"):
        sample({"lr": [0.1, 1.0]}, 0)
    with pytest.raises(ValueError, match="points"):
        grid({"x": Uniform(0, 1)}, points=0)
    with pytest.raises(ValueError, match="rng"):
        sample(course_space(), "seed")


def test_synthetic_landscape_peak_is_between_the_grid_lines():
    xs = np.linspace(0, 1, 10001)
    assert xs[np.argmax(synthetic_g(xs))] == pytest.approx(0.72, abs=1e-3)
    centres = sorted(synthetic_grid(3)["x"].values)
    assert centres == pytest.approx([1 / 6, 0.5, 5 / 6])
    best_grid = max(synthetic_objective(c)["score"] for c in grid(synthetic_grid(3)))
    assert best_grid < 0.6 < synthetic_objective({"x": 0.72, "y": 0.4})["score"]
    assert math.isclose(synthetic_objective({"x": 0.72, "y": 0.4}, importance=0.0)["score"],
                        float(synthetic_g(0.72)))
