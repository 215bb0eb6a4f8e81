"""Homework 2, hidden tests: a crashed child (NaN reward) is left out of the loss's average.

The public tests check the loss only on finite rewards, which a loss divided by all m rewards (NaN ones
included) also passes; this test rejects it (tests/course/test_hw01_02_wrong_answers.py holds that answer).
"""

import math

import torch
from my_reinforce import rloo_advantages, rloo_loss


def test_the_loss_averages_over_the_finite_rewards_only():
    logp = torch.tensor([-1.0, -2.0, -0.5, -1.5], dtype=torch.float64, requires_grad=True)
    R = [0.2, float("nan"), 0.6, 0.9]  # m = 4 children, one crashed: m' = 3
    loss = rloo_loss(logp, R)
    assert math.isfinite(loss.item()), "a NaN reward reached the loss: leave it out"
    loss.backward()
    want = -rloo_advantages(R) / 3
    assert torch.allclose(logp.grad, want), (
        f"d loss / d log_prob = {logp.grad.tolist()}, want -A_k / m' with m' = 3 finite rewards; dividing by "
        "all m = 4 rewards, the NaN one included, shrinks every step by 3/4")
