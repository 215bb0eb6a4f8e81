"""REINFORCE for a controller: the loss with a baseline and an entropy bonus, the EMA baseline, reward shaping.

The policy gradient (Williams 1992, the log-derivative trick; Zoph & Le, ICLR 2017, eq. 1-2)

    ∇θ J(θ) = Σ_t E[ ∇θ log P(a_t | a_1:t-1; θ) · R ]

is estimated from m sampled children with an exponential-moving-average baseline b:

    loss = -(1/m) Σ_k (R_k - b) · Σ_t log p(a_t^k)  -  β · (1/m) Σ_k H_k      (β: entropy bonus)

`REWARDS` maps accuracy to reward (Zoph & Le's cube, EAS's tan). Notebook 04's meta-controller
reuses all three pieces.

Taught in: notebooks/02_reinforce_controller.ipynb; reused by notebooks/04_net2net.ipynb.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from naslab.validate import check_real

# reward shaping: accuracy -> reward (Zoph & Le cube; EAS tan, clipped below acc = 1 where tan blows up)
REWARDS: dict[str, Callable[[float], float]] = {
    "acc": lambda acc: acc,
    "cube": lambda acc: acc ** 3,  # Zoph & Le §3.5: stretches differences among good models
    "tan": lambda acc: math.tan(min(acc, 0.999) * math.pi / 2),  # EAS: [0, 1) -> [0, inf)
}


class EMABaseline:
    """Exponential moving average of rewards: b <- decay * b + (1 - decay) * R.

    `decay` is the weight of the *old* value (default 0.8 as in `ControllerConfig`, ~5 rewards of
    memory; 0.95 keeps ~20; decay = 0 means
    b = the last reward). NOTE: EAS's code writes `b += 0.95 * (R - b)`, i.e. 0.95 as the step size;
    here it is the other way round. The first finite reward initialises b. NaN / inf rewards (a
    diverged or failed child) are recorded in `history` but never change b.
    """

    def __init__(self, decay: float = 0.8):
        if not (isinstance(decay, (int, float)) and 0.0 <= decay < 1.0):
            raise ValueError(f"decay={decay!r} must lie in [0, 1)")
        self.decay = float(decay)
        self.value: float | None = None  # None until the first finite reward
        self.history: list[float] = []  # every reward seen, NaN included

    def update(self, reward: float) -> float | None:
        """Record `reward` and move b towards it; returns the new b (unchanged for a NaN reward)."""
        if reward is not None and not hasattr(reward, "__float__") or isinstance(reward, bool):
            raise ValueError(f"reward={reward!r} must be a number (NaN for a failed child)")
        r = float("nan") if reward is None else float(reward)
        self.history.append(r)
        if not math.isfinite(r):
            return self.value  # a NaN reward never poisons the baseline
        if self.value is None:
            self.value = r
        else:
            self.value = self.decay * self.value + (1.0 - self.decay) * r  # decay = weight of the past
        return self.value

    def get(self, default: float = 0.0) -> float:
        """b, or `default` before any finite reward."""
        return default if self.value is None else self.value


def reinforce_loss(
    log_prob: torch.Tensor,
    reward: torch.Tensor | Sequence[float],
    baseline: float = 0.0,
    *,
    entropy: torch.Tensor | None = None,
    entropy_weight: float = 0.0,
) -> torch.Tensor:
    """The REINFORCE surrogate loss; its gradient is minus the policy-gradient estimate.

    Args:
        log_prob: (m,) Σ_t log p(a_t) of each sampled sequence (differentiable).
        reward: (m,) rewards R_k; NaN rewards are dropped (they carry no learning signal).
        baseline: b, a constant (no gradient flows through it).
        entropy: (m,) policy entropy of each sample, for the optional bonus.
        entropy_weight: β >= 0; the bonus -β·H rewards exploration (larger H, lower loss).

    Returns:
        a scalar: -(1/m') Σ_k (R_k - b) · log_prob_k - β · mean(H), over the m' finite rewards
        (0 with a gradient of zeros when none is finite).
    """
    if not isinstance(log_prob, torch.Tensor):
        raise TypeError(f"log_prob must be a torch tensor (m,) with a gradient, got {type(log_prob).__name__}")
    check_real(baseline, "baseline", hint="b, a constant such as an EMABaseline's get()")
    check_real(entropy_weight, "entropy_weight", low=0)
    if entropy_weight and (entropy is None or entropy.reshape(-1).shape != log_prob.reshape(-1).shape):
        raise ValueError(f"entropy_weight={entropy_weight!r} needs entropy of shape {tuple(log_prob.shape)}, got "
                         f"{None if entropy is None else tuple(entropy.shape)}")
    R = torch.as_tensor(reward, dtype=log_prob.dtype, device=log_prob.device).reshape(-1)  # (m,)
    if R.shape != log_prob.reshape(-1).shape:
        raise ValueError(f"reward has shape {tuple(R.shape)} but log_prob has {tuple(log_prob.shape)}")
    ok = torch.isfinite(R)  # (m,) masks diverged / failed children
    advantage = torch.where(ok, R - float(baseline), torch.zeros_like(R)).detach()  # (R - b): no grad
    n = ok.sum().clamp(min=1)
    loss = -(advantage * log_prob.reshape(-1)).sum() / n  # minus sign: we *maximise* E[R] by descent
    if entropy is not None and entropy_weight:
        loss = loss - entropy_weight * entropy.reshape(-1)[ok].sum() / n  # minus: higher entropy, lower loss
    return loss
