"""The controller as an ask/tell searcher (Zoph & Le, ICLR 2017, §3.1-3.2): `ControllerConfig`, `ControllerSearcher`.

`ask()` samples one child from the LSTM `Controller`; every m tells (the child's validation
accuracy, shaped by `REWARDS`) make one REINFORCE update with the EMA baseline:

    loss = -(1/m) Σ_k (R_k - b) · Σ_t log p(a_t^k)  -  β · (1/m) Σ_k H_k

so `naslab.search.run_search` drives it and records `Trial`s.

Taught in: notebooks/02_reinforce_controller.ipynb.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

import torch

from naslab.controller.lstm import Controller
from naslab.controller.reinforce import REWARDS, EMABaseline, reinforce_loss
from naslab.searchers import Searcher
from naslab.validate import check_bool, check_instance, check_int


@dataclass
class ControllerConfig:
    """Hyper-parameters of the controller and its REINFORCE updates (tiny CPU defaults).

    Zoph & Le used lr 6e-4 over ~12,800 children. The defaults (Adam lr 2e-3, entropy bonus
    β = 0.03) keep exploring for a few hundred children (`tools/experiments/controller_exploration.py`):
    on random reward tables the old lr 0.05 / β = 1e-3 locked onto a lesser sequence within a few
    dozen updates; on unstructured tables (issue 21) lr 5e-3 still did in 1 of 5 runs of 100 updates
    before sampling the best sequence, because Adam moves each LSTM weight by ~lr per update and a logit
    sums ~35 of them (a factorised softmax with the same lr moves <= lr). lr 2e-3 finds the best as often
    as a factorised REINFORCE and still learns a structured table (tests/bakeoff/test_searchers.py).
    A short search that must commit within ~10 updates (notebook 02) passes a larger lr.
    `temperature`, `tanh_constant`: ENAS's logit bound (Pham et al. 2018), logits <- c·tanh(logits / T).
    """

    hidden: int = 35  # LSTM units per layer
    num_layers: int = 2
    lr: float = 2e-3  # Adam; 0.05 locks in within ~10-40 updates, 5e-3 within ~100, on unstructured tables
    batch_size: int = 4  # m: children sampled per update
    baseline: bool = True  # subtract the EMA baseline (False: b = 0, plain REINFORCE)
    baseline_decay: float = 0.8  # b <- decay * b + (1 - decay) * R
    entropy_weight: float = 0.03  # β of the entropy bonus (exploration)
    temperature: float | None = None  # ENAS: logits / T (None: off)
    tanh_constant: float | None = None  # ENAS: c·tanh(logits), so |logit| < c (None: off)
    reward: str = "acc"  # a key of REWARDS
    metric: str = "val_acc"  # the Trial metric that becomes the accuracy
    record_favourite: bool = True  # log the greedy sequence and its step distributions per update

    def validate(self) -> ControllerConfig:
        if self.reward not in REWARDS:
            raise ValueError(f"reward={self.reward!r} is unknown; allowed: {list(REWARDS)}")
        for key in ("batch_size", "hidden", "num_layers"):
            check_int(getattr(self, key), key, low=1)
        for key in ("baseline", "record_favourite"):
            check_bool(getattr(self, key), key)
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

    `space` is a `naslab.controller.macro_space.MacroSpace` (configs are {"tokens": [...], "arch": key}) or a list of
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
        check_instance(self.cfg, "cfg", ControllerConfig, hint="e.g. ControllerConfig(lr=0.01)")
        self.cfg = self.cfg.validate()
        if isinstance(self.space, str | dict) or not hasattr(self.space, "num_choices") \
                and not hasattr(self.space, "__iter__"):
            raise TypeError(f"space={self.space!r} must be a MacroSpace or a list of choice counts, e.g. [3, 3]")
        check_int(self.max_trials, "max_trials", low=1, none=True)
        nc = self.space.num_choices if hasattr(self.space, "num_choices") else list(self.space)
        self.controller = Controller(nc, hidden=self.cfg.hidden, num_layers=self.cfg.num_layers, seed=self.seed,
                                     temperature=self.cfg.temperature, tanh_constant=self.cfg.tanh_constant)
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
