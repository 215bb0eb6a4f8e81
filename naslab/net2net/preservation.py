"""Measuring function preservation: how far a student's outputs are from its teacher's (`Preservation`).

Net2Net's promise is g(x; theta') = f(x; theta) for every x. `measure_preservation` measures it as the
max and mean |student(X) - teacher(X)| over a batch, in two modes:

* **eval** mode: BatchNorm uses its running statistics, so a noise-free Net2Net student matches its
  teacher to float32 rounding (~1e-6).
* **train** mode: BatchNorm normalises with the *batch's own* mean and variance. A widened BN is
  still exact (a replica channel has exactly the statistics of its original), but an inserted BN
  set to the identity from calibration statistics mu, sigma^2 computes
  (x - mu_B) / sqrt(sigma_B^2 + eps) * sqrt(sigma^2 + eps) + mu, equal to x only when the batch
  statistics mu_B, sigma_B^2 equal the calibration ones.

It is a measurement, not a pass/fail check: the result records the gaps, and `preserved(mode, tol)` says whether
they are within a tolerance. The exercise checks are in `naslab.net2net.checks`.

Taught in: notebooks/04_net2net.ipynb (sections 1-2).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn

from naslab.net2net.layers import NORMS

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
def measure_preservation(teacher: nn.Module, student: nn.Module, X: torch.Tensor,
                         *, modes: tuple[str, ...] = MODES) -> Preservation:
    """Compare teacher and student outputs on the batch X (B, *input_shape), in eval and / or train mode.

    Works on copies, so no running statistic of either model is touched. X must be a batch the
    teacher accepts; a wrong shape is a ValueError naming it.
    """
    for name, model in (("teacher", teacher), ("student", student)):
        if not isinstance(model, nn.Module):
            raise TypeError(f"{name} must be a torch nn.Module, got {type(model).__name__}")
    if isinstance(modes, str) or not isinstance(modes, tuple | list):
        raise ValueError(f"modes={modes!r} must be a tuple of modes from {list(MODES)}, e.g. ('eval',)")
    if not isinstance(X, torch.Tensor) or X.dim() < 2:
        raise ValueError(f"X must be a batch tensor of shape (B, *input_shape), got "
                         f"{tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__}")
    try:
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
