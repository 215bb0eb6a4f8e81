"""The NAS-Bench-201 cell space in 1-D: 4 nodes, 6 edges, 5 operations, and its isomorphism classes.

NAS-Bench-201 (Dong & Yang, ICLR 2020, §2.1): node 0 is the cell input, node j (j = 1, 2, 3) is the
*sum* over i < j of op_(j,i)(x_i), node 3 is the output. Every edge carries one op of

    OPS = ("none", "skip_connect", "conv_1", "conv_3", "avg_pool_3")

(zero, identity, ReLU-Conv1d(k=1)-BN, ReLU-Conv1d(k=3)-BN, AvgPool1d(3); their table, `naslab.bakeoff.ops`,
is where `OPS` comes from), so there are 5^6 = 15,625 cells. A cell is a tuple of 6 op indices in
`EDGES` order ((to, from) pairs); `cell_str` writes the NAS-Bench-201 string
`|conv_3~0|+|skip_connect~0|conv_1~1|+|op~0|op~1|op~2|`.

Isomorphism (`class_key`, `canonical`). Two cells are the same computation when the output node's
expression is the same after the algebra that holds *exactly* for these ops (BatchNorm without affine
parameters, so op(0) = 0):

* `none` is zero, and any op applied to a zero node is zero: zero terms are dropped from sums
  (this removes every edge that is not on an input-output path);
* `skip_connect` is the identity: the source's terms are spliced into the sum;
* sums are commutative and associative: a node is the sorted multiset of its terms (so swapping the
  two intermediate nodes, when that gives the same computation, gives the same key).

This rule gives **4,930 classes** (one of them the all-zero cell). NAS-Bench-201's own rule
(`nb201_unique_str`, a copy of `CellStructure.to_unique_str(consider_zero=True)`) keeps zero terms
inside sums and does not flatten nested sums; it gives the published **6,466**. Ours merges only cells
that compute the same function, so every one of its classes is a union of NB201 classes.
`canonical(cell)` is the lexicographically smallest cell of its class (its dead edges are `none`).

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""

from __future__ import annotations

import functools
import itertools
import re

from naslab.bakeoff.ops import CELL_OPS

OPS = tuple(CELL_OPS)  # ("none", "skip_connect", "conv_1", "conv_3", "avg_pool_3")
EDGES = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))  # (to, from), the NB201 string order
N_NODES = 4
PARAMETER_FREE = tuple(name for name, op in CELL_OPS.items() if op.parameter_free)  # none, skip, pool
_TOKEN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)~(\d+)$")


def check_cell(cell) -> tuple[int, ...]:
    """A cell as a tuple of 6 ints in 0..4; ValueError naming the bad value otherwise. Accepts op names too."""
    try:
        items = list(cell)
    except TypeError:
        raise ValueError(f"cell={cell!r} must be a sequence of {len(EDGES)} op indices (0..{len(OPS) - 1}) "
                         f"or op names {list(OPS)}") from None
    if isinstance(cell, str) or len(items) != len(EDGES):
        raise ValueError(f"cell={cell!r} must have {len(EDGES)} ops, one per edge {list(EDGES)} (to, from); "
                         f"for a NAS-Bench-201 string use parse_cell")
    out = []
    for e, op in enumerate(items):
        if isinstance(op, str):
            if op not in OPS:
                raise ValueError(f"op {op!r} on edge {EDGES[e]} is unknown; allowed: {list(OPS)}")
            op = OPS.index(op)
        if isinstance(op, bool) or not hasattr(op, "__index__") or not 0 <= int(op) < len(OPS):
            raise ValueError(f"op {op!r} on edge {EDGES[e]} is not an index 0..{len(OPS) - 1} of {list(OPS)}")
        out.append(int(op))
    return tuple(out)


def all_cells() -> list[tuple[int, ...]]:
    """All 5^6 = 15,625 cells, in lexicographic order (index i <-> base-5 digits of i)."""
    return list(itertools.product(range(len(OPS)), repeat=len(EDGES)))


def cell_str(cell) -> str:
    """The NAS-Bench-201 string: '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'."""
    cell = check_cell(cell)
    nodes = ["|" + "|".join(f"{OPS[cell[e]]}~{f}" for e, (t, f) in enumerate(EDGES) if t == j) + "|"
             for j in range(1, N_NODES)]
    return "+".join(nodes)


def parse_cell(text: str) -> tuple[int, ...]:
    """Inverse of `cell_str`; ValueError saying what is wrong and what the format is."""
    fmt = "'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'"
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a cell string; expected the NAS-Bench-201 format {fmt}")
    nodes = text.strip().split("+")
    if len(nodes) != N_NODES - 1:
        raise ValueError(f"{text!r} has {len(nodes)} nodes separated by '+', expected {N_NODES - 1}: {fmt}")
    ops = []
    for j, node in enumerate(nodes, start=1):
        if not (node.startswith("|") and node.endswith("|")):
            raise ValueError(f"node {j} {node!r} of {text!r} must be enclosed in '|': {fmt}")
        tokens = node[1:-1].split("|")
        if len(tokens) != j:
            raise ValueError(f"node {j} of {text!r} has {len(tokens)} inputs, expected {j} (from nodes 0..{j - 1})")
        for f, tok in enumerate(tokens):
            m = _TOKEN.match(tok)
            if not m:
                raise ValueError(f"token {tok!r} in {text!r} is not 'op~source': {fmt}")
            if m.group(1) not in OPS:
                raise ValueError(f"op {m.group(1)!r} in {text!r} is unknown; allowed: {list(OPS)}")
            if int(m.group(2)) != f:
                raise ValueError(f"token {tok!r} of node {j} in {text!r} should read from node {f}")
            ops.append(OPS.index(m.group(1)))
    return tuple(ops)


def class_key(cell) -> tuple:
    """The output's expression under the exact algebra above (equal keys <=> same computation)."""
    cell = check_cell(cell)
    nodes: dict[int, tuple] = {0: ("x",)}  # a node = sorted tuple of terms; () = zero
    for j in range(1, N_NODES):
        terms: list = []
        for e, (t, f) in enumerate(EDGES):
            op = OPS[cell[e]]
            if t != j or op == "none" or not nodes[f]:
                continue  # a zero term: none, or any op of a zero node
            if op == "skip_connect":
                terms.extend(nodes[f])  # identity: splice the source's sum in
            else:
                terms.append((op, nodes[f]))
        nodes[j] = tuple(sorted(terms, key=repr))
    return nodes[N_NODES - 1]


