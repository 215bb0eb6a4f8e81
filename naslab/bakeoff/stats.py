"""Robust statistics over seeds: the interquartile mean and percentile-bootstrap confidence intervals.

Agarwal, Schwarzer, Castro, Courville, Bellemare, "Deep Reinforcement Learning at the Edge of the
Statistical Precipice" (NeurIPS 2021; the `rliable` library) recommend, for a handful of runs:

* the **interquartile mean** IQM = the mean of the middle 50 % of the runs (a 25 %-trimmed mean):
  robust to a few outlier runs like the median, but it uses half of the data instead of one point;
* **stratified percentile-bootstrap** confidence intervals: resample the runs with replacement
  B times, recompute the statistic, take the 2.5 % and 97.5 % quantiles.

Both are computed here with scipy (`scipy.stats.trim_mean`, `scipy.stats.bootstrap`), already a
naslab dependency, instead of rliable 1.2 (which requires `arch`, and with it pandas and
statsmodels, plus absl-py, for the same two numbers). Regret curves are (n_seeds, T): every time
point gets its own interval.

Taught in: notebooks/06_nas_bakeoff.ipynb (section 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

STATISTICS = ("iqm", "median", "mean")


def iqm(x, axis: int = 0) -> np.ndarray:
    """Interquartile mean along `axis`: the mean of the runs between the 25th and 75th percentile."""
    return stats.trim_mean(np.asarray(x, dtype=float), 0.25, axis=axis)


def _statistic(name: str):
    if name not in STATISTICS:
        raise ValueError(f"statistic={name!r} is unknown; allowed: {list(STATISTICS)}")
    return {"iqm": iqm, "median": lambda x, axis=0: np.median(x, axis=axis),
            "mean": lambda x, axis=0: np.mean(x, axis=axis)}[name]


def bootstrap_band(x, *, statistic: str = "iqm", confidence: float = 0.95, n_resamples: int = 2000,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point estimate, lower, upper) of `statistic` over the runs (axis 0), per column.

    Args:
        x: (n_runs,) or (n_runs, T) values, e.g. final regrets or regret curves.
        statistic: "iqm", "median" or "mean".
        confidence: the coverage of the percentile-bootstrap interval.
        n_resamples: B, the number of bootstrap resamples of the runs.

    Returns:
        three arrays of shape x.shape[1:] (scalars for a 1-D x).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim not in (1, 2) or len(x) < 2:
        raise ValueError(f"x has shape {x.shape}; need (n_runs,) or (n_runs, T) with n_runs >= 2")
    if np.isnan(x).any():
        raise ValueError("x holds NaN: a run without a result at some time point (start the time grid later)")
    f = _statistic(statistic)
    point = f(x, axis=0)
    if np.all(x == x[:1]):  # every run agrees: the interval is the point (bootstrap would warn)
        return point, point.copy(), point.copy()
    res = stats.bootstrap((x,), f, axis=0, vectorized=True, n_resamples=n_resamples, confidence_level=confidence,
                          method="percentile", random_state=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return point, np.minimum(lo, point), np.maximum(hi, point)


@dataclass
class Rank:
    """One row of the final ranking."""

    name: str
    value: float  # the statistic of the final regret over seeds
    lo: float
    hi: float
    found: float  # fraction of seeds that returned the best cell (regret 0)

    def __str__(self) -> str:
        return (f"{self.name:<20} {self.value:7.4f}  [{self.lo:.4f}, {self.hi:.4f}]  "
                f"optimum in {self.found:.0%} of seeds")


def final_ranking(result, *, statistic: str = "iqm", at: int = -1, confidence: float = 0.95,
                  n_resamples: int = 2000, seed: int = 0) -> list[Rank]:
    """Every searcher's regret at time index `at` (default: the end), best (lowest) first, with its interval."""
    rows = []
    for name in result.names:
        r = result.regret[name][:, at]
        v, lo, hi = bootstrap_band(r, statistic=statistic, confidence=confidence, n_resamples=n_resamples, seed=seed)
        rows.append(Rank(name, float(v), float(lo), float(hi), float(np.mean(r <= 1e-12))))
    return sorted(rows, key=lambda row: (row.value, row.hi))


def curve_bands(result, *, statistic: str = "iqm", confidence: float = 0.95, n_resamples: int = 1000,
                seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """name -> (center, lower, upper), each (T,): the regret curves with their bootstrap bands."""
    return {name: bootstrap_band(result.regret[name], statistic=statistic, confidence=confidence,
                                 n_resamples=n_resamples, seed=seed) for name in result.names}


def separated(a: Rank, b: Rank) -> bool:
    """True when the two intervals do not overlap (a conservative 'these two differ')."""
    return a.hi < b.lo or b.hi < a.lo
