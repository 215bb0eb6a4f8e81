"""Stacked networks: K small MLPs as one batched computation, with hand-written backprop and optimizers.

The engine behind `naslab.grid_vs_random.population`. Member k's weights sit at index k of every tensor:
W (K, out, in), b (K, out). Activations use a "column" layout, a (K, features, B), so each layer is

    z_k = W_k a_k + b_k                      (K, out, in) @ (K, in, B) + (K, out, 1)    batched matmul

and when all members see the same input batch (same data order), the first layer of all K members
is ONE matmul: (K*out, in) @ (in, B). Backprop by hand (no autograd graph to build per step):

    dL_k/dz = (softmax(z_k) - onehot(y)) / B      mean cross-entropy per member
    dW_k = dz_k a_k^T,   db_k = Σ_B dz_k,   da_k = W_k^T dz_k,   dz <- da * 1[z > 0]   (ReLU)

Summing the member losses gives every member exactly its own gradient, since no weight is shared.
`MemberStack` holds the K members' weights and runs them (by hand, or any buffer-free model through
`torch.func.vmap` with autograd); `StackedOptimizer` applies torch's SGD-with-momentum or Adam update
to all members at once, with a per-member learning rate, weight decay and momentum, in a handful of
`torch._foreach_*` calls.

Taught in: notebooks/01_grid_vs_random_search.ipynb (section 3); used by `naslab.grid_vs_random.population`.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap


def mlp_plan(model: nn.Module) -> list[str] | None:
    """['flatten', '1', 'relu', '3'] (Linear layers by module name) for a Flatten-first Sequential MLP, else None."""
    if not isinstance(model, nn.Sequential):
        return None
    plan = []
    for name, mod in model.named_children():
        if isinstance(mod, nn.Linear) and mod.bias is not None:
            plan.append(name)
        elif isinstance(mod, (nn.ReLU, nn.Flatten)):
            plan.append(type(mod).__name__.lower())
        else:
            return None
    return plan if plan and plan[0] == "flatten" else None


def mlp_forward(plan: list[str], params: dict, xT: torch.Tensor, acts: list | None = None) -> torch.Tensor:
    """Stacked forward. xT: (D, B) shared by all members, or (K, D, B). Returns logits (K, C, B).

    `acts` (if given) collects what the backward pass needs: each layer's output after the input.
    """
    K = next(iter(params.values())).shape[0]
    a = xT
    for op in plan[1:]:  # plan[0] is the flatten, done by the caller
        if op == "relu":
            a = torch.relu_(a)  # in place: relu' is read off the output
        else:
            W, b = params[op + ".weight"], params[op + ".bias"]  # (K, out, in), (K, out)
            if a.dim() == 2:  # shared input: ONE (K*out, in) @ (in, B) matmul serves every member
                a = torch.addmm(b.reshape(-1, 1), W.reshape(-1, W.shape[2]), a).view(K, W.shape[1], -1)
            else:  # z_k = W_k a_k + b_k
                a = torch.baddbmm(b.unsqueeze(-1), W, a)
        if acts is not None:
            acts.append(a)
    return a


def mlp_backward(plan: list[str], params: dict, xT: torch.Tensor, acts: list, dz: torch.Tensor) -> dict:
    """Backprop of `mlp_forward`: dz = dL/dlogits (K, C, B) -> {name: dL/dparam} (same shapes as params)."""
    grads, ops = {}, plan[1:]
    for i in range(len(ops) - 1, -1, -1):
        if ops[i] == "relu":
            dz = torch.ops.aten.threshold_backward(dz, acts[i], 0.0)  # dz * 1[z > 0]
            continue
        W = params[ops[i] + ".weight"]  # (K, out, in)
        a_in = acts[i - 1] if i > 0 else xT  # the layer's input: (K, in, B), or (in, B) when shared
        if a_in.dim() == 2:  # dW_k = dz_k a^T for all k at once: (K*out, B) @ (B, in)
            grads[ops[i] + ".weight"] = (dz.reshape(-1, dz.shape[2]) @ a_in.T).view_as(W)
        else:
            grads[ops[i] + ".weight"] = torch.bmm(dz, a_in.transpose(1, 2))  # (K, out, in)
        grads[ops[i] + ".bias"] = dz.sum(2)  # (K, out)
        if i > 0:
            dz = torch.bmm(W.transpose(1, 2), dz)  # dL/da_in = W_k^T dz_k: (K, in, B)
    return grads


def member_losses(logits: torch.Tensor, y: torch.Tensor, *, grad: bool = False):
    """Mean cross-entropy of each member. logits (K, C, B); y (B,) or (K, B).

    Returns losses (K,) and, with grad=True, dL_k/dlogits_k = (softmax - onehot(y)) / B: (K, C, B).
    """
    K, C, B = logits.shape
    y = (y.expand(K, B) if y.dim() == 1 else y).unsqueeze(1)  # (K, 1, B)
    logp = torch.log_softmax(logits, dim=1)  # (K, C, B)
    losses = -logp.gather(1, y).squeeze(1).mean(1)  # (K,)
    if not grad:
        return losses
    dz = logp.exp_().scatter_add_(1, y, torch.full(y.shape, -1.0, dtype=logits.dtype, device=logits.device))
    return losses, dz.div_(B)


def _col(v: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """(K,) -> (K, 1, ..., 1), broadcastable against a stacked parameter p of shape (K, ...)."""
    return v.view(-1, *([1] * (p.dim() - 1)))


class MemberStack:
    """K members as one stack: weights stacked along a leading axis, a forward pass, per-member gradients.

    `models` are the K members, built (and seeded) by the caller; "bmm" runs the MLP by hand (`mlp_forward`,
    `mlp_backward`), "vmap" runs any buffer-free model through `torch.func.vmap` with autograd.
    """

    def __init__(self, models: list[nn.Module], method: str, device):
        self.plan = mlp_plan(models[0])
        self.method = ("bmm" if self.plan else "vmap") if method == "auto" else method
        if self.method == "bmm" and self.plan is None:
            raise ValueError("method='bmm' needs a Sequential of Flatten/Linear/ReLU; use method='vmap'")
        if any(True for _ in models[0].buffers()):
            raise ValueError("population training supports models without buffers (no BatchNorm)")
        stacked, _ = stack_module_state(models)  # name -> (K, ...): member k's weights at index k
        self.params = {k: v.detach().to(device) for k, v in stacked.items()}
        self.base = models[0].to("meta")  # a weightless template for functional_call

    def forward(self, p, x, shared, acts=None, xT=None):  # x: (B, ...) shared or (K, B, ...) -> logits (K, C, B)
        if self.method == "bmm":
            if xT is None:  # (D, B) or (K, D, B)
                xT = (x.reshape(x.shape[0], -1).T if shared else x.flatten(2).transpose(1, 2)).contiguous()
            return mlp_forward(self.plan, p, xT, acts), xT
        f = vmap(lambda q, xx: functional_call(self.base, q, (xx,)), in_dims=(0, None if shared else 0))
        return f(p, x).transpose(1, 2), None

    def loss_and_grads(self, p, xb, yb, shared, xT=None):
        """(Ka,) member losses and name -> (Ka, ...) gradients: each member's own."""
        if self.method == "bmm":  # hand-written backprop (naslab.grid_vs_random.batched)
            acts = []
            z, xT = self.forward(p, xb, shared, acts, xT)
            losses, dz = member_losses(z, yb, grad=True)
            return losses, mlp_backward(self.plan, p, xT, acts, dz)
        with torch.enable_grad():  # autograd through vmap; no weight is shared, so the summed loss
            p = {k: v.requires_grad_() for k, v in p.items()}  # gives each member its own gradient
            losses = member_losses(self.forward(p, xb, shared)[0], yb)
            grads = torch.autograd.grad(losses.sum(), list(p.values()))
        return losses.detach(), dict(zip(p, grads))


