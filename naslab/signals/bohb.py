"""BOHB: Hyperband's brackets with candidates drawn from a TPE-style density ratio over the cell's edges.

Falkner, Klein, Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization at Scale" (ICML 2018,
Algorithm 2). The schedule is Hyperband's (`naslab.bakeoff.hyperband`); only the draw of a bracket's
candidates changes. With D_b the (cell, score) pairs observed at budget b (epochs):

1. with probability rho = 1/3, or while no budget has |D_b| >= N_min + 2 points (N_min = n_edges + 1),
   draw a uniformly random cell;
2. otherwise take the highest such b; split D_b into the best n_l = max(N_min, ceil(q |D_b|)) cells
   (q = 0.15) and the other n_g = max(N_min, |D_b| - n_l) (both sorted lists may overlap when small);
3. fit per-edge categorical kernel densities (Aitchison-Aitken kernel of bandwidth beta, BOHB's kernel
   for categorical parameters; beta plays the role of a prior that keeps every op possible):
       l(x) = mean_{i in good} prod_e k(x_e, x_ie),   g(x) likewise over the bad cells,
       k(x_e, v) = 1 - beta if x_e = v else beta / (n_ops - 1);
4. draw N_s = 64 candidates from l with the bandwidth widened by `bw_factor` (= 3, BOHB's default)
   and return the one maximising l(x) / g(x) (proportional to TPE's expected improvement).

Taught in: notebooks/07_cheap_signals.ipynb §4.
"""

from __future__ import annotations

import math

import numpy as np

from naslab.bakeoff.hyperband import Hyperband
from naslab.bakeoff.searchers import random_cell, validate_cell_space


def kde(cells: np.ndarray, X: np.ndarray, n_ops: int, beta: float) -> np.ndarray:
    """(len(X),) density at X (m, n_edges) of the product Aitchison-Aitken KDE on `cells` (n, n_edges)."""
    same = X[:, None, :] == cells[None, :, :]  # (m, n, n_edges)
    k = np.where(same, 1.0 - beta, beta / (n_ops - 1))  # (m, n, n_edges) per-edge kernel
    return k.prod(-1).mean(-1)  # (m,)


class TPEDensity:
    """l(x) / g(x) over categorical edges: the model of BOHB (good = top `top_fraction` of one budget)."""

    def __init__(self, cells, scores, n_ops: int, *, top_fraction: float = 0.15, beta: float = 0.2,
                 n_min: int | None = None):
        C, y = np.asarray(cells, dtype=int), np.asarray(scores, dtype=float)  # (n, n_edges), (n,)
        if not 0.0 < beta < 1.0 - 1.0 / n_ops:
            raise ValueError(f"beta={beta!r} must lie in (0, 1 - 1/n_ops = {1 - 1 / n_ops:.3f})")
        n_min = C.shape[1] + 1 if n_min is None else n_min
        order = np.argsort(-y, kind="stable")  # best first
        n_l = max(n_min, math.ceil(top_fraction * len(y)))
        n_g = max(n_min, len(y) - n_l)
        self.good, self.bad = C[order[:n_l]], C[order[-n_g:]]
        self.n_ops, self.beta = n_ops, beta

    def ratio(self, X) -> np.ndarray:
        """(m,) l(x) / g(x) at the cells X (m, n_edges)."""
        X = np.asarray(X, dtype=int)
        return kde(self.good, X, self.n_ops, self.beta) / kde(self.bad, X, self.n_ops, self.beta)

    def sample_good(self, rng: np.random.Generator, n: int, bw_factor: float = 3.0) -> np.ndarray:
        """(n, n_edges) draws from l with the bandwidth widened: copy a good cell, resample each edge w.p. beta'."""
        base = self.good[rng.integers(len(self.good), size=n)]  # (n, n_edges)
        b = min(self.beta * bw_factor, 1.0 - 1.0 / self.n_ops)  # beta' <= 1 - 1/n_ops: uniform at most
        flip = rng.random(base.shape) < b * self.n_ops / (self.n_ops - 1)  # resample w.p. such that P(change) = b
        return np.where(flip, rng.integers(self.n_ops, size=base.shape), base)


class BOHB(Hyperband):
    """Hyperband (all brackets, cycled) whose candidates come from `TPEDensity` (Falkner et al., 2018).

    Args:
        n_ops, n_edges: the cell space.
        R, eta, r_min: Hyperband's schedule (epochs).
        random_fraction: rho, the share of candidates drawn uniformly (1/3 in BOHB).
        top_fraction: q, the share of a budget's cells that are "good" (0.15).
        n_samples: N_s, the draws from l scored by l/g (64).
        beta, bw_factor: the kernel's bandwidth and its widening for the draws.
    """

    name = "BOHB"

    def __init__(self, n_ops: int, n_edges: int, R: float, *, eta: int = 3, r_min: float = 1,
                 random_fraction: float = 1 / 3, top_fraction: float = 0.15, n_samples: int = 64,
                 beta: float = 0.2, bw_factor: float = 3.0, seed: int = 0, metric: str = "val_acc"):
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        if not 0.0 <= random_fraction <= 1.0:
            raise ValueError(f"random_fraction={random_fraction!r} must lie in [0, 1] (BOHB uses 1/3)")
        if not 0.0 < top_fraction < 1.0:
            raise ValueError(f"top_fraction={top_fraction!r} must lie in (0, 1) (BOHB uses 0.15)")
        self.rho, self.q, self.n_samples, self.beta, self.bw_factor = random_fraction, top_fraction, n_samples, \
            beta, bw_factor
        self.n_min = self.n_edges + 1
        self.observed: dict[int, dict[tuple, float]] = {}  # budget (epochs) -> {cell: score}
        self.n_model = 0  # candidates drawn from the model
        super().__init__(self.draw, R, eta=eta, r_min=r_min, seed=seed, metric=metric)

    def tell(self, config, trial) -> None:
        s = trial.score(self.metric)
        if trial.status == "ok" and np.isfinite(s):
            self.observed.setdefault(int(trial.metrics.get("epoch", self.R)), {})[tuple(config)] = s
        super().tell(config, trial)

    def model(self) -> TPEDensity | None:
        """The density ratio at the highest budget with >= N_min + 2 observations, or None."""
        ok = [b for b, d in self.observed.items() if len(d) >= self.n_min + 2]
        if not ok:
            return None
        d = self.observed[max(ok)]
        return TPEDensity(list(d), list(d.values()), self.n_ops, top_fraction=self.q, beta=self.beta,
                          n_min=self.n_min)

    def draw(self, rng: np.random.Generator) -> tuple[int, ...]:
        """One candidate: uniform with probability rho (or without a model), else argmax l/g of N_s draws."""
        m = None if rng.random() < self.rho else self.model()
        if m is None:
            return random_cell(rng, self.n_ops, self.n_edges)
        X = m.sample_good(rng, self.n_samples, self.bw_factor)  # (N_s, n_edges)
        self.n_model += 1
        return tuple(int(o) for o in X[int(np.argmax(m.ratio(X)))])


__all__ = ["BOHB", "TPEDensity", "kde"]
