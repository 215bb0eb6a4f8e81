"""The candidate operations of a DARTS cell: an `OPS` registry that works on 1-D and 2-D inputs.

DARTS (Liu, Simonyan & Yang, ICLR 2019, §2.1 and code `PRIMITIVES`) places eight candidates on
every edge of a cell: none (zero), max / avg pooling 3, skip (identity, or a factorised reduction at
stride 2), separable convolutions 3 and 5 (ReLU-depthwise-pointwise-BN, applied twice) and dilated
convolutions 3 and 5 (dilation 2, ReLU-depthwise-pointwise-BN).

Each entry of `OPS` is a builder `builder(C, stride, affine, dim) -> nn.Module` that maps (B, C, L) -> (B, C, L')
for dim=1 or (B, C, H, W) -> (B, C, H', W') for dim=2; stride 1 keeps the size, stride 2 halves it (L' = ceil(L / 2)).
Students add their own with `register_op`; `tests/darts/test_ops.py` and `validate_op` check every one.

Taught in: notebooks/05_darts.ipynb (§ search space, exercise 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from naslab.validate import Registry, check_int

PRIMITIVES = ("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
              "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")  # the paper's order
PARAMETER_FREE = ("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect")  # at stride 1
DIMS = (1, 2)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # op names must survive the genotype string form


def layer(kind: str, dim: int) -> type[nn.Module]:
    """`layer("Conv", 1)` -> nn.Conv1d; kinds: Conv, BatchNorm, MaxPool, AvgPool; dim 1 or 2."""
    if dim not in DIMS:
        raise ValueError(f"dim={dim!r} is not supported; allowed: {list(DIMS)} (signals or images)")
    return getattr(nn, f"{kind}{dim}d")


def halved(size: int) -> int:
    """Spatial size after a stride-2 op: ceil(size / 2)."""
    return (size + 1) // 2


class Zero(nn.Module):
    """The `none` op: a zero tensor of the output shape (it still passes a zero gradient)."""

    def __init__(self, stride: int):
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sl = (slice(None), slice(None)) + (slice(None, None, self.stride),) * (x.dim() - 2)
        return x[sl].mul(0.0)  # (B, C, ceil(L / stride)[, ceil(W / stride)])


class _ReLUFirst(nn.Sequential):
    """A Sequential that starts with a ReLU; `after_relu(relu(x)) == forward(x)`, so a mixed op can compute
    relu(x) once per edge and share it among its convolutions (same values, one activation kept, not four)."""

    def after_relu(self, xr: torch.Tensor) -> torch.Tensor:
        for m in list(self)[1:]:
            xr = m(xr)
        return xr


class ReLUConvBN(_ReLUFirst):
    """ReLU -> Conv(k, stride) -> BN: the order DARTS uses everywhere (also the 1x1 preprocessing)."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True, dim=2):
        super().__init__(nn.ReLU(), layer("Conv", dim)(C_in, C_out, kernel_size, stride, padding, bias=False),
                         layer("BatchNorm", dim)(C_out, affine=affine))


class DilConv(_ReLUFirst):
    """ReLU -> depthwise Conv(k, dilation) -> pointwise 1x1 Conv -> BN."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation, affine=True, dim=2):
        conv = layer("Conv", dim)
        super().__init__(
            nn.ReLU(),
            conv(C_in, C_in, kernel_size, stride, padding, dilation=dilation, groups=C_in, bias=False),
            conv(C_in, C_out, 1, bias=False),
            layer("BatchNorm", dim)(C_out, affine=affine),
        )


class SepConv(nn.Sequential):
    """A separable convolution applied twice (the first with the stride), as in the DARTS code."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True, dim=2):
        super().__init__(DilConv(C_in, C_in, kernel_size, stride, padding, 1, affine, dim),
                         DilConv(C_in, C_out, kernel_size, 1, padding, 1, affine, dim))

    def after_relu(self, xr: torch.Tensor) -> torch.Tensor:  # forward(x) given xr = relu(x)
        return self[1](self[0].after_relu(xr))


