"""Ask/tell searchers: the `Searcher` interface, `Proposal`, `GridSearch` and `RandomSearch`.

A *searcher* proposes candidates and learns from their results through two methods
(the ask/tell interface of d2l's HPO chapter and of Optuna):

    config = searcher.ask()        # a JSON-serialisable config, a `Proposal`, or None
    searcher.tell(config, trial)   # the finished `Trial` (metrics, status, seconds)

`ask()` returning None means "nothing to propose right now"; a `Proposal(config, fidelity=...,
parent=..., info=...)` asks for a cheaper evaluation or records a parent. Grid search enumerates
`grid(space)`; random search draws `sample(space, rng)` (Bergstra & Bengio, JMLR 2012).
`naslab.search.run_search` drives any searcher.

Taught in: notebooks/01_grid_vs_random_search.ipynb; subclassed in notebooks 02-06.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from naslab.domains import MAX_GRID, grid_axes, sample, validate_space
from naslab.trial import Trial
from naslab.validate import check_bool, check_instance, check_int, check_seed


@dataclass
class Proposal:
    """What `ask()` may return instead of a bare config: a config plus how to evaluate it."""

    config: Any
    fidelity: Any = None  # passed as objective(config, fidelity) when not None
    parent: int | None = None  # trial_id this candidate was derived from
    info: dict = field(default_factory=dict)  # copied into Trial.info

    def __post_init__(self):
        check_int(self.parent, "parent", low=0, none=True, hint="the trial_id of the parent")
        check_instance(self.info, "info", dict)


class Searcher:
    """Base class of every searcher: override `ask`, and `tell` when results steer later asks.

    `adaptive = True` (the default) means tells change later asks, so `run_search` asks one
    candidate at a time unless told `batch_size`. Non-adaptive searchers (grid, random) set it to
    False and may be asked ahead, e.g. one trial per free executor worker.

    Trials record `name` (default: the class name) and `seed` (set `self.seed`; 0 when a searcher
    has none). A searcher that reads a score from its tells sets `metric` (run_search then uses it).
    """

    adaptive = True
    seed = 0

    @property
    def name(self) -> str:
        """Recorded in every Trial's info["searcher"]: the class name unless set (e.g. "grid")."""
        return self.__dict__.get("_name", type(self).__name__)

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    def ask(self) -> Any:
        """Propose the next candidate: a JSON-serialisable config, a `Proposal`, or None.

        None means "nothing to propose now" (the loop evaluates what is pending and asks again;
        None with nothing pending ends the search).
        """
        raise NotImplementedError("a Searcher must implement ask() -> config | Proposal | None")

    def tell(self, config: Any, trial: Trial) -> None:
        """Receive the finished trial of `config` (default: ignore it)."""


class GridSearch(Searcher):
    """Every configuration of `grid(space)`, in order or (`shuffle=True`) in a seeded random order."""

    name = "grid"
    adaptive = False

    def __init__(self, space: dict, *, shuffle: bool = False, seed: int = 0, points=None):
        self.seed, self.shuffle = check_seed(seed), check_bool(shuffle, "shuffle")
        self.space, self.axes = space, grid_axes(space, points=points)  # the grid is enumerated lazily
        self.size = math.prod(len(a) for a in self.axes)
        self.order = None
        if shuffle:
            if self.size > MAX_GRID:
                raise ValueError(f"shuffle=True needs the whole order of the {self.size} configurations (more than "
                                 f"{MAX_GRID}); use RandomSearch, or a smaller grid")
            self.order = np.random.default_rng(seed).permutation(self.size)
        self._next = 0

    @property
    def configs(self) -> list[dict]:
        """Every configuration in the order they are asked (refused for a grid too large to list)."""
        if self.size > MAX_GRID:
            raise ValueError(f"the grid has {self.size} configurations, too many to list; ask() them one by one")
        return [self._config(i) for i in range(self.size)]

    def _config(self, i: int) -> dict:
        """The i-th configuration asked: mixed-radix digits of the grid index, first parameter slowest."""
        i = int(self.order[i]) if self.order is not None else i
        values = []
        for axis in reversed(self.axes):
            i, r = divmod(i, len(axis))
            values.append(axis[r])
        return dict(zip(self.space, reversed(values)))

    @property
    def exhausted(self) -> bool:
        return self._next >= self.size

    def ask(self) -> dict | None:
        if self.exhausted:
            return None  # the grid is exhausted
        self._next += 1
        return self._config(self._next - 1)


class RandomSearch(Searcher):
    """Independent draws from the space (log-uniform domains sample uniformly in the exponent)."""

    name = "random"
    adaptive = False

    def __init__(self, space, *, seed: int = 0, max_trials: int | None = None):
        check_seed(seed)
        check_int(max_trials, "max_trials", low=1, none=True)
        self.space, self.seed, self.max_trials = self._validate_space(space), seed, max_trials
        self.rng = np.random.default_rng(seed)
        self._asked = 0

    def ask(self) -> dict | None:
        if self.max_trials is not None and self._asked >= self.max_trials:
            return None
        self._asked += 1
        return self._draw()

    # subclasses drawing from other spaces (e.g. `naslab.controller.children.RandomArchSearch`) override these two
    def _validate_space(self, space):
        return validate_space(space)

    def _draw(self) -> dict:
        return sample(self.space, self.rng)
