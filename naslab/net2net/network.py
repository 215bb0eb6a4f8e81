"""Net2Net on whole networks: widen or deepen layer k of an `nn.Sequential` and report the result.

Works on every sequential network naslab builds: `make_mlp`, `make_cnn` (naslab.models) and the
plain conv/fc stacks of `make_plain_net`, described by EAS-style tokens (Cai et al., AAAI 2018):

    "conv-8-3 pool conv-16-3 pool fc-32"  ->  [Conv(8, k3) ReLU] MaxPool [Conv(16, k3) ReLU] MaxPool
                                              Flatten [Linear(32) ReLU] Linear(num_classes)

Layer k is the k-th Linear / Conv module (0-based); the last one is the output layer. Between
layer k and layer k+1 only per-unit modules may sit (BatchNorm, activations, pooling, dropout,
and a Flatten from a conv to a Linear), so the widened units keep their identity end to end.

* `widen_layer(model, k, q)`: Net2WiderNet on layers k, k+1 (and the BatchNorm between them).
* `deepen_layer(model, k)`: Net2DeeperNet, an identity block [Linear or Conv, (BatchNorm), phi]
  inserted after layer k's activation phi; its BatchNorm is set to the identity from data `X`.
* `describe(model)` gives the token string; `reinit(model, seed)` the same shape from scratch.

Taught in: notebooks/04_net2net.ipynb (sections 1-3, Explore).
"""

from __future__ import annotations

import copy
import math
import re

import torch
from torch import nn

from naslab.net2net.deeper import identity_conv, identity_linear, set_bn_identity, validate_idempotent
from naslab.net2net.layers import CONVS, INITS, LAYERS, NORMS, spread, widen_pair, width_of
from naslab.utils import check_count, check_shape_arg, count_params, expect_input
from naslab.validate import check_bool, check_real, check_seed

POOLS = (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d)
GLOBAL_POOLS = (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d)
PER_UNIT = (*NORMS, *POOLS, *GLOBAL_POOLS, nn.Dropout, nn.Identity, nn.Flatten)  # keep unit j at place j
TOKENS = "conv-C-K[-sS], fc-U, pool, gap"
_TOKEN = re.compile(r"^(?:conv-(\d+)-(\d+)(?:-s(\d+))?|fc-(\d+)|pool|gap)$")


_NOT_ELEMENTWISE = (nn.Softmax, nn.Softmin, nn.LogSoftmax, nn.Softmax2d, nn.GLU, nn.MultiheadAttention)


def _is_activation(m: nn.Module) -> bool:
    """An element-wise activation module (ReLU, Tanh, ...), not one that mixes units (Softmax, GLU)."""
    return type(m).__module__ == "torch.nn.modules.activation" and not isinstance(m, _NOT_ELEMENTWISE)


def weight_layers(model: nn.Sequential) -> list[int]:
    """Positions in `model` of its Linear / Conv modules: layer k lives at model[weight_layers(model)[k]]."""
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"model must be an nn.Sequential (as naslab builds them), got {type(model).__name__}")
    return [i for i, m in enumerate(model) if isinstance(m, LAYERS)]


def _check_k(model: nn.Sequential, k: int) -> list[int]:
    idx = weight_layers(model)
    if not isinstance(k, int) or not 0 <= k < len(idx) - 1:
        raise ValueError(f"layer k={k!r} cannot be grown; allowed: the hidden layers 0..{len(idx) - 2} "
                         f"(layer {len(idx) - 1} is the output layer) of {describe(model)!r}")
    return idx


def describe(model: nn.Sequential) -> str:
    """EAS-style token string of the hidden part of `model` (the output layer is implied)."""
    tokens = []
    last = weight_layers(model)[-1]
    for i, m in enumerate(model):
        if isinstance(m, nn.Linear) and i != last:
            tokens.append(f"fc-{m.out_features}")
        elif isinstance(m, CONVS):
            stride = f"-s{m.stride[0]}" if m.stride[0] != 1 else ""
            tokens.append(f"conv-{m.out_channels}-{m.kernel_size[0]}{stride}")
        elif isinstance(m, POOLS):
            tokens.append("pool")
        elif isinstance(m, GLOBAL_POOLS):
            tokens.append("gap")
    return " ".join(tokens)


