"""Successive halving: spend little on every candidate, more on the survivors, most on the winner.

Jamieson & Talwalkar (AISTATS 2016); the inner loop of Hyperband (Li et al., JMLR 2018).
With n candidates, a minimum budget r_min, a maximum r_max and a reduction factor eta:

    rung i = 0, 1, ...:  n_i = floor(n / eta^i) candidates, each evaluated with budget r_i = r_min * eta^i
                         keep the top floor(n_i / eta) for rung i + 1
    stop when a rung holds a single candidate or r_i reaches r_max (the last rung runs at r_max).

Every rung costs about n * r_min: the budget is spread evenly over the rungs, and the total is
about (number of rungs) * n * r_min instead of n * r_max for evaluating everyone fully.

`SuccessiveHalving` is a `naslab.searchers.Searcher`: `ask()` returns a `Proposal(candidate,
fidelity=r_i)`, so `run_search` calls `objective(candidate, r_i)`; `tell(candidate, trial)` records
the trial's score and the rung is promoted once all of its candidates were told. Inside a rung
the candidates are independent (asked ahead, evaluated in parallel on an executor); between
rungs `ask()` returns None until the rung is complete. Candidates can be architecture keys
(notebook 03: live with `naslab.proxies.proxy.live_objective`, or on the benchmark with
`Benchmark.objective`) or hyper-parameter configurations.

Taught in: notebooks/03_proxy_evaluation.ipynb (section "Successive halving").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from naslab.anytime import incumbents, last_finished
from naslab.searchers import Proposal, Searcher
from naslab.validate import check_seed


def rung_schedule(n: int, eta: int = 3, r_min: float = 1, r_max: float = 9) -> list[tuple[int, float]]:
    """The (n_i, r_i) of every rung: n_i = floor(n / eta^i), r_i = min(r_min * eta^i, r_max).

    Example: rung_schedule(27, 3, 1, 9) == [(27, 1), (9, 3), (3, 9)].

    Raises:
        ValueError: n < 1, eta < 2 (an int), or budgets that are not 0 < r_min <= r_max.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r} must be a positive int (the number of candidates in rung 0)")
    if isinstance(eta, bool) or not isinstance(eta, (int, np.integer)) or eta < 2:
        raise ValueError(f"eta={eta!r} must be an int >= 2 (the reduction factor; 3 is the usual choice)")
    if not (0 < r_min <= r_max):
        raise ValueError(f"budgets r_min={r_min!r}, r_max={r_max!r} must satisfy 0 < r_min <= r_max")
    rungs, i = [], 0
    while True:
        n_i = n // eta**i  # floor(n / eta^i)
        r_i = min(r_min * eta**i, r_max)
        rungs.append((int(n_i), r_i))
        if n_i // eta < 1 or r_i >= r_max:  # nobody to promote, or the full budget is reached
            return rungs
        i += 1


def top_k(scores: Sequence[float], k: int) -> list[int]:
    """Indices of the k best scores (higher is better), NaN counted as worst, ties by position."""
    s = np.asarray(scores, dtype=float)
    key = np.where(np.isnan(s), -np.inf, s)
    order = sorted(range(len(s)), key=lambda j: (-key[j], j))  # stable: the earlier candidate wins a tie
    return order[:k]


