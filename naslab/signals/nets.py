"""The networks a zero-cost proxy looks at: a parameter dict, a pure forward function and a probe.

A proxy (Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021) scores an *untrained*
network from one mini-batch, so it needs three things of a network, and `ProxyNet` gives exactly those:

    params                        dict name -> weight tensor (float64 here: the proxies are sums of
                                  products over thousands of weights, and synflow multiplies across layers)
    apply(params, x, bn, probe)   the logits (B, classes) for a batch x, with the weights as an argument
                                  (so a proxy can pass |θ|, or tensors that require grad)
    probe                         callbacks at every ReLU input (NASWOT's binary codes), at every weighted
                                  layer's output (fisher's activations) and for the MACs of every op (FLOPs)

`bn="batch"` normalises with the batch statistics (BatchNorm in training mode, as the proxies' reference
code runs the nets); `bn="off"` drops BatchNorm (synflow: Tanaka et al. 2020 score the linearised net).

`cell_net(cell, cfg, seed)` is notebook 06's benchmark network (`naslab.bakeoff.network`) with the weights
`init_params(cfg, seed)` draws, restricted to the ops the cell uses (so #params is `network.n_params`);
with bn="batch" its logits equal `network.forward(..., train=True)` (tests/signals/test_nets.py).
`mlp_net(weights)` is a plain ReLU MLP, the oracle nets of the tests and a student's first experiments.

Taught in: notebooks/07_cheap_signals.ipynb §1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import EDGES, N_NODES, OPS, check_cell
from naslab.bakeoff.network import BN_EPS, NetConfig, edge_op, init_params
from naslab.bakeoff.ops import CELL_OPS

BN_MODES = ("batch", "off")


class Probe:
    """Callbacks of one forward pass; the base class records nothing (subclass and override)."""

    def relu(self, name: str, pre: torch.Tensor) -> None:
        """`pre` (B, ...) is the input of a ReLU (NASWOT reads its sign pattern)."""

    def layer(self, name: str, out: torch.Tensor) -> torch.Tensor:
        """`out` (B, ...) is a weighted layer's output before BN; return it (or a tensor standing for it)."""
        return out

    def flops(self, name: str, macs_per_example: int) -> None:
        """An op did `macs_per_example` multiply-accumulates per example."""


@dataclass
class ProxyNet:
    """An untrained network as the proxies see it: `apply(params, x, bn=..., probe=...) -> logits (B, classes)`."""

    params: dict
    apply: Callable
    input_shape: tuple  # one example's shape, e.g. (1, 40)
    name: str = "net"

    def __call__(self, x, params=None, *, bn: str = "batch", probe: Probe | None = None):
        if bn not in BN_MODES:
            raise ValueError(f"bn={bn!r} is unknown; allowed: {list(BN_MODES)}")
        return self.apply(self.params if params is None else params, x, bn=bn, probe=probe or Probe())


def _bn(y, bn: str):
    """BatchNorm1d(affine=False) with the batch's statistics (biased variance), or nothing for bn="off"."""
    return F.batch_norm(y, None, None, training=True, eps=BN_EPS) if bn == "batch" else y


