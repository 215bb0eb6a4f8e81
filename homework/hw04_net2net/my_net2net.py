"""Homework 4, Level 1: Net2Net moves on a new layer type, the depthwise-separable block (edit this file).

MobileNet-style blocks split a convolution into a 1x1 *pointwise* conv (mixing channels) and a
*depthwise* conv (`groups = channels`: one k-tap filter per channel, no mixing):

    x (B, c, L) -> pw1: Conv1d(c, n, 1) -> ReLU -> dw: Conv1d(n, n, k, groups=n, padding=k//2) -> ReLU
                -> pw2: Conv1d(n, p, 1) -> (B, p, L)

1. `widen_separable(pw1, dw, pw2, g)`: Net2WiderNet (Chen et al., ICLR 2016) from n to q = len(g)
   middle channels with the mapping g (q,), g[j] = the old channel new channel j copies. Copy pw1's
   output rows by g, copy dw's per-channel filters (and bias) by g, and divide pw2's copied input columns
   by the replica count of their channel. Return three new modules (pw1', dw' with groups = q, pw2')
   computing exactly the same function. A g that misses an old channel would lose it: raise
   ValueError naming the missing channels.
2. `identity_depthwise(channels, k)`: a depthwise Conv1d(channels, channels, k, groups=channels,
   padding=k // 2) that computes the identity (Net2DeeperNet's new layer), ValueError for an even k.
Write both by hand: the tests refuse an answer that calls naslab's Net2Net code (`naslab.net2net`).
Check yourself: `make grade HW=4`.
"""

from __future__ import annotations

import torch
from torch import nn


def widen_separable(pw1: nn.Conv1d, dw: nn.Conv1d, pw2: nn.Conv1d, g: torch.Tensor):
    """-> (pw1', dw', pw2') with q = len(g) middle channels, function-preserving."""
    # BEGIN SOLUTION
    n = pw1.out_channels
    missing = sorted(set(range(n)) - set(g.tolist()))
    if missing:
        raise ValueError(f"g misses old channels {missing}: every channel 0..{n - 1} must be copied at least once")
    q, count = len(g), torch.bincount(g, minlength=n).to(pw2.weight.dtype)  # (n,) replicas per channel
    new1 = nn.Conv1d(pw1.in_channels, q, 1, bias=pw1.bias is not None)
    new_dw = nn.Conv1d(q, q, dw.kernel_size[0], groups=q, padding=dw.padding, bias=dw.bias is not None)
    new2 = nn.Conv1d(q, pw2.out_channels, 1, bias=pw2.bias is not None)
    with torch.no_grad():
        new1.weight.copy_(pw1.weight[g])  # (q, c, 1): copy output rows
        new_dw.weight.copy_(dw.weight[g])  # (q, 1, k): each new channel keeps its source's filter
        new2.weight.copy_(pw2.weight[:, g] / count[g].view(1, -1, 1))  # (p, q, 1): divide the replicas
        if pw1.bias is not None:
            new1.bias.copy_(pw1.bias[g])
        if dw.bias is not None:
            new_dw.bias.copy_(dw.bias[g])
        if pw2.bias is not None:
            new2.bias.copy_(pw2.bias)
    return new1, new_dw, new2
    # END SOLUTION


def identity_depthwise(channels: int, k: int) -> nn.Conv1d:
    """A depthwise Conv1d that returns its input unchanged."""
    # BEGIN SOLUTION
    if k % 2 == 0:
        raise ValueError(f"k={k} is even: no centre tap, and padding k//2 changes the length")
    conv = nn.Conv1d(channels, channels, k, groups=channels, padding=k // 2)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[:, 0, k // 2] = 1.0  # (C, 1, k): a 1 at the centre tap of each channel's filter
        conv.bias.zero_()
    return conv
    # END SOLUTION