class SuccessiveHalving(Searcher):
    """Synchronous successive halving as an ask/tell searcher.

    Args:
        candidates: the rung-0 candidates, or None to draw `n` of them with `sample(rng)`.
        n: the number of rung-0 candidates (default: len(candidates)).
        eta: reduction factor: the top 1/eta of each rung is promoted, with eta times the budget.
        r_min, r_max: the budget of rung 0 and the largest budget (epochs, steps, data fraction...).
        sample: `sample(rng) -> candidate`, used when `candidates` is None.
        seed: seeds `sample` (and nothing else; the promotion rule is deterministic).
        metric: the Trial metric to maximise.
    """

    name = "successive halving"
    adaptive = False  # a rung's candidates do not depend on each other: they may be asked ahead

    def __init__(self, candidates: Sequence | None = None, *, n: int | None = None, eta: int = 3,
                 r_min: float = 1, r_max: float = 9, sample: Callable | None = None, seed: int = 0,
                 metric: str = "val_acc"):
        check_seed(seed)
        if candidates is None:
            if sample is None or n is None:
                raise ValueError("give either `candidates` or both `sample` and `n`")
            rng = np.random.default_rng(seed)
            candidates = [sample(rng) for _ in range(n)]
        candidates = list(candidates)
        n = len(candidates) if n is None else n
        if n > len(candidates):
            raise ValueError(f"n={n} is larger than the {len(candidates)} candidates given")
        self.schedule = rung_schedule(n, eta, r_min, r_max)
        self.eta, self.metric, self.seed = eta, metric, seed
        self.rung = 0
        self.alive: list = candidates[:n]  # the candidates of the current rung
        self.scores: list[float] = [math.nan] * n  # their scores at this rung
        self._asked = 0  # how many of the current rung were handed out
        self._told: set[int] = set()
        self.history: list[list[tuple[object, float]]] = []  # per finished rung: (candidate, score)
        self.promoted: list[list[int]] = []  # per finished rung: indices (into that rung) promoted

    @property
    def budget(self) -> float:
        """The budget r_i of the current rung."""
        return self.schedule[self.rung][1]

    @property
    def done(self) -> bool:
        return self.rung >= len(self.schedule)

    def ask(self) -> Proposal | None:
        """The next candidate of the current rung with its budget r_i, or None (finished, or the rung
        waits for outstanding results)."""
        if self.done or self._asked >= len(self.alive):
            return None
        j = self._asked
        self._asked += 1
        return Proposal(self.alive[j], fidelity=self.budget, info={"rung": self.rung, "index": j})

    def tell(self, config, trial) -> None:
        """Record `trial.score(metric)` (NaN for a failed trial); promote when the rung is complete."""
        rung, j = trial.info.get("rung"), trial.info.get("index")
        if self.done or rung != self.rung or j is None:
            return  # a late answer from a finished rung changes nothing
        self.scores[int(j)] = trial.score(self.metric)
        self._told.add(int(j))
        if len(self._told) == len(self.alive):
            self._promote()

    def _promote(self) -> None:
        self.history.append(list(zip(self.alive, self.scores)))
        k = len(self.alive) // self.eta  # floor(n_i / eta) survive
        keep = top_k(self.scores, k) if self.rung + 1 < len(self.schedule) else []
        self.promoted.append(keep)
        self.rung += 1
        self.alive = [self.alive[j] for j in keep]
        self.scores = [math.nan] * len(self.alive)
        self._asked, self._told = 0, set()

    def best(self):
        """(candidate, score) of the best candidate of the highest finished rung, or None."""
        if not self.history:
            return None
        last = self.history[-1]
        j = top_k([s for _, s in last], 1)[0]
        return last[j]

    def total_budget(self) -> float:
        """Σ_i n_i * r_i: the budget the whole schedule spends (in units of r)."""
        return float(sum(n_i * r_i for n_i, r_i in self.schedule))


def incumbent_curve(trials, times, truth: Callable) -> np.ndarray:
    """What the search would return at each simulated time, judged by `truth(config)`.

    At time t the finished trials are those whose cumulative seconds are <= t; the incumbent is the
    best-scored trial among those at the highest fidelity scored so far (the "most trained" ones: a
    rung-1 score must not beat a rung-2 score just because it was measured with less budget). This is
    `naslab.anytime.incumbents` with the trial's fidelity (None = full), put on the time axis.

    Returns:
        (len(times),) truth of the incumbent; NaN before the first scored trial finishes.
    """
    fid = np.array([np.inf if t.fidelity is None else float(t.fidelity) for t in trials])  # (n,)
    inc = incumbents([t.score() for t in trials], fid)  # (n,) index of the incumbent after each trial
    k = last_finished([t.seconds for t in trials], times)  # (T,) last trial finished by each time
    return np.array([truth(trials[inc[j]].config) if j >= 0 and inc[j] >= 0 else np.nan for j in k], dtype=float)


def compare_on_benchmark(bench, seeds, *, n: int = 27, eta: int = 3, r_min: int = 1, r_max: int = 9,
                         n_random: int | None = None, times=None, observe_seed: int = 0,
                         truth_seed: int | None = None) -> dict:
    """Successive halving against random search on the benchmark, one run per search seed.

    Both see the benchmark's seed `observe_seed`; what they return is judged by `truth_seed`
    (default: another seed, i.e. what retraining the chosen architecture gives).

    Returns:
        {"times": (T,), "curves": {"successive halving": (S, T), "random search": (S, T)},
         "trials": {name: [trials per seed]}}.
    """
    from naslab.controller.children import RandomArchSearch
    from naslab.search import run_search

    truth_seed = truth_seed if truth_seed is not None else [s for s in bench.seeds if s != observe_seed][0]
    truth_acc = bench.accuracy(r_max, seed=truth_seed)
    objective = bench.objective(seed=observe_seed)

    def truth(config):
        return float(truth_acc[bench.index(config)])

    runs = {"successive halving": [], "random search": []}
    for s in seeds:
        rng = np.random.default_rng(s)
        cands = [bench.archs[i].key for i in rng.choice(bench.size, size=n, replace=False)]
        sh = SuccessiveHalving(cands, eta=eta, r_min=r_min, r_max=r_max, seed=int(s))
        runs["successive halving"].append(run_search(sh, objective, budget=10**6))
        m = n_random or 2 * math.ceil(sh.total_budget() / r_max)  # twice SH's budget, in full trainings
        rs = RandomArchSearch(bench.space, seed=int(s), max_trials=m)
        runs["random search"].append(run_search(rs, lambda c: objective(c, r_max), budget=m))
    if times is None:
        end = max(sum(t.seconds for t in run) for run in runs["random search"])
        times = np.geomspace(0.5, end, 60)
    curves = {k: np.array([incumbent_curve(run, times, truth) for run in v]) for k, v in runs.items()}
    return {"times": np.asarray(times), "curves": curves, "trials": runs}
