"""One step of DARTS's Algorithm 1 and its schedule, shared by every DARTS loop of the course.

DARTS (Liu, Simonyan & Yang, ICLR 2019, Alg. 1 and §A.1.1), with the settings of a `SearchConfig`:

    1. α ← α − lr_α · Adam(∇_α L_val(w − ξ ∇_w L_train(w, α), α))       (ξ = 0 first order)
    2. w ← w − lr_w(t) · SGD-momentum(clip(∇_w L_train(w, α), grad_clip))

`darts_step` runs the two updates in `step_order` ("alpha_first": the paper's Alg. 1 and its code;
"w_first": arXiv v1's order, which some slides list) and skips 1. during a warm-up. `w_update` is step 2; it returns
the loss as a device tensor, never read inside the step (a read is a host-device sync on a GPU): the
callers read an epoch's losses at its end and stop when one is not finite. `WSchedule` holds the w
learning rate, cosine-annealed from `w_lr` to `w_lr_min` over the search,

    lr(t) = lr_min + (lr_max − lr_min) (1 + cos(π t / T)) / 2,

moved once per epoch (t = epoch − 1, T = epochs; the DARTS code's `scheduler.step()` per epoch, set
here in closed form) or once per step (t = the step, T = epochs × steps per epoch; NAS-Bench-201's DARTS,
torch's `CosineAnnealingLR`, whose recursive update equals the closed form up to float rounding).
It also gives ξ (`SearchConfig.xi`, or the current w learning rate: the paper's footnote) and whether
an epoch updates α (`warmup_epochs`: P-DARTS, PC-DARTS).

Used by `naslab.darts.search.run_darts`, `naslab.darts.profile.profile_step` and
`naslab.bakeoff.oneshot.darts_on_table`. Taught in: notebooks/05_darts.ipynb (§ a real search).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from naslab.darts.config import STEP_ORDERS, SearchConfig


def darts_step(alpha_update: Callable[[], object], w_step: Callable[[], object], *,
               step_order: str = "alpha_first", update_alpha: bool = True):
    """One step of Alg. 1: `alpha_update()` (skipped when `update_alpha` is False) and `w_step()` in
    `step_order`; returns the training loss of the w step."""
    if step_order not in STEP_ORDERS:
        raise ValueError(f"step_order={step_order!r} is unknown; allowed: {list(STEP_ORDERS)}")
    if step_order == "w_first":
        loss = w_step()
    if update_alpha:  # False during a warm-up: w only
        alpha_update()
    if step_order == "alpha_first":
        loss = w_step()
    return loss


def w_update(loss_fn: Callable[[], torch.Tensor], weights: Sequence[torch.Tensor], w_opt,
             grad_clip: float) -> torch.Tensor:
    """w ← w − lr ∇_w L_train with the gradient norm clipped to `grad_clip`; returns L_train, detached, on the
    device (no host sync inside the step: callers read the losses once per epoch and stop the search there
    if one is not finite). `loss_fn()` must not put gradients on α (hold α fixed or detached)."""
    loss = loss_fn()
    w_opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(weights, grad_clip)
    w_opt.step()
    return loss.detach()


class WSchedule:
    """The w learning rate of a search with `cfg` on `w_opt`, ξ and the warm-up.

    Call `start_epoch(epoch)` before the steps of every epoch (1, 2, ...) and `after_step()` after every step.
    """

    def __init__(self, w_opt, cfg: SearchConfig, steps_per_epoch: int):
        self.w_opt, self.cfg = w_opt, cfg
        self._per_step = None
        if cfg.lr_period == "step":
            self._per_step = torch.optim.lr_scheduler.CosineAnnealingLR(
                w_opt, cfg.epochs * steps_per_epoch, eta_min=cfg.w_lr_min)

    def start_epoch(self, epoch: int) -> float:
        """Set the learning rate of `epoch` (1-based) when it moves per epoch; returns the current one."""
        if self._per_step is None:
            cfg = self.cfg  # lr = lr_min + (lr_max - lr_min) (1 + cos(π (e - 1) / E)) / 2
            lr = cfg.w_lr_min + 0.5 * (cfg.w_lr - cfg.w_lr_min) * (1 + math.cos(math.pi * (epoch - 1) / cfg.epochs))
            for group in self.w_opt.param_groups:
                group["lr"] = lr
        return self.lr

    def after_step(self) -> None:
        if self._per_step is not None:
            self._per_step.step()

    @property
    def lr(self) -> float:
        return self.w_opt.param_groups[0]["lr"]

    @property
    def xi(self) -> float:
        """The virtual step of the second order: `cfg.xi`, or the current w learning rate (the paper)."""
        return self.lr if self.cfg.xi is None else self.cfg.xi

    def updates_alpha(self, epoch: int) -> bool:
        """False during the warm-up (the first `warmup_epochs` epochs train w only)."""
        return epoch > self.cfg.warmup_epochs


__all__ = ["darts_step", "w_update", "WSchedule"]
