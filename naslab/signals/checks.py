"""Exercise checks of notebook 07: a zero-cost proxy naslab does not ship (GradSign), and BANANAS's acquisition step.

* `check_gradsign(fn)`: GradSign (Zhang & Jia, ICLR 2022, arXiv:2110.08616) of a net for one batch,

      GradSign = Σ_k | Σ_i sign( ∂ℓ(f(x_i), y_i) / ∂θ_k ) |,       θ = the weights (tensors of dim >= 2),

  with each example's gradient of its own loss taken in one forward pass of the whole batch (BatchNorm on
  the batch's statistics, as every proxy here; the check nets have no BN, so the two readings agree there),

  checked against closed forms: a linear net z = W x has per-example gradient (p_i - e_{y_i}) x_iᵀ, a
  two-layer ReLU net adds δ1 = (W2ᵀ δ2) ⊙ 1[z1 > 0] for the first layer (backprop written out, p = softmax z);
  then the registry's own rules (deterministic, weights untouched, runs on a benchmark cell).
* `check_acquisition(fn)`: `fn(predict, seen, rng, k)` proposes k unseen cells, mutations of the 10 best
  seen ones, ranked by a Thompson draw (or UCB) of an ensemble's predictions: checked by invariants (valid,
  distinct, unseen, near the best), by planted predictions (it must maximise; it must explore where the
  members disagree) and by its rng (same seed -> same cells; another seed -> other cells), never by a
  copy of naslab's `Bananas.propose` (`call_student(..., forbid=("naslab.signals.bananas",))`).

Taught in: notebooks/07_cheap_signals.ipynb (exercises).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from naslab.checking import CheckError, call_student, fail, graded
from naslab.signals.nets import mlp_net
from naslab.signals.registry import validate_proxy

N_OPS, N_EDGES, N_PARENTS = 5, 6, 10


def _sign_sum(grads) -> float:
    """Σ_k |Σ_i sign(g_ik)| for per-example gradients, a list of arrays (B, ...) (the oracle's last step)."""
    return float(sum(np.abs(np.sign(g).sum(0)).sum() for g in grads))


def _linear_case(seed: int):
    """A linear net z = W x (3 classes, 4 inputs), 6 examples, its per-example gradients (p - e_y) xᵀ (B, 3, 4)."""
    rng = np.random.default_rng(seed)
    W, x, y = rng.normal(size=(3, 4)), rng.normal(size=(6, 4)), np.arange(6) % 3
    z = x @ W.T  # (B, 3)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    delta = p - np.eye(3)[y]  # (B, 3): ∂ℓ_i/∂z_i
    return mlp_net([W]), x, y, [delta[:, :, None] * x[:, None, :]], []


def _relu_case(seed: int):
    """A 2-layer ReLU net with biases (5 -> 6 -> 3), 8 examples: weight gradients and bias gradients per example."""
    rng = np.random.default_rng(seed)
    W1, b1, W2, b2 = rng.normal(size=(6, 5)), rng.normal(size=6), rng.normal(size=(3, 6)), rng.normal(size=3)
    x, y = rng.normal(size=(8, 5)), np.arange(8) % 3
    z1 = x @ W1.T + b1  # (B, 6)
    h = np.maximum(z1, 0)
    z2 = h @ W2.T + b2  # (B, 3)
    p = np.exp(z2 - z2.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d2 = p - np.eye(3)[y]  # (B, 3)
    d1 = (d2 @ W2) * (z1 > 0)  # (B, 6): backprop through the ReLU (exact zeros where it is off)
    grads = [d1[:, :, None] * x[:, None, :], d2[:, :, None] * h[:, None, :]]  # ∂W1 (B, 6, 5), ∂W2 (B, 3, 6)
    return mlp_net([W1, W2], [b1, b2]), x, y, grads, [d1, d2]


def _diagnose(got: float, grads, biases, B: int) -> str:
    """The slip that produces `got` instead of GradSign, or '' when none of the usual ones does."""
    want = _sign_sum(grads)
    near = [("the sign of the batch's summed gradient: take the sign of each example's gradient, then sum over "
             "the examples", float(sum(np.abs(np.sign(g.sum(0))).sum() for g in grads))),
            ("|·| inside the sum over examples, which counts every sign whether or not the examples agree: sum "
             "the signs over the examples first, then take |·|", float(sum(np.abs(np.sign(g)).sum() for g in grads))),
            ("no |·|: GradSign adds |Σ_i sign(g_ik)| over the weights k, so disagreeing weights cannot cancel "
             "agreeing ones", float(sum(np.sign(g).sum() for g in grads))),
            ("the gradient values summed, not their signs: use sign(g) of each example's gradient",
             float(sum(np.abs(g.sum(0)).sum() for g in grads))),
            ("the gradient values summed, not their signs (of the mean loss): use sign(g) of each example's "
             "gradient", float(sum(np.abs(g.sum(0)).sum() for g in grads)) / B),
            ("the bias gradients counted too: score only the weights, the tensors of dim >= 2",
             want + _sign_sum(biases) if biases else math.nan),
            ("a score divided by the batch size: GradSign is a sum over the examples, not a mean", want / B),
            ("the negative of GradSign: higher = predicted better, so return it as it is", -want),
            ("sign(0) taken as +1 or -1: a gradient of exactly 0 (a ReLU that is off) has sign 0",
             float(sum(np.abs(np.where(g > 0, 1, -1).sum(0)).sum() for g in grads)))]
    for slip, value in near:
        if math.isfinite(value) and not math.isclose(value, want, rel_tol=1e-9) and \
                math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-9):
            return slip
    return ""


@graded("Exercise 1")
def check_gradsign(fn) -> str:
    """Check `fn(net, x, y) -> float`, GradSign of a `ProxyNet` for the batch (x (B, D), y (B,))."""
    cases = [("a linear net z = Wx", *_linear_case(0)), ("a 2-layer ReLU net with biases", *_relu_case(1)),
             ("a 2-layer ReLU net with biases", *_relu_case(2))]
    for what, net, x, y, grads, biases in cases:
        xt, yt = torch.tensor(x), torch.tensor(y)
        before = {k: v.clone() for k, v in net.params.items()}
        got = call_student(fn, net, xt, yt, what=f"{what}, a batch of {len(x)}")
        if any(not torch.equal(v, net.params[k]) for k, v in before.items()):
            fail(f"on {what} your function changed the weights of the net: a proxy must leave the net as it "
                 "found it (work on copies: v.detach().clone().requires_grad_(True))")
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, (int, float, np.floating, np.integer)):
            fail(f"on {what} you returned {got!r} ({type(got).__name__}); a proxy returns one number (a float)")
        got, want = float(got), _sign_sum(grads)
        if not math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
            slip = _diagnose(got, grads, biases, len(x))
            fail(f"on {what} (batch of {len(x)}) you returned {got:g}, GradSign is {want:g}" +
                 (f": that is {slip}" if slip else ": compute each example's gradient of its own loss, take the "
                  "signs, sum them over the examples, then sum |·| over every weight"))
        twice = call_student(fn, net, torch.cat([xt, xt]), torch.cat([yt, yt]), what=f"{what}, the batch twice")
        if not math.isclose(float(twice), 2 * want, rel_tol=1e-6):
            fail(f"on {what} the same batch twice gave {float(twice):g}, not 2 x {want:g}: every example's gradient "
                 "must be its own (no batch statistics, no averaging)")
    try:
        validate_proxy("my_gradsign", fn)
    except ValueError as e:
        raise CheckError(f"{e} (the registry refuses such a proxy)") from None
    return "✓ GradSign matches the closed form on a linear and two ReLU nets, and the registry accepts it"


