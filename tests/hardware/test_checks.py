"""Notebook 08's exercise checks: a right answer passes, and each wrong answer in the tables below is rejected
with a message naming the slip (the message text is asserted, not only the type); an answer that calls
naslab's own version is rejected too."""

import numpy as np
import pytest

from naslab.bakeoff.cells import OPS
from naslab.checking import CheckError
from naslab.hardware import checks
from naslab.hardware.models import lut_predict
from naslab.hardware.pareto import hypervolume, nondominated_ranks


def reject(check, answer, fragment):
    with pytest.raises(CheckError, match=fragment):
        check(answer)


# ---- exercise 1: non-dominated sorting (written here by brute force; the check holds no sorting code) -------

def _ranks(points, dominates):
    P = np.asarray(points, dtype=float)
    r, rest, k = np.full(len(P), -1), list(range(len(P))), 0
    while rest:
        front = [j for j in rest if not any(dominates(P[i], P[j]) for i in rest if i != j)]
        if not front:  # a relation under which everything is dominated: stop
            front = rest
        for j in front:
            r[j] = k
        rest, k = [j for j in rest if j not in front], k + 1
    return r


def _right(a, b):
    return bool(np.all(a <= b) and np.any(a < b))


def _first_front_only(points):
    r = _ranks(points, _right)
    return np.minimum(r, 1)


def _duplicates_dominate(points):  # <= in both, no "strictly better in one": duplicates dominate each other
    P = np.asarray(points, dtype=float)
    r = np.zeros(len(P), dtype=int)
    for j in range(len(P)):  # rank = number of points before j that are no worse (a sloppy count)
        r[j] = sum(bool(np.all(P[i] <= P[j])) for i in range(len(P)) if i != j and (i < j or np.any(P[i] < P[j])))
    return _compress(r)


def _compress(r):
    return np.unique(r, return_inverse=True)[1]


FRONT_WRONG = {
    "maximise instead of minimise": (lambda P: _ranks(P, lambda a, b: _right(b, a)), "you maximised"),
    "strict in both objectives (ties ignored)": (lambda P: _ranks(P, lambda a, b: bool(np.all(a < b))),
                                                 "a tie in one objective still dominates"),
    "only the first front, everything else rank 1": (_first_front_only, "peel the fronts"),
    "ranks start at 1": (lambda P: _ranks(P, _right) + 1, "the lowest rank is 1"),
    "duplicates dominate each other": (_duplicates_dominate, "identical points"),
    "not one rank per point": (lambda P: [0], "expected an array of"),
    "naslab's own": (lambda P: nondominated_ranks(P[:, 0], P[:, 1]), "called naslab's naslab.hardware.pareto"),
}


def test_front_ranks_accepts_brute_force():
    assert checks.check_front_ranks(lambda P: _ranks(P, _right)).startswith("✓")


@pytest.mark.parametrize("slip", list(FRONT_WRONG))
def test_front_ranks_names_the_slip(slip):
    fn, fragment = FRONT_WRONG[slip]
    reject(checks.check_front_ranks, fn, fragment)


def test_checks_refuse_a_non_function_and_report_a_stub():
    for check in (checks.check_front_ranks, checks.check_hypervolume, checks.check_lut_latency):
        with pytest.raises(TypeError, match="must be a function"):
            check(3)
        assert "not implemented yet" in check(None)


# ---- exercise 2: hypervolume (a staircase sweep written here; the check holds none) -------------------------

def _sweep(points, ref, *, clip=True, drop_dominated=True, sort=True, keep_dupes=False):
    P = np.asarray(points, dtype=float).reshape(-1, 2)
    if clip:
        P = P[(P[:, 0] < ref[0]) & (P[:, 1] < ref[1])]
    if sort:
        P = P[np.lexsort((P[:, 1], P[:, 0]))]
    area, top = 0.0, ref[1]
    for x, y in P:
        if drop_dominated and y >= top and not keep_dupes:
            continue
        area += (ref[0] - x) * (top - y)
        top = y if (drop_dominated and not keep_dupes) else min(top, y) if keep_dupes else y
    return area


