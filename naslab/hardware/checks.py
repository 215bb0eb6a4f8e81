"""Exercise checks of notebook 08: non-dominated sorting, the 2-D hypervolume, the lookup-table latency.

Each `check_*` follows naslab's check contract (`naslab.checking`) and calls the answer through
`call_student(..., forbid=...)`, so an answer that calls naslab's own `pareto` or `models` is rejected.
No check holds the algorithm it grades; each checks what defines the answer:

* ranks (Deb et al., IEEE TEC 2002): a point dominated by another has a larger rank, and every point of
  rank k > 0 is dominated by some point of rank k - 1 (these two properties define the ranks uniquely);
* hypervolume (Zitzler & Thiele, PPSN 1998): one point gives the product of its gaps to r, a point not
  better than r adds nothing, two boxes add by inclusion-exclusion, the staircase of n + 1 points on
  x + y = 1 against r = (1, 1) has area (n - 1) / (2n), and the area ignores the order of the points;
* lookup table (ProxylessNAS, Once-for-All): the all-`none` cell costs the constant, and raising one
  entry LUT[s, op] by d raises the prediction by cells_per_stage * d * (number of edges carrying op).

Taught in: notebooks/08_hardware_aware.ipynb (exercises).
"""

from __future__ import annotations

import math

import numpy as np

from naslab.bakeoff.cells import OPS
from naslab.checking import call_student, fail, graded

FORBID = ("naslab.hardware.pareto", "naslab.hardware.models", "naslab.hardware.race")
LIVE = OPS[1:]


def _callable(fn, what: str):
    if not callable(fn):
        raise TypeError(f"{what} must be a function, got {type(fn).__name__} {fn!r}")


def _pt(p) -> str:
    return f"({p[0]:g}, {p[1]:g})"


def _dominates(P):
    """(n, n) D[i, j] = point i dominates point j (minimisation): no worse in both, better in one."""
    le = (P[:, None, :] <= P[None, :, :]).all(-1)
    lt = (P[:, None, :] < P[None, :, :]).any(-1)
    return le & lt


def _ranks_of(fn, P, label):
    out = call_student(fn, P.copy(), what=label, forbid=FORBID)
    try:
        r = np.asarray(out)
        ok = r.shape == (len(P),) and np.all(np.equal(np.mod(r, 1), 0))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        fail(f"{label}: you returned {out!r}; expected an array of {len(P)} integer ranks, one per point")
    return r.astype(int)


def _rank_slip(P, r, hints: bool = True) -> str | None:
    """What is wrong with ranks r of points P (None: they are the non-dominated sorting ranks)."""
    if r.min() != 0:
        return f"the lowest rank is {r.min()}: the Pareto front has rank 0"
    D = _dominates(P)
    bad = np.argwhere(D & (r[:, None] >= r[None, :]))
    if len(bad):
        i, j = bad[0]
        hint = ""
        if hints and _rank_slip(-P, r, hints=False) is None:
            hint = ": you maximised; here both objectives are minimised"
        elif hints and r[i] == r[j] > 0:
            hint = ": peel the fronts one at a time (rank k = the front of what is left after ranks < k)"
        elif hints and (P[i, 0] == P[j, 0] or P[i, 1] == P[j, 1]):
            hint = ": a tie in one objective still dominates when the other objective is strictly better"
        return f"{_pt(P[j])} (rank {r[j]}) is dominated by {_pt(P[i])} (rank {r[i]}) but its rank is not larger{hint}"
    same = np.all(P[:, None, :] == P[None, :, :], -1) & (r[:, None] != r[None, :])
    if same.any():
        i, j = np.argwhere(same)[0]
        return (f"two identical points {_pt(P[i])} got ranks {r[i]} and {r[j]}: identical points do not dominate "
                "each other, so they share a front")
    for j in np.flatnonzero(r > 0):
        if not D[r == r[j] - 1, j].any():
            return (f"{_pt(P[j])} has rank {r[j]} but no point of rank {r[j] - 1} dominates it: peel the fronts "
                    "one at a time (rank k = the front of what is left after ranks < k)")
    return None