# ---- exercise 2: the BANANAS acquisition step -----------------------------------------------------------------


def _seen(seed: int = 0) -> dict:
    """30 told cells: the 10 best share ops (3, 3, 3) on edges 0-2, the 20 others (0, 0, 0) there (never within
    two edges of a best one), so "a mutation of the 10 best" is visible in every proposal."""
    rng, good, bad = np.random.default_rng(seed), {}, {}
    while len(good) < 10:
        good[(3, 3, 3) + tuple(int(o) for o in rng.integers(1, N_OPS, 3))] = 0.8 + 0.01 * len(good)
    while len(bad) < 20:
        bad[(0, 0, 0) + tuple(int(o) for o in rng.integers(N_OPS, size=3))] = 0.3 + 0.01 * len(bad)
    return {**bad, **good}


def _hamming(a, b) -> int:
    return sum(int(u) != int(v) for u, v in zip(a, b))


def _target_predict(target, asked: list):
    """5 members that agree: mean = -Hamming distance to `target` (a planted optimum), no spread. Every cell the
    student scores is recorded in `asked`: the candidates, so the top k by the acquisition is known exactly."""
    def predict(cells):
        cells = [tuple(int(o) for o in c) for c in cells]
        asked.extend(cells)
        d = np.array([-float(_hamming(c, target)) for c in cells])
        return np.tile(d, (5, 1))  # (M, n)
    return predict


