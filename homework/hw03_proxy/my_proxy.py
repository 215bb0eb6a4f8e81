"""Homework 3, Level 1: a trainability proxy from the neural tangent kernel, and a signed saliency (edit this file).

Notebook 03 scored architectures by training them briefly. *Zero-cost* proxies score an untrained
network from one mini-batch. TE-NAS (Chen, Gong & Wang, "Neural Architecture Search on ImageNet in Four
GPU Hours: A Theoretically Inspired Perspective", ICLR 2021, §3.1) reads trainability off the empirical
neural tangent kernel (NTK) of a batch x = (x_1, ..., x_n):

    s_i(θ) = Σ_k f_k(x_i; θ)                       the summed logits of example i       (one number per example)
    J[i]   = ∂s_i/∂θ                               every parameter that requires grad, biases included,
                                                   each flattened, concatenated in model.parameters() order
    Θ      = J Jᵀ                                   (n, n), float64: Θ[i, j] = ⟨∂s_i/∂θ, ∂s_j/∂θ⟩
    κ      = λ_max(Θ) / λ_min(Θ)                    its condition number (Θ is symmetric: use eigvalsh)

Gradient descent converges slowly along the kernel's small eigenvalues, so a lower κ predicts a more
trainable network (TE-NAS ranks by -κ). When Θ is singular (λ_min ≤ SINGULAR · λ_max: two equal inputs,
or more examples than parameters) κ is math.inf.

The second proxy is the *signed* connection sensitivity that NASLib calls "plain" (Abdelfattah et al.,
ICLR 2021, §3; SNIP takes its absolute value, this one does not):

    plain(θ) = Σ_l Σ_i θ_{l,i} · ∂L/∂θ_{l,i}        (every parameter that requires grad, biases included)

where L is the mean cross-entropy of the batch (x, y). A parameter that forward never uses has gradient
zero (ask autograd with allow_unused=True). All three functions run the model in the mode it is in
(train or eval: BatchNorm on batch or running statistics) and must leave it as they found it: the same
weights, the same train / eval mode, and no `.grad` on any parameter (use `torch.autograd.grad`).
Check yourself: `make grade HW=3`.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

SINGULAR = 1e-12  # λ_min ≤ SINGULAR · λ_max: Θ is singular (up to rounding) and κ = math.inf


def empirical_ntk(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Θ = J Jᵀ (n, n) in float64, without a graph: J[i] = ∂(Σ_k f_k(x_i))/∂θ over every parameter."""
    # BEGIN SOLUTION
    params = [p for p in model.parameters() if p.requires_grad]
    s = model(x).reshape(len(x), -1).sum(1)  # (n,): the summed logits of each example
    rows = []
    for i in range(len(x)):
        g = torch.autograd.grad(s[i], params, retain_graph=True, allow_unused=True)
        rows.append(torch.cat([(torch.zeros_like(p) if gi is None else gi).flatten() for p, gi in zip(params, g)]))
    jac = torch.stack(rows).detach().to(torch.float64)  # (n, P)
    return jac @ jac.T
    # END SOLUTION


def ntk_condition(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """κ = λ_max / λ_min of Θ (math.inf when Θ is singular). y is not used: the proxy signature of the others.
    Fewer than 2 examples: ValueError saying "at least 2 examples" (the κ of a 1 x 1 kernel is always 1)."""
    # BEGIN SOLUTION
    if len(x) < 2:
        raise ValueError(f"ntk_condition needs at least 2 examples, got {len(x)}")
    lam = torch.linalg.eigvalsh(empirical_ntk(model, x))  # ascending
    lo, hi = float(lam[0]), float(lam[-1])
    return math.inf if lo <= SINGULAR * hi else hi / lo
    # END SOLUTION


def plain(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Σ θ ⊙ ∂L/∂θ over every parameter (signed), L the mean cross-entropy of the batch."""
    # BEGIN SOLUTION
    params = [p for p in model.parameters() if p.requires_grad]
    loss = F.cross_entropy(model(x), y)  # mean over the batch
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    return float(sum((p.detach() * g).sum() for p, g in zip(params, grads) if g is not None))
    # END SOLUTION
