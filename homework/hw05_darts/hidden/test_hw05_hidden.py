"""Homework 5, hidden tests: k = 1 cells and a search space without some built-in ops (rejects a rule that ignores
k or reads the global PRIMITIVES), and a replaced skip never becomes `none` (rejects an argmax over every other op)."""

import torch
from my_darts import derive_cell_max_skip

from naslab.darts.genotype import n_edges


def test_k1_and_a_small_space():
    prims = ("none", "skip_connect", "max_pool_3x3", "sep_conv_3x3")
    w = torch.zeros(n_edges(4), len(prims))
    w[:, 1] = 1.0  # skip everywhere
    w[:, 2] = torch.linspace(0.1, 0.5, n_edges(4))
    w[:, 3] = 0.3
    nodes = derive_cell_max_skip(w, prims, k=1, max_skip=1)
    ops = [op for node in nodes for op, _ in node]
    assert len(ops) == 4, f"k=1 keeps one edge per node (4 nodes), got {len(ops)} edges: is k passed on to derive_cell?"
    assert ops.count("skip_connect") == 1, f"{ops}: at most max_skip = 1 skip"
    assert all(op in ("max_pool_3x3", "sep_conv_3x3", "skip_connect") for op in ops), \
        f"{ops}: ops of this search space only (use the `primitives` argument, not naslab's PRIMITIVES)"


def test_a_replaced_skip_never_becomes_none():
    prims = ("none", "skip_connect", "max_pool_3x3", "sep_conv_3x3")
    w = torch.zeros(n_edges(3), len(prims))
    w[:, 0] = 0.9  # none is the strongest op after skip on every edge
    w[:, 1] = torch.linspace(1.0, 1.2, n_edges(3))
    w[:, 2], w[:, 3] = 0.05, 0.04
    nodes = derive_cell_max_skip(w, prims, k=2, max_skip=1)
    ops = [op for node in nodes for op, _ in node]
    assert "none" not in ops, f"{ops}: a replaced skip takes its strongest op other than none and skip_connect"
    assert ops.count("skip_connect") == 1 and ops.count("max_pool_3x3") == 5, ops
