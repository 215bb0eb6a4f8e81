"""Homework 5, hidden tests: k = 1 cells and a search space without some built-in ops."""

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
    assert len(ops) == 4 and ops.count("skip_connect") == 1
    assert all(op in ("max_pool_3x3", "sep_conv_3x3", "skip_connect") for op in ops)
