"""Anytime curves of a search: the incumbent (best-so-far) versus trials and versus seconds.

A search is judged by its *anytime* performance: after i trials (or t seconds), how good is the
best configuration found so far? For a run with scores s_1..s_n (maximised),

    incumbent_i = argmax_{j <= i} (f_j, s_j)     (lexicographic; failed trials, NaN, are skipped)

where f_j is the trial's fidelity (epochs, rung budget...; all equal when there is none): a score
measured with less budget never beats one measured with more (successive halving, notebook 03; the
bake-off, notebook 06), and ties go to the earlier trial. `incumbents` is that one rule; every
best-so-far curve of the course reads it (`best_so_far`, `best_vs_seconds`,
`naslab.proxies.halving.incumbent_curve`, `naslab.bakeoff.race.incumbent_path`), and `last_finished`
puts it on a time axis (the trials finish one after another, after their cumulative seconds).

and since a single run is noisy, we repeat it over seeds and plot the mean with a band
(std, sem, min..max or quartiles), as Bergstra & Bengio (JMLR 2012) do with their box plots over
many independent experiments. The functions accept lists of `Trial` or plain scores.

Taught in: notebooks/01_grid_vs_random_search.ipynb; used by notebooks 03 and 06.
"""

from __future__ import annotations

import math
import reprlib
import warnings
from collections.abc import Sequence

import numpy as np

from naslab.trial import Trial

MODES = ("max", "min")
SPREADS = ("std", "sem", "minmax", "quartiles")


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is unknown; allowed: {list(MODES)}")


def _scores(run: Sequence, metric: str) -> np.ndarray:
    """Scores of a run given as Trials or as plain numbers (failed trials -> NaN)."""
    if isinstance(run, str | bytes | dict) or not hasattr(run, "__iter__") \
            or not all(isinstance(t, Trial) or t is None or hasattr(t, "__float__") and not isinstance(t, bool)
                        for t in run):
        raise ValueError(f"run={reprlib.repr(run)} must be a list of Trials or of scores (numbers)")
    return np.array([t.score(metric) if isinstance(t, Trial) else np.nan if t is None else float(t) for t in run],
                    dtype=float)


def incumbents(scores, fidelity=None, *, mode: str = "max") -> np.ndarray:
    """(n,) index of the incumbent after each trial; -1 before the first trial with a score.

    The incumbent after trial i is the best of trials 0..i by (fidelity, score), lexicographically: the
    highest fidelity among the scored trials first, then the best score there; ties go to the earlier
    trial. NaN scores (failed trials) are skipped; ±inf are scores like any other.

    Args:
        scores: (n,) floats, maximised (mode="max") or minimised (mode="min").
        fidelity: (n,) floats, higher = more budget (np.inf for "full"), or None: all the same.
    """
    _check_mode(mode)
    s = np.asarray(scores, dtype=float).reshape(-1)  # (n,)
    f = np.zeros(len(s)) if fidelity is None else np.asarray(fidelity, dtype=float).reshape(-1)
    if f.shape != s.shape:
        raise ValueError(f"fidelity has {f.size} entries for {s.size} scores; give one per trial or None")
    scored = ~np.isnan(s)
    key = np.full(len(s), -1, dtype=np.int64)  # exact ranks, so no rounding can merge two keys
    if scored.any():
        _, f_rank = np.unique(f[scored], return_inverse=True)
        s_values, s_rank = np.unique(s[scored] if mode == "max" else -s[scored], return_inverse=True)
        key[scored] = f_rank.reshape(-1) * len(s_values) + s_rank.reshape(-1)
    best = np.maximum.accumulate(key) if len(key) else key
    new = key > np.r_[-1, best[:-1]]  # trial i becomes the incumbent: strictly better than all before it
    return np.maximum.accumulate(np.where(new, np.arange(len(s)), -1)) if len(s) else np.zeros(0, dtype=int)


def last_finished(seconds, times) -> np.ndarray:
    """(T,) index of the last trial finished by each time, -1 before the first; trials run one after another,
    trial j finishing at seconds_0 + ... + seconds_j."""
    done = np.cumsum(np.asarray(seconds, dtype=float))  # (n,) when trial j finished
    return np.searchsorted(done, np.asarray(times, dtype=float), side="right") - 1