def _conv_bn(params, name, x, probe, bn, *, stride=1, relu=True):
    """[ReLU ->] Conv1d(k, 'same' padding, no bias) -> BN on x (B, C_in, L) -> (B, C_out, L')."""
    w = params[f"{name}.w"]  # (C_out, C_in, k)
    if relu:
        probe.relu(name, x)
        x = F.relu(x)
    y = F.conv1d(x, w, stride=stride, padding=w.shape[2] // 2)  # (B, C_out, L')
    probe.flops(name, w.numel() * y.shape[2])  # C_out * C_in * k MACs per output position
    return _bn(probe.layer(name, y), bn)


def cell_apply(cell, cfg: NetConfig, params, x, *, bn: str = "batch", probe: Probe):
    """`naslab.bakeoff.network.forward` for one cell, with BN batch statistics (or none) and a probe.

    x (B, 1, L) -> stem -> [reduction] + cell per stage -> ReLU -> global average pool -> Linear -> (B, 10).
    A cell node is x_j = sum_{i<j} op_(j,i)(x_i) (NAS-Bench-201, Dong & Yang 2020, §2.1)."""
    h = _conv_bn(params, "stem", x, probe, bn, stride=cfg.stem_stride, relu=False)  # (B, C, L')
    for s, prefix in cfg.cell_names():
        if s > 0 and prefix.endswith("c0"):  # reduction: (B, C_s-1, L) -> (B, C_s, ceil(L/2))
            h = _conv_bn(params, f"red{s}", h, probe, bn, stride=2)
        nodes = [h]
        for j in range(1, N_NODES):
            acc = torch.zeros_like(h)
            for e, (t, f) in enumerate(EDGES):
                op, name = OPS[cell[e]], f"{prefix}.e{e}"
                spec = CELL_OPS[op]  # the one table of the cell-space ops (naslab.bakeoff.ops)
                if t != j or spec.is_zero:
                    continue
                if spec.kernel is not None:  # ReLU-Conv-BN, probed
                    acc = acc + _conv_bn(params, f"{name}.{op}", nodes[f], probe, bn)
                else:  # parameter-free: skip, average pooling (adds_per_output adds per output element)
                    probe.flops(name, spec.macs(nodes[f].shape[1], nodes[f].shape[2]))
                    acc = acc + spec.fn(nodes[f])
            nodes.append(acc)
        h = nodes[-1]
    probe.relu("head", h)
    h = F.relu(h).mean(-1)  # (B, C_last)
    probe.flops("head", params["head.w"].numel())
    return probe.layer("head", h @ params["head.w"].T + params["head.b"])  # (B, classes)


def cell_net(cell, cfg: NetConfig | None = None, seed: int = 0, dtype=torch.float64) -> ProxyNet:
    """Notebook 06's network with `cell`, initialised as `network.init_params(cfg, seed)` (the table's
    training seed s starts from these weights), keeping only the weights of the ops the cell uses."""
    cell = check_cell(cell)
    cfg = cfg if cfg is not None else NetConfig(C=8, stem_stride=2)  # the shipped table's network
    params = {n: w.to(dtype) for n, w in init_params(cfg, seed).items()
              if edge_op(n) is None or OPS[cell[edge_op(n)[0]]] == edge_op(n)[1]}
    apply = functools.partial(cell_apply, cell, cfg)
    return ProxyNet(params, apply, (1, cfg.length), name=f"cell {cell} seed {seed}")


def mlp_apply(params, x, *, bn: str = "batch", probe: Probe):
    """h_0 = x (B, D); z_l = h_{l-1} W_l^T [+ b_l] (the layer output); h_l = ReLU(z_l) but after the last (no BN)."""
    n = len([k for k in params if k.endswith(".w")])
    h = x.flatten(1)
    for i in range(n):
        w = params[f"l{i}.w"]  # (D_out, D_in)
        probe.flops(f"l{i}", w.numel())
        h = h @ w.T + params[f"l{i}.b"] if f"l{i}.b" in params else h @ w.T
        h = probe.layer(f"l{i}", h)
        if i < n - 1:
            probe.relu(f"l{i}", h)
            h = F.relu(h)
    return h


def mlp_net(weights, biases=None, dtype=torch.float64) -> ProxyNet:
    """A ReLU MLP from weight matrices [(D_1, D_0), (D_2, D_1), ...] (and optional biases): the oracle net."""
    weights = [torch.as_tensor(w, dtype=dtype) for w in weights]
    if not weights or any(w.dim() != 2 for w in weights):
        raise ValueError("weights must be a non-empty list of 2-D matrices (D_out, D_in)")
    for a, b in zip(weights, weights[1:]):
        if b.shape[1] != a.shape[0]:
            raise ValueError(f"weight shapes {tuple(a.shape)} -> {tuple(b.shape)} do not chain")
    params = {f"l{i}.w": w for i, w in enumerate(weights)}
    for i, b in enumerate(biases or []):
        if b is not None:
            params[f"l{i}.b"] = torch.as_tensor(b, dtype=dtype)
    return ProxyNet(params, mlp_apply, (weights[0].shape[1],), name=f"mlp {[tuple(w.shape) for w in weights]}")


__all__ = ["BN_MODES", "Probe", "ProxyNet", "cell_apply", "cell_net", "mlp_apply", "mlp_net"]