class StackedOptimizer:
    """torch's SGD (momentum, coupled weight decay) or Adam for K stacked members, each with its own
    lr, weight_decay and momentum ((K,) tensors in `hp`)."""

    def __init__(self, params: dict, hp: dict, kind: str = "sgd", betas=(0.9, 0.999), eps: float = 1e-8):
        if kind not in ("sgd", "adam"):
            raise ValueError(f"optimizer={kind!r} is unknown; allowed: ['sgd', 'adam']")
        self.kind, self.betas, self.eps, self.t = kind, betas, eps, 0
        self.names = list(params)
        self.bufs = [[torch.zeros_like(params[n]) for n in self.names] for _ in range(1 if kind == "sgd" else 2)]
        self._set_hp(hp, params)

    def _set_hp(self, hp: dict, params: dict) -> None:
        self.hp = hp
        ps = [params[n] for n in self.names]
        self.wd = [_col(hp["weight_decay"], p) for p in ps]
        self.mu = [_col(hp["momentum"], p) for p in ps]
        self.neg_lr = [_col(-hp["lr"], p) for p in ps]

    @torch.no_grad()
    def step(self, params: dict, grads: dict) -> None:
        self.t += 1
        ps, gs = [params[n] for n in self.names], [grads[n] for n in self.names]  # gs are ours to overwrite
        torch._foreach_addcmul_(gs, ps, self.wd)  # g <- g + wd w (coupled L2, as torch's optimizers)
        if self.kind == "sgd":
            (b,) = self.bufs
            torch._foreach_mul_(b, self.mu)
            torch._foreach_add_(b, gs)  # b <- mu b + g
            torch._foreach_addcmul_(ps, b, self.neg_lr)  # w <- w - lr b
            return
        (b1, b2), (m, v) = self.betas, self.bufs  # Adam (Kingma & Ba 2015)
        torch._foreach_lerp_(m, gs, 1 - b1)  # m <- b1 m + (1 - b1) g
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, gs, gs, value=1 - b2)  # v <- b2 v + (1 - b2) g^2
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, math.sqrt(1 - b2**self.t))
        torch._foreach_add_(denom, self.eps)  # sqrt(v_hat) + eps
        upd = torch._foreach_div(m, denom)
        torch._foreach_mul_(upd, self.neg_lr)
        torch._foreach_add_(ps, upd, alpha=1 / (1 - b1**self.t))  # w <- w - lr m_hat / denom

    def keep(self, mask: torch.Tensor, params: dict) -> None:
        """Drop members: keep those where `mask` (K,) is True (params already re-indexed by the caller)."""
        self.bufs = [[b[mask] for b in bufs] for bufs in self.bufs]
        self._set_hp({k: v[mask] for k, v in self.hp.items()}, params)
