"""Net2Net: grow a layer pair without changing what the network computes (layer-level operations).

Chen, Goodfellow & Shlens, "Net2Net: Accelerating Learning via Knowledge Transfer", ICLR 2016.

* **Net2WiderNet** widens layer i from n to q > n units with a random mapping g: {0..q-1} -> {0..n-1},
  g(j) = j for j < n and a uniform draw otherwise. Incoming weights and biases are copied,
  U1[j] = W1[g(j)], and the next layer's weights are divided by the replica count,
  U2[:, j] = W2[:, g(j)] / |{x : g(x) = g(j)}|, so the next layer receives exactly the same sum.
  A BatchNorm between the two layers is remapped with the same g.
* **Net2DeeperNet** inserts a layer initialised as the identity after an activation phi. It is
  exact when phi(I phi(v)) = phi(v), i.e. phi is idempotent (ReLU yes, tanh / sigmoid no). A conv
  identity is a delta at the centre tap: it needs an odd kernel, same padding and stride 1.

Supported pairs: Linear->Linear, ConvNd->ConvNd (1-D and 2-D), ConvNd->Linear through a flatten.
Model-level helpers (widen / deepen layer k of a network) live in `naslab.net2net.network`.

Taught in: notebooks/04_net2net.ipynb (sections 1-2).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

CONVS = (nn.Conv1d, nn.Conv2d)
LAYERS = (nn.Linear, *CONVS)
NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
INITS = ("net2net", "random")


class Widened(NamedTuple):
    """The result of `widen_pair`: the new layer, the new next layer, the new BatchNorm, and g."""

    layer: nn.Module
    next_layer: nn.Module
    bn: nn.Module | None
    g: torch.Tensor  # (q,) int64: new unit j is a copy of old unit g[j]


def width_of(layer: nn.Module) -> int:
    """Number of output units (Linear) or output channels (Conv) of `layer`."""
    return layer.out_features if isinstance(layer, nn.Linear) else layer.out_channels


def wider_mapping(n: int, q: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """The random mapping g of Net2WiderNet: g[j] = j for j < n, uniform in {0..n-1} for j >= n.

    Returns a (q,) int64 tensor. Raises ValueError unless q > n >= 1.
    """
    if n < 1 or q <= n:
        raise ValueError(f"new width q={q} must be larger than the current width n={n} (and n >= 1)")
    extra = torch.randint(0, n, (q - n,), generator=generator)  # sampled with replacement
    return torch.cat([torch.arange(n), extra])


def replica_counts(g: torch.Tensor, n: int) -> torch.Tensor:
    """counts[i] = |{j : g[j] = i}|, the size of old unit i's replica group, shape (n,)."""
    return torch.bincount(g, minlength=n)


def _check_pair(layer: nn.Module, nxt: nn.Module) -> None:
    ok = (isinstance(layer, nn.Linear) and isinstance(nxt, nn.Linear)) or (
        isinstance(layer, CONVS) and (isinstance(nxt, nn.Linear) or type(nxt) is type(layer)))
    if not ok:
        raise ValueError(f"cannot widen the pair {type(layer).__name__} -> {type(nxt).__name__}; supported pairs: "
                         "Linear->Linear, Conv1d->Conv1d, Conv2d->Conv2d, Conv->Linear (through a flatten)")
    for m in (layer, nxt):
        if isinstance(m, CONVS) and m.groups != 1:
            raise ValueError(f"{m} has groups={m.groups}; only groups=1 convolutions can be widened")
    n = width_of(layer)
    n_in = nxt.in_features if isinstance(nxt, nn.Linear) else nxt.in_channels
    if n_in % n:
        raise ValueError(f"{type(nxt).__name__} takes {n_in} inputs, not a multiple of the {n} units of {layer}")


