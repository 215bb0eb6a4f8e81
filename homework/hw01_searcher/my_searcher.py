"""Homework 1, Level 1: a quasi-random searcher (edit this file).

Random search draws every trial independently, so by chance it leaves gaps and clumps. A *quasi-random*
(low-discrepancy) sequence such as Halton's covers the unit cube evenly, point after point; Bergstra &
Bengio (JMLR 2012, section 6) found it as good as or better than random search at equal budget.

Write `QuasiRandomSearch(space, seed=0, max_trials=None)`, an ask/tell `naslab.Searcher`:
- `ask()` returns the next point of a scrambled Halton sequence in [0, 1)^d (d = number of
  hyper-parameters; `scipy.stats.qmc.Halton(d=d, scramble=True, seed=seed)`), mapped onto the space by
  `to_config`; None once `max_trials` points were asked;
- `to_config(u)` maps one point u in [0, 1)^d onto the domains, in the space's key order:
  Uniform(low, high) -> low + u (high - low); LogUniform(low, high) -> 10 ** (log10 low + u (log10 high
  - log10 low)); IntRange(low, high) -> low + floor(u (high - low + 1)) (an int); Choice(values) ->
  values[floor(u len(values))]. Values are plain Python floats / ints (JSON-serialisable).
- it is not adaptive (`adaptive = False`): `tell` ignores the results.
Check yourself: `make grade HW=1`.
"""

from __future__ import annotations

import math

from scipy.stats import qmc

from naslab.domains import Choice, IntRange, LogUniform, Uniform
from naslab.searchers import Searcher


class QuasiRandomSearch(Searcher):
    name = "quasi-random"
    adaptive = False

    def __init__(self, space: dict, *, seed: int = 0, max_trials: int | None = None):
        self.space, self.seed, self.max_trials = dict(space), seed, max_trials
        # BEGIN SOLUTION
        self.keys = list(self.space)
        self.sampler = qmc.Halton(d=len(self.keys), scramble=True, seed=seed)
        self.asked = 0
        # END SOLUTION

    def to_config(self, u) -> dict:
        """One point u in [0, 1)^d -> a config dict (the mapping in the module docstring)."""
        # BEGIN SOLUTION
        config = {}
        for key, x in zip(self.keys, u):
            dom, x = self.space[key], float(min(max(x, 0.0), math.nextafter(1.0, 0.0)))
            if isinstance(dom, Uniform):
                config[key] = float(dom.low + x * (dom.high - dom.low))
            elif isinstance(dom, LogUniform):
                lo, hi = math.log10(dom.low), math.log10(dom.high)
                config[key] = float(10 ** (lo + x * (hi - lo)))
            elif isinstance(dom, IntRange):
                config[key] = int(dom.low + math.floor(x * (dom.high - dom.low + 1)))
            elif isinstance(dom, Choice):
                config[key] = dom.values[int(math.floor(x * len(dom.values)))]
            else:
                raise ValueError(f"{key}: unsupported domain {dom!r}; allowed: Uniform, LogUniform, IntRange, Choice")
        return config
        # END SOLUTION

    def ask(self) -> dict | None:
        # BEGIN SOLUTION
        if self.max_trials is not None and self.asked >= self.max_trials:
            return None
        self.asked += 1
        return self.to_config(self.sampler.random(1)[0])
        # END SOLUTION

    def tell(self, config, trial) -> None:
        """Quasi-random search ignores results (nothing to write here)."""
