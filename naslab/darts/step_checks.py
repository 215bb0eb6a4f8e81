"""Checks for the two "build it, then use it" exercises of notebook 05; contract in `naslab.checking`.

* `check_mixed_op(fn)`: `fn(x, alpha, edge, ops)` is the forward of one mixed edge (DARTS eq. 2),
  ō(x) = Σ_o softmax(α[edge])_o · o(x), with α of shape (n_edges, n_ops). Oracle: the edge of a shipped
  `SearchNetwork` holding the same α (its value and the gradient it sends to α, by autograd).
* `check_darts_step(fn)`: `fn(net, train_batch, val_batch, w_opt, alpha_opt)` is one first-order step of
  DARTS's Algorithm 1 in the ICLR order: α by Adam on ∇_α L_val(w, α), then w by SGD on ∇_w L_train(w, α).
  Oracle: naslab's own step (`naslab.darts.search.search_step`, gradient clipping off) on the same seed,
  two steps, every parameter within `ATOL`.

Neither check holds the formula the student writes: the right answer comes from the shipped supernet and
search step, which the student's function may not call (`call_student(..., forbid=...)`). The wrong answers
they name (each one held by tests/darts/test_step_checks.py) come from the same shipped code run with the
slip's arguments (the other step order, the other half of the data), or from a one-loss step.

Taught in: notebooks/05_darts.ipynb (§1 exercise 1, §3 exercise 2).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.darts.architect import Architect
from naslab.darts.search import search_step
from naslab.darts.supernet import SearchNetwork

__all__ = ["check_mixed_op", "check_darts_step", "ATOL"]

ATOL = 1e-5  # float32: the same operations in another order agree to about 1e-7
FORBID_MIXED = ("naslab.darts.supernet",)  # MixedOp and its weighted sum
FORBID_STEP = ("naslab.darts.search", "naslab.darts.step", "naslab.darts.architect")  # naslab's step and Architect


def _callable(fn, what: str) -> None:
    if not callable(fn):
        raise TypeError(f"pass your function {what} itself (a callable), got {describe(fn)}")


def _net(seed: int) -> SearchNetwork:
    torch.manual_seed(seed)  # α is random (not the paper's zeros) so that every slip changes the numbers
    return SearchNetwork((1, 16), 3, C=4, layers=3, steps=2, alpha_init_std=1.0)


# ---- exercise 1: the mixed operation ----------------------------------------------------------------------------

MIXED_SLIPS = {  # name of the slip -> the weights that slip uses instead of softmax(α[edge]), (n_ops,)
    "no softmax: you weighted the ops by the raw α; take softmax(α[edge]) first": lambda a, e: a[e],
    "softmax over the wrong axis (over the edges, dim=0); each edge's weights are a softmax over its ops "
    "(the last axis)": lambda a, e: torch.softmax(a, 0)[e],
    "softmax over the whole α matrix; take it per edge, over the ops (the last axis)":
        lambda a, e: torch.softmax(a.flatten(), 0).view_as(a)[e],
    "argmax instead of softmax (a one-hot pick): the mixture weights every op by softmax(α)":
        lambda a, e: F.one_hot(a[e].argmax(), a.shape[1]).to(a.dtype),
    "the ops are not weighted (a plain sum); multiply each op's output by its softmax weight":
        lambda a, e: torch.ones(a.shape[1]),
    "the mean of the ops (equal weights); weight each op by softmax(α[edge])":
        lambda a, e: torch.full((a.shape[1],), 1.0 / a.shape[1]),
}
for _r in range(5):  # the other rows of a 2-node cell's α
    MIXED_SLIPS[f"the wrong row of α (row {_r}): edge `edge` uses α[edge]"] = lambda a, e, r=_r: torch.softmax(a, -1)[r]


@graded("Exercise 1 (mixed operation)")
def check_mixed_op(fn) -> str:
    """`fn(x, alpha, edge, ops)` -> the mixed edge's output, like the supernet's edge with the same α."""
    _callable(fn, "my_mixed_op")
    net = _net(0)
    cell = net.cells[0]  # a normal cell: its edges are stride-1 mixed operations
    for trial, edge in enumerate((0, 3, 4)):
        torch.manual_seed(10 + trial)
        with torch.no_grad():
            net.alpha_normal.copy_(2.0 * torch.randn_like(net.alpha_normal))
        x = torch.randn(3, 4, 16)
        mixed = cell.edges[edge]
        with torch.no_grad():
            want = mixed(x, net.arch_weights()["normal"][edge])  # the supernet's own edge: the oracle
        alpha = net.alpha_normal.detach().clone().requires_grad_()
        got = call_student(fn, x, alpha, edge, mixed.ops, forbid=FORBID_MIXED, name="my_mixed_op",
                           what=f"x {tuple(x.shape)}, alpha {tuple(alpha.shape)}, edge={edge}, ops ({len(mixed.ops)})")
        expect(isinstance(got, torch.Tensor), f"my_mixed_op returned {describe(got)}, not a tensor")
        expect(got.shape == want.shape, f"edge {edge}: output shape {tuple(got.shape)}, expected {tuple(want.shape)} "
               "(the mixed edge keeps the shape of each op's output: sum the weighted outputs, do not stack them)")
        if not torch.allclose(got, want, atol=ATOL):
            for slip, weights in MIXED_SLIPS.items():
                with torch.no_grad():
                    if f"(row {edge})" in slip:
                        continue
                    if torch.allclose(got, mixed(x, weights(net.alpha_normal.detach(), edge)), atol=ATOL):
                        fail(f"edge {edge}: {slip}")
            err = float((got.detach() - want).abs().max())
            fail(f"edge {edge}: max |yours − expected| = {err:.3g}; the mixed edge is "
                 "Σ_o softmax(α[edge])_o · o(x) over every op of `ops`")
        # invariant: the output depends on row `edge` of α and on no other row (autograd)
        grad = torch.autograd.grad(got.square().sum(), alpha, allow_unused=True)[0] if got.requires_grad else None
        expect(grad is not None and grad[edge].abs().sum() > 0, f"edge {edge}: the right values, but no gradient "
               "reaches α (a detached weight, .item() or .tolist()?): the search learns α through this sum")
        others = torch.cat([grad[:edge], grad[edge + 1:]])
        expect(not others.abs().sum() > 0, f"edge {edge}: the gradient also reaches other rows of α than α[edge]")
    return "✓ your mixed edge equals the supernet's edge (values and the gradient to α, three edges)"


# ---- exercise 2: one first-order DARTS step ---------------------------------------------------------------------

def _optimisers(net):
    w_opt = torch.optim.SGD(net.weights(), lr=0.05, momentum=0.9, weight_decay=3e-4)
    alpha_kw = dict(alpha_lr=0.05, alpha_betas=(0.5, 0.999), alpha_weight_decay=1e-3)
    return w_opt, alpha_kw


def _adam(net, kw: dict):
    return torch.optim.Adam(net.alphas(), lr=kw["alpha_lr"], betas=kw["alpha_betas"],
                            weight_decay=kw["alpha_weight_decay"])


def _batches(seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(64, 1, 16, generator=g), torch.randint(0, 3, (64,), generator=g)
    return [((X[i:i + 16], y[i:i + 16]), (X[i + 16:i + 32], y[i + 16:i + 32])) for i in (0, 32)]  # 2 steps


def _state(net) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.alphas() + net.weights()]


def _naslab_run(**how) -> list[list[torch.Tensor]]:
    """naslab's step (or the slip `how` names) for two steps: (α, w) after each."""
    net = _net(0)
    w_opt, kw = _optimisers(net)
    arch = Architect(net, order="first", **kw)
    out = []
    for train, val in _batches():
        bw, ba = {"train": train, "val": val}[how.get("w_on", "train")], {"train": train, "val": val}[
            how.get("alpha_on", "val")]
        search_step(net, arch, w_opt, bw, ba, xi=0.0, grad_clip=float("inf"),
                    step_order=how.get("order", "alpha_first"))
        out.append(_state(net))
    return out