def _split_predict(cells_hi_sd):
    """Members agree (mean 0.50, no spread) except on cells whose last edge is in `cells_hi_sd`: mean 0.49, members
    spread ±0.3 there. Ranking by the mean alone never picks those; a Thompson draw or UCB picks many."""
    def predict(cells):
        P = np.full((5, len(cells)), 0.5)
        for j, c in enumerate(cells):
            if int(c[-1]) in cells_hi_sd:
                P[:, j] = 0.49 + 0.3 * np.array([-2, -1, 0, 1, 2]) / 2  # mean 0.49, sd ≈ 0.21
        return P
    return predict


def _propose(fn, predict, seen, seed, k, what):
    out = call_student(fn, predict, dict(seen), np.random.default_rng(seed), k, what=what,
                       forbid=("naslab.signals.bananas",))
    try:
        cells = [tuple(int(o) for o in c) for c in out]
    except (TypeError, ValueError):
        fail(f"you returned {out!r}; return a list of k cells (tuples of {N_EDGES} op indices)")
    return cells


@graded("Exercise 2")
def check_acquisition(fn) -> str:
    """Check `fn(predict, seen, rng, k) -> list of k cells` (BANANAS's acquisition step, Thompson or UCB)."""
    seen, k = _seen(), 10
    best = sorted(seen, key=lambda c: -seen[c])[:N_PARENTS]
    target = (3, 3, 3, 2, 2, 2)
    asked: list = []
    cells = _propose(fn, _target_predict(target, asked), seen, 0, k, "30 told cells, k=10")
    if len(cells) != k:
        fail(f"you returned {len(cells)} cells for k={k}; return exactly k")
    bad = [c for c in cells if len(c) != N_EDGES or not all(0 <= o < N_OPS for o in c)]
    if bad:
        fail(f"you proposed {bad[0]}, not a cell of {N_EDGES} op indices in 0..{N_OPS - 1}")
    if len(set(cells)) < len(cells):
        fail("you proposed the same cell twice: drop duplicate candidates before ranking them")
    again = [c for c in cells if c in seen]
    if again:
        fail(f"you proposed {again[0]}, a cell already evaluated (it is in `seen`): drop seen candidates")
    far = [c for c in cells if min(_hamming(c, b) for b in best) > 2]
    if far:
        near_bad = min(_hamming(far[0], b) for b in seen if b not in best) <= 2
        fail(f"you proposed {far[0]}, which is not a mutation (1 or 2 edges) of one of the {N_PARENTS} best told "
             "cells" + (": it mutates a poor cell, so sort `seen` by score, best first" if near_bad else
                        ": draw the candidates by mutating the best cells, not at random"))
    pool = sorted({-_hamming(c, target) for c in asked}, reverse=True)  # the candidates' predicted values
    value = sorted((-_hamming(c, target) for c in cells), reverse=True)
    if any(c not in asked for c in cells):
        fail(f"you proposed {next(c for c in cells if c not in asked)}, a cell you never passed to predict: score "
             "every candidate with predict(candidates) and propose the best of them")
    scores = sorted((-_hamming(c, target) for c in dict.fromkeys(asked)), reverse=True)
    if value != scores[:k]:
        if value == sorted(scores[-k:], reverse=True) and pool[0] != pool[-1]:
            fail("the members agree here (no spread), so the acquisition is the predicted mean, and you proposed "
                 "the candidates with the *lowest* values: BANANAS takes the *largest* acquisition values")
        fail(f"with agreeing members (no spread) the top {k} candidates by the acquisition have predicted values "
             f"{scores[:k]}, yours have {value}: rank the candidates by the acquisition (a Thompson draw or UCB of "
             "the predictions) and keep the top k")
    explore = [_propose(fn, _split_predict({3, 4}), seen, s, k, f"predictions with spread, rng seed {s}")
               for s in range(3)]
    if all(int(c[-1]) not in (3, 4) for run in explore for c in run):
        fail("where the 5 members disagree (mean 0.49, spread 0.21) against a sure 0.50 elsewhere, you never proposed "
             "the uncertain cells: you ranked by the mean only; draw a ~ N(mean, sd²) per candidate (Thompson) "
             "or use mean + kappa·sd (UCB)")
    if _propose(fn, _split_predict({3, 4}), seen, 0, k, "rng seed 0 again") != explore[0]:
        fail("two calls with rng seed 0 gave different cells: draw every random number from the `rng` you are "
             "given (rng.integers, rng.standard_normal), never from np.random or random")
    if explore[0] == explore[1] == explore[2]:
        fail("three different rng seeds gave the same cells: your mutations and your Thompson draw must use `rng`")
    return (f"✓ {k} distinct unseen mutations of the {N_PARENTS} best cells, ranked up (not down), exploring where "
            "the members disagree, reproducible from rng")


__all__ = ["check_gradsign", "check_acquisition"]
