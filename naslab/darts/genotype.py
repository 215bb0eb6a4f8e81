"""Discrete DARTS cells: the `Genotype`, its string form, and its derivation from alpha.

A cell has two input nodes (0 = output of cell k-2, 1 = output of cell k-1), `steps` intermediate
nodes (node m has index 2 + m) and an output that concatenates all intermediate nodes. A genotype
lists, per intermediate node, its incoming edges as (op, input) pairs:

    normal: sep_conv_3x3~0 + skip_connect~1 | sep_conv_3x3~1 + dil_conv_3x3~2 ; reduce: ...

Derivation (DARTS §2.4 / code `genotype()._parse`): for node m, give each incoming edge the weight of
its strongest non-`none` op under softmax(alpha); keep the top-k edges (k = 2) and that op on each.

The network built from a genotype (`DiscreteNetwork`) is in `naslab.darts.network`.

Taught in: notebooks/05_darts.ipynb (§ derivation, exercise 2).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

import numpy as np
import torch

from naslab.darts.ops import OPS, PRIMITIVES

CELL_KINDS = ("normal", "reduce")
_EDGE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*~\s*(-?\d+)\s*$")
FORMAT = "'normal: op~i + op~j | op~i + op~j | ... ; reduce: op~i + op~j | ...'"


def n_edges(steps: int) -> int:
    """Edges of a search cell with `steps` intermediate nodes: 2 + 3 + ... + (steps + 1)."""
    return steps * (steps + 3) // 2


def n_cells(steps: int, n_ops: int = 7) -> int:
    """Discrete cells of one kind: node m keeps 2 of its 2 + m inputs, each with one of `n_ops` real ops,
    Π_m C(2 + m, 2) · n_ops^(2 · steps) (notebook 05 §1: about 10^9 per kind for the paper's 4 nodes)."""
    return math.prod(math.comb(2 + m, 2) for m in range(steps)) * n_ops ** (2 * steps)


def edge_offset(node: int) -> int:
    """Row of alpha where the incoming edges of intermediate node `node` start."""
    return 2 * node + node * (node - 1) // 2


def _steps_of(n_rows: int) -> int:
    for steps in range(1, 64):
        if n_edges(steps) == n_rows:
            return steps
    raise ValueError(f"alpha has {n_rows} rows, which is no cell's edge count (2, 5, 9, 14, 20, ...)")


@dataclass(frozen=True)
class Genotype:
    """A discrete architecture: per cell kind, a tuple of nodes, each a tuple of (op, input) edges."""

    normal: tuple
    reduce: tuple

    def __post_init__(self):
        for kind in CELL_KINDS:
            given = getattr(self, kind)
            if not isinstance(given, tuple | list) or not all(
                    isinstance(node, tuple | list) and all(isinstance(e, tuple | list) and len(e) == 2 and
                                                           isinstance(e[0], str) for e in node) for node in given):
                raise ValueError(f"{kind}={given!r} must be a tuple of nodes, each a tuple of (op, input) edges, "
                                 "e.g. ((('sep_conv_3x3', 0), ('skip_connect', 1)),); or use Genotype.parse")
            nodes = tuple(tuple((str(op), int(j)) for op, j in node) for node in given)
            object.__setattr__(self, kind, nodes)
            if not nodes:
                raise ValueError(f"the {kind} cell has no intermediate node; it needs at least one")
            for m, node in enumerate(nodes):
                if not node:
                    raise ValueError(f"{kind} node {m} has no incoming edge")
                inputs = [j for _, j in node]
                if len(set(inputs)) != len(inputs):
                    raise ValueError(f"{kind} node {m} takes the same input twice: {inputs}")
                for op, j in node:
                    if op == "none" or op not in OPS:
                        raise ValueError(f"unknown op {op!r} in the {kind} cell; allowed: "
                                         f"{[o for o in OPS if o != 'none']}")
                    if not 0 <= j < 2 + m:
                        raise ValueError(f"edge {op}~{j} into {kind} node {m} is out of range: node {m} "
                                         f"can take inputs 0..{1 + m} (0, 1 = cell inputs, 2.. = earlier nodes)")

    def __str__(self) -> str:
        def cell(nodes):
            return " | ".join(" + ".join(f"{op}~{j}" for op, j in node) for node in nodes)
        return f"normal: {cell(self.normal)} ; reduce: {cell(self.reduce)}"

    @classmethod
    def parse(cls, text: str) -> Genotype:
        """Inverse of `str(genotype)`; a malformed string raises ValueError showing the expected form."""
        if not isinstance(text, str):
            raise ValueError(f"a genotype string is expected, got {type(text).__name__}; format: {FORMAT}")
        parts = {}
        for chunk in text.split(";"):
            kind, sep, body = chunk.partition(":")
            if not sep or kind.strip() not in CELL_KINDS or kind.strip() in parts:
                raise ValueError(f"malformed genotype {text!r}: bad part {chunk.strip()!r}; format: {FORMAT}")
            nodes = []
            for node in body.split("|"):
                edges = []
                for edge in node.split("+"):
                    m = _EDGE.match(edge)
                    if m is None:
                        raise ValueError(f"malformed edge {edge.strip()!r} in {text!r}: write op~input, "
                                         f"e.g. sep_conv_3x3~0; format: {FORMAT}")
                    edges.append((m.group(1), int(m.group(2))))
                nodes.append(tuple(edges))
            parts[kind.strip()] = tuple(nodes)
        if set(parts) != set(CELL_KINDS):
            raise ValueError(f"malformed genotype {text!r}: it needs both a normal and a reduce part; format: {FORMAT}")
        return cls(**parts)

    def count(self, ops=("skip_connect",), kind: str = "normal") -> int:
        """count(ops, kind): how many edges of the `kind` cell ("normal" or "reduce") use one of `ops`
        (an op name or a tuple of names), e.g. `g.count("skip_connect", "normal")`."""
        if kind not in ("normal", "reduce"):
            raise ValueError(f"kind={kind!r} must be 'normal' or 'reduce'; the order is count(ops, kind), "
                             f"e.g. count('skip_connect', 'normal')")
        ops = (ops,) if isinstance(ops, str) else tuple(ops)
        if any(op in ("normal", "reduce") for op in ops):
            raise ValueError(f"ops={ops!r} holds a cell kind; the order is count(ops, kind)")
        return sum(op in ops for node in getattr(self, kind) for op, _ in node)


def derive_cell(weights, primitives=PRIMITIVES, *, k: int = 2) -> tuple:
    """Keep, per node, the k incoming edges whose strongest non-`none` op is strongest, with that op.

    Args:
        weights: (n_edges, n_ops) softmax(alpha) of one cell kind (tensor or array).
        primitives: the op names of alpha's columns.
        k: edges kept per node (2 for DARTS's convolutional cells, 1 for its recurrent cell).
    """
    w = np.asarray(torch.as_tensor(weights).detach().cpu(), dtype=np.float64)  # (n_edges, n_ops)
    if w.ndim != 2 or w.shape[1] != len(primitives):
        raise ValueError(f"weights of shape {w.shape} do not match the {len(primitives)} primitives {list(primitives)}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k={k!r} must be a positive int (edges kept per node)")
    ok = np.array([p != "none" for p in primitives])  # `none` never wins: it cannot keep k edges per node
    nodes = []
    for m in range(_steps_of(len(w))):
        rows = w[edge_offset(m): edge_offset(m) + 2 + m][:, ok]  # (2 + m, n_ops - 1)
        strength = rows.max(axis=1)  # (2 + m,) strongest real op per incoming edge
        keep = sorted(np.argsort(-strength, kind="stable")[:k])  # top-k edges, ties -> lower input
        names = [p for p in primitives if p != "none"]
        nodes.append(tuple((names[int(rows[j].argmax())], int(j)) for j in keep))
    return tuple(nodes)


def cap_skips(weights, primitives=PRIMITIVES, *, max_skip: int = 1, k: int = 2) -> tuple:
    """`derive_cell` with at most `max_skip` skip connections (a P-DARTS-style cap on skips; Chen et al. 2019
    use M = 2 of 8 and derive their final cell again under it).

    While the derived cell has too many skips, the skip edge with the weakest skip weight loses its skip (its
    weight is set to 0) and the cell is derived again, so that edge keeps its next-best operation.
    """
    if isinstance(max_skip, bool) or not isinstance(max_skip, int) or max_skip < 0:
        raise ValueError(f"max_skip={max_skip!r} must be an int >= 0")
    w = np.array(torch.as_tensor(weights).detach().cpu(), dtype=np.float64)  # (n_edges, n_ops), a copy
    if "skip_connect" not in primitives:
        return derive_cell(w, primitives, k=k)
    col = list(primitives).index("skip_connect")
    while True:
        nodes = derive_cell(w, primitives, k=k)
        skips = [edge_offset(m) + j for m, node in enumerate(nodes) for op, j in node if op == "skip_connect"]
        if len(skips) <= max_skip:
            return nodes
        w[min(skips, key=lambda e: w[e, col]), col] = 0.0  # the weakest skip edge gives up its skip


def derive_genotype(alpha_normal, alpha_reduce, primitives=PRIMITIVES, *, k: int = 2) -> Genotype:
    """The discrete cell DARTS keeps from alpha (logits, (n_edges, n_ops) each); softmax is taken here."""
    def soft(a):
        a = torch.as_tensor(a).detach().float()
        if not torch.isfinite(a).all():  # a diverged search: its NaN alphas would still pick a cell
            raise ValueError(f"alpha holds {int((~torch.isfinite(a)).sum())} NaN or inf entries of {a.numel()}: "
                             "the search diverged; no cell can be derived from it")
        return torch.softmax(a, dim=-1)
    return Genotype(derive_cell(soft(alpha_normal), primitives, k=k), derive_cell(soft(alpha_reduce), primitives, k=k))


def random_genotype(steps: int = 3, primitives=PRIMITIVES, *, k: int = 2, seed: int = 0) -> Genotype:
    """A uniformly random genotype of the same space: per node k distinct inputs, each a non-`none` op."""
    rng = random.Random(seed)
    ops = [p for p in primitives if p != "none"]

    def cell():
        return tuple(tuple((rng.choice(ops), j) for j in sorted(rng.sample(range(2 + m), min(k, 2 + m))))
                     for m in range(steps))
    return Genotype(cell(), cell())


def shared_edges(a: Genotype, b: Genotype) -> float:
    """Fraction of the kept edges (cell kind, node, op, input) of `a` that `b` keeps too (1.0: the same cells)."""
    def edges(g):
        return {(kind, m, op, j) for kind in CELL_KINDS for m, node in enumerate(getattr(g, kind)) for op, j in node}

    ea = edges(a)
    return len(ea & edges(b)) / len(ea)


def genotype_weights(nodes, primitives=PRIMITIVES) -> torch.Tensor:
    """(n_edges, n_ops) one-hot weights that make the supernet compute exactly the discrete cell `nodes`."""
    w = torch.zeros(n_edges(len(nodes)), len(primitives))
    for m, node in enumerate(nodes):
        for op, j in node:
            if op not in primitives:
                raise ValueError(f"op {op!r} is not one of the search space's primitives {list(primitives)}")
            w[edge_offset(m) + j, list(primitives).index(op)] = 1.0
    return w


__all__ = ["Genotype", "n_cells", "derive_cell", "cap_skips", "derive_genotype", "random_genotype", "genotype_weights",
           "shared_edges", "n_edges",
           "edge_offset"]
