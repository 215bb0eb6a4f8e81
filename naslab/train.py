"""The training core: one function that trains any classifier and returns a result record.

`train(model, data, cfg)` runs mini-batch SGD (with momentum) or Adam on the training split and
evaluates on the validation split. It

* never raises for a diverging run: when the loss turns NaN/inf, or blows up past
  `blowup * ln(num_classes)` (100x the loss of a uniform guess), it stops early and returns a
  result with `diverged=True`, NaN validation loss and chance accuracy (1 / num_classes);
* is deterministic on the CPU: the data order comes from `batch_order(n, batch_size, epochs, seed)`
  alone, so population training (notebook 01) can reproduce it exactly;
* optionally shows a tqdm progress bar (`progress=True`), off by default and in tests;
* syncs host and device once per epoch: data and indices move once, the losses are read (and checked,
  the record cut at the first bad step) at the epoch's end; a callback or progress bar reads every step.

The model is built by the caller (seed first: `seed_everything(s); model = make_mlp(...)`).

Taught in: notebooks/00_welcome.ipynb; used by every notebook.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import torch
from torch import nn
from torch.nn import functional as F

from naslab.utils import DEVICES, get_device
from naslab.validate import (
    check_batch,
    check_bool,
    check_device,
    check_model_fits,
    check_real,
    check_seed,
    check_train_call,
)

OPTIMIZERS = ("sgd", "adam")


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (tiny CPU defaults)."""

    optimizer: str = "sgd"  # "sgd" (with momentum) or "adam"
    lr: float = 0.1  # learning rate, > 0
    weight_decay: float = 0.0  # L2 penalty coefficient, >= 0 (coupled, as torch's SGD/Adam do it)
    momentum: float = 0.9  # SGD momentum in [0, 1); ignored by Adam
    batch_size: int = 64
    epochs: int = 5
    max_steps: int | None = None  # stop after this many updates (overrides epochs when smaller)
    seed: int = 0  # seeds the data order
    device: str = "auto"  # "auto" picks cuda, then mps, then cpu
    progress: bool = False  # tqdm progress bar
    blowup: float = 100.0  # diverged when loss > blowup * ln(num_classes), or NaN/inf

    def validate(self) -> TrainConfig:
        """Raise ValueError naming the parameter and the allowed values when something is off."""
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.optimizer!r} is unknown; allowed: {list(OPTIMIZERS)}")
        if not (isinstance(self.lr, (int, float)) and not isinstance(self.lr, bool) and 0 < self.lr < math.inf):
            raise ValueError(f"lr={self.lr!r} must be a finite positive number")
        check_real(self.weight_decay, "weight_decay", low=0)
        if not (isinstance(self.momentum, (int, float)) and 0 <= self.momentum < 1):
            raise ValueError(f"momentum={self.momentum!r} must lie in [0, 1)")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size={self.batch_size!r} must be a positive int")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise ValueError(f"epochs={self.epochs!r} must be a positive int")
        if not (isinstance(self.blowup, (int, float)) and not isinstance(self.blowup, bool) and self.blowup > 1):
            raise ValueError(f"blowup={self.blowup!r} must be a number > 1")
        if self.max_steps is not None and (isinstance(self.max_steps, bool) or not isinstance(self.max_steps, int)
                                           or self.max_steps < 1):
            raise ValueError(f"max_steps={self.max_steps!r} must be a positive int or None")
        check_seed(self.seed)
        check_device(self.device, DEVICES)
        check_bool(self.progress, "progress")
        return self


@dataclass
class TrainResult:
    """What one training run produced."""

    val_acc: float
    val_loss: float
    train_loss: list[float] = field(default_factory=list)  # one value per update
    val_acc_curve: list[float] = field(default_factory=list)  # one value per epoch
    steps: int = 0
    seconds: float = 0.0
    diverged: bool = False

    @property
    def metrics(self) -> dict:
        """The scalar metrics, as a Trial stores them."""
        return {"val_acc": self.val_acc, "val_loss": self.val_loss, "steps": self.steps,
                "diverged": self.diverged}


def batch_order(n: int, batch_size: int, epochs: int, seed: int, max_steps: int | None = None) -> list[torch.Tensor]:
    """The index batches of a whole run: a fresh seeded permutation of range(n) per epoch.

    Only the epochs needed for `max_steps` updates are drawn (so `epochs=10**6, max_steps=100`
    is cheap), and the list is cut at `max_steps`.

    Returns a list of int64 tensors, each of at most `batch_size` indices (the last of each epoch
    may be smaller).
    """
    g = torch.Generator().manual_seed(int(seed))
    if max_steps is not None:
        epochs = min(epochs, math.ceil(max_steps / math.ceil(n / batch_size)))
    batches: list[torch.Tensor] = []
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        batches.extend(perm.split(batch_size))
    return batches if max_steps is None else batches[:max_steps]