class FactorizedReduce(nn.Module):
    """Halve the size keeping every pixel: two 1x1 stride-2 convs (the second on the input shifted by one),
    concatenated on channels -> BN; `skip_connect` at stride 2, and the input of a cell after a reduction."""

    def __init__(self, C_in: int, C_out: int, affine: bool = True, dim: int = 2):
        super().__init__()
        if C_out % 2:
            raise ValueError(f"FactorizedReduce needs an even C_out, got {C_out}")
        conv = layer("Conv", dim)
        self.conv_1 = conv(C_in, C_out // 2, 1, stride=2, bias=False)
        self.conv_2 = conv(C_in, C_out // 2, 1, stride=2, bias=False)
        self.bn = layer("BatchNorm", dim)(C_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.after_relu(F.relu(x))

    def after_relu(self, x: torch.Tensor) -> torch.Tensor:  # forward given relu(x), shared by a mixed op
        sl = (slice(None), slice(None)) + (slice(1, None),) * (x.dim() - 2)
        shifted = F.pad(x[sl], (0, 1) * (x.dim() - 2))  # x shifted by one pixel, same size as x
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))  # (B, C_out, ceil(L/2)...)


# name -> builder(C, stride, affine, dim); keep the paper's order (it is the column order of alpha)
OPS: dict[str, Callable[[int, int, bool, int], nn.Module]] = Registry({  # a missing name: KeyError listing the ops
    "none": lambda C, stride, affine, dim: Zero(stride),
    "max_pool_3x3": lambda C, stride, affine, dim: layer("MaxPool", dim)(3, stride=stride, padding=1),
    "avg_pool_3x3": lambda C, stride, affine, dim: layer("AvgPool", dim)(
        3, stride=stride, padding=1, count_include_pad=False),
    "skip_connect": lambda C, stride, affine, dim: (
        nn.Identity() if stride == 1 else FactorizedReduce(C, C, affine, dim)),
    "sep_conv_3x3": lambda C, stride, affine, dim: SepConv(C, C, 3, stride, 1, affine, dim),
    "sep_conv_5x5": lambda C, stride, affine, dim: SepConv(C, C, 5, stride, 2, affine, dim),
    "dil_conv_3x3": lambda C, stride, affine, dim: DilConv(C, C, 3, stride, 2, 2, affine, dim),
    "dil_conv_5x5": lambda C, stride, affine, dim: DilConv(C, C, 5, stride, 4, 2, affine, dim),
})
BUILTIN = tuple(OPS)
RELU_FIRST = (ReLUConvBN, DilConv, SepConv, FactorizedReduce)  # exactly these types have `after_relu`


def build_op(name: str, C: int, stride: int, *, affine: bool = True, dim: int = 2) -> nn.Module:
    """Build the registered op `name` for C channels at `stride` (1 keeps the size, 2 halves it).

    Raises:
        ValueError: an unknown name (listing the registered ones), a stride other than 1 or 2, or a dim
            other than 1 or 2.
    """
    if name not in OPS:
        raise ValueError(f"unknown op {name!r}; registered ops: {list(OPS)}")
    if stride not in (1, 2):
        raise ValueError(f"stride={stride!r} is not supported; allowed: [1, 2]")
    layer("Conv", dim)  # validates dim
    return OPS[name](C, stride, affine, dim)


def _same_builder(a: Callable, b: Callable) -> bool:
    """The same function, or the same source re-defined (a notebook cell run again)."""
    if a is b:
        return True
    code_a, code_b = getattr(a, "__code__", None), getattr(b, "__code__", None)
    return (code_a is not None and code_b is not None and a.__qualname__ == b.__qualname__
            and code_a.co_code == code_b.co_code and code_a.co_consts == code_b.co_consts)


def register_op(name: str, builder: Callable | None = None, *, overwrite: bool = False, replace: bool = False,
                check: bool = True):
    """Add an op to `OPS` (usable as a decorator: `@register_op("conv_3x3")`).

    Args:
        name: a Python-identifier-like name (letters, digits, underscores), so genotype strings parse.
        builder: `builder(C, stride, affine, dim) -> nn.Module`, keeping the size at stride 1 and
            halving it at stride 2, on (B, C, L) inputs for dim=1 and (B, C, H, W) for dim=2.
        overwrite, replace: (synonyms) allow replacing a different op you registered under `name` (never a
            built-in one). Registering the same builder again (a notebook cell run again) needs neither.
        check: run `validate_op` on 1-D and 2-D inputs at stride 1 and 2 before accepting the op; a
            failing op is not registered and raises ValueError with the reason.

    Returns: the builder (so the decorator form leaves the function in place).
    """
    overwrite = overwrite or replace
    if builder is None:
        return lambda fn: register_op(name, fn, overwrite=overwrite, check=check)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"op name {name!r} must be letters, digits and underscores (e.g. 'conv_3x3')")
    if not callable(builder):
        raise ValueError(f"builder for {name!r} must be callable as builder(C, stride, affine, dim)")
    if name in BUILTIN:
        raise ValueError(f"op {name!r} is a built-in DARTS op and cannot be replaced; built-ins: {list(BUILTIN)}")
    if name in OPS and not overwrite and not _same_builder(OPS[name], builder):
        raise ValueError(f"op {name!r} is already registered with a different builder; registered ops: {list(OPS)} "
                         "(pass replace=True to replace one of your own)")
    old = OPS.get(name)
    OPS[name] = builder
    if check:
        try:
            with torch.random.fork_rng(devices=[]):  # the check seeds torch: leave the caller's RNG alone
                validate_op(name)
                validate_op(name, C=6, size=12)  # an op that works only at C = 4 and size 8 is not general
        except Exception as e:  # ValueError from the check, or the op's own crash
            if old is None:
                del OPS[name]
            else:
                OPS[name] = old
            raise ValueError(f"op {name!r} was not registered: it fails the op check (1-D and 2-D inputs, "
                             f"stride 1 keeps the size, stride 2 halves it): {type(e).__name__}: {e}") from e
    return builder


