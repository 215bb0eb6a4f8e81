"""Encodings of a NAS-Bench-201 cell for a predictor: the path encoding of BANANAS and a one-hot baseline.

White, Neiswanger, Savani, "BANANAS: Bayesian Optimization with Neural Architectures for Neural
Architecture Search" (AAAI 2021, §4 "path encoding"): a cell is a DAG from its input to its output;
each input->output path is written as the sequence of operations on its edges, and the encoding
has one bit per possible sequence, set when the cell contains that path. In the NAS-Bench-201 cell
(`naslab.bakeoff.cells`: node 0 input, node 3 output, EDGES = ((1,0), (2,0), (2,1), (3,0), (3,1), (3,2)))
there are four paths, written as the edge indices they use:

    0->3: (3,)      0->1->3: (0, 4)      0->2->3: (1, 5)      0->1->2->3: (0, 2, 5)

A path through a `none` edge computes zero, so it is not a path of the cell: only sequences of the
n_ops - 1 other ops get a bit, and with 5 ops the encoding has

    L = 4 + 4^2 + 4^2 + 4^3 = 100 bits,     bit(path p, ops o_1..o_l) = offset_p + sum_i r(o_i) (n-1)^(l-i)

with r(o) the rank of op o among the non-`none` ops. Two cells that differ on an edge of an active
path get different encodings; cells that differ only on dead edges (no input-output path through
them) share one, as the computation they define is the same. `onehot_encoding` (6 x n_ops bits, one
per edge and op) is the "adjacency" baseline of the paper's Table 1.

Taught in: notebooks/07_cheap_signals.ipynb §3.
"""

from __future__ import annotations

import numpy as np

PATHS = ((3,), (0, 4), (1, 5), (0, 2, 5))  # edge indices of the 4 input->output paths of the NB201 cell
N_EDGES = 6


def _check(cell, n_ops: int) -> tuple[int, ...]:
    c = tuple(cell)
    if len(c) != N_EDGES or not all(isinstance(o, (int, np.integer)) and 0 <= o < n_ops for o in c):
        raise ValueError(f"cell={cell!r} must be {N_EDGES} op indices in range({n_ops}) (a NAS-Bench-201 cell)")
    return tuple(int(o) for o in c)


def path_length(n_ops: int = 5) -> int:
    """L = sum over the 4 paths of (n_ops - 1)^(path length): 100 for the 5 NB201 ops."""
    if isinstance(n_ops, bool) or not isinstance(n_ops, (int, np.integer)) or n_ops < 2:
        raise ValueError(f"n_ops={n_ops!r} must be an int >= 2 (one of them `none`)")
    return sum((n_ops - 1) ** len(p) for p in PATHS)


def path_bits(cell, n_ops: int = 5, none: int = 0) -> list[int]:
    """The indices of the set bits: one per path of the cell whose edges carry no `none` op."""
    cell = _check(cell, n_ops)
    if not 0 <= none < n_ops:
        raise ValueError(f"none={none!r} must be the index of the zero op in range({n_ops})")
    bits, offset, k = [], 0, n_ops - 1
    for p in PATHS:
        ops = [cell[e] for e in p]
        if none not in ops:
            code = 0
            for o in ops:
                code = code * k + (o - (o > none))  # rank among the non-`none` ops
            bits.append(offset + code)
        offset += k ** len(p)
    return bits


def path_encoding(cells, n_ops: int = 5, none: int = 0) -> np.ndarray:
    """(n_cells, L) float32 0/1 matrix of the path encodings of `cells` (a list of cells)."""
    X = np.zeros((len(cells), path_length(n_ops)), dtype=np.float32)
    for i, c in enumerate(cells):
        X[i, path_bits(c, n_ops, none)] = 1.0
    return X


def onehot_encoding(cells, n_ops: int = 5) -> np.ndarray:
    """(n_cells, n_edges * n_ops) float32: bit e * n_ops + op set for each edge e (any number of edges)."""
    C = np.asarray([tuple(c) for c in cells], dtype=int)  # (n, n_edges)
    if C.ndim != 2 or len(C) == 0 or C.min() < 0 or C.max() >= n_ops:
        raise ValueError(f"cells must be a non-empty list of equal-length tuples of op indices in range({n_ops})")
    X = np.zeros((len(C), C.shape[1] * n_ops), dtype=np.float32)
    X[np.arange(len(C))[:, None], np.arange(C.shape[1]) * n_ops + C] = 1.0
    return X


def encoder(n_ops: int, n_edges: int):
    """The encoding a searcher uses by default: the path encoding for NB201 cells, else one-hot."""
    if n_edges == N_EDGES:
        return lambda cells: path_encoding(cells, n_ops)
    return lambda cells: onehot_encoding(cells, n_ops)


__all__ = ["PATHS", "path_length", "path_bits", "path_encoding", "onehot_encoding", "encoder"]
