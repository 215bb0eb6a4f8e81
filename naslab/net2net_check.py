"""Checking function preservation: teacher vs student outputs, and the notebook's exercise checkers.

Net2Net's promise is g(x; theta') = f(x; theta) for every x. `check_preservation` measures it as the
max and mean |student(X) - teacher(X)| over a batch, in two modes:

* **eval** mode: BatchNorm uses its running statistics, so a noise-free Net2Net student matches its
  teacher to float32 rounding (~1e-6).
* **train** mode: BatchNorm normalises with the *batch's own* mean and variance. A widened BN is
  still exact (a replica channel has exactly the statistics of its original), but an inserted BN
  set to the identity from calibration statistics mu, sigma^2 computes
  (x - mu_B) / sqrt(sigma_B^2 + eps) * sqrt(sigma^2 + eps) + mu, equal to x only when the batch
  statistics mu_B, sigma_B^2 equal the calibration ones.

The exercise checkers (`check_widen_linear`, `check_widen_conv_linear`, `check_identity_kernel`)
raise AssertionError with a hint on a wrong answer and return a short message on a right one.

Taught in: notebooks/04_net2net.ipynb (sections 1-2, Exercises).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from naslab.net2net import NORMS, widen_pair, wider_mapping

MODES = ("eval", "train")


@dataclass
class Preservation:
    """Output differences |student(X) - teacher(X)| per mode, and why train mode may differ."""

    max_abs: dict  # mode -> max |difference| over the batch and the outputs
    mean_abs: dict  # mode -> mean |difference|
    explanation: str
    scale: dict = field(default_factory=dict)  # mode -> max |teacher(X)|, to read max_abs relatively

    def preserved(self, mode: str = "eval", tol: float = 1e-5) -> bool:
        return self.max_abs[mode] <= tol

    def relative(self, mode: str = "eval") -> float:
        """max |difference| / max |teacher output|: float32 rounding gives ~1e-7 to 1e-6."""
        return self.max_abs[mode] / max(self.scale.get(mode, 1.0), 1e-12)

    def __str__(self) -> str:
        rows = [f"{m:>5} mode: max |diff| = {self.max_abs[m]:.2e} (relative error max |diff| / max |output| = "
                f"{self.relative(m):.1e}), "
                f"mean |diff| = {self.mean_abs[m]:.2e}" for m in self.max_abs]
        return "\n".join([*rows, self.explanation])


@torch.no_grad()
def check_preservation(teacher: nn.Module, student: nn.Module, X: torch.Tensor,
                       *, modes: tuple[str, ...] = MODES) -> Preservation:
    """Compare teacher and student outputs on the batch X (B, *input_shape), in eval and / or train mode.

    Works on copies, so no running statistic of either model is touched. X must be a batch the
    teacher accepts; a wrong shape is a ValueError naming it.
    """
    if not isinstance(X, torch.Tensor) or X.dim() < 2:
        raise ValueError(f"X must be a batch tensor of shape (B, *input_shape), got "
                         f"{tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__}")
    try:
        with torch.no_grad():
            copy.deepcopy(teacher).eval()(X[:1].to(_device(teacher)))
    except (RuntimeError, ValueError) as e:
        raise ValueError(f"the teacher does not accept X of shape {tuple(X.shape)}: {e}") from e
    for m in modes:
        if m not in MODES:
            raise ValueError(f"mode {m!r} is unknown; allowed: {list(MODES)}")
    max_abs, mean_abs, scale = {}, {}, {}
    for mode in modes:
        t, s = copy.deepcopy(teacher).train(mode == "train"), copy.deepcopy(student).train(mode == "train")
        out_t = t(X.to(_device(t))).to(_device(s))  # (B, outputs)
        d = (s(X.to(_device(s))) - out_t).abs()
        max_abs[mode], mean_abs[mode], scale[mode] = d.max().item(), d.mean().item(), out_t.abs().max().item()
    n_bn_t = sum(isinstance(m, NORMS) for m in teacher.modules())
    n_bn_s = sum(isinstance(m, NORMS) for m in student.modules())
    if n_bn_s == 0:
        why = "No BatchNorm: train and eval mode compute the same function."
    elif n_bn_s == n_bn_t:
        why = ("Same number of BatchNorms: a widened BN is exact in train mode too, because a replica "
               "channel has exactly the batch statistics of the channel it copies.")
    else:
        why = (f"The student has {n_bn_s - n_bn_t} new BatchNorm(s). In eval mode each one uses the running "
               "mean/var it was calibrated with and is an exact identity; in train mode it normalises with "
               "this batch's own mean/var, which differ from the calibration statistics, so train-mode outputs "
               "can differ a lot (see the train-mode relative error above; tens of percent are common) "
               "until training adapts them.")
    return Preservation(max_abs, mean_abs, why, scale)


def _device(model: nn.Module) -> torch.device:
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


# ---------------------------------------------------------------------------------------------
# exercise checkers


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
