"""The path encoding of BANANAS on the NAS-Bench-201 cell, checked against hand-worked bits."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.cells import OPS, class_key
from naslab.signals.encoding import encoder, onehot_encoding, path_bits, path_encoding, path_length


def test_length_is_one_bit_per_path_and_op_sequence():
    assert OPS[0] == "none"
    assert path_length(5) == 4 + 16 + 16 + 64 == 100
    assert path_encoding([(0,) * 6, (1,) * 6]).shape == (2, 100)


def test_hand_worked_cell():
    # edges (1,0) conv_3, (2,0) none, (2,1) skip, (3,0) conv_1, (3,1) none, (3,2) avg_pool
    cell = (3, 0, 1, 2, 0, 4)
    # path 0->3: [conv_1] -> bit 0 + rank(conv_1) = 1; paths 0->1->3 and 0->2->3 cross a `none` edge;
    # path 0->1->2->3: [conv_3, skip, avg] -> ranks (2, 0, 3) -> 2*16 + 0*4 + 3 = 35 after offset 4+16+16 = 36
    assert path_bits(cell) == [1, 71]
    x = path_encoding([cell])[0]
    assert x.sum() == 2 and x[1] == 1 and x[71] == 1


def test_cells_differing_on_a_path_differ_and_dead_edges_do_not():
    a = (3, 0, 1, 2, 0, 4)
    b = (3, 0, 2, 2, 0, 4)  # edge (2,1) skip -> conv_1: path 0->1->2->3 becomes ranks (2, 1, 3) = 39 -> bit 75
    assert path_bits(b) == [1, 75]
    assert not np.array_equal(*path_encoding([a, b]))
    dead1, dead2 = (0, 0, 1, 2, 3, 4), (0, 0, 3, 2, 1, 4)  # edge (1,0) none: edges (2,1), (3,1) are dead
    assert class_key(dead1) == class_key(dead2)  # the oracle: the same computation
    assert np.array_equal(*path_encoding([dead1, dead2])) and path_bits(dead1) == [1]


def test_onehot_and_default_encoder():
    X = onehot_encoding([(0, 1, 2, 3, 4, 0)])
    assert X.shape == (1, 30) and list(np.flatnonzero(X[0])) == [0, 6, 12, 18, 24, 25]
    assert encoder(5, 6)([(1,) * 6]).shape == (1, 100)
    assert encoder(3, 4)([(1,) * 4]).shape == (1, 12)


@pytest.mark.parametrize("cell", [(0, 1, 2), (0, 1, 2, 3, 4, 5), "abcdef", (0, 1, 2, 3, 4, -1)])
def test_bad_cells_are_named(cell):
    with pytest.raises(ValueError, match="must be 6 op indices"):
        path_bits(cell)
