"""REINFORCE on toys: the log-derivative trick checked against autograd, and a controller on a table.

For a categorical policy p(a; θ) = softmax(θ)_a over k arms with rewards R(a):

    J(θ) = E_a[R] = Σ_a p(a; θ) R(a)                        (an exact, differentiable sum)
    ∇θ J = Σ_a p(a) ∇θ log p(a) R(a) = E_a[∇θ log p(a; θ) R(a)]   (the log-derivative trick)
    ∇θ log softmax(θ)_a = e_a - p                            (one-hot minus probabilities)

so (R(a_i) - b)(e_{a_i} - p), averaged over samples a_i ~ p, is an unbiased estimate of ∇θ J for
any constant baseline b (E[∇ log p] = 0), and a b near E[R] shrinks its variance.

The toy search space (`TOY_DECISIONS`, `toy_rewards`) is three decisions with a hand-set reward
table, so a controller can be watched converging in seconds (`run_toy`).

Taught in: notebooks/02_reinforce_controller.ipynb (sections 1-2); the exercise checks are in
`naslab.controller.checks`.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch

from naslab.controller.reinforce import reinforce_loss
from naslab.controller.searcher import ControllerConfig, ControllerSearcher

# ---------------------------------------------------------------------------------------------
# a tiny categorical policy


def policy_value(logits: torch.Tensor, rewards: torch.Tensor) -> torch.Tensor:
    """J(θ) = Σ_a softmax(θ)_a R(a), exactly. logits, rewards: (k,) -> scalar."""
    return (torch.softmax(logits, -1) * rewards).sum()


def exact_gradient(logits, rewards) -> torch.Tensor:
    """∇θ J(θ) by autograd on the exact expectation: (k,)."""
    theta = torch.as_tensor(logits, dtype=torch.float64).detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(policy_value(theta, torch.as_tensor(rewards, dtype=torch.float64)), theta)
    return grad


def reinforce_samples(logits, rewards, n: int, *, baseline: float = 0.0, seed: int = 0):
    """n single-sample REINFORCE estimates (R(a_i) - b)(e_{a_i} - p).

    Returns:
        (actions (n,) int64, grads (n, k) float64). Their mean estimates `exact_gradient`.
    """
    theta = torch.as_tensor(logits, dtype=torch.float64)
    R = torch.as_tensor(rewards, dtype=torch.float64)
    p = torch.softmax(theta, -1)  # (k,)
    g = torch.Generator().manual_seed(int(seed))
    a = torch.multinomial(p, int(n), replacement=True, generator=g)  # (n,) a_i ~ p
    score = torch.nn.functional.one_hot(a, len(p)).double() - p  # (n, k) ∇θ log p(a_i)
    return a, (R[a] - baseline)[:, None] * score  # (n, k)


def reinforce_estimate(logits, rewards, n: int, *, baseline: float = 0.0, seed: int = 0) -> torch.Tensor:
    """The REINFORCE gradient from n samples, computed by autograd through `reinforce_loss`: (k,).

    Same samples as `reinforce_samples`, so it equals the mean of its rows (a check of the loss).
    """
    a, _ = reinforce_samples(logits, rewards, n, baseline=baseline, seed=seed)
    theta = torch.as_tensor(logits, dtype=torch.float64).detach().clone().requires_grad_(True)
    log_prob = torch.log_softmax(theta, -1)[a]  # (n,) log p(a_i; θ)
    R = torch.as_tensor(rewards, dtype=torch.float64)[a]
    (grad,) = torch.autograd.grad(reinforce_loss(log_prob, R, baseline), theta)
    return -grad  # the loss is minus the objective


def gradient_variance(logits, rewards, n: int, *, baseline: float = 0.0, seed: int = 0) -> float:
    """Total variance (trace of the covariance) of a single-sample REINFORCE estimate."""
    _, g = reinforce_samples(logits, rewards, n, baseline=baseline, seed=seed)
    return float(g.var(0, unbiased=True).sum())


# ---------------------------------------------------------------------------------------------
# a toy search space with a known reward table

TOY_DECISIONS = (("filters", (8, 16, 32)), ("kernel", (3, 5, 7)), ("stride", (1, 2)))


def toy_rewards() -> np.ndarray:
    """A hand-set "accuracy" for each of the 3 x 3 x 2 = 18 toy architectures, shape (3, 3, 2).

    More filters help, kernel 5 beats 3 and 7, stride 2 helps, and 32 filters + k5 + stride 2 gets
    a bonus: the unique best arm is (2, 1, 1) with 0.93; the runner-up has 0.84.
    """
    f = np.array([0.0, 0.12, 0.24])[:, None, None]
    k = np.array([0.0, 0.08, 0.04])[None, :, None]
    s = np.array([0.0, 0.06])[None, None, :]
    table = 0.50 + f + k + s
    table[2, 1, 1] += 0.05  # the interaction only the full combination gets
    return table


@lru_cache(maxsize=256)
def run_toy(*, lr: float = 0.03, baseline: bool = True, entropy_weight: float = 0.0, updates: int = 60,
            batch_size: int = 4, baseline_decay: float = 0.8, seed: int = 0) -> tuple[dict, ...]:
    """Train a controller on the toy table; returns its per-update history (cached for widgets).

    Each record holds reward, baseline, advantage, entropy, loss and "probs": the distribution of
    each decision along the controller's favourite (greedy) sequence.
    """
    table = toy_rewards()
    cfg = ControllerConfig(lr=lr, batch_size=batch_size, baseline=baseline, baseline_decay=baseline_decay,
                           entropy_weight=entropy_weight)
    searcher = ControllerSearcher([len(c) for _, c in TOY_DECISIONS], cfg, seed=seed)
    for _ in range(int(updates)):
        searcher.step(lambda tokens: table[tuple(tokens)])
    return tuple(searcher.history)


def best_arm_probability(history, arm=(2, 1, 1)) -> np.ndarray:
    """P(favourite step t picks arm[t]) multiplied over t, per update: how sure the controller is."""
    return np.array([math.prod(p[a] for p, a in zip(rec["probs"], arm)) if list(rec["favourite"]) == list(arm)
                     else 0.0 for rec in history])
