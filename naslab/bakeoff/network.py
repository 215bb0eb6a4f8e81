"""The benchmark network: NAS-Bench-201 cells in 1-D, stacked into a small CPU classifier for MNIST-1D.

Macro skeleton (NAS-Bench-201 §2.1 uses 3 stages of N = 5 cells, 16/32/64 channels, residual
reduction blocks; ours is the same shape, shrunk to train thousands of nets on a laptop):

    stem    Conv1d(1 -> C, k=3, stride 1 or 2) -> BN                (B, 1, L)  -> (B, C, L')
    stage s = 0..S-1: [reduction: ReLU -> Conv1d(k=3, stride 2) -> BN, C_s -> 2 C_s, L -> ceil(L/2)]
            then `cells_per_stage` cells, each with its own weights, all with the same genotype
    head    ReLU -> global average pool -> Linear(C_last -> 10)

A cell (see `naslab.bakeoff.cells`): x_0 = input, x_j = sum_{i<j} op_(j,i)(x_i), output x_3. Convs are
ReLU-Conv-BN without bias; pooling is AvgPool1d(3, stride 1, pad 1, count_include_pad=False). Every
BatchNorm is `affine=False` (as in the DARTS search network), so op(0) = 0 exactly and the isomorphism
rule of `cells` is exact.

Everything here is *functional*: a net is a dict of parameters and a dict of BN buffers, and
`forward(params, buffers, cell, x, train)` runs one cell choice. `init_params(cfg, seed)` draws the whole
supernet (every op of every edge) from one seeded generator, so every cell trained with seed s starts
from the same weights; `naslab.bakeoff.batched` trains many members at once and must agree with this
reference (tests/bakeoff/test_batched.py). What each edge op computes, weighs and costs is its entry in
`naslab.bakeoff.ops.CELL_OPS`.

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import EDGES, N_NODES, OPS, check_cell
from naslab.bakeoff.ops import CELL_OPS, cell_op

BN_EPS, BN_MOMENTUM = 1e-5, 0.1


@dataclass(frozen=True)
class NetConfig:
    """Sizes of the benchmark network (tiny CPU defaults: the shipped benchmark's)."""

    C: int = 8  # channels of the first stage; stage s has C * 2^s
    n_stages: int = 2
    cells_per_stage: int = 1
    length: int = 40  # MNIST-1D signals: (1, 40)
    stem_stride: int = 1  # 2: the stem halves the length (cheaper cells)
    num_classes: int = 10

    def channels(self, s: int) -> int:
        return self.C * 2 ** s

    def lengths(self, s: int) -> int:
        L = (self.length + self.stem_stride - 1) // self.stem_stride
        for _ in range(s):
            L = (L + 1) // 2
        return L

    def cell_names(self) -> list[tuple[int, str]]:
        """(stage, prefix) of every cell in forward order."""
        return [(s, f"s{s}c{c}") for s in range(self.n_stages) for c in range(self.cells_per_stage)]


def param_shapes(cfg: NetConfig) -> dict[str, tuple]:
    """Every weight of the supernet (all ops of all edges), in a fixed order."""
    shapes = {"stem.w": (cfg.C, 1, 3)}
    for s in range(cfg.n_stages):
        Cs = cfg.channels(s)
        if s > 0:
            shapes[f"red{s}.w"] = (Cs, cfg.channels(s - 1), 3)
        for c in range(cfg.cells_per_stage):
            for e in range(len(EDGES)):
                for op in OPS:  # the ops with weights, in the table's order
                    if (shape := CELL_OPS[op].weight_shape(Cs)) is not None:
                        shapes[f"s{s}c{c}.e{e}.{op}.w"] = shape
    C_last = cfg.channels(cfg.n_stages - 1)
    shapes["head.w"] = (cfg.num_classes, C_last)
    shapes["head.b"] = (cfg.num_classes,)
    return shapes


def edge_op(name: str) -> tuple[int, str] | None:
    """(edge, op) of an edge-op weight name like 's0c0.e3.conv_3.w', else None (stem, reductions, head)."""
    parts = name.split(".")
    if len(parts) == 4 and parts[1].startswith("e"):
        return int(parts[1][1:]), parts[2]
    return None


def bn_sizes(cfg: NetConfig) -> dict[str, int]:
    """Channels of every BatchNorm (name -> C); their buffers are `name.mean`, `name.var`."""
    out = {"stem": cfg.C}
    for name in param_shapes(cfg):
        if name.endswith(".w") and not name.startswith(("stem", "head")):
            out[name[:-2]] = param_shapes(cfg)[name][0]
    return out


def init_params(cfg: NetConfig, seed: int) -> dict[str, torch.Tensor]:
    """PyTorch's default init (uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))) from one generator seeded by `seed`."""
    g = torch.Generator().manual_seed(int(seed))
    out = {}
    for name, shape in param_shapes(cfg).items():
        fan_in = shape[1] * (shape[2] if len(shape) == 3 else 1) if len(shape) > 1 else cfg.channels(cfg.n_stages - 1)
        bound = 1.0 / math.sqrt(fan_in)
        out[name] = (torch.rand(shape, generator=g) * 2 - 1) * bound
    return out


def init_buffers(cfg: NetConfig) -> dict[str, torch.Tensor]:
    """BN running statistics: mean 0, var 1."""
    out = {}
    for name, C in bn_sizes(cfg).items():
        out[f"{name}.mean"], out[f"{name}.var"] = torch.zeros(C), torch.ones(C)
    return out


def bn(x, buffers, name, train):
    """BatchNorm1d(affine=False) on (B, C, L), updating the running buffers in place when training."""
    return F.batch_norm(x, buffers[f"{name}.mean"], buffers[f"{name}.var"], training=train,
                        momentum=BN_MOMENTUM, eps=BN_EPS)


def apply_op(op: str, x, params, buffers, name: str, train: bool):
    """One edge op (its entry in `naslab.bakeoff.ops.CELL_OPS`) on (B, C, L) -> (B, C, L)."""
    key = f"{name}.{op}"
    return cell_op(op).apply(x, params.get(f"{key}.w"), lambda y: bn(y, buffers, key, train))


def cell_forward(cell, x, params, buffers, prefix: str, train: bool):
    """x_j = sum_{i<j} op_(j,i)(x_i); returns x_3. A node without a live input is zero."""
    nodes = [x]
    for j in range(1, N_NODES):
        acc = torch.zeros_like(x)
        for e, (t, f) in enumerate(EDGES):
            if t == j and not CELL_OPS[OPS[cell[e]]].is_zero:
                acc = acc + apply_op(OPS[cell[e]], nodes[f], params, buffers, f"{prefix}.e{e}", train)
        nodes.append(acc)
    return nodes[-1]


def forward(params, buffers, cell, x, cfg: NetConfig, train: bool = False):
    """Logits (B, num_classes) of the network with `cell` in every cell position, for x of shape (B, 1, L)."""
    cell = check_cell(cell)
    h = bn(F.conv1d(x, params["stem.w"], stride=cfg.stem_stride, padding=1), buffers, "stem", train)  # (B, C, L)
    for s, prefix in cfg.cell_names():
        if s > 0 and prefix.endswith("c0"):  # reduction: (B, C_s-1, L) -> (B, C_s, ceil(L / 2))
            h = bn(F.conv1d(F.relu(h), params[f"red{s}.w"], stride=2, padding=1), buffers, f"red{s}", train)
        h = cell_forward(cell, h, params, buffers, prefix, train)
    h = F.relu(h).mean(-1)  # (B, C_last): global average pool
    return h @ params["head.w"].T + params["head.b"]  # (B, num_classes)


def macs(cell, cfg: NetConfig) -> int:
    """Multiply-accumulates of one forward pass of one example (convs + linear; each edge op's `CellOp.macs`)."""
    cell = check_cell(cell)
    total = cfg.C * 3 * cfg.lengths(0)  # stem
    for s in range(cfg.n_stages):
        Cs, Ls = cfg.channels(s), cfg.lengths(s)
        if s > 0:
            total += Cs * cfg.channels(s - 1) * 3 * Ls
        for _ in range(cfg.cells_per_stage):
            total += sum(CELL_OPS[OPS[o]].macs(Cs, Ls) for o in cell)
    return total + cfg.num_classes * cfg.channels(cfg.n_stages - 1)


def n_params(cell, cfg: NetConfig) -> int:
    """Trainable parameters of the network with this cell (only the ops the cell uses)."""
    cell = check_cell(cell)
    shapes = param_shapes(cfg)
    total = 0
    for name, shape in shapes.items():
        eo = edge_op(name)
        if eo is not None and OPS[cell[eo[0]]] != eo[1]:
            continue  # an op this cell does not use
        total += math.prod(shape)
    return total


__all__ = ["NetConfig", "param_shapes", "bn_sizes", "init_params", "init_buffers", "forward", "cell_forward",
           "apply_op", "edge_op", "macs", "n_params"]