@graded("Exercise 1")
def check_front_ranks(fn) -> str:
    """Check `fn(points) -> ranks`: (n, 2) points, both minimised -> (n,) non-dominated sorting ranks."""
    _callable(fn, "my_front_ranks")
    rng = np.random.default_rng(8)
    cases = [("4 points, two fronts", np.array([[1.0, 3.0], [2.0, 2.0], [2.0, 4.0], [3.0, 3.0]])),
             ("a tie in f1", np.array([[1.0, 2.0], [1.0, 1.0], [2.0, 0.5]])),
             ("duplicates", np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0], [0.5, 3.0]])),
             ("40 points on a 6 x 6 grid (many ties)", rng.integers(0, 6, size=(40, 2)).astype(float)),
             ("150 random points", rng.random((150, 2)))]
    for label, P in cases:
        slip = _rank_slip(P, _ranks_of(fn, P, label))
        if slip:
            fail(f"{label}: {slip}")
    P = cases[-1][1]
    return (f"✓ ranks right on {len(cases)} sets (ties, duplicates, {len(P)} random points: "
            f"{int(_ranks_of(fn, P, 'again').max()) + 1} fronts)")


def _hv(fn, P, ref, label):
    out = call_student(fn, np.asarray(P, dtype=float).copy(), tuple(ref), what=label, forbid=FORBID)
    try:
        return float(out)
    except (TypeError, ValueError):
        fail(f"{label}: you returned {out!r}; the hypervolume is one number (an area)")


def _close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@graded("Exercise 2")
def check_hypervolume(fn) -> str:
    """Check `fn(points, ref) -> area`: (n, 2) points, both minimised, reference point ref = (r1, r2)."""
    _callable(fn, "my_hypervolume")
    ref = (4.0, 5.0)
    got = _hv(fn, [[1.0, 2.0]], ref, "one point (1, 2), ref (4, 5)")
    if _close(got, 0.0):
        fail("one point (1, 2) strictly better than ref (4, 5) added nothing: in minimisation a point counts when "
             "p < r in both objectives (did you keep points with p > r, as when maximising?)")
    if not _close(got, 9.0):
        fail(f"one point (1, 2), ref (4, 5): you returned {got:g}; one point dominates the box "
             "(r1 - p1) x (r2 - p2) = 3 x 3 = 9")
    for p in ([5.0, 1.0], [1.0, 6.0], [4.0, 1.0]):
        got = _hv(fn, [p, [3.0, 4.0]], ref, f"points {p} and (3, 4), ref (4, 5)")
        if not _close(got, 1.0):
            fail(f"points {tuple(p)} and (3, 4), ref (4, 5): you returned {got:g}, expected 1: a point that is not "
                 "strictly better than the reference point in both objectives adds nothing (drop it)")
    got = _hv(fn, [[1.0, 2.0], [1.0, 2.0]], ref, "the point (1, 2) twice, ref (4, 5)")
    if not _close(got, 9.0):
        fail(f"the point (1, 2) twice: you returned {got:g}, expected 9: a duplicate was counted twice "
             "(the area of a union counts overlapping boxes once)")
    got = _hv(fn, [[1.0, 3.0], [2.0, 1.0]], ref, "points (1, 3) and (2, 1), ref (4, 5)")
    if _close(got, 6.0 + 8.0):
        fail("points (1, 3) and (2, 1): you returned 14 = 6 + 8, the sum of the two boxes; they overlap on "
             "[2, 4] x [3, 5] (area 4), which a union counts once: expected 10")
    if not _close(got, 10.0):
        fail(f"points (1, 3) and (2, 1), ref (4, 5): you returned {got:g}, expected 6 + 8 - 4 = 10"
             f"{': only the largest box (the union of both boxes counts)' if _close(got, 8.0) else ''}")
    got = _hv(fn, [[1.0, 1.0], [2.0, 3.0]], ref, "(1, 1) and the point (2, 3) it dominates, ref (4, 5)")
    if not _close(got, 12.0):
        fail(f"(1, 1) and the dominated point (2, 3): you returned {got:g}, expected 12 (the box of (1, 1)): a "
             "dominated point lies inside another box and must not change the area")
    for n in (4, 10):
        stair = np.stack([np.arange(n + 1) / n, 1 - np.arange(n + 1) / n], 1)
        want = (n - 1) / (2 * n)
        got = _hv(fn, stair, (1.0, 1.0), f"{n + 1} points (k/n, 1 - k/n) sorted by f1, ref (1, 1)")
        if not _close(got, want):
            fail(f"{n + 1} points (k/{n}, 1 - k/{n}) sorted by f1, ref (1, 1): you returned {got:.6g}, expected the "
                 f"staircase's area (n - 1) / (2n) = {want:.6g}")
        shuffled = stair[np.random.default_rng(n).permutation(n + 1)]
        for label, P in (("in reverse order", stair[::-1]), ("shuffled", shuffled)):
            got = _hv(fn, P, (1.0, 1.0), f"the same {n + 1} points {label}")
            if not _close(got, want):
                fail(f"the same {n + 1} points {label}: you returned {got:.6g} instead of {want:.6g}: the area must "
                     "not depend on the order of the points (sort them yourself)")
    rng = np.random.default_rng(2)
    P = rng.random((60, 2))
    full = _hv(fn, P, (1.1, 1.2), "60 random points, ref (1.1, 1.2)")
    boxes = (1.1 - P[:, 0]) * (1.2 - P[:, 1])
    if not boxes.max() - 1e-12 <= full <= min(boxes.sum(), 1.1 * 1.2) + 1e-12:
        fail(f"60 random points: {full:g} is not between the largest single box {boxes.max():g} and the "
             f"reference box 1.1 x 1.2")
    scaled = _hv(fn, P * [2.0, 1.0], (2.2, 1.2), "the same points with f1 doubled, ref (2.2, 1.2)")
    if not _close(scaled, 2 * full):
        fail(f"doubling f1 (points and r1) must double the area: {full:g} became {scaled:g}")
    return "✓ single boxes, points beyond r, duplicates, overlaps, dominated points, staircases in any order"