def _sum_boxes(points, ref):
    P = np.asarray(points, dtype=float)
    P = P[(P[:, 0] < ref[0]) & (P[:, 1] < ref[1])]
    return float(np.sum((ref[0] - P[:, 0]) * (ref[1] - P[:, 1])))


def _maximise(points, ref):
    P = np.asarray(points, dtype=float)
    P = P[(P[:, 0] > ref[0]) & (P[:, 1] > ref[1])]
    return _sum_boxes(2 * np.asarray(ref) - P, ref) if len(P) else 0.0


def _dupes_twice(points, ref):
    P = np.asarray(points, dtype=float)
    extra = len(P) - len(np.unique(P, axis=0))
    return _sweep(P, ref) + extra * float(np.prod(np.asarray(ref) - P[0]))


HV_WRONG = {
    "points beyond the reference point not dropped": (lambda P, r: _sweep(P, r, clip=False), "not strictly better"),
    "overlapping boxes double counted": (_sum_boxes, "a duplicate was counted twice"),
    "duplicates counted twice": (_dupes_twice, "a duplicate was counted twice"),
    "maximise: points beyond r kept": (_maximise, "as when maximising"),
    "input assumed sorted": (lambda P, r: _sweep(P, r, sort=False), "must not depend on the order"),
    "dominated points not dropped (negative steps)": (lambda P, r: _sweep(P, r, drop_dominated=False),
                                                      "a dominated point"),
    "the box of the best point only": (lambda P, r: max([0.0] + [float(np.prod(np.asarray(r) - p)) for p in
                                                                 np.asarray(P) if np.all(p < r)]),
                                       "expected 6 \\+ 8 - 4 = 10"),
    "not a number": (lambda P, r: [1.0, 2.0], "the hypervolume is one number"),
    "naslab's own": (lambda P, r: hypervolume(P[:, 0], P[:, 1], r), "called naslab's naslab.hardware.pareto"),
}


def test_hypervolume_accepts_a_sweep():
    assert checks.check_hypervolume(_sweep).startswith("✓")


def test_sweep_helper_agrees_with_naslab():
    P = np.random.default_rng(0).random((50, 2))
    assert np.isclose(_sweep(P, (1.0, 1.0)), hypervolume(P[:, 0], P[:, 1], (1.0, 1.0)))


@pytest.mark.parametrize("slip", list(HV_WRONG))
def test_hypervolume_names_the_slip(slip):
    fn, fragment = HV_WRONG[slip]
    reject(checks.check_hypervolume, fn, fragment)


# ---- exercise 3: the lookup-table latency ---------------------------------------------------------------------

def _lut(cell, lut, base, n_stages, cells_per_stage, *, per_stage=True, k=True, use_base=True, per_edge=True,
         shift=0):
    t = base if use_base else 0.0
    ops = cell if per_edge else sorted(set(cell))
    for s in range(n_stages if per_stage else 1):
        for o in ops:
            if o:
                name = OPS[(o + shift - 1) % 4 + 1] if shift else OPS[o]
                t += (cells_per_stage if k else 1) * lut[(s, name)]
    return t


LUT_WRONG = {
    "forgot the constant": (lambda *a: _lut(*a, use_base=False), "you left out the constant"),
    "forgot cells_per_stage": (lambda *a: _lut(*a, k=False), "you counted each cell once"),
    "stage 0 only": (lambda *a: _lut(*a, per_stage=False), "only stage 0 counts"),
    "each op once per cell": (lambda *a: _lut(*a, per_edge=False), "once per edge"),
    "op index off by one": (lambda *a: _lut(*a, shift=1), "points at the wrong entry"),
    "none costs something": (lambda cell, lut, base, S, K: _lut(cell, lut, base, S, K) + 1e-4 * cell.count(0),
                             "a `none` edge costs nothing"),
    "naslab's own": (lambda cell, lut, base, S, K: float(lut_predict([cell], lut, base)[0]),
                     "called naslab's naslab.hardware.models"),
}


def test_lut_accepts_the_sum():
    assert checks.check_lut_latency(_lut).startswith("✓")


@pytest.mark.parametrize("slip", list(LUT_WRONG))
def test_lut_names_the_slip(slip):
    fn, fragment = LUT_WRONG[slip]
    reject(checks.check_lut_latency, fn, fragment)
