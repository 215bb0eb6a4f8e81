"""Homework 2 tests: leave-one-out advantages by hand, the gradient by autograd, unbiasedness on a bandit and
the variance the baseline removes."""

import math

import pytest
import torch
from my_reinforce import rloo_advantages, rloo_loss

from naslab.controller.reinforce import reinforce_loss


def test_advantages_by_hand():
    A = rloo_advantages([1.0, 2.0, 3.0])
    assert A.dtype == torch.float64 and A.shape == (3,)
    assert A.tolist() == pytest.approx([1 - 2.5, 2 - 2.0, 3 - 1.5]), (
        f"advantages {A.tolist()}: child k's baseline is the mean of the *other* rewards (leave-one-out), not of all")


def test_constant_rewards_give_zero_advantage():
    assert rloo_advantages([0.7] * 5).abs().max().item() == pytest.approx(0.0, abs=1e-12)


def test_nan_rewards_are_dropped():
    A = rloo_advantages([1.0, float("nan"), 3.0])
    assert A.tolist() == pytest.approx([-2.0, 0.0, 2.0]), "NaN gets 0 and is left out of the others' baselines"
    assert rloo_advantages([float("nan"), 0.5]).tolist() == [0.0, 0.0], "one finite reward: no baseline"


def test_loss_gradient_matches_the_formula():
    torch.manual_seed(0)
    logp = torch.randn(6, dtype=torch.float64, requires_grad=True)
    R = torch.tensor([0.1, 0.5, 0.9, 0.3, 0.2, 0.8], dtype=torch.float64)
    rloo_loss(logp, R).backward()
    want = -rloo_advantages(R) / 6
    assert torch.allclose(logp.grad, want), f"d loss / d log_prob = {logp.grad.tolist()}, want -A_k / m"


def test_loss_equals_reinforce_loss_with_the_same_advantages():
    logp = torch.tensor([-1.0, -2.0, -0.5, -1.5], dtype=torch.float64)
    R = [0.2, 0.4, 0.6, 0.8]
    # reinforce_loss with baseline 0 on rewards A_k is the same surrogate
    want = reinforce_loss(logp, rloo_advantages(R).tolist(), 0.0)
    assert rloo_loss(logp, R).item() == pytest.approx(want.item())


def test_unbiased_on_a_softmax_bandit():
    # p = softmax(theta), rewards r; exact gradient of E[R] = sum_a p_a r_a is p * (r - p . r)
    torch.manual_seed(0)
    theta = torch.tensor([0.2, -0.3, 0.5], dtype=torch.float64, requires_grad=True)
    r = torch.tensor([1.0, 3.0, 2.0], dtype=torch.float64)
    p = torch.softmax(theta.detach(), 0)
    exact = p * (r - (p * r).sum())
    steps, m, est = 4000, 4, torch.zeros(3, dtype=torch.float64)
    for _ in range(steps):
        a = torch.multinomial(p, m, replacement=True)
        logp = torch.log_softmax(theta, 0)[a]
        (g,) = torch.autograd.grad(rloo_loss(logp, r[a]), theta)
        est += -g / steps
    assert torch.allclose(est, exact, atol=0.03), f"mean estimate {est.tolist()} vs exact {exact.tolist()}"
    assert not math.isnan(est.sum().item())


def test_variance_lower_than_no_baseline():
    torch.manual_seed(1)
    theta = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    r = torch.tensor([10.0, 10.5, 11.0], dtype=torch.float64)  # a large common offset
    p = torch.softmax(theta.detach(), 0)
    g_rloo, g_plain = [], []
    for _ in range(300):
        a = torch.multinomial(p, 4, replacement=True)
        logp = torch.log_softmax(theta, 0)[a]
        g_rloo.append(torch.autograd.grad(rloo_loss(logp, r[a]), theta, retain_graph=True)[0])
        g_plain.append(torch.autograd.grad(reinforce_loss(logp, r[a], 0.0), theta)[0])
    v_rloo, v_plain = torch.stack(g_rloo).var(0).sum(), torch.stack(g_plain).var(0).sum()
    assert v_rloo < v_plain / 20, f"variance with RLOO {v_rloo:.4f} vs without a baseline {v_plain:.4f}"