def nb201_unique_str(cell) -> str:
    """NAS-Bench-201's isomorphism key (`to_unique_str(consider_zero=True)`): 6,466 classes."""
    cell = check_cell(cell)
    nodes = {0: "0"}
    for j in range(1, N_NODES):
        cur = []
        for e, (t, f) in enumerate(EDGES):
            if t != j:
                continue
            op = OPS[cell[e]]
            if op == "none" or nodes[f] == "#":
                cur.append("#")
            elif op == "skip_connect":
                cur.append(nodes[f])
            else:
                cur.append(f"({nodes[f]})@{op}")
        nodes[j] = "+".join(sorted(cur))
    return nodes[N_NODES - 1]


@functools.lru_cache(maxsize=1)
def _classes() -> tuple[dict, tuple]:
    rep: dict[tuple, tuple] = {}
    for c in all_cells():  # lexicographic order: the first member met is the smallest
        rep.setdefault(class_key(c), c)
    canon = {c: rep[class_key(c)] for c in all_cells()}
    return canon, tuple(sorted(set(rep.values())))


def canonical(cell) -> tuple[int, ...]:
    """The representative of the cell's class: its lexicographically smallest member."""
    return _classes()[0][check_cell(cell)]


def unique_cells() -> list[tuple[int, ...]]:
    """The canonical cells, one per class, sorted (4,930 of them)."""
    return list(_classes()[1])


def is_zero(cell) -> bool:
    """True when the output does not depend on the input (no input-output path)."""
    return class_key(cell) == ()


def n_parameter_free(cell) -> int:
    """How many of the 6 edges carry a parameter-free op (none, skip, pool): the collapse count."""
    return sum(OPS[o] in PARAMETER_FREE for o in check_cell(cell))


__all__ = ["OPS", "EDGES", "PARAMETER_FREE", "check_cell", "all_cells", "cell_str", "parse_cell", "class_key",
           "nb201_unique_str", "canonical", "unique_cells", "is_zero", "n_parameter_free"]
