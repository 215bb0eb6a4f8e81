"""The settings of a DARTS search: one vocabulary for `run_darts` and for DARTS on the cell table.

DARTS (Liu, Simonyan & Yang, ICLR 2019, Alg. 1 and §A.1.1) has two optimisers and one schedule: w by
SGD with momentum, a cosine-annealed learning rate and gradient clipping; α by Adam on a held-out batch,
first order (∇_α L_val(w, α)) or second order (eq. 7, the Hessian-vector product by eq. 8's finite
difference or exactly). `SearchConfig` names every one of those settings once; `naslab.darts.step`
applies them (the order of the α and w updates, the warm-up, the learning rate, the clip) and both
`naslab.darts.search.run_darts` and `naslab.bakeoff.oneshot.darts_on_table` run on it.

Every field is checked when the config is built: a `ValueError` names the bad value and the allowed ones.

Taught in: notebooks/05_darts.ipynb (§ a real search) and notebooks/06_nas_bakeoff.ipynb (§ DARTS against the truth).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from naslab.darts.architect import HVPS, ORDERS
from naslab.darts.ops import PRIMITIVES
from naslab.darts.supernet import validate_primitives
from naslab.utils import DEVICES
from naslab.validate import check_seed

STEP_ORDERS = ("alpha_first", "w_first")  # Alg. 1 as in the ICLR paper, or w first (arXiv v1)
LR_PERIODS = ("epoch", "step")  # the cosine schedule moves once per epoch (DARTS's code) or per step (NAS-Bench-201's)


@dataclass
class SearchConfig:
    """A DARTS search sized for MNIST-1D / digits on a 2-core CPU (paper values in comments)."""

    C: int = 8  # channels of the first cells (paper 16)
    layers: int = 3  # cells (paper 8); reductions at layers // 3 and 2 * layers // 3
    steps: int = 2  # intermediate nodes per cell (paper 4)
    primitives: tuple = PRIMITIVES
    epochs: int = 6  # (paper 50)
    batch_size: int = 64  # per half, as in the paper
    order: str = "first"  # "first" (ξ = 0) or "second" (one-step unroll, eq. 7)
    step_order: str = "alpha_first"  # Alg. 1 as in the paper ("alpha_first") or w first ("w_first")
    xi: float | None = None  # virtual step; None = the current w learning rate (paper footnote)
    w_lr: float = 0.05  # SGD, cosine annealed to w_lr_min (paper 0.025 -> 0, code floor 0.001)
    w_lr_min: float = 0.0
    lr_period: str = "epoch"  # the cosine moves once per "epoch" (DARTS's code) or once per "step" (NB201's)
    w_momentum: float = 0.9
    w_weight_decay: float = 3e-4
    grad_clip: float = 5.0
    alpha_lr: float = 0.05  # Adam (paper 3e-4 over ~20k steps; our ~100-step search needs a larger step)
    alpha_betas: tuple = (0.5, 0.999)  # as in the paper
    alpha_weight_decay: float = 1e-3
    alpha_init_std: float = 0.0  # paper: zeros; official code: 1e-3
    unroll_momentum: bool = False  # paper: plain SGD virtual step; code: with momentum and weight decay
    hvp: str = "finite"  # second order: "finite" difference (eq. 8) or "exact" double backward
    max_skip: int = 1  # the most skips the derived normal cell may keep: DARTS+ stops once it has 2 (of 8)
    early_stop: bool = False  # mitigation: stop when the cap is broken, keep the last cell within it
    warmup_epochs: int = 0  # epochs that train w only, alpha frozen (P-DARTS: 10 of 25; PC-DARTS: 15 of 50)
    seed: int = 0
    device: str = "auto"

    def __post_init__(self) -> None:
        """Clear errors for nonsense before any supernet is built (epochs=0 would return a made-up cell)."""
        for key, low in (("C", 1), ("layers", 1), ("steps", 1), ("epochs", 1), ("batch_size", 1),
                         ("warmup_epochs", 0), ("max_skip", 0)):
            _check_int(key, getattr(self, key), low)
        for key in ("w_lr", "alpha_lr"):
            _check_number(key, getattr(self, key), positive=True)
        for key in ("w_lr_min", "w_weight_decay", "alpha_weight_decay", "grad_clip", "alpha_init_std"):
            _check_number(key, getattr(self, key), positive=False)
        if self.xi is not None:
            _check_number("xi", self.xi, positive=False)
        for key, allowed in (("order", ORDERS), ("step_order", STEP_ORDERS), ("hvp", HVPS),
                             ("lr_period", LR_PERIODS)):
            _check_choice(key, getattr(self, key), allowed)
        check_seed(self.seed)
        if self.warmup_epochs >= self.epochs:  # alpha would never move: the cell of the initial alpha
            raise ValueError(f"warmup_epochs={self.warmup_epochs} must be < epochs={self.epochs}")
        validate_primitives(self.primitives)
        dev = self.device
        if not isinstance(dev, str) or dev.lower().split(":")[0] not in DEVICES:
            raise ValueError(f"device={dev!r} is unknown; allowed: {list(DEVICES)} (or 'cuda:N')")
        betas = self.alpha_betas
        if (not isinstance(betas, (tuple, list)) or len(betas) != 2
                or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas)):
            raise ValueError(f"alpha_betas={betas!r} must be two numbers in [0, 1)")


def _check_int(key: str, v, low: int) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
        raise ValueError(f"{key}={v!r} must be an int >= {low}")


def _check_number(key: str, v, *, positive: bool) -> None:
    bad = isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 < v < math.inf if positive
                                                                        else 0 <= v < math.inf)
    if bad:
        raise ValueError(f"{key}={v!r} must be a finite number {'> 0' if positive else '>= 0'}")


def _check_choice(key: str, v, allowed: tuple) -> None:
    if not isinstance(v, str) or v not in allowed:
        raise ValueError(f"{key}={v!r} is unknown; allowed: {list(allowed)}")


__all__ = ["SearchConfig", "STEP_ORDERS", "LR_PERIODS"]