def batches_on(batches: list[torch.Tensor], device) -> list[torch.Tensor]:
    """The index batches as views of one tensor on `device`: one host-to-device copy per run, not one per step."""
    if not batches:
        return []
    return list(torch.cat(batches).to(device).split([len(b) for b in batches]))


def losses_of(pending: list[torch.Tensor]) -> list[float]:
    """Python floats of 0-dim loss tensors, read from the device at once (the values of `.item()` on each)."""
    return torch.stack(pending).tolist() if pending else []


def _healthy(loss: float, max_loss: float) -> bool:
    """A training loss that is finite and at most `max_loss` (else the run has diverged)."""
    return math.isfinite(loss) and loss <= max_loss


def make_optimizer(params, cfg: TrainConfig) -> torch.optim.Optimizer:
    """SGD with momentum, or Adam, with the config's lr and weight decay."""
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, batch_size: int = 1024) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of `model` on (X, y), in eval mode.

    Returns (loss, acc); a model that outputs NaN gets loss NaN and the accuracy of its argmax.
    """
    check_batch(model, X, y, batch_size)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total_loss, correct = 0.0, 0
    for i in range(0, len(y), batch_size):
        xb, yb = X[i:i + batch_size].to(device), y[i:i + batch_size].to(device)
        logits = model(xb)  # (B, num_classes)
        total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
    model.train(was_training)
    return total_loss / len(y), correct / len(y)


def train(
    model: nn.Module,
    data,
    cfg: TrainConfig | None = None,
    *,
    callback: Callable[[int, float], None] | None = None,
    **overrides,
) -> TrainResult:
    """Train `model` on `data.X_train, data.y_train`; evaluate on the validation split.

    Args:
        model: a classifier mapping (B, *input_shape) to (B, num_classes) logits.
        data: a `naslab.data.Dataset` (or anything with X_train, y_train, X_val, y_val, num_classes).
        cfg: a TrainConfig; keyword `overrides` replace its fields (`train(m, d, lr=0.01)`).
        callback: called as `callback(step, loss)` after each update (for live plots).

    Returns:
        a TrainResult. A run whose loss turns NaN/inf stops with `diverged=True` (its record ends at the
        first bad step; the losses are read from the device once per epoch, or every step with a callback),
        `val_loss=nan` and `val_acc = 1/num_classes` (chance).

    Raises:
        ValueError: a bad hyper-parameter, naming it and the allowed values.
    """
    check_train_call(model, data, cfg, overrides, callback, TrainConfig)
    cfg = replace(cfg or TrainConfig(), **overrides).validate()
    device = get_device(cfg.device)
    model.to(device)
    check_model_fits(model, data, device)
    model.train()
    opt = make_optimizer(model.parameters(), cfg)
    X, y = data.X_train, data.y_train
    batches = batch_order(len(y), cfg.batch_size, cfg.epochs, cfg.seed, max_steps=cfg.max_steps)
    per_epoch = math.ceil(len(y) / cfg.batch_size)
    result = TrainResult(val_acc=float("nan"), val_loss=float("nan"))
    max_loss = cfg.blowup * math.log(data.num_classes)  # ln C = cross-entropy of a uniform guess
    bar = None
    if cfg.progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(batches), desc="train", leave=False)
    t0 = time.perf_counter()
    eager = callback is not None or bar is not None  # they read every step's loss: one host sync per step
    X, y = data.X_train.to(device), data.y_train.to(device)  # the data moves once, the indices once (below)
    pending: list[torch.Tensor] = []  # this epoch's losses, on the device until the epoch ends
    for step, idx in enumerate(batches_on(batches, device), start=1):
        loss = F.cross_entropy(model(X[idx]), y[idx])  # mean over the batch
        if eager and not _healthy(loss.item(), max_loss):  # divergence is a result, not a crash
            result.train_loss += losses_of(pending) + [float("nan")]
            result.steps, result.diverged = step - 1, True
            break
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        pending.append(loss.detach())
        if callback is not None:
            callback(step, loss.item())
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        if step % per_epoch == 0 or step == len(batches):
            values, pending = losses_of(pending), []  # one read per epoch
            bad = next((k for k, v in enumerate(values) if not _healthy(v, max_loss)), None)
            if bad is not None:  # the run as if it had stopped before step `bad` (its later updates are moot)
                result.train_loss += values[:bad] + [float("nan")]
                result.steps, result.diverged = step - len(values) + bad, True
                break
            result.train_loss += values
            result.steps = step
            result.val_loss, result.val_acc = evaluate(model, data.X_val, data.y_val)
            result.val_acc_curve.append(result.val_acc)
    if bar is not None:
        bar.close()
    if result.diverged or not math.isfinite(result.val_loss):
        result.diverged = True
        result.val_loss, result.val_acc = float("nan"), 1.0 / data.num_classes
    result.seconds = time.perf_counter() - t0
    return result