def unregister_op(name: str) -> None:
    """Remove an op you registered (built-in ops cannot be removed)."""
    if name in BUILTIN:
        raise ValueError(f"{name!r} is a built-in DARTS op and cannot be removed; built-ins: {list(BUILTIN)}")
    if name not in OPS:
        raise ValueError(f"op {name!r} is not registered; registered ops: {list(OPS)}")
    del OPS[name]


def validate_op(name: str, *, C: int = 4, size: int = 8, dims: tuple[int, ...] = DIMS) -> str:
    """Raise ValueError unless the registered op `name` is a valid DARTS candidate; return `name`.

    For dim in `dims` and stride in (1, 2): C channels out, the input's size at stride 1 and ceil(size / 2) at
    stride 2, finite, a gradient reaching the input and every parameter (`naslab.check_op`: the exercise form).
    """
    check_int(C, "C", low=1, hint="channels")
    check_int(size, "size", low=2, hint="the input's length or side")
    def fail(msg: str):
        raise ValueError(msg)

    for dim in dims:
        for stride in (1, 2):
            torch.manual_seed(0)
            x = torch.randn(2, C, *([size] * dim), requires_grad=True)  # (B, C, L) or (B, C, H, W)
            want = (2, C, *([size if stride == 1 else halved(size)] * dim))
            try:
                op = build_op(name, C, stride, affine=True, dim=dim)
                y = op(x)
            except NotImplementedError:
                raise
            except Exception as e:  # the op's own crash, named with the input and the expected output
                fail(f"{name} (dim={dim}, stride={stride}) raised {type(e).__name__}: {e} on an input of shape "
                     f"{tuple(x.shape)} (expected output shape {want})"
                     + ("; it works in 1-D: build Conv2d / BatchNorm2d / pools when dim == 2" if dim == 2 else ""))
            if tuple(y.shape) != want:
                fail(f"{name} (dim={dim}, stride={stride}): shape {tuple(y.shape)}, want {want}")
            if not torch.isfinite(y).all():
                fail(f"{name} (dim={dim}, stride={stride}) gives non-finite values")
            y.square().sum().backward()
            if x.grad is None or not torch.isfinite(x.grad).all():
                fail(f"{name}: no finite gradient reaches x")
            for pname, p in op.named_parameters():
                if p.grad is None:
                    fail(f"{name} (dim={dim}, stride={stride}): parameter {pname} gets no gradient")
    return name
