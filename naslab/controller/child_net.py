"""The child networks of the macro space: `ChildNet` and how a `MacroSpace` builds one from an `Architecture`.

Zoph & Le (ICLR 2017, arXiv:1611.01578, §3.3): a child is a stack of conv layers; "anchor" tokens add skip
connections from earlier layers, whose outputs are concatenated along channels. Here (shapes: B batch,
C channels, spatial (L,) or (H, W)):

* layer i reads h = concat(out_{i-1}, same_size(out_j) for the chosen j <= i-2): (B, C_{i-1} + sum C_j, *size_i),
  where `same_size` average-pools a skip down to layer i's input size (the paper zero-pads instead);
* each layer is Conv(k, stride, padding k // 2) -> BatchNorm -> ReLU (-> pool, window 2);
* the head is global average pooling -> Linear: (B, C_last) -> (B, num_classes).

The shrink rule (never crashes mid-search): a stride s or a pool reduces an axis of length n to ceil(n / s)
and is skipped (factor 1) on an axis whose length is already 1.

`ChildBuilder` is the building half of `naslab.controller.macro_space.MacroSpace` (which inherits it):
`build`, `shapes` and `make_layer`, the one method a subclass overrides to add a token (notebook 02's
dropout exercise). It needs the space's `encode`.

Taught in: notebooks/02_reinforce_controller.ipynb; `naslab.proxies.proxy.scaled_build` reuses
`ChildNet` and `make_layer` (notebook 03).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from naslab.utils import check_count, check_shape_arg, expect_input


def same_size(x: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """Average-pool a (B, C, *spatial) tensor down to `size` (identity when it already matches)."""
    if tuple(x.shape[2:]) == tuple(size):
        return x
    pool = F.adaptive_avg_pool1d if x.dim() == 3 else F.adaptive_avg_pool2d
    return pool(x, tuple(size) if x.dim() == 4 else size[0])


class ChildNet(nn.Module):
    """The network an `Architecture` describes: layers with skip concatenations, pooled linear head."""

    def __init__(self, layers: list[nn.Module], inputs, sizes, head: nn.Linear):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.inputs = [tuple(i) for i in inputs]  # per layer: skip sources j
        self.sizes = [tuple(s) for s in sizes]  # per layer: spatial size of its main input
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, C, L) or (B, C, H, W)
        outs: list[torch.Tensor] = []
        for layer, inp, size in zip(self.layers, self.inputs, self.sizes):
            h = x if not outs else outs[-1]  # layer i always reads layer i-1 (or the input)
            if inp:  # concatenate the chosen earlier outputs along channels: (B, C_h + sum C_j, *size)
                h = torch.cat([h] + [same_size(outs[j], size) for j in inp], dim=1)
            outs.append(layer(h))
        z = outs[-1].flatten(2).mean(2)  # global average pool: (B, C_last)
        return self.head(z)  # (B, num_classes)


class ChildBuilder:
    """Building a child network of a macro space (mixed into `MacroSpace`, which provides `encode`)."""

    @staticmethod
    def reduce(size: Sequence[int], factor: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The shrink rule: per-axis factor (1 on axes of length 1) and the new size ceil(n / f)."""
        f = tuple(factor if n > 1 else 1 for n in size)
        return f, tuple(-(-n // s) for n, s in zip(size, f))

    def make_layer(self, op: dict, c_in: int, size: tuple[int, ...]) -> tuple[nn.Module, int, tuple]:
        """One layer: Conv(k, stride) -> BatchNorm -> ReLU (-> pool). Returns (module, c_out, new size)."""
        conv, bn = (nn.Conv1d, nn.BatchNorm1d) if len(size) == 1 else (nn.Conv2d, nn.BatchNorm2d)
        k, c_out = op["kernel"], op["filters"]
        stride, size = self.reduce(size, op["stride"])
        mods = [conv(c_in, c_out, k, stride=stride, padding=k // 2, bias=False), bn(c_out), nn.ReLU()]
        if op.get("pool", "none") != "none":
            window, size = self.reduce(size, 2)
            pool = {("max", 1): nn.MaxPool1d, ("max", 2): nn.MaxPool2d,
                    ("avg", 1): nn.AvgPool1d, ("avg", 2): nn.AvgPool2d}[(op["pool"], len(size))]
            mods.append(pool(window, window, ceil_mode=True))
        return nn.Sequential(*mods), c_out, size

    def shapes(self, arch, input_shape: Sequence[int]) -> list[tuple[int, ...]]:
        """Output shape (C, *spatial) of every layer for one input, by the shrink rule (no tensors)."""
        return [(c, *s_out) for _, c, _, s_out in self._plan(arch, input_shape)]

    def _plan(self, arch, input_shape: Sequence[int]):
        """Per layer: (module, c_out, input spatial size, output spatial size)."""
        if len(input_shape) not in (2, 3):
            raise ValueError(f"input_shape={tuple(input_shape)} must be (C, L) or (C, H, W)")
        self.encode(arch)  # validates that arch belongs to this space
        c, size, chans, plan = input_shape[0], tuple(input_shape[1:]), [], []
        for i in range(arch.n_layers):
            c_in = c + sum(chans[j] for j in arch.inputs[i])  # main input + concatenated skip channels
            layer, c, new = self.make_layer(arch.layer(i), c_in, size)
            plan.append((layer, c, size, new))
            chans.append(c)
            size = new
        return plan

    def build(self, arch, input_shape: Sequence[int], num_classes: int) -> ChildNet:
        """The child network for inputs of shape (C, L) or (C, H, W) and `num_classes` outputs."""
        plan = self._plan(arch, input_shape := check_shape_arg(input_shape))
        head = nn.Linear(plan[-1][1], check_count(num_classes, "num_classes"))
        net = ChildNet([p[0] for p in plan], arch.inputs, [p[2] for p in plan], head)
        return expect_input(net, input_shape, f"MacroSpace.build({arch.key!r})")


__all__ = ["ChildBuilder", "ChildNet", "same_size"]
