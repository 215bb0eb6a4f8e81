"""cap_skips: the derived cell with at most max_skip skip connections (P-DARTS's cap), checked by hand."""

import math

import numpy as np
import pytest

from naslab.darts.genotype import cap_skips, derive_cell, n_cells

PRIM = ("sep_conv_3x3", "skip_connect")


def _weights():
    # 2 nodes -> 5 edges: node 0 reads inputs 0, 1; node 1 reads inputs 0, 1, 2. Skip wins every kept edge,
    # with skip strengths 0.9 (edge 0), 0.6 (edge 1), 0.8 (edge 3), 0.7 (edge 4); edge 2 is weak.
    w = np.array([[0.1, 0.9], [0.4, 0.6], [0.5, 0.5], [0.2, 0.8], [0.3, 0.7]])
    return w


def test_uncapped_cell_is_all_skip():
    assert derive_cell(_weights(), PRIM) == ((("skip_connect", 0), ("skip_connect", 1)),
                                             (("skip_connect", 1), ("skip_connect", 2)))


def test_cap_keeps_the_strongest_skips_and_gives_the_others_their_next_best_op():
    one = cap_skips(_weights(), PRIM, max_skip=1)
    # skips fall weakest first (edge 1, then 4, then 3); without its skip, node 1's edge 3 (0.2) is weaker than
    # edge 2 (0.5), so node 1 re-selects its inputs: 0 and 2, both with their next-best op
    assert one == ((("skip_connect", 0), ("sep_conv_3x3", 1)), (("sep_conv_3x3", 0), ("sep_conv_3x3", 2)))
    two = cap_skips(_weights(), PRIM, max_skip=2)  # the two strongest skips (0.9 on edge 0, 0.8 on edge 3) stay
    assert sum(op == "skip_connect" for node in two for op, _ in node) == 2
    assert ("skip_connect", 0) in two[0] and ("skip_connect", 1) in two[1]
    none = cap_skips(_weights(), PRIM, max_skip=0)
    assert all(op == "sep_conv_3x3" for node in none for op, _ in node)
    assert cap_skips(_weights(), PRIM, max_skip=4) == derive_cell(_weights(), PRIM)  # within the cap: unchanged
    w = _weights()
    cap_skips(w, PRIM, max_skip=0)
    assert np.array_equal(w, _weights())  # the caller's weights are not modified


def test_cap_without_skip_in_the_space_and_bad_cap():
    prim = ("sep_conv_3x3", "max_pool_3x3")
    assert cap_skips(_weights(), prim, max_skip=0) == derive_cell(_weights(), prim)
    with pytest.raises(ValueError, match="max_skip=-1"):
        cap_skips(_weights(), PRIM, max_skip=-1)


@pytest.mark.parametrize("steps, n_ops", [(1, 2), (2, 2), (2, 3), (3, 2)])
def test_n_cells_counts_every_distinct_cell(steps, n_ops):
    """Oracle: enumerate every cell (per node, 2 distinct inputs of 2 + m, an op on each) and count."""
    import itertools
    per_node = [len(list(itertools.combinations(range(2 + m), 2))) * n_ops ** 2 for m in range(steps)]
    assert n_cells(steps, n_ops) == math.prod(per_node)
    cells = set(itertools.product(*[[(pair, ops) for pair in itertools.combinations(range(2 + m), 2)
                                     for ops in itertools.product(range(n_ops), repeat=2)] for m in range(steps)]))
    assert n_cells(steps, n_ops) == len(cells)


def test_n_cells_of_the_paper_and_of_notebook_05():
    """Notebook 05 §1's figures: about 5·10^7 (normal, reduce) pairs of 2-node cells, about 10^18 of 4-node ones."""
    assert n_cells(2) == 3 * 7 ** 4 and 5e7 < n_cells(2) ** 2 < 6e7
    assert n_cells(4) == 1 * 3 * 6 * 10 * 7 ** 8 and 1e18 < n_cells(4) ** 2 < 1.1e18
