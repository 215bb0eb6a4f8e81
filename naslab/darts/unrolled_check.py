"""Check for notebook 05's exercise 6: DARTS's second-order architecture gradient, written on a network.

DARTS (Liu, Simonyan & Yang, ICLR 2019, §2.3): the virtual step w' of eq. (6), the gradient of eq. (7) and the
finite-difference Hessian-vector product of eq. (8) with ε = 0.01 / ‖v‖, as `naslab.darts.architect` implements
them. `check_unrolled_grad(fn)` calls `fn(net, train_batch, val_batch, xi)` on a tiny supernet (float64, so two
implementations of the same finite difference agree to ~1e-12) and compares what it returns, one tensor per
alpha tensor, with naslab's own second-order `Architect` run on a deep copy with the same batches (relative error
< `RTOL`). The net's weights and α must come back unchanged. The answer may not call `naslab.darts.architect`
(`call_student`'s forbid).

The check holds no formula of its own: the slips it names come from the shipped code, either the pieces that
`naslab.darts.architect.unrolled_terms` returns combined the slip's way (ξ sign, ξ twice, the first term alone) or
the shipped functions run with the slip's arguments (ε = 0.01, the training batch in place of the validation
batch, the probes around w' or on L_val, the virtual step with −ξ). Each slip is held by
tests/darts/test_unrolled_check.py.

Taught in: notebooks/05_darts.ipynb (§ Exercises, exercise 6).
"""

from __future__ import annotations

import copy

import torch

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.darts.architect import Architect, hvp_finite_difference, network_loss, norm, unrolled_terms
from naslab.darts.supernet import SearchNetwork

__all__ = ["check_unrolled_grad", "RTOL", "XI"]

RTOL = 1e-4  # relative error allowed against naslab (float64: the same finite difference agrees to ~1e-12)
XI = 0.05  # the virtual step's ξ: its correction is ~0.5-1 times the first term on this net, so every slip shows
RESTORE_ATOL = 1e-10  # "restore w exactly": a copy put back is exact; subtracting the steps again is within 1e-15
FORBID = ("naslab.darts.architect",)  # Architect, unrolled_alpha_grad, hvp_finite_difference, network_loss


def _net_and_batches(seed: int = 0):
    """A 3-cell supernet with one node per cell (float64, random α) and two batches of 8 signals."""
    torch.manual_seed(seed)
    net = SearchNetwork((1, 16), 3, C=2, layers=3, steps=1, alpha_init_std=1.0).double()
    g = torch.Generator().manual_seed(seed + 1)
    X, y = torch.randn(16, 1, 16, generator=g, dtype=torch.float64), torch.randint(0, 3, (16,), generator=g)
    return net, (X[:8], y[:8]), (X[8:], y[8:])


def _rel(a, b) -> float:
    return float(norm([x - y for x, y in zip(a, b)]) / norm(b))


def _slips(net, train, val, xi: float) -> dict:
    """name of the slip -> a function giving the gradient that slip returns (computed only when the answer is wrong)."""
    L_t, L_v = network_loss(net, *train), network_loss(net, *val)
    w, alpha = net.weights(), net.alphas()
    t = unrolled_terms(L_t, L_v, w, alpha, xi=xi)  # the right pieces: d_alpha, hvp, v, w_prime

    def combined(**kw):  # naslab's eq. (7) with the slip's arguments
        s = unrolled_terms(kw.pop("train_loss", L_t), kw.pop("val_loss", L_v), w, alpha, xi=kw.pop("xi", xi), **kw)
        return [d - xi * h for d, h in zip(s["d_alpha"], s["hvp"])]

    def with_hvp(hvp):
        return [d - xi * h for d, h in zip(t["d_alpha"], hvp)]
    return {
        "a sign error: you added ξ · HVP; eq. 7 subtracts it": lambda: [d + xi * h for d, h in zip(t["d_alpha"],
                                                                                                  t["hvp"])],
        "ξ applied twice (ξ² · HVP): multiply the Hessian-vector product by ξ once":
            lambda: [d - xi * xi * h for d, h in zip(t["d_alpha"], t["hvp"])],
        "only the first term ∇α L_val(w', α): subtract ξ times the finite-difference Hessian-vector product (eq. 7)":
            lambda: t["d_alpha"],
        "the first-order gradient ∇α L_val(w, α) (no virtual step, no correction): take w' = w − ξ ∇w L_train first":
            lambda: Architect(net, order="first").alpha_grad(*train, *val)[0],
        "a sign error in the virtual step (w' = w + ξ ∇w L_train): step downhill, w' = w − ξ ∇w L_train":
            lambda: combined(xi=-xi),
        "ε = 0.01 is not divided by ‖v‖: use ε = 0.01 / ‖v‖": lambda: combined(r=0.01 * float(norm(t["v"]))),
        "the training loss used for ∇α L_val(w', α) and v: both come from the validation batch at w'":
            lambda: combined(val_loss=L_t),
        "the finite difference taken on L_val: eq. 8 probes ∇α L_train at w ± εv":
            lambda: with_hvp(hvp_finite_difference(L_v, w, alpha, t["v"])),
        "the finite difference taken around w' (w' ± εv): eq. 8 probes around the original w; go back to w first":
            lambda: with_hvp(hvp_finite_difference(L_t, t["w_prime"], alpha, t["v"])),
    }


