"""Homework 7, Level 1: ZiCo, a zero-cost proxy from the per-example gradients of a batch (edit this file).

Notebook 07 judged the zero-cost proxies that naslab ships (synflow, snip, grasp, grad_norm, fisher,
jacob_cov, NASWOT) against the cell table. ZiCo (Li, Tan, Lian, Wei & Zhang, "ZiCo: Zero-shot NAS via
Inverse Coefficient of Variation on Gradients", ICLR 2023, arXiv:2301.11300) is not among them. Its
idea: a network trains well when its gradients are large on average and agree across examples, so it
scores each weight by the inverse coefficient of variation of its gradient over the examples of a batch.
For a batch (x_1, y_1), ..., (x_n, y_n):

    ℓ_i(θ)  = CE(f(x; θ)[i], y_i)                 the cross-entropy of example i: ONE forward of the whole
                                                   batch x, in the mode the model is in, then row i
    G[i]    = ∂ℓ_i/∂θ                              (n, P) float64: every parameter that requires grad, biases
                                                   included, each flattened, concatenated in model.parameters()
                                                   order; a parameter that forward never uses has gradient 0
    μ_θ     = (1/n) Σ_i |G[i, θ]|                  the mean ABSOLUTE gradient of parameter θ over the examples
    σ_θ     = sqrt( (1/n) Σ_i (G[i, θ] - ḡ_θ)² )   its standard deviation over the examples, ḡ_θ = (1/n) Σ_i G[i, θ]
                                                   (the population std, ddof = 0, as np.std in the paper's code)
    S_l     = Σ_{θ in layer l, σ_θ > 0} μ_θ / σ_θ  a parameter whose σ_θ is exactly 0 is skipped
    ZiCo    = Σ_{layers l with S_l > 0} log S_l   a layer whose S_l is 0 (every σ_θ is 0) is skipped

A **layer** is one parameter tensor of dimension ≥ 2 (the weight of a Linear or Conv): biases and every other
1-D tensor (a BatchNorm's scale and shift) are left out of ZiCo, as in the paper's code, though G keeps them.
The paper's code splits its data into a few mini-batches and takes μ and σ over their gradients; here every
example is its own batch (σ over the n rows of G). Higher ZiCo = predicted better after training (the sign
convention of naslab's registry); a model with no layer left scores 0.0 (the empty sum).

Write `sample_gradients(model, x, y)` (the matrix G) and `zico(model, x, y)` (the score). Both leave the
model as they found it: the same weights, the same train / eval mode, and no `.grad` on any parameter (use
`torch.autograd.grad`). `zico` with fewer than 2 examples raises ValueError saying "at least 2 examples"
(with one example every σ_θ is 0). Write them yourself: the tests fail an answer that calls naslab's proxy
code (`naslab.signals`). Check yourself: `make grade HW=7`.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def sample_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """G (n, P) float64 without a graph: row i is ∂ℓ_i/∂θ over every parameter that requires grad."""
    # BEGIN SOLUTION
    params = [p for p in model.parameters() if p.requires_grad]
    losses = F.cross_entropy(model(x), y, reduction="none")  # (n,): one forward of the batch, the model's mode
    rows = []
    for i in range(len(x)):
        g = torch.autograd.grad(losses[i], params, retain_graph=True, allow_unused=True)
        rows.append(torch.cat([(torch.zeros_like(p) if gi is None else gi).flatten() for p, gi in zip(params, g)]))
    return torch.stack(rows).detach().to(torch.float64)
    # END SOLUTION


def zico(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Σ_layers log Σ_θ μ_θ / σ_θ as a Python float; ValueError for fewer than 2 examples."""
    # BEGIN SOLUTION
    if len(x) < 2:
        raise ValueError(f"zico needs at least 2 examples, got {len(x)}")
    g_all = sample_gradients(model, x, y)  # (n, P)
    score, start = 0.0, 0
    for p in (p for p in model.parameters() if p.requires_grad):
        g, start = g_all[:, start:start + p.numel()], start + p.numel()  # (n, p.numel()): this tensor's columns
        if p.dim() < 2:
            continue  # a bias or a BatchNorm scale / shift is not a layer
        std = g.std(0, correction=0)  # σ_θ over the examples, ddof = 0
        keep = std > 0
        s = float((g.abs().mean(0)[keep] / std[keep]).sum())  # S_l
        if s > 0:
            score += math.log(s)
    return score
    # END SOLUTION
