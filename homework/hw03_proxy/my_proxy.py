"""Homework 3, Level 1: two zero-cost proxies (edit this file).

Notebook 03 scored architectures by training them briefly. *Zero-cost* proxies score an untrained
network from one mini-batch (Abdelfattah et al., ICLR 2021):

    grad_norm(θ) = Σ_l ‖∂L/∂θ_l‖₂                  (one L2 norm per parameter tensor θ_l, summed)
    snip(θ)      = Σ_l Σ_i |θ_{l,i} · ∂L/∂θ_{l,i}|  (Lee et al., ICLR 2019: connection sensitivity)

where L is the mean cross-entropy of the model, in the mode it is in, on the batch (x, y). Write both
as `score(model, x, y) -> float`. They must leave the model as they found it: the same weights, the
same train / eval mode, and no `.grad` on any parameter (use `torch.autograd.grad`, or reset to None).
Check yourself: `make grade HW=3`.
"""

from __future__ import annotations

import torch
from torch import nn


def _gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """[(θ_l, ∂L/∂θ_l)] for every parameter, leaving no .grad behind (a helper for both proxies)."""
    # BEGIN SOLUTION
    params = [p for p in model.parameters() if p.requires_grad]
    loss = nn.functional.cross_entropy(model(x), y)  # mean over the batch
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    return [(p.detach(), torch.zeros_like(p) if g is None else g.detach()) for p, g in zip(params, grads)]
    # END SOLUTION


def grad_norm(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Σ_l ‖∂L/∂θ_l‖₂ at the current weights."""
    # BEGIN SOLUTION
    return float(sum(g.norm(2) for _, g in _gradients(model, x, y)))
    # END SOLUTION


def snip(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Σ |θ ⊙ ∂L/∂θ| over every parameter at the current weights."""
    # BEGIN SOLUTION
    return float(sum((p * g).abs().sum() for p, g in _gradients(model, x, y)))
    # END SOLUTION