def best_so_far(run: Sequence, *, metric: str = "val_acc", mode: str = "max") -> np.ndarray:
    """The incumbent after each trial: out[i] = best score among trials 0..i (NaN before any score).

    `run` is a list of Trials or of plain scores; failed trials (NaN) are skipped. (An incumbent
    score of ±inf, possible with plain scores only, is NaN: no finite best yet.)
    """
    s = _scores(run, metric)
    inc = incumbents(s, mode=mode)  # (n,)
    best = np.where(inc >= 0, s[np.clip(inc, 0, None)], np.nan) if len(s) else s
    return np.where(np.isinf(best), np.nan, best)


def best_trial(trials: Sequence[Trial], *, metric: str = "val_acc", mode: str = "max") -> Trial:
    """The incumbent Trial (ties go to the earlier one); ValueError when no trial has a score."""
    _check_mode(mode)
    if not all(isinstance(t, Trial) for t in trials):
        raise TypeError(f"trials must be Trial records (as run_search returns), got {reprlib.repr(list(trials))}")
    scored = [t for t in trials if not math.isnan(t.score(metric))]
    if not scored:
        raise ValueError(f"no trial has a {metric!r} score ({len(trials)} trials given)")
    pick = max if mode == "max" else min
    return pick(scored, key=lambda t: t.score(metric))


def best_vs_trials(runs: Sequence[Sequence], n: int | None = None, *, metric: str = "val_acc",
                   mode: str = "max") -> np.ndarray:
    """Best-so-far curves of several runs (e.g. one per seed) as an (S, n) array.

    A run shorter than n (its searcher was exhausted) keeps its last incumbent.
    """
    if len(runs) == 0 or all(len(r) == 0 for r in runs):
        raise ValueError(f"best_vs_trials needs at least one non-empty run (one list of trials or scores per "
                         f"seed), got {len(runs)} runs with no trial in any")
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"n={n!r} must be an int >= 1 (the number of trials of the curve) or None")
    curves = [best_so_far(r, metric=metric, mode=mode) for r in runs]
    n = max(len(c) for c in curves) if n is None else int(n)
    out = np.full((len(curves), n), np.nan)
    for i, c in enumerate(curves):
        k = min(n, len(c))
        out[i, :k] = c[:k]
        if 0 < len(c) < n:
            out[i, len(c):] = c[-1]
    return out


def best_vs_seconds(runs: Sequence[Sequence[Trial]], times: Sequence[float], *, metric: str = "val_acc",
                    mode: str = "max") -> np.ndarray:
    """Incumbent of each run at each time in `times` (cumulative trial seconds), an (S, T) array.

    NaN until a run's first trial has finished.
    """
    times = np.asarray(times, dtype=float)
    if len(runs) == 0 or times.ndim != 1 or not np.all(np.isfinite(times)):
        raise ValueError(f"best_vs_seconds needs runs (got {len(runs)}) and times as finite numbers of seconds "
                         f"(got {reprlib.repr(times.tolist())})")
    out = np.full((len(runs), len(times)), np.nan)
    for i, run in enumerate(runs):
        best = best_so_far(run, metric=metric, mode=mode)
        k = last_finished([t.seconds for t in run], times)  # (T,) index of the last finished trial
        out[i] = np.where(k >= 0, best[np.clip(k, 0, None)] if len(best) else np.nan, np.nan)
    return out


def mean_and_spread(curves: np.ndarray, *, spread: str = "std") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over seeds (axis 0) and a band (lo, hi): mean ± std or ± sem, min..max, or the quartiles."""
    if spread not in SPREADS:
        raise ValueError(f"spread={spread!r} is unknown; allowed: {list(SPREADS)}")
    try:
        c = np.asarray(curves, dtype=float)
    except ValueError:  # ragged lists
        raise ValueError(f"curves must be a (seeds, points) array, got {reprlib.repr(curves)}") from None
    if c.ndim != 2 or c.shape[0] < 1:
        raise ValueError(f"curves must be a (seeds, points) array, got shape {c.shape}")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (no trial yet) stay NaN
        mean = np.nanmean(c, axis=0)
        if spread in ("std", "sem"):
            d = np.nanstd(c, axis=0)
            if spread == "sem":
                d = d / np.sqrt(np.maximum(np.sum(~np.isnan(c), axis=0), 1))
            return mean, mean - d, mean + d
        if spread == "minmax":
            return mean, np.nanmin(c, axis=0), np.nanmax(c, axis=0)
        return mean, np.nanpercentile(c, 25, axis=0), np.nanpercentile(c, 75, axis=0)


