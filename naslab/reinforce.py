"""REINFORCE on toys: the log-derivative trick checked against autograd, and a controller on a table.

For a categorical policy p(a; θ) = softmax(θ)_a over k arms with rewards R(a):

    J(θ) = E_a[R] = Σ_a p(a; θ) R(a)                        (an exact, differentiable sum)
    ∇θ J = Σ_a p(a) ∇θ log p(a) R(a) = E_a[∇θ log p(a; θ) R(a)]   (the log-derivative trick)
    ∇θ log softmax(θ)_a = e_a - p                            (one-hot minus probabilities)

so (R(a_i) - b)(e_{a_i} - p), averaged over samples a_i ~ p, is an unbiased estimate of ∇θ J for
any constant baseline b (E[∇ log p] = 0), and a b near E[R] shrinks its variance.

The toy search space (`TOY_DECISIONS`, `toy_rewards`) is three decisions with a hand-set reward
table, so a controller can be watched converging in seconds (`run_toy`).

Taught in: notebooks/02_reinforce_controller.ipynb (sections 1-2 and the exercises).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch

from naslab.controller import REWARDS, ControllerConfig, ControllerSearcher, reinforce_loss

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


# ---------------------------------------------------------------------------------------------
# unstructured random tables: does the controller keep exploring?


def random_reward_table(shape=(3, 3, 3, 3), seed: int = 0, *, low: float = 0.3, high: float = 0.8,
                        best: float = 0.9) -> tuple[np.ndarray, tuple[int, ...]]:
    """Rewards drawn uniformly in [low, high) for every sequence, and one random sequence set to `best`.

    No structure to exploit: a decision's value says nothing about the others. Returns (table of
    `shape`, the best sequence). 4 decisions x 3 choices = 81 sequences: 400 uniform samples find
    the best one with probability 1 - (80/81)^400 = 0.993.
    """
    shape = tuple(int(k) for k in shape)
    if not shape or min(shape) < 1:
        raise ValueError(f"shape={shape!r} must be a non-empty tuple of ints >= 1")
    rng = np.random.default_rng(1000 + int(seed))
    table = rng.uniform(low, high, size=shape)
    arm = tuple(int(i) for i in np.unravel_index(rng.integers(table.size), shape))
    table[arm] = best
    return table, arm


def explore_table(cfg: ControllerConfig | None, table: np.ndarray, arm, n_samples: int = 400,
                  seed: int = 0) -> dict:
    """Run a controller for `n_samples` samples (n_samples / m updates) on `table`.

    Returns {"found": the best sequence `arm` was sampled at least once, "first": the sample index
    of its first draw (None), "p_best": its final probability P(arm) under the controller}.
    """
    s = ControllerSearcher(list(table.shape), cfg or ControllerConfig(), seed=seed)
    seen: list[tuple[int, ...]] = []

    def reward(tokens):
        seen.append(tuple(tokens))
        return float(table[tuple(tokens)])

    while len(seen) < n_samples:
        s.step(reward)
    first = next((i for i, t in enumerate(seen[:n_samples]) if t == tuple(arm)), None)
    with torch.no_grad():
        p = s.controller(tokens=torch.tensor([list(arm)])).log_prob.exp().item()  # Π_t p(a_t | a_<t)
    return {"found": first is not None, "first": first, "p_best": p}


def uniform_found_rate(table_shape, n_samples: int = 400) -> float:
    """P(uniform sampling draws one given sequence at least once in n_samples) = 1 - (1 - 1/N)^n."""
    return 1.0 - (1.0 - 1.0 / math.prod(table_shape)) ** n_samples


# ---------------------------------------------------------------------------------------------
# exercise checkers: raise AssertionError with a hint, return a short message when right


def check_reward_shaping(fn, kind: str = "tan") -> str:
    """Check a student's reward shaping `fn(acc) -> reward` against `REWARDS[kind]` and monotonicity."""
    if kind not in REWARDS:
        raise ValueError(f"kind={kind!r} is unknown; allowed: {list(REWARDS)}")
    accs = np.linspace(0.0, 0.99, 34)
    got = np.array([float(fn(float(a))) for a in accs])
    want = np.array([REWARDS[kind](float(a)) for a in accs])
    assert np.all(np.diff(got) > 0), "a reward shaping must increase with accuracy"
    bad = np.flatnonzero(~np.isclose(got, want, rtol=1e-6, atol=1e-9))
    if len(bad):
        i = bad[0]
        raise AssertionError(f"fn({accs[i]:.3f}) = {got[i]:.6g}, expected {want[i]:.6g} for {kind!r}")
    return f"✓ {kind} reward shaping matches on {len(accs)} accuracies"


def check_reinforce_gradient(fn) -> str:
    """Check `fn(logits, rewards, actions, baseline) -> (k,)` mean REINFORCE gradient on fixed samples."""
    logits, rewards = torch.tensor([0.3, -0.2, 0.5, 0.0]), torch.tensor([0.2, 0.9, 0.4, 0.6])
    for b in (0.0, 0.5):
        a, g = reinforce_samples(logits, rewards, 500, baseline=b, seed=3)
        got = torch.as_tensor(fn(logits, rewards, a, b), dtype=torch.float64).reshape(-1)
        assert got.shape == (4,), f"expected a gradient of shape (4,), got {tuple(got.shape)}"
        want = g.mean(0)
        assert torch.allclose(got, want, atol=1e-5), f"baseline={b}: got {got.tolist()}, want {want.tolist()}"
    return "✓ your REINFORCE gradient matches naslab's on 500 samples, with and without a baseline"
