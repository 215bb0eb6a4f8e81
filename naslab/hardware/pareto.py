"""The exact Pareto front of two objectives, its hypervolume, and NSGA-II's ranking (both minimised).

Point a *dominates* b when a is no worse in both objectives and strictly better in one:

    a ≺ b  <=>  a1 <= b1 and a2 <= b2 and (a1 < b1 or a2 < b2)

The *Pareto front* is the set of points no point dominates. Identical points do not dominate each other,
so duplicates of a front point are all on the front. In 2-D it takes one sort and one sweep, O(n log n):
sort by (f1, f2); walking in that order, a point is non-dominated iff its f2 is below every f2 seen so far
(or it equals the last front point exactly).

The *hypervolume* (Zitzler & Thiele, PPSN 1998, the "size of the dominated space") of a set against a
reference point r is the area dominated by the set and bounded by r. For a front sorted by f1 ascending
(so f2 descending) and clipped to the points strictly better than r in both objectives,

    HV = sum_i (r1 - f1_i) * (f2_{i-1} - f2_i),   f2_0 := r2         (a staircase of rectangles)

NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEC 2002) ranks a population by *non-dominated sorting*
(rank 0 = the front, rank 1 = the front of the rest, ...) and breaks ties within a rank by the *crowding
distance* (sum over objectives of the gap between a point's two neighbours, normalised by the objective's
range; the extremes get infinity), which prefers points in sparse parts of the front.

Taught in: notebooks/08_hardware_aware.ipynb.
"""

from __future__ import annotations

import numpy as np


def _points(f1, f2) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(f1, dtype=float), np.asarray(f2, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"f1 {a.shape} and f2 {b.shape} must be 1-D arrays of the same length")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("objectives must be finite numbers (no NaN or inf)")
    return a, b


def pareto_front(f1, f2) -> np.ndarray:
    """Indices of the non-dominated points (both objectives minimised), sorted by (f1, f2): O(n log n)."""
    a, b = _points(f1, f2)
    order = np.lexsort((b, a))  # by f1, then f2
    keep, best, last = [], np.inf, None
    for i in order:
        if b[i] < best:  # strictly below every f2 of a point with smaller-or-equal f1
            keep.append(i)
            best, last = b[i], (a[i], b[i])
        elif last is not None and (a[i], b[i]) == last:  # an exact duplicate of a front point
            keep.append(i)
    return np.array(keep, dtype=int)


def hypervolume(f1, f2, ref) -> float:
    """Area dominated by the points and bounded by `ref` = (r1, r2); points not strictly better than ref in
    both objectives add nothing (Zitzler & Thiele 1998). 0 for an empty set."""
    a, b = _points(f1, f2)
    r1, r2 = (float(v) for v in ref)
    inside = (a < r1) & (b < r2)
    a, b = a[inside], b[inside]
    if len(a) == 0:
        return 0.0
    front = pareto_front(a, b)  # sorted by f1 ascending, so f2 descending
    fa, fb = a[front], b[front]
    prev = np.concatenate([[r2], fb[:-1]])  # f2 of the point before (r2 for the first)
    return float(np.sum((r1 - fa) * (prev - fb)))  # duplicates add a zero-height rectangle


def nondominated_ranks(f1, f2) -> np.ndarray:
    """(n,) NSGA-II rank of every point: 0 on the Pareto front, k on the front left after removing ranks < k.

    Peels one front at a time (`pareto_front` each time): O(k n log n) for k fronts, plenty for a population."""
    a, b = _points(f1, f2)
    ranks = np.full(len(a), -1)
    rest, k = np.arange(len(a)), 0
    while len(rest):
        front = rest[pareto_front(a[rest], b[rest])]
        ranks[front] = k
        rest = np.setdiff1d(rest, front, assume_unique=True)
        k += 1
    return ranks


def crowding_distance(f1, f2) -> np.ndarray:
    """(n,) Deb et al.'s crowding distance of points of one front: per objective, sorted, each interior point
    gets (f[next] - f[prev]) / (f_max - f_min); the two extremes get inf; summed over the objectives."""
    a, b = _points(f1, f2)
    n = len(a)
    d = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for f in (a, b):
        order = np.argsort(f, kind="stable")
        d[order[0]] = d[order[-1]] = np.inf
        span = f[order[-1]] - f[order[0]]
        if span > 0:
            d[order[1:-1]] += (f[order[2:]] - f[order[:-2]]) / span
    return d


def nsga2_order(f1, f2) -> np.ndarray:
    """Indices from best to worst by NSGA-II's crowded comparison: rank ascending, then crowding descending."""
    a, b = _points(f1, f2)
    ranks = nondominated_ranks(a, b)
    crowd = np.zeros(len(a))
    for k in np.unique(ranks):
        members = np.flatnonzero(ranks == k)
        crowd[members] = crowding_distance(a[members], b[members])
    return np.lexsort((-crowd, ranks))


__all__ = ["pareto_front", "hypervolume", "nondominated_ranks", "crowding_distance", "nsga2_order"]