def make_plain_net(input_shape: tuple[int, ...], num_classes: int, arch: str = "conv-8-3 pool fc-16",
                   *, bn: bool = False) -> nn.Sequential:
    """Build a plain conv / fc stack from EAS-style tokens (see the module docstring).

    Args:
        input_shape: (C, L) for signals (Conv1d) or (C, H, W) for images (Conv2d).
        num_classes: width of the output Linear layer (appended, not written in `arch`).
        arch: space-separated tokens: conv-C-K[-sS] (C filters, kernel K, stride S, padding K // 2),
            fc-U (U units), pool (max-pool by 2), gap (global average pool). Convs come before fcs.
        bn: put a BatchNorm between every hidden layer and its ReLU.
    """
    input_shape = check_shape_arg(input_shape)
    check_count(num_classes, "num_classes")
    if not isinstance(arch, str):
        raise ValueError(f"arch={arch!r} must be a str of tokens, e.g. 'conv-8-3 pool fc-16'")
    check_bool(bn, "bn")
    dim = len(input_shape) - 1
    conv, norm = (nn.Conv1d, nn.BatchNorm1d) if dim == 1 else (nn.Conv2d, nn.BatchNorm2d)
    layers: list[nn.Module] = []
    c, flat = input_shape[0], False
    for tok in arch.split():
        m = _TOKEN.match(tok)
        if m is None:
            raise ValueError(f"unknown token {tok!r} in arch={arch!r}; allowed tokens: {TOKENS}")
        if any(v is not None and int(v) < 1 for v in m.groups()):  # conv-0-3 would fail deep inside torch
            raise ValueError(f"token {tok!r} in arch={arch!r}: every count must be >= 1 (conv-C-K[-sS], fc-U)")
        if tok.startswith("fc"):
            if not flat:
                layers.append(nn.Flatten())
                flat = True
            d = math.prod(_out_shape(layers, input_shape))
            layers += [nn.Linear(d, int(m[4])), *([nn.BatchNorm1d(int(m[4]))] if bn else []), nn.ReLU()]
            continue
        if flat:
            raise ValueError(f"token {tok!r} comes after an fc layer in arch={arch!r}; conv/pool tokens come first")
        if tok == "pool":
            if min(_out_shape(layers, input_shape)[1:]) < 2:
                raise ValueError(f"arch={arch!r} pools a feature map that is already smaller than 2")
            layers.append((nn.MaxPool1d if dim == 1 else nn.MaxPool2d)(2))
        elif tok == "gap":
            layers.append((nn.AdaptiveAvgPool1d if dim == 1 else nn.AdaptiveAvgPool2d)(1))
        else:
            out, k, s = int(m[1]), int(m[2]), int(m[3] or 1)
            layers += [conv(c, out, k, stride=s, padding=k // 2), *([norm(out)] if bn else []), nn.ReLU()]
            c = out
    if not flat:
        layers.append(nn.Flatten())
    layers.append(nn.Linear(math.prod(_out_shape(layers, input_shape)), num_classes))
    return expect_input(nn.Sequential(*layers), input_shape, "make_plain_net")


@torch.no_grad()
def _out_shape(layers: list[nn.Module], input_shape: tuple[int, ...]) -> tuple[int, ...]:
    net = nn.Sequential(*layers).eval()
    return tuple(net(torch.zeros(1, *input_shape)).shape[1:])


def widen_layer(model: nn.Sequential, k: int, new_width: int, *, noise: float = 0.0, init: str = "net2net",
                seed: int = 0, g: torch.Tensor | None = None) -> nn.Sequential:
    """Net2WiderNet: a copy of `model` whose hidden layer k has `new_width` units (the teacher is untouched).

    `init="random"` gives the random-padding student of the same shape instead; `g` fixes the
    mapping (default: drawn with `seed`; see `widen_pair`).
    Raises ValueError for an output layer k, new_width <= current width, or a module between
    layers k and k+1 that does not act per unit.
    """
    idx = _check_k(model, k)
    i, j = idx[k], idx[k + 1]
    bns = [t for t in range(i + 1, j) if isinstance(model[t], NORMS)]
    for t in range(i + 1, j):
        m = model[t]
        if not (isinstance(m, PER_UNIT) or _is_activation(m)) or len(bns) > 1:
            raise ValueError(f"cannot widen through {m} between layers {k} and {k + 1}; allowed in between: "
                             "one BatchNorm, activations, pooling, dropout and a Flatten")
    w = widen_pair(model[i], model[j], new_width, bn=model[bns[0]] if bns else None, g=g, noise=noise, init=init,
                   seed=seed)
    mods = [copy.deepcopy(m) for m in model]
    mods[i], mods[j] = w.layer, w.next_layer
    if bns:
        mods[bns[0]] = w.bn
    return nn.Sequential(*mods).train(model.training)


def deepen_layer(model: nn.Sequential, k: int, *, kernel_size: int = 3, bn: bool | None = None,
                 X: torch.Tensor | None = None, noise: float = 0.0, init: str = "net2net",
                 seed: int = 0) -> nn.Sequential:
    """Net2DeeperNet: a copy of `model` with an identity block inserted after hidden layer k.

    The block is [Linear(n, n) or Conv(n, n, kernel_size, padding k // 2), (BatchNorm), phi] where
    phi is a copy of layer k's activation, which must be idempotent. Args:
        kernel_size: odd kernel of an inserted conv (ignored for a Linear layer).
        bn: add a BatchNorm to the block (None: when layer k has one). It needs `X`, a batch of real
            inputs (B, *input_shape): the BatchNorm is set to the identity from the statistics of
            the data reaching it (EAS uses one batch of 64).
        noise: Gaussian noise, std = noise * std(identity weight), on the new weight (EAS: 1e-3).
        init: "net2net" (identity) or "random" (the random-init baseline; not function-preserving).
    """
    if init not in INITS:
        raise ValueError(f"init={init!r} is unknown; allowed: {list(INITS)}")
    check_real(noise, "noise", low=0)  # inf gives NaN weights; -1 and nan would be ignored silently
    check_seed(seed)
    idx = _check_k(model, k)
    i = idx[k]
    t = i + 1
    has_bn = t < len(model) and isinstance(model[t], NORMS)
    t += has_bn
    if t >= len(model) or not _is_activation(model[t]):
        raise ValueError(f"layer {k} is not followed by an activation: there is no phi(v) to insert an identity after")
    act = model[t]
    validate_idempotent(act)  # phi(I phi(v)) = phi(v) needs phi(phi(v)) = phi(v)
    bn = has_bn if bn is None else bool(bn)
    layer, n = model[i], width_of(model[i])
    if isinstance(layer, nn.Linear):
        new = identity_linear(n, like=layer)
    else:
        new = identity_conv(n, kernel_size, dim=layer.weight.dim() - 2, like=layer)
    gen = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        if init == "random":
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(seed))
                new.reset_parameters()  # PyTorch's default (Kaiming-uniform) initialisation
        elif noise > 0:
            new.weight += noise * spread(new.weight) * torch.randn(new.weight.shape, generator=gen).to(new.weight)
    block: list[nn.Module] = [new]
    if bn:
        norm = (nn.BatchNorm1d if new.weight.dim() <= 3 else nn.BatchNorm2d)(n).to(layer.weight)
        if init == "net2net":
            if X is None:
                raise ValueError("deepening with a BatchNorm needs X, a batch of real inputs, to set it to identity")
            prefix = copy.deepcopy(nn.Sequential(*list(model)[: t + 1])).eval()
            with torch.no_grad():
                set_bn_identity(norm, new(prefix(X.to(layer.weight.device))))  # stats of the data entering BN
        block.append(norm)
    block.append(copy.deepcopy(act))
    mods = [copy.deepcopy(m) for m in model]
    return nn.Sequential(*mods[: t + 1], *block, *mods[t + 1:]).train(model.training)


def reinit(model: nn.Module, seed: int = 0) -> nn.Module:
    """A copy of `model` with every parameter freshly initialised (the same shape, trained from scratch)."""
    new = copy.deepcopy(model)
    with torch.random.fork_rng(devices=[]):  # leave the caller's global RNG alone
        torch.manual_seed(int(seed))
        for m in new.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
    return new


def growth_report(teacher: nn.Sequential, student: nn.Sequential) -> str:
    """One line: 'old arch -> new arch (params a -> b)'."""
    return (f"{describe(teacher)}  ->  {describe(student)}   "
            f"(params {count_params(teacher):,} -> {count_params(student):,})")
