"""naslab.hardware.pareto against oracles: brute-force dominance, hand-computed and grid-counted hypervolumes."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.hardware.pareto import crowding_distance, hypervolume, nondominated_ranks, nsga2_order, pareto_front


def dominates(a, b) -> bool:
    return a[0] <= b[0] and a[1] <= b[1] and (a[0] < b[0] or a[1] < b[1])


def brute_front(f1, f2) -> set[int]:
    """O(n^2) oracle: every point no other point dominates."""
    pts = list(zip(f1, f2))
    return {i for i, p in enumerate(pts) if not any(dominates(q, p) for q in pts)}


def grid_hypervolume(f1, f2, ref) -> int:
    """Oracle for integer points and reference: count the unit squares [x, x+1] x [y, y+1] some point dominates."""
    lo1, lo2 = int(min(min(f1), ref[0])), int(min(min(f2), ref[1]))
    return sum(any(a <= x and b <= y for a, b in zip(f1, f2))
               for x in range(lo1, int(ref[0])) for y in range(lo2, int(ref[1])))


@pytest.mark.parametrize("seed", range(30))
def test_front_matches_brute_force_dominance_with_ties_and_duplicates(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    f1, f2 = rng.integers(0, 8, n).astype(float), rng.integers(0, 8, n).astype(float)  # many ties and duplicates
    front = pareto_front(f1, f2)
    assert set(front.tolist()) == brute_front(f1, f2)
    assert len(front) == len(set(front.tolist()))
    assert list(zip(f1[front], f2[front])) == sorted(zip(f1[front], f2[front]))  # sorted by (f1, f2)


def test_front_of_continuous_points_and_edge_cases():
    rng = np.random.default_rng(0)
    f1, f2 = rng.random(500), rng.random(500)
    assert set(pareto_front(f1, f2).tolist()) == brute_front(f1, f2)
    assert pareto_front([], []).tolist() == []
    assert pareto_front([1.0, 1.0], [2.0, 2.0]).tolist() == [0, 1]  # duplicates do not dominate each other
    assert pareto_front([1.0, 2.0], [2.0, 2.0]).tolist() == [0]  # equal f2, worse f1: dominated
    assert pareto_front([1.0, 1.0], [2.0, 3.0]).tolist() == [0]  # equal f1, worse f2: dominated


def test_bad_points_are_rejected():
    with pytest.raises(ValueError, match="same length"):
        pareto_front([1, 2], [1])
    with pytest.raises(ValueError, match="finite"):
        hypervolume([1, np.nan], [1, 2], (3, 3))


def test_hypervolume_of_hand_computed_fronts():
    # a staircase: (4-1)(4-3) + (4-2)(3-2) + (4-3)(2-1) = 3 + 2 + 1
    assert hypervolume([1, 2, 3], [3, 2, 1], (4, 4)) == 6.0
    assert hypervolume([1], [1], (2, 3)) == 2.0
    assert hypervolume([1, 2, 3, 3, 2.5], [3, 2, 1, 1, 2.5], (4, 4)) == 6.0  # a duplicate and a dominated point add 0
    assert hypervolume([1, 5, 0], [1, 0, 5], (4, 4)) == 9.0  # points outside the reference box add nothing
    assert hypervolume([4, 1], [1, 4], (4, 4)) == 0.0  # on the boundary: no area
    assert hypervolume([], [], (1, 1)) == 0.0
    # two rectangles by inclusion-exclusion: 0.5 * 0.75 + 0.75 * 0.5 - 0.5 * 0.5
    assert hypervolume([0.5, 0.25], [0.25, 0.5], (1.0, 1.0)) == pytest.approx(0.5 * 0.75 + 0.75 * 0.5 - 0.5 * 0.5)


@pytest.mark.parametrize("seed", range(20))
def test_hypervolume_matches_grid_counting(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 15))
    f1, f2 = rng.integers(0, 10, n), rng.integers(0, 10, n)
    ref = (int(rng.integers(3, 12)), int(rng.integers(3, 12)))
    assert hypervolume(f1, f2, ref) == grid_hypervolume(f1, f2, ref)


def test_nondominated_ranks_peel_fronts_like_brute_force():
    rng = np.random.default_rng(3)
    f1, f2 = rng.integers(0, 6, 80).astype(float), rng.integers(0, 6, 80).astype(float)
    ranks, rest, k = nondominated_ranks(f1, f2), set(range(80)), 0
    while rest:
        idx = sorted(rest)
        front = {idx[j] for j in brute_front(f1[idx], f2[idx])}
        assert {i for i in rest if ranks[i] == k} == front
        rest -= front
        k += 1


def test_crowding_distance_and_nsga2_order_by_hand():
    f1, f2 = np.array([0.0, 1, 2, 3]), np.array([3.0, 2, 1, 0])
    d = crowding_distance(f1, f2)
    assert np.isinf(d[0]) and np.isinf(d[3]) and d[1:3] == pytest.approx([4 / 3, 4 / 3])  # (2/3) + (2/3)
    assert np.isinf(crowding_distance([1.0, 2.0], [2.0, 1.0])).all()
    # rank 0: (0, 2), (1, 1), (2, 0): (1, 1) is interior; rank 1: (2, 2)
    order = nsga2_order([0, 1, 2, 2], [2, 1, 0, 2])
    assert set(order[:2].tolist()) == {0, 2} and order[2:].tolist() == [1, 3]
