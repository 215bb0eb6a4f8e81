"""Check for notebook 00's exercise 3: one epoch of mini-batch training, written by hand.

`check_train_one_epoch(fn)`: `fn(model, opt, X, y, batch_size, g)` runs one epoch of mini-batch SGD,

    perm = randperm(N, generator=g);  for each consecutive batch B of perm (the last may be smaller):
        L_B(w) = 1/|B| sum_{i in B} CE(model_w(x_i), y_i);   g_B = dL_B/dw;   w <- opt.step(w, g_B)

(PyTorch's SGD with momentum mu: b <- mu b + g_B, w <- w - lr b; Polyak 1964, Sutskever et al. 2013, eq. 1-2),
and returns the mean of the |perm / batch_size| batch losses. Oracle: naslab's own `naslab.train.train`
(one epoch, SGD, the same seed) run inside the check on a copy of the same model; after the epoch every
parameter must agree to 1e-6 and the returned mean must be the mean of naslab's per-update losses. The
answer runs under `call_student(forbid=("naslab.train",))`, so calling naslab's loop or its `batch_order` is
refused. The model is a small MLP with batch norm, handed over in eval mode, so a loop that never calls
`model.train()` trains a different function.

Slips are named from what the answer's loop did, watched by a spy model (the inputs of each forward pass,
the training flag, the gradient reaching the logits) and a spy optimiser (zero_grad calls, whether a
gradient was there at each step): eval mode, step before backward, gradients never cleared, no shuffling or
another order, a dropped last batch, a summed loss; the returned value: the last batch's loss, their sum.

Taught in: notebooks/00_welcome.ipynb (§ Exercises, exercise 3); the loop is the inner loop of naslab.train.
"""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.train import TrainConfig, batch_order, train

LR, MOMENTUM, N, D, CLASSES = 0.1, 0.9, 200, 12, 4
CASES = ((0, 32), (5, 50))  # (seed, batch_size): 7 batches, the last of 8 samples; 4 full batches
SIGNATURE = "train_one_epoch(model, opt, X, y, batch_size, g)"


class _SpyModel(nn.Module):
    """The model the answer trains: records every forward pass and every zero_grad call."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net, self.seen, self.zeroed, self.dlogits, self.hooked = net, [], 0, None, False

    def forward(self, x):
        out = self.net(x)  # (B, CLASSES) logits
        self.seen.append((x.detach().clone(), self.training))
        if out.requires_grad and not self.hooked:  # the first batch's d loss / d logits
            self.hooked, logits = True, out.detach().clone()
            out.register_hook(lambda grad: setattr(self, "dlogits", (logits, grad.detach().clone())))
        return out

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.zeroed += 1
        super().zero_grad(set_to_none)


class _SpySGD(torch.optim.SGD):
    """naslab's optimiser (SGD with momentum, as `make_optimizer` builds it) that records its calls."""

    def __init__(self, params):
        super().__init__(params, lr=LR, momentum=MOMENTUM, weight_decay=0.0)
        self.zeroed, self.had_grad = 0, []

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.zeroed += 1
        super().zero_grad(set_to_none)

    def step(self, closure=None):
        ps = [p for group in self.param_groups for p in group["params"]]
        self.had_grad.append(any(p.grad is not None and bool(p.grad.any()) for p in ps))
        return super().step(closure)


def _case(seed: int, batch_size: int):
    """Random data and a batch-norm MLP (batch norm: training and eval mode compute different things)."""
    g = torch.Generator().manual_seed(100 + seed)
    X, y = torch.randn(N, 1, D, generator=g), torch.randint(0, CLASSES, (N,), generator=g)
    data = SimpleNamespace(name="random", X_train=X, y_train=y, X_val=X[:40], y_val=y[:40], num_classes=CLASSES)
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Flatten(), nn.Linear(D, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, CLASSES))
    return data, net


def _order_slip(xs: list[torch.Tensor], X: torch.Tensor, order: list[torch.Tensor], bs: int) -> str | None:
    """How the training-mode forward inputs `xs` differ from naslab's batches `order` of X, or None."""
    n = len(X)
    if len(xs) == len(order) - 1 and len(order[-1]) < bs:
        return (f"{len(xs)} batches for {n} samples: the last, smaller batch ({len(order[-1])} samples) is missing; "
                "an epoch uses every sample once")
    if len(xs) != len(order):
        return (f"{len(xs)} forward passes in training mode, but one epoch of {n} samples in batches of {bs} is "
                f"{len(order)} batches (consecutive pieces of one permutation, the last may be smaller)")
    if xs and torch.equal(xs[0], X[:bs]):
        return (f"no shuffling: the first batch is the first {bs} training samples in the data's order; "
                "draw the order with torch.randperm(len(y), generator=g)")
    k = next((k for k, (x, b) in enumerate(zip(xs, order)) if not torch.equal(x, X[b])), None)
    if k is not None:
        return (f"wrong order: batch {k} is not piece {k} of torch.randperm(len(y), generator=g) cut into "
                f"batches of {bs}; draw one permutation per epoch with the given generator g (not the global "
                "random state) and take its pieces in order")
    return None