@torch.no_grad()
def widen_pair(
    layer: nn.Module,
    next_layer: nn.Module,
    new_width: int,
    *,
    bn: nn.Module | None = None,
    g: torch.Tensor | None = None,
    noise: float = 0.0,
    init: str = "net2net",
    seed: int = 0,
) -> Widened:
    """Net2WiderNet on one pair: widen `layer` from n to `new_width` units and adapt `next_layer`.

    Args:
        layer: Linear(d, n), Conv1d(c, n, k) or Conv2d(c, n, k).
        next_layer: Linear(n*s, p) (s = spatial positions per channel after a flatten; s = 1 for
            Linear->Linear) or a conv of the same dimension with n input channels.
        new_width: q > n.
        bn: an optional BatchNorm(n) between the two layers, remapped with the same g.
        g: the mapping (q,) to use; drawn with `seed` when None.
        noise: symmetry-breaking noise: the copied units' incoming weights get Gaussian noise with
            std = noise * std(W1) (the EAS code uses 1e-2). 0 keeps the function exactly.
        init: "net2net" (copy and divide) or "random" (the random-padding baseline: new units get
            fresh random weights, old ones are left alone; the function is NOT preserved).
        seed: seeds g and the noise.

    Returns:
        Widened(layer, next_layer, bn, g): new modules (the inputs are not modified).
    """
    _check_pair(layer, next_layer)
    if init not in INITS:
        raise ValueError(f"init={init!r} is unknown; allowed: {list(INITS)}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not (noise >= 0 and noise < float("inf")):
        raise ValueError(f"noise={noise!r} must be a finite number >= 0")
    if isinstance(new_width, bool) or not hasattr(new_width, "__index__"):  # 20.5 would silently become 20
        raise ValueError(f"new_width={new_width!r} must be an int (the new number of units or channels)")
    n, q = width_of(layer), int(new_width)
    if q <= n:
        raise ValueError(f"new width q={q} must be larger than the current width n={n}")
    gen = torch.Generator().manual_seed(int(seed))
    g = wider_mapping(n, q, generator=gen) if g is None else torch.as_tensor(g, dtype=torch.long).cpu()
    if g.shape != (q,) or not torch.equal(g[:n], torch.arange(n)) or int(g.max()) >= n:
        raise ValueError(f"g must have shape ({q},), keep g[j] = j for j < {n} and map into 0..{n - 1}")
    counts = replica_counts(g, n).to(layer.weight)  # (n,), on the layer's device and dtype
    W1 = layer.weight  # (n, d) or (n, c, *k)
    W2 = next_layer.weight  # (p, n*s) or (p, n, *k)

    # incoming side: U1[j] = W1[g(j)], c1[j] = b1[g(j)]
    U1 = W1[g].clone()  # (q, d) or (q, c, *k)
    c1 = layer.bias[g].clone() if layer.bias is not None else None
    if init == "random":
        U1[n:] = _randn(U1[n:].shape, gen, W1) * spread(W1)
        if c1 is not None:
            c1[n:] = 0.0
    elif noise > 0:
        U1[n:] += noise * spread(W1) * _randn(U1[n:].shape, gen, W1)  # break the symmetry

    # outgoing side: U2[:, j] = W2[:, g(j)] / count(g(j))
    if isinstance(next_layer, nn.Linear):
        p, s = W2.shape[0], W2.shape[1] // n
        W2v = W2.reshape(p, n, s)  # flatten order is channel-major: channel i owns inputs i*s..i*s+s-1
        scale = counts[g].view(1, q, 1)
    else:
        W2v = W2  # (p, n, *k)
        scale = counts[g].view(1, q, *([1] * (W2.dim() - 2)))
    if init == "random":
        U2 = torch.cat([W2v, _randn((W2v.shape[0], q - n, *W2v.shape[2:]), gen, W2) * spread(W2)], 1)
    else:
        U2 = W2v[:, g] / scale  # the replicas share the old outgoing weight equally
    U2 = U2.reshape(W2.shape[0], -1) if isinstance(next_layer, nn.Linear) else U2

    new_layer = _clone_with(layer, out_units=q)
    new_layer.weight.copy_(U1)
    if c1 is not None:
        new_layer.bias.copy_(c1)
    new_next = _clone_with(next_layer, in_units=U2.shape[1])
    new_next.weight.copy_(U2)
    if next_layer.bias is not None:
        new_next.bias.copy_(next_layer.bias)
    new_bn = remap_bn(bn, g) if bn is not None else None
    return Widened(new_layer, new_next, new_bn, g)


def spread(W: torch.Tensor) -> float:
    """The scale of a weight tensor for noise: its std over all entries (population std, so a
    one-element weight gives 0 rather than NaN), or its mean |W| when that is 0, or 1 for all zeros."""
    s = W.detach().std(correction=0).item()
    if s > 0:
        return s
    a = W.detach().abs().mean().item()
    return a if a > 0 else 1.0


def _randn(shape, gen: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    """Seeded N(0, 1) noise drawn on the CPU (reproducible everywhere), then moved next to `like`."""
    return torch.randn(shape, generator=gen).to(like)


def _clone_with(m: nn.Module, *, out_units: int | None = None, in_units: int | None = None) -> nn.Module:
    """A fresh module like `m` with a different number of output / input units (same dtype, device)."""
    kw = dict(device=m.weight.device, dtype=m.weight.dtype, bias=m.bias is not None)
    if isinstance(m, nn.Linear):
        return nn.Linear(in_units or m.in_features, out_units or m.out_features, **kw)
    return type(m)(in_units or m.in_channels, out_units or m.out_channels, m.kernel_size, stride=m.stride,
                   padding=m.padding, dilation=m.dilation, padding_mode=m.padding_mode, **kw)


@torch.no_grad()
def remap_bn(bn: nn.Module, g: torch.Tensor) -> nn.Module:
    """A BatchNorm over q = len(g) channels whose channel j is old channel g[j] (gamma, beta, mean, var)."""
    if not isinstance(bn, NORMS):
        raise ValueError(f"bn must be one of {[c.__name__ for c in NORMS]}, got {type(bn).__name__}")
    ref = bn.weight if bn.affine else bn.running_mean
    kw = {} if ref is None else dict(device=ref.device, dtype=ref.dtype)
    new = type(bn)(len(g), eps=bn.eps, momentum=bn.momentum, affine=bn.affine,
                   track_running_stats=bn.track_running_stats, **kw)
    if bn.affine:
        new.weight.copy_(bn.weight[g])  # gamma
        new.bias.copy_(bn.bias[g])  # beta
    if bn.track_running_stats:
        new.running_mean.copy_(bn.running_mean[g])
        new.running_var.copy_(bn.running_var[g])
        new.num_batches_tracked.copy_(bn.num_batches_tracked)
    return new


# ---------------------------------------------------------------------------------------------
# Net2DeeperNet


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
