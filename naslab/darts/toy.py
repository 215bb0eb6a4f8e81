"""The two-parameter bilevel toy problem of DARTS (Liu, Simonyan & Yang, ICLR 2019, Fig. 2).

One weight w and one architecture parameter α:

    L_val(w, α)   = α w − 2α + 1
    L_train(w, α) = w² − 2αw + α² = (w − α)²      so   w*(α) = α

and the bilevel objective is L_val(w*(α), α) = α² − 2α + 1 = (α − 1)², minimised at (α, w) = (1, 1).
Starting from (α, w) = (2, −2), DARTS alternates an α step on the approximate hypergradient (the
same `naslab.darts.architect.unrolled_alpha_grad` the search network uses) and a w step on L_train.

With ξ = 0 (first order) α follows ∂L_val/∂α = w − 2, and the iteration settles where w = α and
w = 2: at (2, 2), not the optimum. With ξ > 0 the unrolled gradient is w' − 2 + 2ξα, with
w' = w − 2ξ(w − α); its fixed point is α = w = 2 / (1 + 2ξ). At ξ = 0.5 the virtual step lands exactly on
w*(α), the hypergradient is exact, and the iteration reaches (1, 1).

Taught in: notebooks/05_darts.ipynb (§ the toy bilevel problem, first panel).
"""

from __future__ import annotations

import numpy as np
import torch

from naslab.darts.architect import unrolled_alpha_grad

START = (2.0, -2.0)  # (α, w), as in the paper
OPTIMUM = (1.0, 1.0)


def l_val(w, alpha):
    """L_val(w, α) = α w − 2α + 1 (works on floats, arrays and tensors)."""
    return alpha * w - 2 * alpha + 1


def l_train(w, alpha):
    """L_train(w, α) = w² − 2αw + α² = (w − α)²."""
    return w ** 2 - 2 * alpha * w + alpha ** 2


def bilevel_objective(alpha):
    """L_val(w*(α), α) with w*(α) = α: (α − 1)²."""
    return l_val(alpha, alpha)


def fixed_point(xi: float) -> tuple[float, float]:
    """Where the alternating iteration with virtual step ξ settles: α = w = 2 / (1 + 2ξ)."""
    if xi <= -0.5:
        raise ValueError(f"xi={xi!r} must be > -0.5 (use 0 for first order, e.g. 0.1-1 for second order)")
    a = 2.0 / (1.0 + 2.0 * xi)
    return a, a


def hypergradient(alpha: float, w: float, xi: float, *, hvp: str = "finite") -> float:
    """The DARTS architecture gradient of the toy at (α, w): eq. (7) with the HVP of eq. (8) or autograd."""
    a = torch.tensor([float(alpha)], dtype=torch.float64, requires_grad=True)
    wt = torch.tensor([float(w)], dtype=torch.float64, requires_grad=True)
    grads, _ = unrolled_alpha_grad(lambda w_, a_: l_train(w_[0], a_[0]).sum(),
                                   lambda w_, a_: l_val(w_[0], a_[0]).sum(),
                                   [wt], [a], xi=float(xi), hvp=hvp)
    return grads[0].item()


def toy_trajectory(xi: float, *, steps: int = 100, alpha_lr: float = 0.1, w_lr: float = 0.1,
                   start: tuple[float, float] = START, hvp: str = "finite") -> np.ndarray:
    """Alternate α and w updates from `start` (Algorithm 1); returns (steps + 1, 2) rows of (α, w).

    Args:
        xi: the virtual step of the one-step unroll (0 = first order).
        steps: iterations (one α step and one w step each).
        alpha_lr, w_lr: plain gradient-descent step sizes for α and w.
        start: (α, w) at step 0.
        hvp: "finite" (eq. 8) or "exact" (double backward); both agree here, L_train being quadratic.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r} must be a positive int")
    if not xi >= 0:
        raise ValueError(f"xi={xi!r} must be >= 0 (0 = first order)")
    alpha, w = float(start[0]), float(start[1])
    path = [(alpha, w)]
    for _ in range(steps):
        alpha -= alpha_lr * hypergradient(alpha, w, xi, hvp=hvp)  # 1. α step on ∇_α L_val(w − ξ∇_w L_train, α)
        w -= w_lr * 2.0 * (w - alpha)  # 2. w step on ∇_w L_train = 2(w − α)
        path.append((alpha, w))
    return np.array(path)


__all__ = ["l_val", "l_train", "bilevel_objective", "fixed_point", "hypergradient", "toy_trajectory",
           "START", "OPTIMUM"]
