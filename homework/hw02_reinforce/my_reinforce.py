"""Homework 2, Level 1: REINFORCE with a leave-one-out baseline (edit this file).

Notebook 02 used an exponential-moving-average baseline b. With m children sampled per step there is
a baseline that needs no memory and stays unbiased: for child k, the mean reward of the *other*
children (REINFORCE leave-one-out, "RLOO"; Kool, van Hoof & Welling 2019):

    A_k = R_k - (1 / (m' - 1)) Σ_{j ≠ k} R_j          (m' = the number of finite rewards)
    loss = -(1 / m') Σ_k A_k · log p(a^k)            (A_k is a constant: no gradient flows through it)

Non-finite rewards (a diverged child) are dropped: they get A_k = 0 and do not enter the others'
baselines. With fewer than two finite rewards there is no baseline, and every advantage is 0.

Write `rloo_advantages(reward)` -> a float64 tensor (m,) and `rloo_loss(log_prob, reward)` -> a scalar.
Check yourself: `make grade HW=2`.
"""

from __future__ import annotations

import torch


def rloo_advantages(reward) -> torch.Tensor:
    """(m,) rewards (list, array or tensor; NaN allowed) -> (m,) float64 leave-one-out advantages."""
    # BEGIN SOLUTION
    R = torch.as_tensor(reward, dtype=torch.float64).reshape(-1)  # (m,)
    ok = torch.isfinite(R)
    m = int(ok.sum())
    if m < 2:
        return torch.zeros_like(R)
    total = torch.where(ok, R, torch.zeros_like(R)).sum()
    baseline = (total - R) / (m - 1)  # mean of the other finite rewards
    return torch.where(ok, R - baseline, torch.zeros_like(R))
    # END SOLUTION


def rloo_loss(log_prob: torch.Tensor, reward) -> torch.Tensor:
    """(m,) differentiable log p(a^k) and (m,) rewards -> the scalar surrogate loss above."""
    # BEGIN SOLUTION
    A = rloo_advantages(reward).to(log_prob.dtype).detach()  # (m,)
    n = max(int(torch.isfinite(torch.as_tensor(reward, dtype=torch.float64)).sum()), 1)
    return -(A * log_prob.reshape(-1)).sum() / n
    # END SOLUTION
