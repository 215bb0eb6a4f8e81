"""Checkers for the exercises of notebook 04 (Net2Net).

* `check_widen_linear(fn)`: a hand-written Net2WiderNet on two linear layers preserves the function.
* `check_widen_conv_linear(fn)`: the same for Conv1d -> Flatten -> Linear.
* `check_identity_kernel(fn)`: a hand-written identity Conv1d kernel (Net2DeeperNet); even k must raise ValueError.

Each raises AssertionError with a hint when the answer is wrong, and returns a short message when right.

Taught in: notebooks/04_net2net.ipynb (§ Exercises).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from naslab.net2net.layers import widen_pair, wider_mapping


def _cases(seed: int):
    gen = torch.Generator().manual_seed(seed)
    for d, n, q, p in [(5, 3, 7, 4), (1, 1, 4, 2), (8, 6, 9, 10), (4, 2, 6, 3)]:
        yield gen, d, n, q, p


def check_widen_linear(fn) -> str:
    """Exercise 1: `fn(W1, b1, W2, g) -> (U1, c1, U2)` must implement Net2WiderNet for Linear->Linear.

    W1 (n, d), b1 (n,), W2 (p, n), g (q,) int64 -> U1 (q, d), c1 (q,), U2 (p, q).
    """
    for gen, d, n, q, p in _cases(0):
        W1, b1, W2 = torch.randn(n, d, generator=gen), torch.randn(n, generator=gen), torch.randn(p, n, generator=gen)
        g = wider_mapping(n, q, generator=gen)
        U1, c1, U2 = (torch.as_tensor(t, dtype=torch.float32) for t in fn(W1.clone(), b1.clone(), W2.clone(), g))
        assert U1.shape == (q, d) and c1.shape == (q,) and U2.shape == (p, q), (
            f"shapes: expected U1 {(q, d)}, c1 {(q,)}, U2 {(p, q)}; got {tuple(U1.shape)}, {tuple(c1.shape)}, "
            f"{tuple(U2.shape)}")
        x = torch.randn(16, d, generator=gen)
        before = F.relu(x @ W1.T + b1) @ W2.T  # (16, p)
        after = F.relu(x @ U1.T + c1) @ U2.T
        gap = (after - before).abs().max().item()
        assert gap < 1e-5, (f"the widened pair changes the output by {gap:.3g} (n={n}, q={q}); did you divide each "
                            "outgoing column by its replica count |{x : g(x) = g(j)}|?")
    return "check_widen_linear: correct, the widened pair computes the same function on 4 random shapes"


def check_widen_conv_linear(fn) -> str:
    """Exercise 2 (a new layer pair): Conv1d -> Flatten -> Linear.

    `fn(W1, b1, W2, g, s) -> (U1, c1, U2)` with W1 (n, c, k), b1 (n,), W2 (p, n*s) where s is the
    number of positions per channel after the flatten, g (q,) -> U1 (q, c, k), c1 (q,), U2 (p, q*s).
    """
    for gen, _, n, q, p in _cases(1):
        c, k, L = 2, 3, 5  # s = L: a same-padded conv keeps the length
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(n + q)
            conv, lin = nn.Conv1d(c, n, k, padding=1), nn.Linear(n * L, p)
        g = wider_mapping(n, q, generator=gen)
        ref = widen_pair(conv, lin, q, g=g)
        out = fn(conv.weight.detach().clone(), conv.bias.detach().clone(), lin.weight.detach().clone(), g, L)
        U1, c1, U2 = (torch.as_tensor(t, dtype=torch.float32) for t in out)
        assert U2.shape == (p, q * L), f"U2 must have shape {(p, q * L)}, got {tuple(U2.shape)}"
        x = torch.randn(8, c, L, generator=gen)
        before = lin(torch.flatten(F.relu(conv(x)), 1)).detach()
        after = F.linear(torch.flatten(F.relu(F.conv1d(x, U1, c1, padding=1)), 1), U2, lin.bias).detach()
        gap = (after - before).abs().max().item()
        assert gap < 1e-5, (f"output changed by {gap:.3g}; after the flatten channel i owns the {L} inputs "
                            f"i*s .. i*s+s-1 of the Linear layer: view W2 as (p, n, s), index and divide on axis 1")
        assert torch.allclose(U2, ref.next_layer.weight, atol=1e-6), "U2 differs from Net2WiderNet's"
    return "check_widen_conv_linear: correct, Conv1d -> Flatten -> Linear is widened without changing the output"


def check_identity_kernel(fn) -> str:
    """Exercise 3: `fn(channels, k) -> weight (C, C, k)` of a Conv1d(padding=k // 2) identity; even k -> ValueError."""
    x = torch.randn(4, 3, 11, generator=torch.Generator().manual_seed(2))
    for k in (1, 3, 5, 7):
        w = torch.as_tensor(fn(3, k), dtype=torch.float32)
        assert w.shape == (3, 3, k), f"k={k}: weight must have shape (3, 3, {k}), got {tuple(w.shape)}"
        y = F.conv1d(x, w, padding=k // 2)
        assert y.shape == x.shape and torch.allclose(y, x, atol=1e-6), (
            f"k={k}: conv1d(x, w, padding={k // 2}) is not x; put a 1 at w[c, c, {k // 2}] and zeros elsewhere")
    for k in (2, 4):
        try:
            fn(3, k)
        except ValueError:
            continue
        raise AssertionError(f"k={k} is even: there is no centre tap and padding {k // 2} per side gives length "
                             f"L + 1, so no identity exists; raise ValueError")
    return "check_identity_kernel: correct, odd kernels give the identity and even kernels are refused"
