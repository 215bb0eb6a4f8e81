"""Does the REINFORCE controller keep exploring? Unstructured random reward tables (notebook 02's defaults).

A table gives every sequence of a few decisions a reward drawn uniformly at random, and one random
sequence a clearly higher reward. Nothing links the decisions, so a controller can only find the best
sequence by sampling it; uniform random search draws a given one of N sequences within n samples with
probability 1 - (1 - 1/N)^n (0.993 for N = 81, n = 400). `explore_table` runs a `ControllerSearcher`
on such a table and reports whether it ever sampled the best sequence and its final probability

    P(best) = Π_t p(a_t* | a_<t*)      (teacher-forced through the LSTM)

Measured side by side for old and new defaults by `benchmarks/controller_exploration.py`.

Taught in: notebooks/02_reinforce_controller.ipynb (why `ControllerConfig`'s defaults explore).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from naslab.controller.searcher import ControllerConfig, ControllerSearcher


def random_reward_table(shape=(3, 3, 3, 3), seed: int = 0, *, low: float = 0.3, high: float = 0.8,
                        best: float = 0.9) -> tuple[np.ndarray, tuple[int, ...]]:
    """Rewards uniform in [low, high) for every sequence, and one random sequence set to `best`.

    Returns (table of `shape`, the best sequence as a tuple of choice indices).
    """
    shape = tuple(int(k) for k in shape)
    if not shape or min(shape) < 1:
        raise ValueError(f"shape={shape!r} must be a non-empty tuple of ints >= 1")
    rng = np.random.default_rng(1000 + int(seed))
    table = rng.uniform(low, high, size=shape)
    arm = tuple(int(i) for i in np.unravel_index(rng.integers(table.size), shape))
    table[arm] = best
    return table, arm


def explore_table(cfg: ControllerConfig | None, table: np.ndarray, arm, n_samples: int = 400,
                  seed: int = 0) -> dict:
    """Run a controller for `n_samples` samples (n_samples / m updates) on `table`.

    Returns {"found": the best sequence `arm` was sampled at least once, "first": the sample index
    of its first draw (None), "p_best": its final probability P(arm) under the controller}.
    """
    s = ControllerSearcher(list(table.shape), cfg or ControllerConfig(), seed=seed)
    seen: list[tuple[int, ...]] = []

    def reward(tokens):
        seen.append(tuple(tokens))
        return float(table[tuple(tokens)])

    while len(seen) < n_samples:
        s.step(reward)
    first = next((i for i, t in enumerate(seen[:n_samples]) if t == tuple(arm)), None)
    with torch.no_grad():
        p = s.controller(tokens=torch.tensor([list(arm)])).log_prob.exp().item()  # Π_t p(a_t | a_<t)
    return {"found": first is not None, "first": first, "p_best": p}


def uniform_found_rate(table_shape, n_samples: int = 400) -> float:
    """P(uniform sampling draws one given sequence at least once in n_samples) = 1 - (1 - 1/N)^n."""
    return 1.0 - (1.0 - 1.0 / math.prod(table_shape)) ** n_samples
