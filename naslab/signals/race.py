"""Notebook 06's race with the predictor-based searchers, judged at 50, 150 and 300 trainings.

The searchers of `naslab.bakeoff.race.default_searchers` (random, evolution, local search, REINFORCE,
successive halving, Hyperband) race BANANAS (`naslab.signals.bananas`), BOHB (`naslab.signals.bohb`),
TPE (Optuna's, through `naslab.integrations.optuna.OptunaSearch` on a space of 6 Choice edges) and
evolution warm-started by a zero-cost proxy (`naslab.signals.warm_start`: by default the synflow column of the
shipped proxy table) on the same simulated cost axis: one
"training" is `Lookup.full_seconds()`, the mean CPU seconds of one full training (all epochs) of a
cell, so "300 trainings" is `max_seconds = 300 * full_seconds` (the bake-off's default is 100).

Judged as Agarwal et al., "Deep RL at the Edge of the Statistical Precipice" (NeurIPS 2021) advise:
the IQM of the test regret over seeds with a percentile-bootstrap 95 % interval
(`naslab.bakeoff.stats`), and the *probability of improvement* of X over Y,

    P(X > Y) = 1/(n m) sum_i sum_j ( 1[x_i > y_j] + 1/2 1[x_i = y_j] ),     x_i = -regret of X's seed i,

(the Mann-Whitney U statistic over n m seed pairs), with a bootstrap interval that resamples the seeds
of X and of Y independently. P(X > X) = 1/2 and P(X > Y) + P(Y > X) = 1.

Optuna is an optional integration that nothing in naslab imports (the layout rule): pass
`tpe=OptunaSearch` (any `factory(space, seed=...)` of a dict-config searcher) to race TPE.

Taught in: notebooks/07_cheap_signals.ipynb §4.
"""

from __future__ import annotations

import time

import numpy as np

from naslab.bakeoff.race import Lookup, default_eta, default_searchers, race
from naslab.bakeoff.stats import bootstrap_band
from naslab.domains import Choice
from naslab.searchers import Searcher
from naslab.signals.bananas import Bananas
from naslab.signals.bohb import BOHB
from naslab.signals.warm_start import DEFAULT_PROXY, WarmStartEvolution, table_score

TRAININGS = (50, 150, 300)


def cell_space(n_ops: int = 5, n_edges: int = 6) -> dict:
    """The cell space as a dict of domains: {"e0": Choice(range(n_ops)), ..., "e5": ...} (one per edge)."""
    return {f"e{e}": Choice(list(range(n_ops))) for e in range(n_edges)}


class DictCells(Searcher):
    """A searcher of dict configs {"e0": op, ...} (e.g. `OptunaSearch(cell_space())`) asking for cell tuples."""

    def __init__(self, inner: Searcher, n_edges: int = 6, name: str | None = None):
        self.inner, self.n_edges = inner, n_edges
        self.seed, self.metric = getattr(inner, "seed", 0), getattr(inner, "metric", "val_acc")
        self.name = name or inner.name

    def ask(self):
        config = self.inner.ask()
        return None if config is None else tuple(int(config[f"e{e}"]) for e in range(self.n_edges))

    def tell(self, config, trial) -> None:
        self.inner.tell({f"e{e}": int(o) for e, o in enumerate(config)}, trial)


def signal_searchers(lookup: Lookup, *, score=None, tpe=None) -> dict:
    """name -> factory(seed) for BANANAS, BOHB, TPE (when `tpe` is given) and evolution + proxy (when `score` is).

    Args:
        score: the warm start's score: a column of the shipped proxy table by name ("synflow", "naswot", ...:
            `naslab.signals.warm_start.table_score`, loaded once here) or any callable cell -> float.
        tpe: factory(space, seed=...) -> dict-config searcher, e.g. `naslab.integrations.optuna.OptunaSearch`.
    """
    k, m, E = lookup.n_ops, lookup.n_edges, lookup.n_epochs
    out = {"BANANAS": lambda s: Bananas(k, m, seed=s),
           "BOHB": lambda s: BOHB(k, m, E, eta=default_eta(E), seed=s)}
    if tpe is not None:
        out["TPE"] = lambda s: DictCells(tpe(cell_space(k, m), seed=s), m, name="TPE")
    if isinstance(score, str):
        score = table_score(score)
    if score is not None:
        out["evolution + proxy"] = lambda s: WarmStartEvolution(score, k, m, seed=s)
    return out


def probability_of_improvement(x, y, *, higher_is_better: bool = True) -> float:
    """P(X > Y) = mean over all seed pairs (i, j) of 1[x_i > y_j] + 0.5 1[x_i = y_j] (Agarwal et al. 2021)."""
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if len(x) == 0 or len(y) == 0:
        raise ValueError(f"x and y need at least one run each, got {len(x)} and {len(y)}")
    if not higher_is_better:
        x, y = -x, -y
    return float(((x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])).mean())