def _lut(rng, n_stages):
    return {(s, op): float(rng.uniform(1e-4, 1e-3)) for s in range(n_stages) for op in LIVE}


def _lut_slip(slope: float, n: int, s: int, K: int) -> str:
    """Name the slip behind a wrong slope d prediction / d LUT[s, op] (expected K * n)."""
    def near(v):
        return math.isclose(slope, v, abs_tol=1e-6)

    if n > 1 and n != K and near(K):
        return ": you counted an op once per cell; count it once per edge that carries it"
    if n and n != K and near(n):
        return f": you counted each cell once; each stage holds cells_per_stage = {K} cells"
    if n and s > 0 and near(0):
        return ": only stage 0 counts in your sum; every stage has its own entries"
    if n == 0 or near(0):
        return ": an edge's op index points at the wrong entry (the op of index o is OPS[o])"
    return ""


@graded("Exercise 3")
def check_lut_latency(fn) -> str:
    """Check `fn(cell, lut, base, n_stages, cells_per_stage) -> seconds` (one cell, op indices)."""
    _callable(fn, "my_lut_latency")
    rng = np.random.default_rng(3)
    S, K, base = 2, 3, 2e-3
    lut = _lut(rng, S)

    def pred(cell, table, label):
        out = call_student(fn, tuple(cell), dict(table), base, S, K, what=label, forbid=FORBID)
        try:
            return float(out)
        except (TypeError, ValueError):
            fail(f"{label}: you returned {out!r}; a predicted latency is one number of seconds")

    got = pred((0,) * 6, lut, "the all-none cell")
    if not _close(got, base):
        hint = ("you left out the constant (stem, reductions and head: the all-none network)" if _close(got, 0.0)
                else "a `none` edge costs nothing, so the all-none cell costs exactly the constant")
        fail(f"the all-none cell, base {base:g} s: you predicted {got:g} s; {hint}")
    for cell in [(2, 0, 0, 0, 0, 0), (1, 1, 0, 3, 4, 2), (3, 3, 3, 3, 3, 3), (4, 2, 1, 4, 0, 2)]:
        y0 = pred(cell, lut, f"cell {cell}")
        for s, op in lut:
            n = sum(OPS[o] == op for o in cell)  # edges carrying op: each appears K times at stage s
            d = 1e-4
            bumped = {**lut, (s, op): lut[(s, op)] + d}
            slope = (pred(cell, bumped, f"cell {cell}, LUT[{s}, {op!r}] raised") - y0) / d
            if not math.isclose(slope, K * n, abs_tol=1e-6):
                edges = f"{n} edge{'s' * (n != 1)}"
                fail(f"cell {cell}: raising LUT[({s}, {op!r})] by {d:g} s raised your prediction by {slope * d:g} s, "
                     f"expected {K * n * d:g} s ({edges} x {K} cells per stage){_lut_slip(slope, n, s, K)}")
    return f"✓ the constant, every (stage, op) entry counted per edge and per cell, on {S} stages x {K} cells"


__all__ = ["check_front_ranks", "check_hypervolume", "check_lut_latency", "FORBID"]
