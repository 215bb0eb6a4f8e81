"""The architect: the gradient of the validation loss with respect to alpha, first or second order.

DARTS (Liu, Simonyan & Yang, ICLR 2019, §2.3) solves the bilevel problem

    min_α L_val(w*(α), α)   s.t.   w*(α) = argmin_w L_train(w, α)                      (eq. 3-4)

by approximating w*(α) with one training step, w' = w − ξ ∇_w L_train(w, α) (eq. 6). The chain rule
then gives

    ∇_α L_val(w', α) − ξ ∇²_{α,w} L_train(w, α) · ∇_{w'} L_val(w', α)                  (eq. 7)

and the Hessian-vector product is a central finite difference (eq. 8), with v = ∇_{w'} L_val(w', α):

    ∇²_{α,w} L_train(w, α) · v ≈ (∇_α L_train(w⁺, α) − ∇_α L_train(w⁻, α)) / (2ε),   w± = w ± ε v

where ε = 0.01 / ‖v‖. ξ = 0 is the first-order approximation ∇_α L_val(w, α).

The functions work on lists of tensors (`loss(w, alpha) -> scalar`), so the same code runs the toy
problem of `naslab.darts.toy` and a `naslab.darts.supernet.SearchNetwork` (through `functional_call`).

Taught in: notebooks/05_darts.ipynb (§ bilevel problem, § first vs second order, exercises 5 and 6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.func import functional_call
from torch.nn import functional as F

from naslab.validate import check_real

Loss = Callable[[Sequence[torch.Tensor], Sequence[torch.Tensor]], torch.Tensor]  # (w, alpha) -> scalar
ORDERS = ("first", "second")
HVPS = ("finite", "exact")


def _grad(loss: torch.Tensor, wrt: Sequence[torch.Tensor], **kw) -> list[torch.Tensor]:
    """autograd.grad that gives zeros (not None) for inputs the loss does not use."""
    gs = torch.autograd.grad(loss, list(wrt), allow_unused=True, **kw)
    return [torch.zeros_like(t) if g is None else g for g, t in zip(gs, wrt)]


def norm(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    """‖v‖₂ of a list of tensors seen as one flat vector."""
    return torch.sqrt(sum((t.detach() ** 2).sum() for t in tensors))


def hvp_finite_difference(loss: Loss, w, alpha, v, *, r: float = 0.01) -> list[torch.Tensor]:
    """∇²_{α,w} L(w, α) · v by the central difference of eq. (8), ε = r / ‖v‖ (r = 0.01 in DARTS)."""
    eps = r / (norm(v) + 1e-12)
    with torch.no_grad():
        w_plus = [wi + eps * vi for wi, vi in zip(w, v)]  # w⁺ = w + ε v
        w_minus = [wi - eps * vi for wi, vi in zip(w, v)]  # w⁻ = w − ε v
    g_plus = _grad(loss(w_plus, alpha), alpha)  # ∇_α L(w⁺, α)
    g_minus = _grad(loss(w_minus, alpha), alpha)  # ∇_α L(w⁻, α)
    return [(gp - gm) / (2 * eps) for gp, gm in zip(g_plus, g_minus)]  # NOT (gp − gm) / 2 · ε


def hvp_exact(loss: Loss, w, alpha, v) -> list[torch.Tensor]:
    """The same product by double backward: ∇_α (∇_w L(w, α) · v). Exact, but it keeps the graph twice."""
    w = [wi.detach().requires_grad_(True) for wi in w]
    g_w = _grad(loss(w, alpha), w, create_graph=True)  # ∇_w L, differentiable w.r.t. α
    dot = sum((g * vi.detach()).sum() for g, vi in zip(g_w, v))  # ∇_w L · v (a scalar)
    return _grad(dot, alpha)


def unrolled_terms(train_loss: Loss, val_loss: Loss, w, alpha, *, xi: float, r: float = 0.01, momentum_buffer=None,
                   momentum: float = 0.0, weight_decay: float = 0.0, hvp: str = "finite") -> dict:
    """The pieces of eq. (7), before they are combined: "d_alpha" ∇_α L_val(w', α), "hvp" ∇²_{α,w} L_train(w, α) · v,
    "v" ∇_{w'} L_val(w', α), "w_prime" w' (detached) and "l_val" L_val(w', α), each a list like alpha / w.
    Arguments as for `unrolled_alpha_grad`, which returns d_alpha − ξ · hvp."""
    if hvp not in HVPS:
        raise ValueError(f"hvp={hvp!r} is unknown; allowed: {list(HVPS)}")
    exact = hvp == "exact"
    if exact:  # keep the graph of ∇_w L_train: the exact HVP differentiates it again (no second training pass)
        w = [wi.detach().requires_grad_(True) for wi in w]
    g_w = _grad(train_loss(w, alpha), w, create_graph=exact)  # ∇_w L_train(w, α)
    with torch.no_grad():
        step = [g + weight_decay * wi for g, wi in zip(g_w, w)]
        if momentum_buffer is not None:
            step = [s + momentum * b for s, b in zip(step, momentum_buffer)]
        w_prime = [(wi - xi * s).requires_grad_(True) for wi, s in zip(w, step)]  # eq. (6): w' = w − ξ ∇_w L_train
    l_val = val_loss(w_prime, alpha)
    grads = _grad(l_val, [*alpha, *w_prime])
    d_alpha, v = grads[: len(alpha)], grads[len(alpha):]  # ∇_α L_val(w', α) and v = ∇_{w'} L_val(w', α)
    if exact:  # ∇²_{α,w} L_train · v = ∇_α (∇_w L_train · v), through the graph kept above
        h = _grad(sum((g * vi).sum() for g, vi in zip(g_w, v)), alpha)
    else:
        h = hvp_finite_difference(train_loss, w, alpha, v, r=r)
    return {"d_alpha": d_alpha, "hvp": h, "v": v, "w_prime": [t.detach() for t in w_prime], "l_val": l_val.item()}


def unrolled_alpha_grad(train_loss: Loss, val_loss: Loss, w, alpha, *, xi: float, r: float = 0.01,
                        momentum_buffer=None, momentum: float = 0.0, weight_decay: float = 0.0,
                        hvp: str = "finite") -> tuple[list[torch.Tensor], float]:
    """Second-order architecture gradient of eq. (7). Returns (grad for each alpha tensor, L_val(w', α)).

    `momentum_buffer`, `momentum` and `weight_decay` make the virtual step the one the official code takes,
    w' = w − ξ (μ · buf + ∇_w L_train + λ w); the paper's step is the plain one (the defaults).
    """
    t = unrolled_terms(train_loss, val_loss, w, alpha, xi=xi, r=r, momentum_buffer=momentum_buffer,
                       momentum=momentum, weight_decay=weight_decay, hvp=hvp)
    return [da - xi * hi for da, hi in zip(t["d_alpha"], t["hvp"])], t["l_val"]  # eq. (7)


def network_loss(model, X: torch.Tensor, y: torch.Tensor) -> Loss:
    """L(w, α) = cross-entropy of `model` (a SearchNetwork) on (X, y), as a function of w and alpha lists."""
    w_names = [n for n, _ in model.named_weights()]

    def loss(w, alpha):
        params = {**dict(zip(w_names, w)), "alpha_normal": alpha[0], "alpha_reduce": alpha[1]}
        return F.cross_entropy(functional_call(model, params, (X,)), y)
    return loss


class Architect:
    """Updates alpha with Adam on the (approximate) validation gradient, first or second order.

    Args:
        model: a `naslab.darts.supernet.SearchNetwork` (anything with `weights()`, `named_weights()`, `alphas()`).
        order: "first" (ξ = 0, one forward/backward) or "second" (the unrolled gradient of eq. 7).
        alpha_lr, alpha_betas, alpha_weight_decay: Adam for alpha (paper: 3e-4, (0.5, 0.999), 1e-3).
        r: the finite-difference step is ε = r / ‖v‖.
        unroll_momentum: include the weight optimizer's momentum and weight decay in the virtual step
            (the official code) instead of the paper's plain step.
        hvp: "finite" (eq. 8, the paper) or "exact" (double backward through the graph of the training
            pass, kept for it: no extra forward pass, but more memory; for checking).
    """

    def __init__(self, model, *, order: str = "first", alpha_lr: float = 3e-4, alpha_betas=(0.5, 0.999),
                 alpha_weight_decay: float = 1e-3, r: float = 0.01, unroll_momentum: bool = False,
                 hvp: str = "finite"):
        if order not in ORDERS:
            raise ValueError(f"order={order!r} is unknown; allowed: {list(ORDERS)}")
        if hvp not in HVPS:
            raise ValueError(f"hvp={hvp!r} is unknown; allowed: {list(HVPS)}")
        if not callable(getattr(model, "alphas", None)):
            raise TypeError(f"model must be a SearchNetwork (with alphas()), got {type(model).__name__}")
        check_real(alpha_lr, "alpha_lr", low=0, low_open=True)
        check_real(r, "r", low=0, low_open=True, hint="the finite-difference step is r / ||v||")
        self.model, self.order, self.r, self.unroll_momentum, self.hvp = model, order, r, unroll_momentum, hvp
        self.optimizer = torch.optim.Adam(model.alphas(), lr=alpha_lr, betas=alpha_betas,
                                          weight_decay=alpha_weight_decay)

    def alpha_grad(self, X_train, y_train, X_val, y_val, *, xi: float = 0.0, w_optimizer=None):
        """(grad for [alpha_normal, alpha_reduce], validation loss), without touching `.grad`."""
        model, alpha, w = self.model, self.model.alphas(), self.model.weights()
        if self.order == "first":
            l_val = F.cross_entropy(model(X_val), y_val)  # ∇_α L_val(w, α)
            return _grad(l_val, alpha), l_val.item()
        kw = {}
        if self.unroll_momentum and w_optimizer is not None:
            group = w_optimizer.param_groups[0]
            kw = {"momentum": group.get("momentum", 0.0), "weight_decay": group.get("weight_decay", 0.0),
                  "momentum_buffer": [w_optimizer.state.get(p, {}).get("momentum_buffer", torch.zeros_like(p))
                                      for p in w]}
        return unrolled_alpha_grad(network_loss(model, X_train, y_train), network_loss(model, X_val, y_val),
                                   w, alpha, xi=xi, r=self.r, hvp=self.hvp, **kw)

    def step(self, X_train, y_train, X_val, y_val, *, xi: float = 0.0, w_optimizer=None) -> float:
        """One Adam step on alpha; returns the validation loss it saw. `xi` is ignored at first order."""
        grads, l_val = self.alpha_grad(X_train, y_train, X_val, y_val, xi=xi, w_optimizer=w_optimizer)
        for a, g in zip(self.model.alphas(), grads):
            a.grad = g
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return l_val


__all__ = ["Architect", "hvp_finite_difference", "hvp_exact", "unrolled_terms", "unrolled_alpha_grad", "network_loss",
           "norm", "ORDERS"]
