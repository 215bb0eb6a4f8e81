"""The REINFORCE controller of Zoph & Le (ICLR 2017, arXiv:1611.01578, §3.1-3.2).

An LSTM emits the tokens a_1..a_T of a child network one at a time: one softmax per decision, the
chosen token's embedding is fed back as the next input. The child's validation accuracy is the
reward R, and the policy gradient (Williams 1992, the log-derivative trick)

    ∇θ J(θ) = Σ_t E[ ∇θ log P(a_t | a_1:t-1; θ) · R ]

is estimated from m sampled children with an exponential-moving-average baseline b:

    loss = -(1/m) Σ_k (R_k - b) · Σ_t log p(a_t^k)  -  β · (1/m) Σ_k H_k      (β: entropy bonus)

Reusable pieces (notebook 04's meta-controller uses them too): `EMABaseline`, `reinforce_loss`,
`REWARDS` (reward shaping). `ControllerSearcher` is the controller on the ask/tell interface of
`naslab.search`, so `run_search` drives it and records `Trial`s.

Taught in: notebooks/02_reinforce_controller.ipynb.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field

import torch
from torch import nn

from naslab.search import Searcher

# reward shaping: accuracy -> reward (Zoph & Le cube; EAS tan, clipped below acc = 1 where tan blows up)
REWARDS: dict[str, Callable[[float], float]] = {
    "acc": lambda acc: acc,
    "cube": lambda acc: acc ** 3,  # Zoph & Le §3.5: stretches differences among good models
    "tan": lambda acc: math.tan(min(acc, 0.999) * math.pi / 2),  # EAS: [0, 1) -> [0, inf)
}


class EMABaseline:
    """Exponential moving average of rewards: b <- decay * b + (1 - decay) * R.

    `decay` is the weight of the *old* value (default 0.8, as `ControllerConfig`: ~5 rewards of
    memory; 0.95 keeps ~20; decay = 0 means b = the last reward). NOTE: EAS's code writes
    `b += 0.95 * (R - b)`, i.e. 0.95 as the step size; here it is the other way round.
    The first finite reward initialises b. NaN / inf rewards (a diverged or failed child) are
    recorded in `history` but never change b.
    """

    def __init__(self, decay: float = 0.8):
        if not (isinstance(decay, (int, float)) and 0.0 <= decay < 1.0):
            raise ValueError(f"decay={decay!r} must lie in [0, 1)")
        self.decay = float(decay)
        self.value: float | None = None  # None until the first finite reward
        self.history: list[float] = []  # every reward seen, NaN included

    def update(self, reward: float) -> float | None:
        """Record `reward` and move b towards it; returns the new b (unchanged for a NaN reward)."""
        r = float(reward)
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


@dataclass
class Sample:
    """What the controller emits for m sequences of T decisions."""

    tokens: torch.Tensor  # (m, T) int64
    log_prob: torch.Tensor  # (m,) Σ_t log p(a_t | a_<t)
    entropy: torch.Tensor  # (m,) Σ_t H(p_t)
    probs: list[torch.Tensor]  # T tensors of shape (m, k_t): the distribution at every step


class Controller(nn.Module):
    """An autoregressive LSTM policy over decisions with `num_choices[t]` options each.

    Zoph & Le: 2 layers of 35 units, weights uniform in [-0.08, 0.08]. Each decision t has its own
    softmax head (hidden -> k_t) and its own embedding table (k_t -> hidden) for the feedback.
    """

    def __init__(self, num_choices: Sequence[int], *, hidden: int = 35, num_layers: int = 2,
                 init_range: float = 0.08, seed: int = 0, temperature: float | None = None,
                 tanh_constant: float | None = None):
        super().__init__()
        self.temperature, self.tanh_constant = temperature, tanh_constant
        self.num_choices = [int(k) for k in num_choices]
        if not self.num_choices or min(self.num_choices) < 1:
            raise ValueError(f"num_choices={list(num_choices)!r} must be a non-empty list of ints >= 1")
        self.hidden, self.num_layers = int(hidden), int(num_layers)
        self.start = nn.Parameter(torch.zeros(1, hidden))  # g: the first input
        self.cells = nn.ModuleList(nn.LSTMCell(hidden, hidden) for _ in range(num_layers))
        self.embed = nn.ModuleList(nn.Embedding(k, hidden) for k in self.num_choices[:-1])  # last: unused
        self.heads = nn.ModuleList(nn.Linear(hidden, k) for k in self.num_choices)
        g = torch.Generator().manual_seed(int(seed))
        with torch.no_grad():
            for p in self.parameters():  # uniform(-r, r) init from its own seeded generator
                p.copy_(torch.rand(p.shape, generator=g) * 2 * init_range - init_range)

    def forward(self, m: int = 1, *, tokens: torch.Tensor | None = None,
                generator: torch.Generator | None = None, greedy: bool = False) -> Sample:
        """Sample m sequences, or (with `tokens` of shape (m, T)) score given ones (teacher forcing).

        `greedy=True` takes the argmax at every step (the controller's current favourite).
        """
        dev = self.start.device
        if tokens is not None:
            tokens = torch.as_tensor(tokens, dtype=torch.long, device=dev).reshape(-1, len(self.num_choices))
            m = tokens.shape[0]
        x = self.start.expand(m, -1)  # (m, hidden)
        state = [(torch.zeros(m, self.hidden, device=dev), torch.zeros(m, self.hidden, device=dev))
                 for _ in self.cells]
        out_tokens, log_prob, entropy, probs = [], torch.zeros(m, device=dev), torch.zeros(m, device=dev), []
        for t in range(len(self.num_choices)):
            for layer, cell in enumerate(self.cells):
                state[layer] = cell(x, state[layer])  # (h, c), each (m, hidden)
                x = state[layer][0]
            logits = self.heads[t](x)  # (m, k_t)
            if self.temperature is not None:
                logits = logits / self.temperature  # ENAS: logits / T
            if self.tanh_constant is not None:
                logits = self.tanh_constant * torch.tanh(logits)  # ENAS: c·tanh(logits) ∈ (-c, c)
            logp = torch.log_softmax(logits, dim=-1)  # (m, k_t)
            p = logp.exp()
            if tokens is not None:
                a = tokens[:, t]
            elif greedy:
                a = p.argmax(-1)
            else:
                a = torch.multinomial(p.detach(), 1, generator=generator).squeeze(1)  # (m,)
            log_prob = log_prob + logp.gather(1, a[:, None]).squeeze(1)  # Σ_t log p(a_t | a_<t)
            entropy = entropy - (p * logp).sum(-1)  # H(p_t) = -Σ_a p log p
            probs.append(p)
            out_tokens.append(a)
            if t + 1 < len(self.num_choices):
                x = self.embed[t](a)  # feed the chosen token's embedding back: (m, hidden)
        return Sample(torch.stack(out_tokens, 1), log_prob, entropy, probs)

    @torch.no_grad()
    def favourite(self) -> tuple[list[int], list[list[float]]]:
        """The greedy (argmax) sequence and the distribution at each of its steps (the "microscope")."""
        s = self(1, greedy=True)
        return s.tokens[0].tolist(), [p[0].tolist() for p in s.probs]


@dataclass
class ControllerConfig:
    """Hyper-parameters of the controller and its REINFORCE updates (tiny CPU defaults).

    Zoph & Le used lr 6e-4 over ~12,800 children. The defaults (Adam lr 5e-3, entropy bonus
    β = 0.03) keep exploring for a few hundred children: on unstructured random reward tables
    (4 decisions x 3 choices, 400 samples, `benchmarks/controller_exploration.py`) the old
    lr 0.05 / β = 1e-3 locked onto a lesser sequence within a few dozen updates, and the best
    sequence's final probability collapsed towards 0. A short search that must exploit within
    ~10 updates (notebook 02's real search) passes a larger lr explicitly.
    `temperature` and `tanh_constant` (ENAS, Pham et al. 2018: logits <- c·tanh(logits / T))
    bound the logits, so no choice's probability can collapse to 0; off (None) by default.
    """

    hidden: int = 35  # LSTM units per layer
    num_layers: int = 2
    lr: float = 5e-3  # Adam; 0.05 locks in within ~10-40 updates on unstructured tables
    batch_size: int = 4  # m: children sampled per update
    baseline: bool = True  # subtract the EMA baseline (False: b = 0, plain REINFORCE)
    baseline_decay: float = 0.8  # b <- decay * b + (1 - decay) * R
    entropy_weight: float = 0.03  # β of the entropy bonus (exploration)
    temperature: float | None = None  # ENAS: logits / T
    tanh_constant: float | None = None  # ENAS: c·tanh(logits), so |logit| < c
    reward: str = "acc"  # a key of REWARDS
    metric: str = "val_acc"  # the Trial metric that becomes the accuracy
    record_favourite: bool = True  # log the greedy sequence and its step distributions per update

    def validate(self) -> ControllerConfig:
        if self.reward not in REWARDS:
            raise ValueError(f"reward={self.reward!r} is unknown; allowed: {list(REWARDS)}")
        if not (isinstance(self.batch_size, int) and self.batch_size >= 1):
            raise ValueError(f"batch_size={self.batch_size!r} must be an int >= 1")
        for key in ("lr", "entropy_weight", "baseline_decay"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"{key}={v!r} must be a finite number")
        if not self.lr > 0 or self.entropy_weight < 0:
            raise ValueError(f"lr={self.lr!r} must be > 0 and entropy_weight={self.entropy_weight!r} >= 0")
        if not 0 <= self.baseline_decay < 1:
            raise ValueError(f"baseline_decay={self.baseline_decay!r} must lie in [0, 1)")
        for key in ("temperature", "tanh_constant"):
            v = getattr(self, key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0):
                raise ValueError(f"{key}={v!r} must be a number > 0 or None (off)")
        if not isinstance(self.metric, str):
            raise ValueError(f"metric={self.metric!r} must be a str, a key of the Trial metrics")
        return self


@dataclass
class ControllerSearcher(Searcher):
    """The controller as an ask/tell searcher: ask() samples one child, every m tells make one update.

    `space` is a `naslab.space.MacroSpace` (configs are {"tokens": [...], "arch": key}) or a list of
    choice counts (configs are {"tokens": [...]}, e.g. for a toy with a reward table).
    Use `tell_reward(config, R)` to feed a raw reward without a Trial.
    """

    space: object
    cfg: ControllerConfig = field(default_factory=ControllerConfig)
    _: KW_ONLY  # seed and max_trials are keyword-only, as in every other searcher
    seed: int = 0
    max_trials: int | None = None
    name = "controller"
    adaptive = True

    def __post_init__(self):
        self.cfg = self.cfg.validate()
        nc = self.space.num_choices if hasattr(self.space, "num_choices") else list(self.space)
        self.controller = Controller(nc, hidden=self.cfg.hidden, num_layers=self.cfg.num_layers,
                                     seed=self.seed, temperature=self.cfg.temperature,
                                     tanh_constant=self.cfg.tanh_constant)
        self.optimizer = torch.optim.Adam(self.controller.parameters(), lr=self.cfg.lr)
        self.baseline = EMABaseline(self.cfg.baseline_decay)
        self.generator = torch.Generator().manual_seed(int(self.seed) + 1)
        self.buffer: list[tuple[list[int], float]] = []  # (tokens, reward) waiting for the next update
        self.history: list[dict] = []  # one record per update (the controller microscope)
        self.seconds = 0.0  # the controller's own wall-clock time (sampling + updates)
        self._asked = 0

    @property
    def metric(self) -> str:
        """The Trial metric this searcher rewards; `run_search` uses it (one source of truth)."""
        return self.cfg.metric

    def ask(self) -> dict | None:
        if self.max_trials is not None and self._asked >= self.max_trials:
            return None
        t0 = time.perf_counter()
        with torch.no_grad():
            tokens = self.controller(1, generator=self.generator).tokens[0].tolist()
        self._asked += 1
        config = {"tokens": tokens}
        if hasattr(self.space, "decode"):
            config["arch"] = self.space.decode(tokens).key
        self.seconds += time.perf_counter() - t0
        return config

    def tell(self, config: dict, trial) -> None:
        acc = trial.score(self.cfg.metric)  # NaN for a failed child
        self.tell_reward(config, REWARDS[self.cfg.reward](acc) if math.isfinite(acc) else float("nan"))

    def tell_reward(self, config: dict, reward: float) -> None:
        self.buffer.append((list(config["tokens"]), float(reward)))
        if len(self.buffer) >= self.cfg.batch_size:
            self.update()

    def step(self, reward_fn: Callable[[list[int]], float]) -> dict:
        """Sample m children in one batch, score each with `reward_fn(tokens) -> R`, update once.

        The fast path for toys with a known reward table (no Trials, no run_search).
        """
        t0 = time.perf_counter()
        with torch.no_grad():
            tokens = self.controller(self.cfg.batch_size, generator=self.generator).tokens.tolist()
        self.seconds += time.perf_counter() - t0
        self._asked += len(tokens)
        self.buffer = [(t, float(reward_fn(t))) for t in tokens]
        return self.update()

    def update(self) -> dict:
        """One REINFORCE step on the buffered children; returns (and logs) what happened."""
        t0 = time.perf_counter()
        tokens = torch.tensor([t for t, _ in self.buffer])  # (m, T)
        R = torch.tensor([r for _, r in self.buffer])  # (m,)
        finite = R[torch.isfinite(R)]
        if not self.cfg.baseline:
            b = 0.0  # plain REINFORCE
        elif self.baseline.value is None:  # first batch: its own mean (the EMA is still empty)
            b = finite.mean().item() if len(finite) else 0.0
        else:
            b = self.baseline.value  # b from *earlier* children only: keeps the estimate unbiased
        s = self.controller(tokens=tokens)  # teacher-forced: log p of the sampled tokens, with grad
        loss = reinforce_loss(s.log_prob, R, b, entropy=s.entropy, entropy_weight=self.cfg.entropy_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        for r in R.tolist():
            self.baseline.update(r)  # after the step: NaN rewards are recorded, never averaged in
        rec = {"update": len(self.history), "reward": finite.mean().item() if len(finite) else float("nan"),
               "baseline": b, "advantage": (finite - b).mean().item() if len(finite) else 0.0,
               "entropy": s.entropy.mean().item(), "loss": loss.item(), "n_nan": len(R) - len(finite)}
        if self.cfg.record_favourite:
            rec["favourite"], rec["probs"] = self.controller.favourite()
        self.history.append(rec)
        self.buffer = []
        self.seconds += time.perf_counter() - t0
        return rec
