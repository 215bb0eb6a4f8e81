"""Homework 7, Level 1: GradSign, a zero-cost proxy from the signs of per-example gradients (edit this file).

Notebook 07 judged the zero-cost proxies that naslab ships (synflow, snip, grasp, grad_norm, fisher,
jacob_cov, NASWOT) against the cell table. GradSign (Zhang & Jia, "GradSign: Model Performance Inference
with Theoretical Insights", ICLR 2022, eq. 6; arXiv:2110.08616) is not among them. Its idea: at a good
initialisation the examples of a batch pull the weights the same way, so the signs of their gradients
agree. For a batch (x_1, y_1), ..., (x_n, y_n):

    ℓ_i(θ)  = CE(f(x; θ)[i], y_i)                 the cross-entropy of example i: ONE forward of the whole
                                                   batch x, in the mode the model is in, then row i
    G[i]    = ∂ℓ_i/∂θ                              (n, P) float64: every parameter that requires grad, biases
                                                   included, each flattened, concatenated in model.parameters()
                                                   order; a parameter that forward never uses has gradient 0
    GradSign = Σ_k | Σ_i sign(G[i, k]) |           sign(0) = 0, so a weight no example moves adds nothing

GradSign lies in [0, n·P]; higher = the examples agree more = predicted better after training (the sign
convention of naslab's registry). The paper's code keeps only the conv and linear weights; here every
parameter counts.

Write `sample_gradients(model, x, y)` (the matrix G) and `gradsign(model, x, y)` (the score). Both leave the
model as they found it: the same weights, the same train / eval mode, and no `.grad` on any parameter (use
`torch.autograd.grad`). `gradsign` with fewer than 2 examples raises ValueError saying "at least 2 examples"
(one example always scores P). Write them yourself: the tests fail an answer that calls naslab's proxy code
(`naslab.signals`). Check yourself: `make grade HW=7`.
"""

from __future__ import annotations

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


def gradsign(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Σ_k |Σ_i sign(G[i, k])| as a Python float; ValueError for fewer than 2 examples."""
    # BEGIN SOLUTION
    if len(x) < 2:
        raise ValueError(f"gradsign needs at least 2 examples, got {len(x)}")
    return float(torch.sign(sample_gradients(model, x, y)).sum(0).abs().sum())
    # END SOLUTION