@graded("Exercise 6 (second-order architecture gradient)")
def check_unrolled_grad(fn) -> str:
    """`fn(net, train_batch, val_batch, xi)` -> [grad for alpha_normal, grad for alpha_reduce], eq. (7) with the
    finite difference of eq. (8), leaving the net's weights as they were; compared with naslab's `Architect`."""
    if not callable(fn):
        raise TypeError(f"pass your function my_unrolled_grad itself (a callable), got {describe(fn)}")
    net, train, val = _net_and_batches()
    ref = copy.deepcopy(net)
    want, _ = Architect(ref, order="second").alpha_grad(*train, *val, xi=XI)  # naslab's own step, on the copy
    before = [p.detach().clone() for p in net.weights() + net.alphas()]  # w, then [alpha_normal, alpha_reduce]
    got = call_student(fn, net, train, val, XI, forbid=FORBID, name="my_unrolled_grad",
                       what=f"a SearchNetwork (3 cells, 1 node, float64), a training and a validation batch of 8 "
                            f"signals, xi={XI}")
    shapes = [tuple(a.shape) for a in net.alphas()]
    if isinstance(got, torch.Tensor):
        fail(f"return a list with one tensor per alpha tensor (alpha_normal, alpha_reduce: {shapes}), got a single "
             f"{describe(got)} (wrong shape)")
    expect(isinstance(got, (list, tuple)) and len(got) == 2 and all(
        isinstance(g, torch.Tensor) and tuple(g.shape) == s for g, s in zip(got, shapes)),
        f"return a list with one tensor per alpha tensor, shaped {shapes}; got {describe(got)} (a gradient with "
        "respect to w instead of α? wrong shape)")
    got = [g.detach().to(torch.float64) for g in got]
    expect(all(bool(torch.isfinite(g).all()) for g in got), "your gradient has NaN or inf entries")
    err = _rel(got, want)
    if err >= RTOL:
        for slip, run in _slips(ref, train, val, XI).items():
            if _rel(got, run()) < RTOL:
                fail(f"relative error {err:.3g} against naslab's second-order gradient: {slip}")
        fail(f"relative error {err:.3g} against naslab's second-order gradient (ξ = {XI}). Eq. 7: "
             "∇α L_val(w', α) − ξ (∇α L_train(w⁺, α) − ∇α L_train(w⁻, α)) / (2ε), with w' = w − ξ ∇w L_train(w, α), "
             "v = ∇w' L_val(w', α), w± = w ± εv around the original w, ε = 0.01 / ‖v‖")
    after = [p.detach() for p in net.weights() + net.alphas()]
    moved = [float((p - q).abs().max()) for p, q in zip(after, before)]
    expect(max(moved[-2:]) == 0, f"the right gradient, but your function changed α (max |Δ| = {max(moved[-2:]):.3g}): "
           "the architecture gradient only reads α; do not step it")
    expect(max(moved) <= RESTORE_ATOL, f"the right gradient, but w was not restored: your function left the net's "
           f"weights changed (max |Δ| = {max(moved):.3g}). Keep a copy of w and copy it back at the end (restore w "
           "exactly)")
    return (f"✓ your second-order gradient equals naslab's Architect (relative error {err:.1e}, ξ = {XI}), and w is "
            "restored")
