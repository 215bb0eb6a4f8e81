"""Net2WiderNet: widen a layer pair without changing what the network computes (layer-level operations).

Chen, Goodfellow & Shlens, "Net2Net: Accelerating Learning via Knowledge Transfer", ICLR 2016.

* **Net2WiderNet** widens layer i from n to q > n units with a random mapping g: {0..q-1} -> {0..n-1},
  g(j) = j for j < n and a uniform draw otherwise. Incoming weights and biases are copied,
  U1[j] = W1[g(j)], and the next layer's weights are divided by the replica count,
  U2[:, j] = W2[:, g(j)] / |{x : g(x) = g(j)}|, so the next layer receives exactly the same sum.
  A BatchNorm between the two layers is remapped with the same g.

Supported pairs: Linear->Linear, ConvNd->ConvNd (1-D and 2-D), ConvNd->Linear through a flatten.
Net2DeeperNet's identity layers live in `naslab.net2net.deeper`; model-level helpers (widen / deepen
layer k of a network) in `naslab.net2net.network`.

Taught in: notebooks/04_net2net.ipynb (sections 1-2).
"""

from __future__ import annotations

import math
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


def first_new_column(W_next, n_old: int, n_new: int) -> int:
    """The first column of the drawn (flattened) `W_next` that feeds from a unit Net2Net added.

    Widening layer k from `n_old` to `n_new` units adds input channels n_old..n_new-1 to layer k+1.
    Flattened as `(out, in * K)`, the columns are channel-major: channel c owns columns c*K .. (c+1)*K - 1,
    so the new channels start at column n_old * K, where
    * conv -> conv: W_next is (out, n_new, *kernel) and K = prod(kernel) (k*k for a k x k kernel);
    * conv -> linear: W_next is (out, n_new * P) after a flatten of P positions per channel, K = P;
    * linear -> linear: W_next is (out, n_new), K = 1.
    """
    shape = tuple(W_next.shape)
    if shape[1] % n_new:
        raise ValueError(f"W_next has {shape[1]} inputs, not a multiple of n_new={n_new} units")
    per_channel = math.prod(shape[2:]) if len(shape) > 2 else shape[1] // n_new
    return n_old * per_channel


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
    n, q = _check_widen(layer, next_layer, new_width, noise, init)
    gen = torch.Generator().manual_seed(int(seed))  # draws, in order: g, then U1's noise, then U2's padding
    g = _mapping(n, q, g, gen)
    U1, c1 = _incoming(layer, g, n, init=init, noise=noise, gen=gen)
    counts = replica_counts(g, n).to(layer.weight)  # (n,), on the layer's device and dtype
    U2 = _outgoing(next_layer, g, counts, init=init, gen=gen)
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


def _check_widen(layer, next_layer, new_width, noise, init) -> tuple[int, int]:
    """(n, q) of a valid widening; ValueError naming the bad argument otherwise."""
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
    return n, q


def _mapping(n: int, q: int, g, gen: torch.Generator) -> torch.Tensor:
    """The given g (checked) or a fresh one drawn from `gen`: (q,) int64 on the CPU."""
    g = wider_mapping(n, q, generator=gen) if g is None else torch.as_tensor(g, dtype=torch.long).cpu()
    if g.shape != (q,) or not torch.equal(g[:n], torch.arange(n)) or int(g.max()) >= n:
        raise ValueError(f"g must have shape ({q},), keep g[j] = j for j < {n} and map into 0..{n - 1}")
    return g


def _incoming(layer, g, n: int, *, init: str, noise: float, gen: torch.Generator):
    """The widened layer's weight and bias: U1[j] = W1[g(j)], c1[j] = b1[g(j)] (new units random for
    init="random", or with symmetry-breaking noise)."""
    W1 = layer.weight  # (n, d) or (n, c, *k)
    U1 = W1[g].clone()  # (q, d) or (q, c, *k)
    c1 = layer.bias[g].clone() if layer.bias is not None else None
    if init == "random":
        U1[n:] = _randn(U1[n:].shape, gen, W1) * spread(W1)
        if c1 is not None:
            c1[n:] = 0.0
    elif noise > 0:
        U1[n:] += noise * spread(W1) * _randn(U1[n:].shape, gen, W1)  # break the symmetry
    return U1, c1


def _outgoing(next_layer, g, counts, *, init: str, gen: torch.Generator) -> torch.Tensor:
    """The next layer's weight: U2[:, j] = W2[:, g(j)] / counts[g(j)] (or random new columns, init="random")."""
    W2 = next_layer.weight  # (p, n*s) or (p, n, *k)
    n, q = len(counts), len(g)
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
    return U2.reshape(W2.shape[0], -1) if isinstance(next_layer, nn.Linear) else U2


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
