"""Regularised evolution warm-started by a cheap score: the first population is the top of a big sample.

Real et al. (AAAI 2019, Algorithm 1; `naslab.bakeoff.searchers.RegularizedEvolution`) start from P random
cells. Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS" (ICLR 2021, §5 "warmup") instead
draw a large random sample of N cells, rank it by a zero-cost proxy, and seed the population with

    population_0 = top_P { c in sample(N) : score(c) },      score = any callable cell -> float

(higher = more promising). Evolution then runs unchanged. The score is *free*: it is not charged to the
simulated training budget of the race (a zero-cost proxy costs one mini-batch, about a thousandth of a
training; #params costs nothing), so the comparison with plain evolution measures the value of the
signal. `table_score(proxy)` reads the score of a cell from a column of the shipped proxy table
(data/bench/mnist1d_nb201_proxies, `naslab.signals.table.ProxyTable`): the mean over its init seeds and
mini-batches of the cell's isomorphism class, so no network is built during the race. The race
(`naslab.signals.race`) warm-starts with `DEFAULT_PROXY` = synflow, the proxy Abdelfattah et al. warm up
with; a cell the proxy calls dead (-inf) ranks last.

Taught in: notebooks/07_cheap_signals.ipynb §4.
"""

from __future__ import annotations

import numpy as np

from naslab.bakeoff.cells import canonical
from naslab.bakeoff.searchers import RegularizedEvolution, random_cell
from naslab.searchers import Proposal

DEFAULT_PROXY = "synflow"


def table_score(proxy: str = DEFAULT_PROXY, table=None):
    """cell -> the proxy table's score of the cell (mean over seeds and batches of its class's row).

    Args:
        proxy: a column of the table (`ProxyTable.proxies`: synflow, snip, ..., naswot, params, flops).
        table: a `naslab.signals.table.ProxyTable` (default: the shipped one, loaded and checked once here).
    """
    if table is None:
        from naslab.signals.table import ProxyTable

        table = ProxyTable.load()
    column = table.scores(proxy)  # (n_distinct,): ValueError naming the columns for an unknown proxy
    row = {c: i for i, c in enumerate(table.unique_cells())}

    def score(cell) -> float:
        return float(column[row[canonical(cell)]])

    score.proxy = proxy
    return score


def top_by_score(score, rng: np.random.Generator, n_ops: int, n_edges: int, n_sample: int, k: int) -> list[tuple]:
    """The `k` best of `n_sample` distinct random cells by `score` (ties keep the draw order)."""
    seen: dict[tuple, None] = {}
    for _ in range(20 * n_sample):
        if len(seen) >= n_sample:
            break
        seen[random_cell(rng, n_ops, n_edges)] = None
    cells = list(seen)
    s = np.array([float(score(c)) for c in cells])  # (n_sample,)
    if np.isnan(s).any() or np.isposinf(s).any():
        raise ValueError("score(cell) returned NaN or +inf; a proxy gives a finite float for every cell, or -inf "
                         "for a net that cannot learn (it ranks last)")
    return [cells[int(i)] for i in np.argsort(-s, kind="stable")[:k]]


class WarmStartEvolution(RegularizedEvolution):
    """`RegularizedEvolution` whose first P asks are the top P of `n_sample` random cells by `score(cell)`.

    Args:
        score: cell -> float, higher = better, computed for free: `table_score("synflow")` reads a column of the
            shipped proxy table; any callable works (#params, a proxy computed on the fly).
        n_sample: N, the random cells ranked (default 1000).
        population_size, sample_size: P and S of regularised evolution.
    """

    name = "evolution + proxy"

    def __init__(self, score, n_ops: int = 5, n_edges: int = 6, *, n_sample: int = 1000, population_size: int = 20,
                 sample_size: int = 5, seed: int = 0, metric: str = "val_acc"):
        if not callable(score):
            raise TypeError(f"score={score!r} must be a callable cell -> float (e.g. a zero-cost proxy)")
        super().__init__(n_ops, n_edges, population_size=population_size, sample_size=sample_size, seed=seed,
                         metric=metric)
        if isinstance(n_sample, bool) or not isinstance(n_sample, int) or n_sample < population_size:
            raise ValueError(f"n_sample={n_sample!r} must be an int >= population_size={population_size}")
        self.initial = top_by_score(score, self.rng, self.n_ops, self.n_edges, n_sample, self.P)

    def ask(self) -> Proposal:
        if self._asked < len(self.initial):
            self._asked += 1
            return Proposal(self.initial[self._asked - 1], info={"op": "warm start"})
        return super().ask()


__all__ = ["DEFAULT_PROXY", "WarmStartEvolution", "table_score", "top_by_score"]
