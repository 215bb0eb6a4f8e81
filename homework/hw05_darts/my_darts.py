"""Homework 5, Level 1: a new DARTS operation and a discretisation rule against skip collapse (edit this file).

1. `mb_conv(C, stride, affine, dim)`: MobileNetV2's inverted bottleneck with expansion 2, the candidate
   of ProxylessNAS and FBNet, as a DARTS op builder (register it with
   `naslab.register_op("mb_conv_3x3", mb_conv)`):

       Conv 1x1 (C -> 2C) -> BN -> ReLU -> depthwise Conv 3 (2C, stride, groups = 2C, padding 1) -> BN -> ReLU
       -> Conv 1x1 (2C -> C) -> BN            (every conv without bias; BN with `affine`)

   on (B, C, L) inputs for dim = 1 and (B, C, H, W) for dim = 2 (`naslab.darts.ops.layer("Conv", dim)`
   gives the class). `naslab.validate_op` checks the shapes and the gradients.
2. `derive_cell_max_skip(weights, primitives, k=2, max_skip=2)`: DARTS's derivation
   (`naslab.darts.genotype.derive_cell`) followed by a P-DARTS-style rule (Chen et al., ICCV 2019, §3.3,
   limit the skips; P-DARTS itself derives the cell again) against skip-connection collapse: while the
   cell keeps more than `max_skip` skip_connect edges, the kept skip edge with the *smallest* skip weight
   keeps its input but takes its strongest operation other than `none` and `skip_connect`. `max_skip` must
   be an int >= 0 (ValueError otherwise).
Check yourself: `make grade HW=5`.
"""

from __future__ import annotations

import torch
from torch import nn

from naslab.darts.genotype import derive_cell, edge_offset
from naslab.darts.ops import PRIMITIVES, layer


def mb_conv(C: int, stride: int, affine: bool = True, dim: int = 2) -> nn.Module:
    """The inverted-bottleneck op above (expansion 2, depthwise 3-tap)."""
    # BEGIN SOLUTION
    Conv, BN = layer("Conv", dim), layer("BatchNorm", dim)
    return nn.Sequential(
        Conv(C, 2 * C, 1, bias=False), BN(2 * C, affine=affine), nn.ReLU(),
        Conv(2 * C, 2 * C, 3, stride, 1, groups=2 * C, bias=False), BN(2 * C, affine=affine), nn.ReLU(),
        Conv(2 * C, C, 1, bias=False), BN(C, affine=affine))
    # END SOLUTION


def derive_cell_max_skip(weights, primitives=PRIMITIVES, k: int = 2, max_skip: int = 2) -> tuple:
    """`derive_cell`, then at most `max_skip` skip_connect edges (the weakest skips are replaced)."""
    # BEGIN SOLUTION
    if isinstance(max_skip, bool) or not isinstance(max_skip, int) or max_skip < 0:
        raise ValueError(f"max_skip={max_skip!r} must be an int >= 0")
    w = torch.as_tensor(weights).detach().double()  # (n_edges, n_ops)
    nodes = [list(node) for node in derive_cell(w, primitives, k=k)]
    skip = primitives.index("skip_connect")
    other = [i for i, p in enumerate(primitives) if p not in ("none", "skip_connect")]
    while True:
        skips = [(float(w[edge_offset(m) + j, skip]), m, e) for m, node in enumerate(nodes)
                 for e, (op, j) in enumerate(node) if op == "skip_connect"]
        if len(skips) <= max_skip:
            return tuple(tuple(node) for node in nodes)
        _, m, e = min(skips)  # the weakest kept skip
        j = nodes[m][e][1]
        best = max(other, key=lambda i: float(w[edge_offset(m) + j, i]))
        nodes[m][e] = (primitives[best], j)
    # END SOLUTION