def _one_loss_run(which: str) -> list[list[torch.Tensor]]:
    """The slip "both optimisers stepped on one loss": zero both, backward `which`, step α and w."""
    net = _net(0)
    w_opt, kw = _optimisers(net)
    a_opt = _adam(net, kw)
    out = []
    for (Xt, yt), (Xv, yv) in _batches():
        w_opt.zero_grad()
        a_opt.zero_grad()
        parts = [F.cross_entropy(net(X), y) for X, y, name in ((Xt, yt, "L_train"), (Xv, yv, "L_val")) if name in which]
        loss = sum(parts[1:], parts[0])
        loss.backward()
        a_opt.step()
        w_opt.step()
        out.append(_state(net))
    return out


STEP_SLIPS = {  # name of the slip -> how naslab's step (or a one-loss step) makes it
    "w stepped before α (the first arXiv version's order); the ICLR paper and its code step α first, then w "
    "against the new α": lambda: _naslab_run(order="w_first"),
    "α stepped on the training batch: α descends ∇α L_val, on the validation batch":
        lambda: _naslab_run(alpha_on="train"),
    "w stepped on the validation batch: w descends ∇w L_train, on the training batch": lambda: _naslab_run(w_on="val"),
    "the two batches swapped (α on training data, w on validation data)":
        lambda: _naslab_run(alpha_on="train", w_on="val"),
    **{f"both optimisers stepped on one loss ({k}): α needs ∇α L_val, then w needs ∇w L_train at the new α, two "
       "backward passes": (lambda k=k: _one_loss_run(k)) for k in ("L_train + L_val", "L_train", "L_val")},
}


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> tuple[bool, bool]:
    """(α agrees, w agrees) within ATOL."""
    close = [torch.allclose(x, y, atol=ATOL) for x, y in zip(a, b)]
    return all(close[:2]), all(close[2:])