def pi_interval(x, y, *, higher_is_better: bool = True, n_resamples: int = 1000, confidence: float = 0.95,
                seed: int = 0) -> tuple[float, float, float]:
    """(P(X > Y), lower, upper): percentile bootstrap resampling the seeds of X and of Y independently."""
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    p = probability_of_improvement(x, y, higher_is_better=higher_is_better)
    if not higher_is_better:
        x, y = -x, -y
    rng = np.random.default_rng(seed)
    xb = x[rng.integers(len(x), size=(n_resamples, len(x)))]  # (B, n)
    yb = y[rng.integers(len(y), size=(n_resamples, len(y)))]  # (B, m)
    pb = ((xb[:, :, None] > yb[:, None, :]) + 0.5 * (xb[:, :, None] == yb[:, None, :])).mean((1, 2))  # (B,)
    a = (1 - confidence) / 2
    lo, hi = np.quantile(pb, [a, 1 - a])
    return p, float(min(lo, p)), float(max(hi, p))


def pi_matrix(finals: dict, *, n_resamples: int = 1000, seed: int = 0) -> dict:
    """{"names", "p", "lo", "hi"}: P(row better than column) for every pair of name -> (n_seeds,) regrets."""
    names = list(finals)
    K = len(names)
    p, lo, hi = np.full((K, K), 0.5), np.full((K, K), 0.5), np.full((K, K), 0.5)
    for i in range(K):
        for j in range(K):
            if i != j:
                p[i, j], lo[i, j], hi[i, j] = pi_interval(finals[names[i]], finals[names[j]], higher_is_better=False,
                                                          n_resamples=n_resamples, seed=seed)
    return {"names": names, "p": p, "lo": lo, "hi": hi}


def signal_race(lookup: Lookup, searchers: dict | None = None, *, score=DEFAULT_PROXY, tpe=None, seeds=range(50),
                trainings=TRAININGS, n_resamples: int = 1000) -> dict:
    """Run the bake-off searchers and the predictor-based ones; judge them at `trainings` full trainings.

    `searchers` None: the six of notebook 06 and `signal_searchers(lookup, score=score, tpe=tpe)`, so evolution is
    warm-started by the proxy table's `score` column (synflow; None leaves it out).

    Returns:
        {"trainings": (T,), "names", "iqm"/"lo"/"hi": name -> (T,) IQM test regret and its 95 % interval,
         "pi": [pi_matrix at each training count], "seconds_per_seed": name -> mean wall seconds per seed,
         "cpu_seconds": name -> (n_seeds,) CPU seconds of each seed's run, "wall_seconds": the whole race's
         wall seconds (building the searchers, every run and the judging), "result": the `RaceResult`}.
    """
    t0 = time.perf_counter()
    if searchers is None:
        searchers = {**default_searchers(lookup), **signal_searchers(lookup, score=score, tpe=tpe)}
    trainings = np.asarray(trainings, dtype=float)
    if trainings.ndim != 1 or len(trainings) == 0 or not np.all(trainings > 0):
        raise ValueError(f"trainings={trainings.tolist()!r} must be a non-empty list of positive counts")
    full = lookup.full_seconds()
    res = race(lookup, searchers, seeds=seeds, max_seconds=float(trainings.max()) * full, times=trainings * full)
    out = {"trainings": trainings, "names": res.names, "iqm": {}, "lo": {}, "hi": {}, "result": res,
           "seconds_per_seed": {n: w / len(res.seeds) for n, w in res.wall_seconds.items()},
           "cpu_seconds": dict(res.cpu_seconds)}
    for name in res.names:
        out["iqm"][name], out["lo"][name], out["hi"][name] = bootstrap_band(res.regret[name], n_resamples=n_resamples)
    out["pi"] = [pi_matrix({n: res.regret[n][:, t] for n in res.names}, n_resamples=n_resamples)
                 for t in range(len(trainings))]
    out["wall_seconds"] = time.perf_counter() - t0
    return out


def format_table(out: dict) -> str:
    """The IQM regret table as text: one row per searcher, one column per training count."""
    head = f"{'searcher':<20}" + "".join(f"{f'@{int(t)}':>26}" for t in out["trainings"])
    rows = [head] + [f"{n:<20}" + "".join(f"{out['iqm'][n][t]:>9.4f} [{out['lo'][n][t]:.4f}, {out['hi'][n][t]:.4f}]"
                                           for t in range(len(out["trainings"]))) for n in out["names"]]
    return "\n".join(rows)


__all__ = ["TRAININGS", "cell_space", "DictCells", "signal_searchers", "probability_of_improvement", "pi_interval",
           "pi_matrix", "signal_race", "format_table"]
