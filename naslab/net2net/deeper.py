"""Net2DeeperNet: insert an identity layer without changing what the network computes.

Chen, Goodfellow & Shlens, "Net2Net: Accelerating Learning via Knowledge Transfer", ICLR 2016, §2.3.

Net2DeeperNet inserts a layer initialised as the identity after an activation phi. It is exact when
phi(I phi(v)) = phi(v), i.e. phi is idempotent (ReLU yes, tanh / sigmoid no: `validate_idempotent`).
A Linear identity is W = I, b = 0 (`identity_linear`); a conv identity is a delta at the centre tap
(`identity_conv`): it needs an odd kernel, same padding and stride 1. A BatchNorm after the new layer
is made the identity for the data that flows into it (`set_bn_identity`). Widening (Net2WiderNet) is
`naslab.net2net.layers`; deepening layer k of a network is `naslab.net2net.network`.

Taught in: notebooks/04_net2net.ipynb (section 2).
"""

from __future__ import annotations

import torch
from torch import nn


def validate_idempotent(activation: nn.Module) -> None:
    """Raise ValueError unless phi(phi(v)) = phi(v) on a wide grid of v (the Net2DeeperNet condition).

    An identity layer inserted after phi computes phi(I phi(v)); that equals phi(v) only for an
    idempotent phi: ReLU, ReLU6, Hardtanh, Identity pass; Tanh, Sigmoid, GELU, LeakyReLU fail.
    """
    v = torch.cat([torch.linspace(-10, 10, 4001), torch.tensor([-1e3, -50.0, 50.0, 1e3])])
    with torch.no_grad():
        a = activation(v)
        gap = (activation(a) - a).abs().max().item()
    if not gap <= 1e-6:
        raise ValueError(
            f"{activation} is not idempotent: max |phi(phi(v)) - phi(v)| = {gap:.3g}, so an identity layer "
            "inserted after it changes the function. Allowed: idempotent activations such as ReLU, ReLU6, "
            "Hardtanh or Identity (tanh and sigmoid are not)")


def identity_linear(n: int, *, like: nn.Module | None = None) -> nn.Linear:
    """Linear(n, n) with W = I and b = 0."""
    kw = {} if like is None else dict(device=like.weight.device, dtype=like.weight.dtype)
    layer = nn.Linear(n, n, **kw)
    with torch.no_grad():
        layer.weight.copy_(torch.eye(n))
        layer.bias.zero_()
    return layer


def identity_conv(channels: int, kernel_size: int, *, dim: int = 2, like: nn.Module | None = None) -> nn.Module:
    """ConvNd(C, C, k, stride 1, padding k // 2): weight[c, c, centre] = 1, all else 0, bias 0.

    Raises ValueError for an even kernel: it has no centre tap, and symmetric padding (k-1)/2 is
    not an integer, so the output length changes (L + 2*(k//2) - k + 1 = L + 1) and no kernel can
    be the identity.
    """
    if dim not in (1, 2):
        raise ValueError(f"dim={dim!r} is not supported; allowed: [1, 2]")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size={kernel_size} cannot be an identity: an even kernel has no centre tap "
                         f"and 'same' padding would need (k-1)/2 = {(kernel_size - 1) / 2} pixels per side; "
                         "use an odd kernel_size (1, 3, 5, ...)")
    kw = {} if like is None else dict(device=like.weight.device, dtype=like.weight.dtype)
    conv = (nn.Conv1d if dim == 1 else nn.Conv2d)(channels, channels, kernel_size, padding=kernel_size // 2, **kw)
    with torch.no_grad():
        conv.weight.zero_()  # (C, C, k) or (C, C, k, k)
        centre = (kernel_size // 2,) * dim
        idx = torch.arange(channels)
        conv.weight[(idx, idx, *centre)] = 1.0  # in-channel c -> out-channel c at the centre tap
        conv.bias.zero_()
    return conv


@torch.no_grad()
def set_bn_identity(bn: nn.Module, h: torch.Tensor) -> nn.Module:
    """Make `bn` the identity (in eval mode) for data like `h`, the tensor that flows into it.

    With mu, sigma^2 the per-channel mean and (biased) variance of h (B, C, *spatial):
    running_mean = mu, running_var = sigma^2, gamma = sqrt(sigma^2 + eps), beta = mu, so
    gamma * (x - mu) / sqrt(sigma^2 + eps) + beta = x for every x. In train mode BN uses the
    batch's own statistics instead, so it is exact only on batches whose statistics equal mu, sigma^2.
    """
    if h.dim() < 2 or h.shape[1] != bn.num_features:
        raise ValueError(f"h must have shape (B, {bn.num_features}, ...), got {tuple(h.shape)}")
    dims = [0, *range(2, h.dim())]  # every axis but the channel axis
    mu = h.mean(dims)  # (C,)
    var = h.var(dims, unbiased=False)  # (C,)
    bn.running_mean.copy_(mu)
    bn.running_var.copy_(var)
    bn.weight.copy_(torch.sqrt(var + bn.eps))  # gamma
    bn.bias.copy_(mu)  # beta
    return bn


__all__ = ["validate_idempotent", "identity_linear", "identity_conv", "set_bn_identity"]
