"""The DARTS supernet: mixed operations, a search cell and a search network with alpha_normal / alpha_reduce.

DARTS (Liu, Simonyan & Yang, ICLR 2019, §2.2) relaxes the choice of one op per edge (i, j) into a
softmax-weighted mixture of all candidates,

    ō^(i,j)(x) = Σ_o softmax(α^(i,j))_o · o(x)                               (eq. 2)

and every intermediate node sums its mixed edges from all predecessors, x_j = Σ_{i<j} ō^(i,j)(x_i)
(eq. 1, the node sum of the discrete cell, with each o^(i,j) replaced by its mixture).
The cell's output concatenates its intermediate nodes. All normal cells share `alpha_normal`, all
reduction cells share `alpha_reduce`, each of shape (n_edges, n_ops) = (14, 8) in the paper
(4 nodes), (5, 8) with naslab's default 2 nodes.

As in the paper, BN in the search network uses batch statistics (no running averages) and the BN
inside ops has no affine parameters; pooling ops get an extra affine-free BN (code detail).

Speed (issue 25, `benchmarks/darts_vs_reference.py`): an edge computes relu(x) once for all its convolutions,
images run channels-last, the weighted sum is one matrix product, and weights that need no gradient are read
on the host once per forward (never once per op: on a GPU each read is a host-device synchronisation).

Taught in: notebooks/05_darts.ipynb (§ relaxation, § a real search).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from naslab.darts.genotype import Genotype, derive_genotype, edge_offset, n_edges
from naslab.darts.network import build_cell_stack, preprocess, validate_cell_input
from naslab.darts.ops import OPS, PRIMITIVES, RELU_FIRST, Zero, build_op, layer
from naslab.validate import check_int

ALPHA_NAMES = ("alpha_normal", "alpha_reduce")
# Images run channels-last (B, C, H, W with the strides of B, H, W, C): max-pooling and the convolutions are
# faster there on a CPU. PyTorch's CPU batch norm then sums its statistics in float32, about 1e-5 relative
# instead of 1e-7 (rounding only); set False for the default layout. Signals (B, C, L) are unaffected.
CHANNELS_LAST = True


def validate_primitives(primitives) -> tuple[str, ...]:
    """Validate a search space: registered, distinct op names (at least two)."""
    primitives = tuple(primitives)
    unknown = [p for p in primitives if p not in OPS]
    if unknown:
        raise ValueError(f"unknown op(s) {unknown} in primitives; registered ops: {list(OPS)}")
    if len(set(primitives)) != len(primitives) or len([p for p in primitives if p != "none"]) < 1:
        raise ValueError(f"primitives={list(primitives)} must be distinct and hold at least one op besides 'none'")
    return primitives


def weighted_sum(w: torch.Tensor, outs: list[torch.Tensor]) -> torch.Tensor:
    """Σ_k w_k · outs[k] as one matrix product: w (n,), outs n tensors (B, C, ...) -> (B, C, ...).

    Channels-last images are stacked in their memory order (B, H, W, C), so neither the stack nor the
    product copies them into another layout, and the sum stays channels-last for the next op."""
    if outs[0].dim() == 4 and outs[0].is_contiguous(memory_format=torch.channels_last):
        stacked = torch.stack([o.permute(0, 2, 3, 1) for o in outs])  # (n, B, H, W, C)
        return torch.tensordot(w, stacked, dims=1).permute(0, 3, 1, 2)  # (B, C, H, W), channels-last strides
    return torch.tensordot(w, torch.stack(outs), dims=1)  # (n, B, C, L') -> (B, C, L')


class MixedOp(nn.Module):
    """ō(x) = Σ_o w_o · o(x) on one edge, with w = softmax(α) of that edge (eq. 2).

    The convolutions (and the factorised reduce) of an edge all start with ReLU(x): it is computed once per
    edge and shared (same values as one ReLU per op; autograd keeps one activation instead of five)."""

    def __init__(self, C: int, stride: int, primitives=PRIMITIVES, dim: int = 2):
        super().__init__()
        check_int(C, "C", low=1, hint="channels")
        self.ops = nn.ModuleList()
        for name in primitives:
            op = build_op(name, C, stride, affine=False, dim=dim)
            if "pool" in name:  # the code normalises pooling outputs (they have no BN of their own)
                op = nn.Sequential(op, layer("BatchNorm", dim)(C, affine=False))
            self.ops.append(op)
        # `none` outputs exact zeros, so it is left out of the sum (its alpha still acts through the softmax)
        self.active = [i for i, op in enumerate(self.ops) if not isinstance(op, Zero)]
        self.relu_first = [type(op) in RELU_FIRST for op in self.ops]  # ops that take the shared relu(x)

    def forward(self, x: torch.Tensor, weights: torch.Tensor, keep=None) -> torch.Tensor:
        """x: (B, C, L) or (B, C, H, W); weights: (n_ops,) -> output of the same (or halved) size, or None.

        `keep` (n_ops bools, from the network: one host read per forward, never one per op) leaves out ops
        whose weight is exactly 0 without a gradient (a one-hot, discretised cell); without it, weights that
        need no gradient are read here once per edge."""
        if weights.shape != (len(self.ops),):  # a shape, not a value: no host read
            raise ValueError(f"weights has shape {tuple(weights.shape)}; this MixedOp needs ({len(self.ops)},), "
                             "one per candidate op")
        if keep is None and not weights.requires_grad:
            keep = (weights != 0).tolist()
        idx = self.active if keep is None else [i for i in self.active if keep[i]]
        if not idx:
            return None  # the edge contributes nothing (the cell leaves it out)
        xr = F.relu(x) if any(self.relu_first[i] for i in idx) else None
        outs = [self.ops[i].after_relu(xr) if self.relu_first[i] else self.ops[i](x) for i in idx]
        contiguous = idx[-1] - idx[0] == len(idx) - 1  # a slice, not an index tensor (no host-to-device copy)
        w = weights[idx[0]:idx[-1] + 1] if contiguous else weights[idx]
        return weighted_sum(w, outs)  # Σ_o w_o · o(x)


class SearchCell(nn.Module):
    """Two input nodes, `steps` intermediate nodes summing all predecessors, output = concat of nodes."""

    def __init__(self, steps, C_pp, C_p, C, reduction, reduction_prev, primitives=PRIMITIVES, dim=2):
        super().__init__()
        self.steps, self.reduction, self.dim = steps, reduction, dim
        self.pre0, self.pre1 = preprocess(C_pp, C_p, C, reduction_prev, False, dim)
        # edge order: node 0 <- inputs 0, 1; node 1 <- 0, 1, 2; ... (row edge_offset(m) + j of alpha)
        self.edges = nn.ModuleList(MixedOp(C, 2 if reduction and j < 2 else 1, primitives, dim)
                                   for m in range(steps) for j in range(2 + m))

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor, keep=None) -> torch.Tensor:
        # s0: output of cell k-2, s1: of cell k-1; weights: (n_edges, n_ops) softmax(alpha);
        # keep: None or (n_edges, n_ops) bools, the ops with a non-zero weight (see MixedOp.forward)
        validate_cell_input(s1, self.dim, self.reduction)
        if keep is None and not weights.requires_grad:
            keep = (weights != 0).tolist()  # one host read per cell, not one per op
        states = [self.pre0(s0), self.pre1(s1)]  # (B, C, L) each
        for m in range(self.steps):
            o = edge_offset(m)
            outs = [t for j, h in enumerate(states)
                    if (t := self.edges[o + j](h, weights[o + j], None if keep is None else keep[o + j])) is not None]
            states.append(sum(outs[1:], outs[0]))  # x_m = Σ_{j<m} ō^(j,m)(x_j)
        return torch.cat(states[2:], dim=1)  # (B, steps * C, L)


class SearchNetwork(nn.Module):
    """Stem -> normal / reduction search cells -> global pool -> linear, with shared alpha per cell kind.

    Args:
        input_shape: (C, L) for signals or (C, H, W) for images.
        num_classes: number of outputs.
        C: channels of the first cell's nodes (doubled at each reduction cell).
        layers: number of cells (>= 3); reductions at layers // 3 and 2 * layers // 3.
        steps: intermediate nodes per cell (4 in the paper).
        primitives: the candidate ops (columns of alpha), registered in `naslab.darts.ops.OPS`.
        alpha_init_std: alpha starts at alpha_init_std * N(0, 1); 0 (the paper) gives a uniform softmax,
            1e-3 is the official code's choice.
    """

    def __init__(self, input_shape, num_classes: int, *, C: int = 8, layers: int = 3, steps: int = 2,
                 stem_multiplier: int = 3, primitives=PRIMITIVES, alpha_init_std: float = 0.0):
        super().__init__()
        self.input_shape, self.num_classes = tuple(input_shape), num_classes
        self.steps, self.primitives = steps, validate_primitives(primitives)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps={steps!r} must be a positive int (intermediate nodes per cell)")

        def make_cell(C_pp, C_p, C_curr, reduction, reduction_prev, dim):
            cell = SearchCell(steps, C_pp, C_p, C_curr, reduction, reduction_prev, self.primitives, dim)
            return cell, steps * C_curr

        self.stem, self.cells, C_out = build_cell_stack(self.input_shape, C, layers, stem_multiplier, make_cell)
        self.head = nn.Sequential(layer("AdaptiveAvgPool", len(input_shape) - 1)(1), nn.Flatten(),
                                  nn.Linear(C_out, num_classes))
        shape = (n_edges(steps), len(self.primitives))  # (n_edges, n_ops)
        self.alpha_normal = nn.Parameter(alpha_init_std * torch.randn(shape))
        self.alpha_reduce = nn.Parameter(alpha_init_std * torch.randn(shape))
        for m in self.modules():  # batch statistics only, as in the paper's search
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.track_running_stats, m.running_mean, m.running_var, m.num_batches_tracked = False, None, None, None

    def forward(self, x: torch.Tensor, *, weights_normal=None, weights_reduce=None) -> torch.Tensor:
        """Logits (B, num_classes). Pass `weights_*` (n_edges, n_ops) to replace softmax(alpha), e.g. one-hot."""
        w_n = torch.softmax(self.alpha_normal, dim=-1) if weights_normal is None else weights_normal
        w_r = torch.softmax(self.alpha_reduce, dim=-1) if weights_reduce is None else weights_reduce
        keep_n, keep_r = (None if w.requires_grad else (w != 0).tolist() for w in (w_n, w_r))  # one host read each
        s0 = s1 = self.stem(x)
        if s0.dim() == 4 and CHANNELS_LAST:  # images: the faster layout for these convolutions and pools
            s0 = s1 = s0.contiguous(memory_format=torch.channels_last)  # (B, C, H, W), strides of (B, H, W, C)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, w_r, keep_r) if cell.reduction else cell(s0, s1, w_n, keep_n)
        return self.head(s1)

    def alphas(self) -> list[nn.Parameter]:
        """The architecture parameters [alpha_normal, alpha_reduce]."""
        return [self.alpha_normal, self.alpha_reduce]

    def named_weights(self) -> list[tuple[str, nn.Parameter]]:
        """The network weights w (everything except alpha), with their names."""
        return [(n, p) for n, p in self.named_parameters() if n not in ALPHA_NAMES]

    def weights(self) -> list[nn.Parameter]:
        """The network weights w (everything except alpha)."""
        return [p for _, p in self.named_weights()]

    @torch.no_grad()
    def arch_weights(self) -> dict[str, torch.Tensor]:
        """softmax(alpha) per cell kind, each (n_edges, n_ops), detached on the CPU."""
        return {"normal": torch.softmax(self.alpha_normal, -1).cpu(),
                "reduce": torch.softmax(self.alpha_reduce, -1).cpu()}

    def genotype(self, *, k: int = 2) -> Genotype:
        """The discrete cell DARTS derives from the current alpha (top-k edges, strongest non-none op)."""
        return derive_genotype(self.alpha_normal, self.alpha_reduce, self.primitives, k=k)


__all__ = ["MixedOp", "SearchCell", "SearchNetwork", "validate_primitives", "ALPHA_NAMES"]
