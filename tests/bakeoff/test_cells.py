"""naslab.bakeoff.cells: the NAS-Bench-201 space in 1-D, its strings and its isomorphism classes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from naslab.bakeoff.cells import (
    EDGES,
    OPS,
    all_cells,
    canonical,
    cell_str,
    check_cell,
    class_key,
    nb201_unique_str,
    parse_cell,
    unique_cells,
)
from naslab.bakeoff.network import NetConfig, edge_op, forward, init_buffers, init_params

NONE, SKIP, C1, C3, POOL = range(5)


def test_space_sizes_and_the_two_isomorphism_rules():
    assert len(all_cells()) == 5 ** 6 == 15_625
    assert len({nb201_unique_str(c) for c in all_cells()}) == 6_466  # NAS-Bench-201's published count
    assert len(unique_cells()) == len({class_key(c) for c in all_cells()}) == 4_930
    # ours is coarser: every NB201 class lies inside one of ours
    ours = {}
    for c in all_cells():
        ours.setdefault(nb201_unique_str(c), set()).add(class_key(c))
    assert all(len(v) == 1 for v in ours.values())


def test_small_known_case_none_and_skip_only():
    # with only none / skip the output is (number of input-output paths) * x: 0..4 paths -> 5 classes
    cells = list(itertools.product((NONE, SKIP), repeat=6))
    assert len({class_key(c) for c in cells}) == 5
    assert class_key((SKIP, SKIP, SKIP, SKIP, SKIP, SKIP)) == ("x",) * 4
    assert len({class_key(c) for c in itertools.product(range(5), [0], [0], [0], [0], [0])}) == 1  # dead edge
    assert len({class_key((0, 0, 0, o, 0, 0)) for o in range(5)}) == 5  # one live edge: 5 different cells


def test_canonical_is_idempotent_minimal_and_in_class():
    for c in all_cells():
        k = canonical(c)
        assert canonical(k) == k and class_key(k) == class_key(c) and k <= c
    assert unique_cells() == sorted({canonical(c) for c in all_cells()})


def test_dead_edges_and_node_swap():
    assert canonical((C3, NONE, NONE, C3, NONE, NONE)) == (NONE, NONE, NONE, C3, NONE, NONE)  # node 1 is dead
    rng = np.random.default_rng(0)
    for _ in range(200):  # node 2 does not read node 1: swapping nodes 1 and 2 is the same computation
        a, b, c, d, e = (int(v) for v in rng.integers(0, 5, 5))
        assert class_key((a, b, NONE, c, d, e)) == class_key((b, a, NONE, c, e, d))
    assert class_key((C3, C1, C1, NONE, NONE, SKIP)) != class_key((C1, C3, C1, NONE, NONE, SKIP))  # a real chain


def _tied_params(cfg, seed):
    """Weights where every edge of a cell shares its op's weights: isomorphic cells then compute the same."""
    p = init_params(cfg, seed)
    for name in p:
        eo = edge_op(name)
        if eo is not None:
            p[name] = p[name.replace(f".e{eo[0]}.", ".e0.")]
    return p


def test_isomorphic_cells_compute_the_same_function():
    cfg = NetConfig(C=4, stem_stride=2)
    x = torch.randn(16, 1, 40, generator=torch.Generator().manual_seed(0))
    p = _tied_params(cfg, 1)
    rng = np.random.default_rng(1)
    cells = [all_cells()[i] for i in rng.choice(15_625, 150, replace=False)]
    outs = {}
    for c in cells:
        y = forward(p, init_buffers(cfg), c, x, cfg, train=True)
        torch.testing.assert_close(y, forward(p, init_buffers(cfg), canonical(c), x, cfg, train=True),
                                   atol=1e-5, rtol=1e-4)
        outs[canonical(c)] = y
    keys = list(outs)  # different classes: different functions
    assert all(not torch.allclose(outs[a], outs[b], atol=1e-4) for a, b in zip(keys, keys[1:]))


def test_strings_round_trip_and_match_nas_bench_201():
    assert cell_str((C3, SKIP, C1, NONE, SKIP, POOL)) == \
        "|conv_3~0|+|skip_connect~0|conv_1~1|+|none~0|skip_connect~1|avg_pool_3~2|"
    for c in all_cells()[::97]:
        assert parse_cell(cell_str(c)) == c
    assert check_cell(["conv_3", "none", "none", "skip_connect", "none", "none"]) == (C3, 0, 0, SKIP, 0, 0)
    assert len(EDGES) == 6 and OPS[0] == "none"


@pytest.mark.parametrize("text, message", [
    ("|conv_3~0|+|skip_connect~0|conv_1~1|", "has 2 nodes"),
    ("|conv_5~0|+|skip_connect~0|conv_1~1|+|none~0|none~1|none~2|", "op 'conv_5'"),
    ("|conv_3~0|+|skip_connect~0|conv_1~0|+|none~0|none~1|none~2|", "should read from node 1"),
    ("|conv_3~0|+|skip_connect~0|+|none~0|none~1|none~2|", "node 2 of"),
    ("conv_3~0+|skip_connect~0|conv_1~1|+|none~0|none~1|none~2|", "enclosed in '|'"),
    ("|conv_3|+|skip_connect~0|conv_1~1|+|none~0|none~1|none~2|", "is not 'op~source'"),
    (42, "is not a cell string"),
])
def test_parse_errors_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_cell(text)


@pytest.mark.parametrize("cell, message", [((0, 1, 2), "must have 6 ops"), ((0, 1, 2, 3, 4, 5), "op 5 on edge"),
                                           ((0, 1, 2, 3, 4, "max_pool"), "op 'max_pool'"), (7, "sequence")])
def test_bad_cells_are_rejected(cell, message):
    with pytest.raises(ValueError, match=message):
        check_cell(cell)