def _loss_slip(dlogits) -> str | None:
    """A summed loss, seen in d loss / d logits of the first batch: (softmax - one-hot) / B for the mean."""
    if dlogits is None:
        return "no gradient reached the model's outputs: call loss.backward() on the loss of each batch"
    logits, grad = dlogits
    p, off = torch.softmax(logits, 1), grad > 0  # off the label the mean's gradient is p / B, the sum's p
    scale = float((p[off] / grad[off]).median()) if off.any() else float("nan")
    if math.isfinite(scale) and abs(scale - 1) < 1e-3 and len(logits) > 1:
        return (f"the loss is summed over the batch (reduction='sum'): it and its gradient are {len(logits)} times "
                "the mean's, so every step is that much too large; use the mean (F.cross_entropy's default)")
    return None


def _slip(spy: _SpyModel, opt: _SpySGD, X, order, bs: int, diff: float) -> str:
    """Name the slip of a loop whose weights differ from naslab's after one epoch."""
    if not spy.seen:
        return "your loop never called the model: compute model(X[idx]) for each batch"
    if not spy.seen[0][1]:
        return ("the model stayed in eval mode (model.training was False in the forward passes): call "
                "model.train() first; batch norm and dropout behave differently in training")
    if not opt.had_grad:
        return "opt.step() was never called: one step per batch, after loss.backward()"
    if not opt.had_grad[0]:
        return ("opt.step() found no gradient at the first batch: the step came before loss.backward() (or "
                "zero_grad() sat between backward and step); the order is zero_grad, backward, step")
    if opt.zeroed + spy.zeroed < len(opt.had_grad):
        return (f"gradients accumulate: zero_grad() ran {opt.zeroed + spy.zeroed} times for {len(opt.had_grad)} steps, "
                "so each step used the sum of all gradients so far; call opt.zero_grad() once per batch")
    xs = [x for x, training in spy.seen if training]
    return (_order_slip(xs, X, order, bs) or _loss_slip(spy.dlogits)
            or f"after one epoch your weights differ from naslab's loop on the same seed by up to {diff:.3g}")


def _mean_slip(got: float, losses: list[float]) -> str | None:
    """How the returned number differs from the mean of the per-batch losses, or None."""
    def near(a, b):
        return abs(a - b) <= 1e-5 * max(1.0, abs(b))

    want = float(np.mean(losses))
    if near(got, want):
        return None
    for value, what in ((losses[-1], "the last batch's loss"), (float(np.sum(losses)), "the sum of the batch "
                        "losses"), (losses[0], "the first batch's loss")):
        if near(got, value):
            return f"you returned {got:.6f}, {what}; return the mean over the {len(losses)} batches, {want:.6f}"
    return f"you returned {got:.6f}, the mean of the {len(losses)} batch losses is {want:.6f}"


@graded("Exercise 3 (one epoch by hand)")
def check_train_one_epoch(fn) -> str:
    """`fn(model, opt, X, y, batch_size, g)` must train as naslab's `train` does for one epoch, same seed."""
    if not callable(fn) or isinstance(fn, nn.Module):
        raise TypeError(f"check_train_one_epoch takes your function {SIGNATURE}, got {describe(fn)}")
    for seed, bs in CASES:
        data, net0 = _case(seed, bs)
        ref = copy.deepcopy(net0)
        res = train(ref, data, TrainConfig(optimizer="sgd", lr=LR, momentum=MOMENTUM, batch_size=bs, epochs=1,
                                           seed=seed, device="cpu"))
        spy = _SpyModel(copy.deepcopy(net0)).eval()  # handed over in eval mode, as after an evaluation
        opt = _SpySGD(spy.parameters())
        what = f"a batch-norm MLP, {N} samples, batch_size={bs}, g seeded {seed}"
        out = call_student(fn, spy, opt, data.X_train.clone(), data.y_train.clone(), bs,
                           torch.Generator().manual_seed(seed), what=what,
                           forbid=("naslab.train",))
        diff = max((p - q).abs().max().item() for p, q in zip(spy.net.parameters(), ref.parameters()))
        if not diff <= 1e-6:  # NaN too
            fail(f"{_slip(spy, opt, data.X_train, batch_order(N, bs, 1, seed), bs, diff)} (input: {what})")
        if isinstance(out, torch.Tensor) and out.numel() == 1:
            out = out.item()
        expect(out is not None, "train_one_epoch returned None: return the mean of the per-batch losses")
        got = f"a {type(out).__name__} of {len(out)} values" if isinstance(out, (list, tuple)) else describe(out)
        expect(isinstance(out, (float, int, np.floating)) and not isinstance(out, bool),
               f"train_one_epoch returned {got}: return one number, the mean of the per-batch losses, not a list "
               "or tensor of them (wrong shape)")
        slip = _mean_slip(float(out), res.train_loss)
        expect(slip is None, f"{slip} (input: {what})")
    return (f"✓ train_one_epoch matches naslab's train on {len(CASES)} seeds: same weights after the epoch "
            "(to 1e-6), same mean loss")
