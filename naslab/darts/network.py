"""The discrete DARTS network: the cell stack shared with the search network, and `DiscreteNetwork`.

Reduction cells sit at layers // 3 and 2 * layers // 3 (DARTS §3.1): edges leaving the two inputs
have stride 2 and the channels double. `build_cell_stack` is the skeleton shared by the search
network of `naslab.darts.supernet.supernet` and by `DiscreteNetwork`, which builds each cell from a
`Genotype` (one op per kept edge, node outputs summed, the cell's output the concatenation of its
intermediate nodes) for retraining from scratch.

Taught in: notebooks/05_darts.ipynb (§ retraining).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from naslab.darts.genotype import Genotype
from naslab.darts.ops import FactorizedReduce, ReLUConvBN, build_op, halved, layer
from naslab.utils import check_count, check_shape_arg, expect_input
from naslab.validate import check_int


def reduction_layers(layers: int) -> tuple[int, ...]:
    """Indices of the reduction cells: layers // 3 and 2 * layers // 3 (needs layers >= 3)."""
    if isinstance(layers, bool) or not isinstance(layers, int) or layers < 3:
        raise ValueError(f"layers={layers!r} must be an int >= 3 (one normal cell and two reduction cells at least)")
    return tuple(sorted({layers // 3, 2 * layers // 3}))


def validate_input_size(input_shape: tuple[int, ...], layers: int) -> None:
    """Raise ValueError when the input is too small for the network's reductions: each needs size >= 3, so
    that what it outputs, ceil(size / 2), keeps >= 2 values (BatchNorm on a batch of 1 needs 2)."""
    if len(input_shape) not in (2, 3):
        raise ValueError(f"input_shape={tuple(input_shape)} must be (C, L) or (C, H, W)")
    size, n_red = min(input_shape[1:]), len(reduction_layers(layers))
    for r in range(n_red):
        if size < 3:
            raise ValueError(f"input_shape={tuple(input_shape)} is too small for {n_red} reduction cells: each "
                             f"halves the size (ceil) and needs size >= 3, but reduction {r + 1} would get {size}")
        size = halved(size)


def validate_cell_input(x: torch.Tensor, dim: int, reduction: bool) -> None:
    """Raise ValueError for a cell input of the wrong rank, or too small to be halved by a reduction cell."""
    if x.dim() != dim + 2:
        raise ValueError(f"a {dim}-D cell needs inputs of rank {dim + 2} (B, C, {'L' if dim == 1 else 'H, W'}), "
                         f"got shape {tuple(x.shape)}")
    if reduction and min(x.shape[2:]) < 2:
        raise ValueError(f"input of shape {tuple(x.shape)} is too small for a reduction cell (size >= 2 needed)")


def build_cell_stack(input_shape, C: int, layers: int, stem_multiplier: int, make_cell: Callable):
    """Stem + cells: `make_cell(C_pp, C_p, C, reduction, reduction_prev, dim) -> (cell, C_out)`.

    Returns (stem, cells, C_out of the last cell). Channels double at each reduction cell."""
    validate_input_size(input_shape, layers)
    check_int(C, "C", low=1, hint="channels of the first cells")
    dim, C_curr = len(input_shape) - 1, stem_multiplier * C
    stem = nn.Sequential(layer("Conv", dim)(input_shape[0], C_curr, 3, padding=1, bias=False),
                         layer("BatchNorm", dim)(C_curr))
    C_pp, C_p, C_curr = C_curr, C_curr, C
    cells, reduction_prev, reds = nn.ModuleList(), False, reduction_layers(layers)
    for i in range(layers):
        reduction = i in reds
        C_curr = 2 * C_curr if reduction else C_curr
        cell, C_out = make_cell(C_pp, C_p, C_curr, reduction, reduction_prev, dim)
        cells.append(cell)
        C_pp, C_p, reduction_prev = C_p, C_out, reduction
    return stem, cells, C_p


def preprocess(C_pp: int, C_p: int, C: int, reduction_prev: bool, affine: bool, dim: int):
    """The 1x1 ReLU-Conv-BN on both cell inputs; FactorizedReduce on input 0 after a reduction cell."""
    pre0 = FactorizedReduce(C_pp, C, affine, dim) if reduction_prev else ReLUConvBN(C_pp, C, 1, 1, 0, affine, dim)
    return pre0, ReLUConvBN(C_p, C, 1, 1, 0, affine, dim)


class DiscreteCell(nn.Module):
    """One cell of a derived architecture: node m = sum of its kept edges; output = concat of all nodes."""

    def __init__(self, nodes, C_pp, C_p, C, reduction, reduction_prev, dim):
        super().__init__()
        self.nodes, self.reduction, self.dim = nodes, reduction, dim
        self.pre0, self.pre1 = preprocess(C_pp, C_p, C, reduction_prev, True, dim)
        self.ops = nn.ModuleList(build_op(op, C, 2 if reduction and j < 2 else 1, dim=dim)
                                 for node in nodes for op, j in node)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        validate_cell_input(s1, self.dim, self.reduction)
        states, i = [self.pre0(s0), self.pre1(s1)], 0  # (B, C, L) each
        for node in self.nodes:
            states.append(sum(self.ops[i + e](states[j]) for e, (_, j) in enumerate(node)))
            i += len(node)
        return torch.cat(states[2:], dim=1)  # (B, steps * C, L')


class DiscreteNetwork(nn.Module):
    """The derived architecture, trained from scratch: stem -> cells -> global pool -> linear."""

    def __init__(self, genotype: Genotype | str, input_shape, num_classes: int, *, C: int = 8,
                 layers: int = 3, stem_multiplier: int = 3):
        super().__init__()
        input_shape = check_shape_arg(input_shape)
        check_count(num_classes, "num_classes")
        g = Genotype.parse(genotype) if isinstance(genotype, str) else genotype
        self.genotype = g

        def make_cell(C_pp, C_p, C_curr, reduction, reduction_prev, dim):
            nodes = g.reduce if reduction else g.normal
            return DiscreteCell(nodes, C_pp, C_p, C_curr, reduction, reduction_prev, dim), len(nodes) * C_curr

        self.stem, self.cells, C_out = build_cell_stack(input_shape, C, layers, stem_multiplier, make_cell)
        self.head = nn.Sequential(layer("AdaptiveAvgPool", len(input_shape) - 1)(1), nn.Flatten(),
                                  nn.Linear(C_out, num_classes))
        expect_input(self, input_shape, "DiscreteNetwork")  # a wrong batch shape: a clear ValueError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.head(s1)  # (B, num_classes)


__all__ = ["reduction_layers", "validate_input_size", "validate_cell_input", "build_cell_stack", "preprocess",
           "DiscreteCell", "DiscreteNetwork"]
