"""Hyperband and repeated successive halving on the epoch fidelity, as one ask/tell searcher.

Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar, "Hyperband: A Novel Bandit-Based Approach to
Hyperparameter Optimization" (JMLR 2018, arXiv:1603.06560). With a maximum resource R (epochs), a
minimum r_min and a reduction factor eta:

    s_max = floor(log_eta(R / r_min));   for s = s_max, ..., 0 (a "bracket"):
        n = ceil((s_max + 1) / (s + 1) * eta^s) candidates,  r = R * eta^(-s) epochs each,
        then successive halving: rung i keeps floor(n_i / eta) and gives them r * eta^i epochs.

Bracket s = s_max is the most aggressive successive halving; bracket 0 is random search at full
budget. Each bracket is naslab's `SuccessiveHalving` (notebook 03) with `r_min = r` and `r_max = R`;
fidelities are epochs and may be fractional (R / eta^s), the objective rounds them. With a time
budget instead of a count, the brackets are run again with fresh random candidates until the budget
is spent: `Hyperband(..., brackets=[s_max])` is therefore "successive halving, repeated".

`hyperband_schedule` lists every bracket's rungs (n_i, r_i): the oracle of notebook 06's exercise 3.

Taught in: notebooks/06_nas_bakeoff.ipynb (section 3); successive halving itself in notebook 03.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from naslab.proxies.halving import SuccessiveHalving, rung_schedule
from naslab.searchers import Searcher


def hyperband_brackets(R: float, eta: int = 3, r_min: float = 1) -> list[tuple[int, int, float]]:
    """The (s, n, r) of every bracket, most aggressive first.

    Example: hyperband_brackets(81, 3) == [(4, 81, 1.0), (3, 34, 3.0), (2, 15, 9.0), (1, 8, 27.0), (0, 5, 81.0)].

    Raises:
        ValueError: eta < 2, or budgets that are not 0 < r_min <= R.
    """
    if isinstance(eta, bool) or not isinstance(eta, (int, np.integer)) or eta < 2:
        raise ValueError(f"eta={eta!r} must be an int >= 2 (3 is the usual choice)")
    if not (0 < r_min <= R):
        raise ValueError(f"budgets r_min={r_min!r}, R={R!r} must satisfy 0 < r_min <= R")
    s_max = int(math.floor(math.log(R / r_min, eta) + 1e-9))  # + 1e-9: log(81, 3) = 3.9999999999999996
    out = []
    for s in range(s_max, -1, -1):
        n = int(math.ceil((s_max + 1) / (s + 1) * eta**s - 1e-9))
        out.append((s, n, R / eta**s))
    return out


def hyperband_schedule(R: float, eta: int = 3, r_min: float = 1) -> list[list[tuple[int, float]]]:
    """The rungs (n_i, r_i) of every bracket, most aggressive first: exactly what `Hyperband` runs.

    Bracket s is `SuccessiveHalving(n, eta, r_min=r, r_max=R)`: n_i = floor(n / eta^i), r_i = r * eta^i (capped
    at R), i = 0..s. Example: hyperband_schedule(81, 3)[1] == [(34, 3.0), (11, 9.0), (3, 27.0), (1, 81.0)].
    """
    return [rung_schedule(n, eta, r, R) for _, n, r in hyperband_brackets(R, eta, r_min)]


class Hyperband(Searcher):
    """Hyperband's brackets, each a `naslab.proxies.halving.SuccessiveHalving`, cycled until the budget is spent.

    Args:
        sample: `sample(rng) -> candidate` (e.g. a random cell).
        R: the maximum resource (the table's number of epochs).
        eta: the reduction factor.
        r_min: the smallest resource a bracket may use.
        brackets: which brackets s to cycle through (default: all, s_max first); [s_max] is
            repeated successive halving, [0] is random search at full budget.
        seed: seeds the candidate draws (bracket k of the run draws with seed (seed, k)).
        metric: the Trial metric to maximise.
    """

    name = "hyperband"
    adaptive = False  # inside a rung the candidates are independent (they may be asked ahead)

    def __init__(self, sample: Callable, R: float, *, eta: int = 3, r_min: float = 1, brackets=None,
                 seed: int = 0, metric: str = "val_acc"):
        self.schedule = hyperband_brackets(R, eta, r_min)
        known = [s for s, _, _ in self.schedule]
        self.brackets = known if brackets is None else [int(s) for s in brackets]
        bad = [s for s in self.brackets if s not in known]
        if bad or not self.brackets:
            raise ValueError(f"brackets={brackets!r} must be a non-empty list of bracket indices from {known}")
        self.sample, self.R, self.eta, self.seed, self.metric = sample, R, eta, seed, metric
        self.started = 0  # brackets started so far (in the cycle order)
        self.finished: list = []  # the SuccessiveHalving of every finished bracket
        self.sh = None
        self._next_bracket()

    def _next_bracket(self) -> None:
        s = self.brackets[self.started % len(self.brackets)]
        _, n, r = self.schedule[[b for b, _, _ in self.schedule].index(s)]
        rng = np.random.default_rng([int(self.seed), self.started])  # fresh candidates for every bracket
        cands = [self.sample(rng) for _ in range(n)]
        self.sh = SuccessiveHalving(cands, eta=self.eta, r_min=r, r_max=self.R, metric=self.metric)
        self.s, self.started = s, self.started + 1

    def ask(self):
        if self.sh.done:
            self.finished.append(self.sh)
            self._next_bracket()
        p = self.sh.ask()  # None while the rung waits for outstanding results
        if p is not None:
            p.info.update(bracket=self.started - 1, s=self.s)
        return p

    def tell(self, config, trial) -> None:
        if trial.info.get("bracket") == self.started - 1:
            self.sh.tell(config, trial)  # answers from an earlier bracket change nothing


class SuccessiveHalvingCells(Hyperband):
    """Successive halving on the epoch fidelity, repeated: Hyperband's most aggressive bracket only."""

    name = "successive halving"

    def __init__(self, sample: Callable, R: float, *, eta: int = 3, r_min: float = 1, seed: int = 0,
                 metric: str = "val_acc"):
        s_max = hyperband_brackets(R, eta, r_min)[0][0]
        super().__init__(sample, R, eta=eta, r_min=r_min, brackets=[s_max], seed=seed, metric=metric)