@graded("Exercise 2 (a first-order DARTS step)")
def check_darts_step(fn) -> str:
    """`fn(net, train_batch, val_batch, w_opt, alpha_opt)` = naslab's first-order step, α first, two steps."""
    _callable(fn, "my_darts_step")
    want = _naslab_run()
    net = _net(0)
    w_opt, kw = _optimisers(net)
    a_opt = _adam(net, kw)
    got = []
    for train, val in _batches():
        call_student(fn, net, train, val, w_opt, a_opt, forbid=FORBID_STEP, name="my_darts_step",
                     what="a SearchNetwork (3 cells, 2 nodes), a training and a validation batch of 16 signals, "
                          "SGD for w, Adam for α")
        got.append(_state(net))
    ok = [_same(g, w) for g, w in zip(got, want)]
    if all(a and w for a, w in ok):
        return "✓ your step equals naslab's first-order step (α then w), two steps, every parameter within 1e-5"
    if all(torch.equal(x, y) for x, y in zip(got[0], _state(_net(0)))):
        fail("your step changed nothing: call alpha_opt.step() and w_opt.step(), each after its backward")
    for slip, run in STEP_SLIPS.items():
        if all(all(_same(g, s)) for g, s in zip(got, run())):
            fail(slip)
    (a1, w1), (a2, _) = ok
    if a1 and w1 and not a2:
        fail("step 1 matches, but α differs after step 2: gradients not zeroed: the previous step's "
             "L_train.backward() left a gradient on α; zero α's gradients (alpha_opt.zero_grad()) before L_val's "
             "backward")
    if a1 and not w1:
        fail("α is right after step 1 but w is not: gradients not zeroed between the two updates? L_val.backward() "
             "also leaves a gradient on w; zero w's gradients (w_opt.zero_grad()) before L_train's backward")
    fail(f"α {'matches' if a1 else 'differs'} and w {'matches' if w1 else 'differs'} after step 1 (naslab's step: α by "
         "Adam on ∇α L_val(w, α) on the validation batch, then w by SGD on ∇w L_train(w, α) on the training batch, "
         "zeroing gradients before each backward)")
