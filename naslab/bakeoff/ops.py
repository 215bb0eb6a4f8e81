"""The operations of the NAS-Bench-201 cell space in 1-D: one table, used wherever an op is built,
counted or batched.

NAS-Bench-201 (Dong & Yang, ICLR 2020, §2.1) puts one of five operations on every edge of a cell:
zero, identity, ReLU-Conv(k=1)-BN, ReLU-Conv(k=3)-BN and AvgPool(3). Each entry of `CELL_OPS` says,
for one op name,

* how it computes on one network, x (B, C, L) -> (B, C, L) (`CellOp.apply`, used by
  `naslab.bakeoff.network` and by the table's DARTS supernet, `naslab.bakeoff.oneshot`);
* how it computes on K stacked members, channels-last x (m, B, L, C) -> (m, B, L, C)
  (`CellOp.apply_last`, used by `naslab.bakeoff.batched`);
* its weight shape, (C, C, k) for a conv of width k, none for the others (`CellOp.weight_shape`);
* its multiply-accumulates per example on C channels of length L (`CellOp.macs`): C * C * k * L for
  a conv, 3 adds per output for the pool, 0 for zero and identity.

A conv op is ReLU -> Conv1d(C, C, k, padding k // 2, no bias) -> BN(affine=False); the BN is passed in
(running statistics in the benchmark network, batch statistics in the supernet). Pooling is
AvgPool1d(3, stride 1, pad 1, count_include_pad=False). `none` is the zero op: networks skip it.

The order of the table is the order of `naslab.bakeoff.cells.OPS` (a cell stores op indices), so adding
an op to the space is one entry here.

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F


def avg_pool_3(x: torch.Tensor) -> torch.Tensor:
    """AvgPool1d(3, stride 1, pad 1, count_include_pad=False) along L of x (B, C, L)."""
    return F.avg_pool1d(x, 3, 1, 1, count_include_pad=False)


def avg_pool_3_last(x: torch.Tensor) -> torch.Tensor:
    """The same pool along L of channels-last x (m, B, L, C): the edges average 2 values, the rest 3."""
    L = x.shape[2]
    xp = F.pad(x, (0, 0, 1, 1))
    s = xp[:, :, :L] + xp[:, :, 1:L + 1] + xp[:, :, 2:]
    count = torch.full((L, 1), 3.0, dtype=x.dtype, device=x.device)
    count[0] = count[-1] = 2.0
    return s / count


def _identity(x: torch.Tensor) -> torch.Tensor:
    return x


@dataclass(frozen=True)
class CellOp:
    """One op of the cell space: a conv of width `kernel` (ReLU-Conv-BN), or a parameter-free `fn`
    (channels-first) with its channels-last twin `fn_last`, or the zero op (all three None)."""

    kernel: int | None = None
    fn: Callable | None = None  # (B, C, L) -> (B, C, L)
    fn_last: Callable | None = None  # (m, B, L, C) -> (m, B, L, C)
    adds_per_output: int = 0  # MACs of a parameter-free op per output element (a 3-wide pool: 3)

    @property
    def is_zero(self) -> bool:
        return self.kernel is None and self.fn is None

    @property
    def parameter_free(self) -> bool:
        return self.kernel is None

    def weight_shape(self, C: int) -> tuple[int, int, int] | None:
        """(C_out, C_in, k) of a conv op on C channels; None for an op without weights."""
        return None if self.kernel is None else (C, C, self.kernel)

    def macs(self, C: int, L: int) -> int:
        """Multiply-accumulates of the op on one example of C channels and length L."""
        return C * C * self.kernel * L if self.kernel is not None else self.adds_per_output * C * L

    def apply(self, x: torch.Tensor, w: torch.Tensor | None, norm: Callable) -> torch.Tensor:
        """x (B, C, L) -> (B, C, L); `w` (C, C, k) the conv weight, `norm` the BN after it."""
        if self.kernel is not None:
            return norm(F.conv1d(F.relu(x), w, padding=self.kernel // 2))
        if self.fn is None:
            return torch.zeros_like(x)
        return self.fn(x)

    def apply_last(self, x: torch.Tensor, conv_bn: Callable) -> torch.Tensor:
        """Channels-last x (m, B, L, C) -> (m, B, L, C); `conv_bn(x)` runs a conv op's ReLU-Conv-BN."""
        if self.kernel is not None:
            return conv_bn(x)
        if self.fn_last is None:
            return torch.zeros_like(x)
        return self.fn_last(x)


CELL_OPS: dict[str, CellOp] = {
    "none": CellOp(),
    "skip_connect": CellOp(fn=_identity, fn_last=_identity),
    "conv_1": CellOp(kernel=1),
    "conv_3": CellOp(kernel=3),
    "avg_pool_3": CellOp(fn=avg_pool_3, fn_last=avg_pool_3_last, adds_per_output=3),
}


def cell_op(name: str) -> CellOp:
    """The table's entry for `name`; ValueError naming the allowed ops otherwise."""
    try:
        return CELL_OPS[name]
    except (KeyError, TypeError):
        raise ValueError(f"op {name!r} is unknown; allowed: {list(CELL_OPS)}") from None


__all__ = ["CellOp", "CELL_OPS", "cell_op", "avg_pool_3", "avg_pool_3_last"]
