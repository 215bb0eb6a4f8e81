"""Notebook 05's exercise 6 check (naslab.darts.unrolled_check): the second-order architecture gradient written on a
network passes; each typical wrong answer is rejected with a message naming the slip (the text is asserted); calling
naslab's Architect is rejected by name; a wrong argument type is the check's own TypeError. Oracle: naslab's
second-order Architect on a deep copy with the same batches."""

import pytest
import torch
from torch.nn import functional as F

from naslab.checking import CheckError
from naslab.darts.architect import Architect
from naslab.darts.unrolled_check import XI, _net_and_batches, check_unrolled_grad


def my_hvp(loss, w, alpha, v, scaled=True):  # exercise 5's answer (ε not divided by ‖v‖ when scaled=False)
    eps = 0.01 / torch.sqrt(sum((t ** 2).sum() for t in v)) if scaled else 0.01
    g_plus = torch.autograd.grad(loss([a + eps * b for a, b in zip(w, v)], alpha), alpha)
    g_minus = torch.autograd.grad(loss([a - eps * b for a, b in zip(w, v)], alpha), alpha)
    return [(gp - gm) / (2 * eps) for gp, gm in zip(g_plus, g_minus)]


def unrolled(sign=-1, xi_power=1, g1_on="val", hvp_on="train", around="w", scaled=True, restore=True,
             first_only=False, step_sign=-1):
    """The notebook's answer, with one slip switched on by an argument (the defaults give the right answer)."""
    def fn(net, train_batch, val_batch, xi):
        batches = {"train": train_batch, "val": val_batch}
        w, alpha = net.weights(), net.alphas()
        w0 = [p.detach().clone() for p in w]

        def set_w(new):
            with torch.no_grad():
                for p, q in zip(w, new):
                    p.copy_(q)

        def loss_on(which):
            X, y = batches[which]

            def loss(w_at, _alpha):
                set_w(w_at)
                return F.cross_entropy(net(X), y)
            return loss

        g_w = torch.autograd.grad(loss_on("train")(w0, alpha), w)
        set_w([p + step_sign * xi * g for p, g in zip(w0, g_w)])  # w' = w − ξ ∇w L_train
        w1 = [p.detach().clone() for p in w]
        X, y = batches[g1_on]
        grads = torch.autograd.grad(F.cross_entropy(net(X), y), alpha + w)
        g1, v = grads[:2], grads[2:]
        h = my_hvp(loss_on(hvp_on), w0 if around == "w" else w1, alpha, v, scaled=scaled)
        if restore:
            set_w(w0)
        if first_only:
            return list(g1)
        return [a + sign * xi ** xi_power * b for a, b in zip(g1, h)]
    return fn


def first_order_at_w(net, train_batch, val_batch, xi):
    X, y = val_batch
    return list(torch.autograd.grad(F.cross_entropy(net(X), y), net.alphas()))


def calls_naslab(net, train_batch, val_batch, xi):
    return Architect(net, order="second").alpha_grad(*train_batch, *val_batch, xi=xi)[0]


def steps_alpha(net, train_batch, val_batch, xi):
    g = unrolled()(net, train_batch, val_batch, xi)
    with torch.no_grad():
        net.alpha_normal.sub_(0.1 * g[0])
    return g


WRONG = {
    "forgets to restore w": (unrolled(restore=False), "w was not restored"),
    "sign error: + ξ · HVP": (unrolled(sign=+1), "a sign error: you added ξ · HVP"),
    "sign error in the virtual step": (unrolled(step_sign=+1), "a sign error in the virtual step"),
    "ξ applied twice": (unrolled(xi_power=2), "ξ applied twice"),
    "only the first-order term": (unrolled(first_only=True), "only the first term ∇α L_val\\(w', α\\)"),
    "first order at w": (first_order_at_w, "the first-order gradient ∇α L_val\\(w, α\\)"),
    "L_train for g1 and v": (unrolled(g1_on="train"), "the training loss used for ∇α L_val\\(w', α\\) and v"),
    "ε not divided by ‖v‖": (unrolled(scaled=False), "ε = 0.01 is not divided by ‖v‖"),
    "finite difference on L_val": (unrolled(hvp_on="val"), "the finite difference taken on L_val"),
    "finite difference around w'": (unrolled(around="w_prime"), "the finite difference taken around w'"),
    "steps α": (steps_alpha, "changed α"),
    "returns one tensor": (lambda *a: torch.cat([g.flatten() for g in unrolled()(*a)]), "got a single Tensor"),
    "returns the w gradient": (lambda net, *a: [torch.zeros_like(p) for p in net.weights()], "wrong shape"),
    "calls naslab's Architect": (calls_naslab, "called naslab's naslab.darts.architect"),
    "raises": (lambda net, *a: net.alphas()[5], "my_unrolled_grad raised IndexError"),
}


def test_the_right_answer_passes():
    v = check_unrolled_grad(unrolled())
    assert v.passed and v.startswith("✓ your second-order gradient equals naslab's Architect")


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_named(name):
    answer, fragment = WRONG[name]
    with pytest.raises(CheckError, match=fragment):
        check_unrolled_grad(answer)


def test_the_slips_are_far_from_the_right_answer():
    """Every named slip moves the gradient by far more than the tolerance on the check's net (so none passes)."""
    net, train, val = _net_and_batches()
    want = unrolled()(net, train, val, XI)
    for name in ("sign error: + ξ · HVP", "ξ applied twice", "only the first-order term", "ε not divided by ‖v‖",
                 "finite difference around w'", "L_train for g1 and v"):
        got = WRONG[name][0](net, train, val, XI)
        rel = float(torch.cat([(a - b).flatten() for a, b in zip(got, want)]).norm() /
                    torch.cat([b.flatten() for b in want]).norm())
        assert rel > 1e-2, name


def test_stub_and_type():
    assert not check_unrolled_grad(None).passed
    with pytest.raises(TypeError, match="pass your function my_unrolled_grad itself \\(a callable\\), got 'x'"):
        check_unrolled_grad("x")
