"""The search spaces of notebook 01: the course's lr x weight-decay grid and space, and a synthetic landscape.

The course landscape (`course_grid()`, `course_space()`): learning rate and weight decay, each in
{1e-4, 1e-3, 1e-2, 0.1, 1, 10} for the grid (36 configurations) and log-uniform on [1e-4, 10] for
random search.

The synthetic landscape of Bergstra & Bengio (JMLR 2012, Fig. 1):

    f(x, y) = g(x) + importance * h(y),   x, y in [0, 1]

with a small `importance` only x matters, so a 3 x 3 grid tries 3 distinct x values where 9 random
points try 9.

Taught in: notebooks/01_grid_vs_random_search.ipynb.
"""

from __future__ import annotations

import numpy as np

from naslab.domains import Choice, LogUniform, Uniform

COURSE_VALUES = (1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0)  # one decade apart: 6 values per axis
COURSE_LOW, COURSE_HIGH = 1e-4, 10.0


def course_grid() -> dict:
    """The course grid: lr and weight_decay in {1e-4, 1e-3, 1e-2, 0.1, 1, 10} (36 configurations)."""
    return {"lr": Choice(COURSE_VALUES), "weight_decay": Choice(COURSE_VALUES)}


def course_space() -> dict:
    """The course's random-search space: lr and weight_decay log-uniform on [1e-4, 10]."""
    return {"lr": LogUniform(COURSE_LOW, COURSE_HIGH), "weight_decay": LogUniform(COURSE_LOW, COURSE_HIGH)}


# ---------------------------------------------------------------------------------------------
# the synthetic landscape of Bergstra & Bengio's Fig. 1: f(x, y) = g(x) + importance * h(y)


def synthetic_g(x):
    """The important parameter's effect: a narrow peak at x = 0.72 on a broad hill (x in [0, 1])."""
    x = np.asarray(x, dtype=float)
    return 0.9 * np.exp(-(((x - 0.72) / 0.06) ** 2)) + 0.35 * np.exp(-(((x - 0.3) / 0.15) ** 2))


def synthetic_h(y):
    """The unimportant parameter's effect: one broad bump at y = 0.4 (y in [0, 1])."""
    y = np.asarray(y, dtype=float)
    return np.exp(-(((y - 0.4) / 0.3) ** 2))


def synthetic_score(x, y, importance: float = 0.1):
    """f(x, y) = g(x) + importance * h(y): with a small `importance`, only x really matters."""
    return synthetic_g(x) + importance * synthetic_h(y)


def synthetic_objective(config: dict, importance: float = 0.1) -> dict:
    """An objective for `run_search` on the synthetic landscape: {"score": f(x, y)} (maximise)."""
    return {"score": float(synthetic_score(config["x"], config["y"], importance))}


def synthetic_space() -> dict:
    """x and y uniform on [0, 1]."""
    return {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}


def synthetic_grid(n_per_axis: int = 3) -> dict:
    """A grid on [0, 1]^2 with points at the cell centres (i + 0.5) / n, as in the classic figure."""
    if isinstance(n_per_axis, bool) or not isinstance(n_per_axis, (int, np.integer)) or n_per_axis < 1:
        raise ValueError(f"n_per_axis={n_per_axis!r} must be a positive int")
    centres = [(i + 0.5) / n_per_axis for i in range(n_per_axis)]
    return {"x": Choice(centres), "y": Choice(centres)}
