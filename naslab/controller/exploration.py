"""Does the REINFORCE controller keep exploring? Random reward tables, the LSTM against a factorised policy.

A table gives every sequence of a few decisions (4 decisions x 3 choices = 81 sequences) a reward.
`random_reward_table` draws it uniformly at random: with `best=` one random sequence is planted
clearly above the rest, with `best=None` it is *unstructured* (U[0, 1), the best is the argmax, and the
top few sequences lie within ~0.01 of each other). Nothing links the decisions, so a policy finds the
best sequence only by sampling it; uniform random search draws a given one of N within n samples with
probability 1 - (1 - 1/N)^n (0.993 for N = 81, n = 400). `explore_table` runs a policy for n samples
(n / m REINFORCE updates of m samples) and reports

* found: the best sequence was sampled at least once;
* kept: the policy's final favourite (greedy sequence) is the best one;
* P(best) = Π_t p(a_t* | a_<t*), its final probability (teacher-forced through the LSTM).

The policies: the LSTM `ControllerSearcher` (Zoph & Le 2017) and `FactorisedSearcher`, one independent
softmax per decision, p(a) = Π_t softmax(θ_t)_{a_t}, trained by the same REINFORCE loss with the same
Adam lr, m, EMA baseline and entropy bonus. Both are compared with uniform random search by
`tools/experiments/controller_exploration.py --unstructured`.

Why the LSTM locks in where the factorised policy does not: Adam moves every weight by about lr per
update whatever the gradient's scale, so a factorised logit moves by <= lr per update, but an LSTM logit
sums ~hidden head weights times the hidden state (and the layers below): once the gradients agree (an
arm that beat the baseline a few times is sampled more often) its logits run up to ~10x faster.

Taught in: notebooks/02_reinforce_controller.ipynb (why `ControllerConfig`'s defaults explore).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from naslab.controller.reinforce import EMABaseline, reinforce_loss
from naslab.controller.searcher import ControllerConfig, ControllerSearcher


def random_reward_table(shape=(3, 3, 3, 3), seed: int = 0, *, low: float = 0.3, high: float = 0.8,
                        best: float | None = 0.9) -> tuple[np.ndarray, tuple[int, ...]]:
    """Rewards uniform in [low, high) for every sequence, and one random sequence set to `best`.

    `best=None` plants nothing: an unstructured table (use low=0, high=1), its best is the argmax.
    Returns (table of `shape`, the best sequence as a tuple of choice indices).
    """
    shape = tuple(int(k) for k in shape)
    if not shape or min(shape) < 1:
        raise ValueError(f"shape={shape!r} must be a non-empty tuple of ints >= 1")
    rng = np.random.default_rng(1000 + int(seed))
    table = rng.uniform(low, high, size=shape)
    if best is None:
        return table, tuple(int(i) for i in np.unravel_index(int(table.argmax()), shape))
    arm = tuple(int(i) for i in np.unravel_index(rng.integers(table.size), shape))
    table[arm] = best
    return table, arm


class FactorisedSearcher:
    """REINFORCE on independent softmaxes, p(a) = Π_t softmax(θ_t)_{a_t}: the LSTM's update, no LSTM.

    Same Adam lr, batch m, EMA baseline (the first batch uses its own mean) and entropy bonus as
    `ControllerSearcher.update`; θ_t starts at 0 (uniform). `step(reward_fn)` samples m sequences.
    """

    def __init__(self, num_choices: Sequence[int], cfg: ControllerConfig | None = None, *, seed: int = 0):
        self.cfg = (cfg or ControllerConfig()).validate()
        self.logits = [torch.zeros(int(k), requires_grad=True) for k in num_choices]  # θ_t: (k_t,)
        self.optimizer = torch.optim.Adam(self.logits, lr=self.cfg.lr)
        self.baseline = EMABaseline(self.cfg.baseline_decay)
        self.generator = torch.Generator().manual_seed(int(seed) + 1)

    def log_prob(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(m, T) tokens -> (log p (m,), entropy (m,)), differentiable."""
        logp = [torch.log_softmax(th, -1) for th in self.logits]  # T x (k_t,)
        lp = sum(lt[tokens[:, t]] for t, lt in enumerate(logp))  # Σ_t log p_t(a_t): (m,)
        ent = sum(-(lt.exp() * lt).sum() for lt in logp)  # Σ_t H(p_t): the same for every sample
        return lp, ent.expand(tokens.shape[0])

    def step(self, reward_fn: Callable[[list[int]], float]) -> None:
        with torch.no_grad():
            probs = [torch.softmax(th, -1) for th in self.logits]
            tokens = torch.stack([torch.multinomial(p, self.cfg.batch_size, replacement=True,
                                                    generator=self.generator) for p in probs], 1)  # (m, T)
        R = torch.tensor([float(reward_fn(t)) for t in tokens.tolist()])  # (m,)
        finite = R[torch.isfinite(R)]
        if not self.cfg.baseline:
            b = 0.0
        else:
            b = self.baseline.get(finite.mean().item() if len(finite) else 0.0)
        lp, ent = self.log_prob(tokens)
        loss = reinforce_loss(lp, R, b, entropy=ent, entropy_weight=self.cfg.entropy_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        for r in R.tolist():
            self.baseline.update(r)

    @torch.no_grad()
    def favourite(self) -> list[int]:
        return [int(th.argmax()) for th in self.logits]


def explore_table(cfg: ControllerConfig | None, table: np.ndarray, arm, n_samples: int = 400,
                  seed: int = 0, *, policy: str = "lstm") -> dict:
    """Run a policy ("lstm": `ControllerSearcher`, "factorised": `FactorisedSearcher`) for `n_samples`.

    Returns {"found": `arm` was sampled at least once, "first": the sample index of its first draw
    (None), "kept": the final favourite is `arm`, "p_best": its final probability P(arm)}.
    """
    if policy not in ("lstm", "factorised"):
        raise ValueError(f"policy={policy!r} is unknown; allowed: ['lstm', 'factorised']")
    cfg = cfg or ControllerConfig()
    if policy == "lstm":
        s = ControllerSearcher(list(table.shape), cfg, seed=seed)
    else:
        s = FactorisedSearcher(table.shape, cfg, seed=seed)
    seen: list[tuple[int, ...]] = []

    def reward(tokens):
        seen.append(tuple(tokens))
        return float(table[tuple(tokens)])

    while len(seen) < n_samples:
        s.step(reward)
    first = next((i for i, t in enumerate(seen[:n_samples]) if t == tuple(arm)), None)
    tokens = torch.tensor([list(arm)])
    with torch.no_grad():
        if policy == "lstm":
            p, fav = s.controller(tokens=tokens).log_prob.exp().item(), s.controller.favourite()[0]
        else:
            p, fav = s.log_prob(tokens)[0].exp().item(), s.favourite()
    return {"found": first is not None, "first": first, "kept": tuple(fav) == tuple(arm), "p_best": p}


def uniform_found(table_shape, arm, n_samples: int = 400, seed: int = 0) -> bool:
    """Uniform random search: did n_samples uniform draws (rng seeded by `seed`) include `arm`?"""
    rng = np.random.default_rng(int(seed))
    draws = np.stack([rng.integers(int(k), size=n_samples) for k in table_shape], 1)  # (n, T)
    return bool((draws == np.array(arm)).all(1).any())


def uniform_found_rate(table_shape, n_samples: int = 400) -> float:
    """P(uniform sampling draws one given sequence at least once in n_samples) = 1 - (1 - 1/N)^n."""
    return 1.0 - (1.0 - 1.0 / math.prod(table_shape)) ** n_samples
