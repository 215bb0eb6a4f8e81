"""Exercise check of notebook 06, section 3: Hyperband's schedule of brackets and rungs, written by the student.

Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar, "Hyperband" (JMLR 2018, arXiv:1603.06560), Algorithm 1:
s_max = floor(log_eta R); for s = s_max, ..., 0: n = ceil((s_max + 1) / (s + 1) * eta^s), r = R * eta^-s, and
rung i = 0..s of the bracket holds n_i = floor(n * eta^-i) configurations trained for r_i = r * eta^i.

`check_hyperband_schedule(fn)` grades `fn(R, eta) -> [[(n_0, r_0), ...] per bracket, s = s_max first]` against
two oracles: Table 1 of the paper (R = 81, eta = 3), shipped below as numbers without the code that made them,
and naslab's own schedule (`naslab.bakeoff.hyperband.hyperband_schedule`, the brackets `Hyperband` runs),
computed inside the check on six (R, eta) pairs, 243 = 3^5 among them. The student's function runs under
`call_student(forbid=...)`, so calling naslab's Hyperband or successive halving is refused. A wrong schedule is
rejected with a message naming the slip, diagnosed only by comparing the answer with the oracle's output
(missing bracket, one bracket too few from a float log, reversed order, r a factor eta off, rungs past R,
n rounded down, n_i rounded).

Taught in: notebooks/06_nas_bakeoff.ipynb (section 3, exercise 3).
"""

from __future__ import annotations

import math

from naslab.bakeoff.hyperband import hyperband_schedule
from naslab.checking import call_student, fail, graded

FORBID = ("naslab.bakeoff.hyperband", "naslab.proxies.halving")
# Li et al. (JMLR 2018), Table 1: R = 81, eta = 3; one row of (n_i, r_i) per bracket s = 4, 3, 2, 1, 0
PAPER_R81_ETA3 = (
    ((81, 1), (27, 3), (9, 9), (3, 27), (1, 81)),
    ((34, 3), (11, 9), (3, 27), (1, 81)),
    ((15, 9), (5, 27), (1, 81)),
    ((8, 27), (2, 81)),
    ((5, 81),),
)
PAIRS = ((81, 3), (27, 3), (243, 3), (16, 2), (100, 3), (9, 3))  # (R, eta) compared with naslab's schedule


def _as_schedule(got, R, eta) -> list[list[tuple[float, float]]]:
    """The answer as a list of brackets of (n_i, r_i) float pairs, or a CheckError saying what the shape should be."""
    shape = "a list with one list of (n_i, r_i) pairs per bracket, s = s_max first"
    try:
        out = [[(float(n), float(r)) for n, r in bracket] for bracket in got]
    except (TypeError, ValueError):
        fail(f"for R={R}, eta={eta} you returned {got!r}: return {shape}")
    if not out or any(not b for b in out):
        fail(f"for R={R}, eta={eta} you returned {got!r} with an empty bracket or no bracket: return {shape}")
    return out


def _same(got, want) -> bool:
    return len(got) == len(want) and all(
        len(g) == len(w) and all(gn == wn and math.isclose(gr, wr, rel_tol=1e-9) for (gn, gr), (wn, wr) in zip(g, w))
        for g, w in zip(got, want))


def _diagnose(got, want, R, eta, source) -> None:
    """Return if `got` equals `want`; else fail with the slip the difference points to."""
    if _same(got, want):
        return
    where, s_max = f"R={R}, eta={eta}", len(want) - 1
    if len(got) == len(want) - 1 and len(got[0]) == len(want[0]) - 1:
        fail(f"{where}: you made {len(got)} brackets (s_max = {len(got) - 1}) but eta**{s_max} = {eta**s_max} <= R, "
             f"so s_max = {s_max}: find s_max in integers, the largest s with eta**s <= R (a float log is inexact: "
             f"math.log(243, 3) = {math.log(243, 3)!r} floors to 4)")
    if len(got) == len(want) - 1 and _same(got, want[:-1]):
        fail(f"{where}: the s = 0 bracket is missing (its {int(want[-1][0][0])} configurations at the full R = {R}, "
             "random search): run s from s_max down to 0 inclusive")
    if len(got) != len(want):
        fail(f"{where}: you returned {len(got)} brackets; Hyperband has s_max + 1 = {len(want)} (s = {s_max}..0)")
    if _same(got, want[::-1]):
        fail(f"{where}: the brackets are in the wrong order (s = 0 first); return s = s_max first, the most "
             "aggressive bracket, and s = 0 last")
    for k, (g, w) in enumerate(zip(got, want)):
        s = s_max - k
        if len(g) > len(w) or max(r for _, r in g) > R * (1 + 1e-9):
            fail(f"{where}, bracket s = {s}: your rungs {g} go past R = {R} (r_i not capped): bracket s has s + 1 "
                 f"rungs, i = 0..s, and its last one trains exactly r_s = R")
        if len(g) == len(w) and all(math.isclose(gr * eta, wr, rel_tol=1e-9) for (_, gr), (_, wr) in zip(g, w)):
            fail(f"{where}, bracket s = {s}: every r_i is a factor eta = {eta} too small (the last rung trains "
                 f"{g[-1][1]:g}, not R = {R}): r = R * eta**-s, not R / eta**(s+1)")
        if g[0][0] == w[0][0] - 1:
            fail(f"{where}, bracket s = {s}: n = {g[0][0]:g}, expected {w[0][0]:g}: n is rounded *up*, "
                 "n = ceil((s_max+1)/(s+1) * eta**s), not down")
        up = [(i, gn, wn) for i, ((gn, _), (wn, _)) in enumerate(zip(g, w)) if gn == wn + 1]
        if g[0][0] == w[0][0] and up:
            i, gn, wn = up[0]
            fail(f"{where}, bracket s = {s}, rung i = {i}: n_i = {gn:g}, expected {wn:g}: n_i = floor(n * eta**-i) "
                 "is rounded *down* (n // eta**i), not to the nearest integer")
        if not _same([g], [w]):
            fail(f"{where}, bracket s = {s}: you gave the rungs {g}, {source} has {w}")
    fail(f"{where}: your schedule differs from {source}'s {want}")  # unreachable when the loop compares all


@graded("Exercise 3")
def check_hyperband_schedule(fn) -> str:
    """Check `fn(R, eta)`: Hyperband's brackets s = s_max..0, each a list of rungs (n_i, r_i), i = 0..s."""
    if not callable(fn):
        raise TypeError(f"fn must be a function my_hyperband(R, eta), got {type(fn).__name__}")
    paper = [[(float(n), float(r)) for n, r in bracket] for bracket in PAPER_R81_ETA3]
    got = _as_schedule(call_student(fn, 81, 3, what="R=81, eta=3", forbid=FORBID), 81, 3)
    _diagnose(got, paper, 81, 3, "Li et al.'s Table 1")
    for R, eta in PAIRS:
        want = [[(float(n), float(r)) for n, r in bracket] for bracket in hyperband_schedule(R, eta)]
        got = _as_schedule(call_student(fn, R, eta, what=f"R={R}, eta={eta}", forbid=FORBID), R, eta)
        _diagnose(got, want, R, eta, "naslab's Hyperband")
    return (f"✓ your schedule matches Li et al.'s Table 1 (R = 81, eta = 3) and naslab's Hyperband on {len(PAIRS)} "
            "(R, eta) pairs, R = 243 = 3**5 among them")
