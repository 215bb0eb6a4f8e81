"""naslab.darts.architect and naslab.darts.toy: the hypergradient of DARTS against autograd oracles.

Tolerance of the finite-difference Hessian-vector product (eq. 8, ε = 0.01 / ‖v‖), in float64:
relative error <= 1e-3 on a smooth function and <= 1e-2 on a small smooth network with a mixed op (the
O(ε²) truncation of a central difference of length 0.01). Both bounds reject the "divide by 2,
multiply by ε" slip and the "forget the 2" slip, whose relative errors are >> 1 and = 1 (checked below).
On the ReLU / max-pool supernet a step of 0.01 crosses kinks, where the gradient jumps, so there the
code path is checked with r = 1e-6 (notebook 05 shows what r = 0.01 gives there).
"""

import pytest
import torch
from torch.nn import functional as F

from naslab.darts.architect import Architect, hvp_exact, hvp_finite_difference, network_loss, norm, unrolled_alpha_grad
from naslab.darts.supernet import SearchNetwork
from naslab.darts.toy import fixed_point, hypergradient, toy_trajectory

RTOL_SMOOTH, RTOL_NET = 1e-3, 1e-2


def rel_err(a, b):
    return (norm([x - y for x, y in zip(a, b)]) / norm(b)).item()


def smooth_problem():
    g = torch.Generator().manual_seed(0)
    w = [torch.randn(5, 3, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64)]
    alpha = [torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)]
    v = [torch.randn_like(t) for t in w]

    def loss(w, a):  # smooth in both arguments, with real cross terms
        h = torch.tanh(w[0] @ a[0] + w[1].sum() * a[0][0])
        return (h ** 2).sum() + torch.sin(w[1] * a[0]).sum()
    return loss, w, alpha, v


def tiny_net():
    torch.manual_seed(0)
    net = SearchNetwork((1, 8), 3, C=2, layers=3, steps=1, alpha_init_std=0.5).double()
    X, y = torch.randn(6, 1, 8, dtype=torch.float64), torch.randint(0, 3, (6,))
    X2, y2 = torch.randn(6, 1, 8, dtype=torch.float64), torch.randint(0, 3, (6,))
    return net, (X, y), (X2, y2)


def test_finite_difference_hvp_matches_double_backward_on_a_smooth_function():
    loss, w, alpha, v = smooth_problem()
    assert rel_err(hvp_finite_difference(loss, w, alpha, v), hvp_exact(loss, w, alpha, v)) < RTOL_SMOOTH


def smooth_net():
    """A small network with a smooth mixed op: x -> Linear -> Σ_o softmax(α)_o o(.) -> Linear -> CE."""
    g = torch.Generator().manual_seed(1)
    data = [(torch.randn(32, 4, generator=g, dtype=torch.float64), torch.randint(0, 3, (32,), generator=g))
            for _ in range(2)]
    w = [(0.7 * torch.randn(4, 6, generator=g, dtype=torch.float64)).requires_grad_(True),
         (0.7 * torch.randn(6, 3, generator=g, dtype=torch.float64)).requires_grad_(True)]
    alpha = [(0.5 * torch.randn(3, generator=g, dtype=torch.float64)).requires_grad_(True)]

    def make_loss(X, y):
        def loss(w, a):
            h = X @ w[0]  # (B, 6)
            p = torch.softmax(a[0], 0)  # candidate ops: tanh, sin, identity
            h = p[0] * torch.tanh(h) + p[1] * torch.sin(h) + p[2] * h
            return F.cross_entropy(h @ w[1], y)  # (B, 3) logits
        return loss
    return make_loss(*data[0]), make_loss(*data[1]), w, alpha


def test_finite_difference_hvp_matches_double_backward_on_a_small_network():
    train_loss, val_loss, w, alpha = smooth_net()
    v = torch.autograd.grad(val_loss(w, alpha), w)  # the v DARTS uses: ∇_w L_val
    exact = hvp_exact(train_loss, w, alpha, v)
    assert norm(exact) > 1e-3  # a real cross term, not 0 = 0
    assert rel_err(hvp_finite_difference(train_loss, w, alpha, v), exact) < RTOL_NET
    xi = 0.1  # and the whole eq. (7) against autograd straight through the virtual step
    g_w = torch.autograd.grad(train_loss(w, alpha), w, create_graph=True)
    oracle = torch.autograd.grad(val_loss([p - xi * g for p, g in zip(w, g_w)], alpha), alpha)
    finite, _ = unrolled_alpha_grad(train_loss, val_loss, w, alpha, xi=xi)
    assert rel_err(finite, oracle) < RTOL_NET


def test_hvp_on_the_supernet():
    """On a ReLU / max-pool supernet the HVP code is exact for steps too small to cross a kink."""
    net, (X, y), (X2, y2) = tiny_net()
    train_loss, val_loss = network_loss(net, X, y), network_loss(net, X2, y2)
    w, alpha = net.weights(), net.alphas()
    v = torch.autograd.grad(val_loss(w, alpha), w)
    exact = hvp_exact(train_loss, w, alpha, v)
    assert norm(exact) > 1e-6
    assert rel_err(hvp_finite_difference(train_loss, w, alpha, v, r=1e-6), exact) < 1e-5


def test_unrolled_gradient_is_the_derivative_of_the_unrolled_validation_loss():
    net, (X, y), (X2, y2) = tiny_net()
    train_loss, val_loss = network_loss(net, X, y), network_loss(net, X2, y2)
    w, alpha, xi = net.weights(), net.alphas(), 0.05
    # oracle: differentiate α -> L_val(w − ξ ∇_w L_train(w, α), α) straight through the virtual step
    g_w = torch.autograd.grad(train_loss(w, alpha), w, create_graph=True)
    oracle = torch.autograd.grad(val_loss([p - xi * g for p, g in zip(w, g_w)], alpha), alpha)
    exact, _ = unrolled_alpha_grad(train_loss, val_loss, w, alpha, xi=xi, hvp="exact")
    finite, _ = unrolled_alpha_grad(train_loss, val_loss, w, alpha, xi=xi, r=1e-6)
    assert rel_err(exact, oracle) < 1e-8
    assert rel_err(finite, oracle) < 1e-5


def test_second_order_with_xi_zero_equals_first_order():
    net, (X, y), (X2, y2) = tiny_net()
    first, l1 = Architect(net, order="first").alpha_grad(X, y, X2, y2)
    second, l2 = Architect(net, order="second").alpha_grad(X, y, X2, y2, xi=0.0)
    for a, b in zip(first, second):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    assert l1 == pytest.approx(l2, rel=1e-12)
    moved, _ = Architect(net, order="second").alpha_grad(X, y, X2, y2, xi=0.1)
    assert rel_err(moved, first) > 1e-4  # ...and xi > 0 really changes it


def test_architect_step_moves_only_alpha():
    net, (X, y), (X2, y2) = tiny_net()
    w_before = [p.detach().clone() for p in net.weights()]
    a_before = [a.detach().clone() for a in net.alphas()]
    Architect(net, order="second", alpha_lr=0.1).step(X, y, X2, y2, xi=0.05)
    assert all(torch.equal(p, q) for p, q in zip(net.weights(), w_before))
    assert all(not torch.equal(a, b) for a, b in zip(net.alphas(), a_before))


def test_momentum_in_the_virtual_step_follows_the_code_formula():
    loss, w, alpha, _ = smooth_problem()
    w = [t.clone().requires_grad_(True) for t in w]
    buf = [torch.full_like(t, 0.3) for t in w]
    got, _ = unrolled_alpha_grad(loss, loss, w, alpha, xi=0.1, momentum_buffer=buf, momentum=0.9,
                                 weight_decay=1e-2, hvp="exact")
    g_w = torch.autograd.grad(loss(w, alpha), w, create_graph=True)  # depends on α through the graph
    w_prime = [p - 0.1 * (0.9 * b + g + 1e-2 * p) for p, b, g in zip(w, buf, g_w)]  # w − ξ(μ·buf + ∇ + λw)
    oracle = torch.autograd.grad(loss(w_prime, alpha), alpha)
    assert rel_err(got, oracle) < 1e-8


def test_bad_architect_arguments():
    net, _, _ = tiny_net()
    with pytest.raises(ValueError, match=r"allowed: \['first', 'second'\]"):
        Architect(net, order="third")
    with pytest.raises(ValueError, match=r"allowed: \['finite', 'exact'\]"):
        Architect(net, hvp="fancy")


# -- the toy bilevel problem ------------------------------------------------------------------------


@pytest.mark.parametrize("hvp", ["finite", "exact"])
def test_toy_hypergradient_matches_the_closed_form(hvp):
    for alpha, w, xi in [(2.0, -2.0, 0.0), (2.0, -2.0, 0.3), (0.5, 1.5, 0.7), (-1.0, 0.2, 0.05)]:
        w_prime = w - xi * 2 * (w - alpha)
        assert hypergradient(alpha, w, xi, hvp=hvp) == pytest.approx(w_prime - 2 + 2 * xi * alpha, abs=1e-9)


def test_toy_first_order_misses_and_second_order_finds_the_optimum():
    first = toy_trajectory(0.0, steps=300)
    second = toy_trajectory(0.5, steps=300)
    assert tuple(first[0]) == (2.0, -2.0) and first.shape == (301, 2)
    assert first[-1] == pytest.approx([2.0, 2.0], abs=1e-3)  # the first-order fixed point, not (1, 1)
    assert second[-1] == pytest.approx([1.0, 1.0], abs=1e-3)  # the bilevel optimum
    assert toy_trajectory(0.2, steps=400)[-1] == pytest.approx(fixed_point(0.2), abs=1e-3)


def test_toy_bad_arguments():
    with pytest.raises(ValueError, match="xi"):
        toy_trajectory(-0.1)
    with pytest.raises(ValueError, match="steps"):
        toy_trajectory(0.1, steps=0)


@pytest.mark.parametrize("hvp, train_passes", [("exact", 1), ("finite", 3)])
def test_the_exact_hvp_reuses_the_training_pass(hvp, train_passes):
    """The exact mode differentiates the graph of ∇_w L_train again (one training forward), the finite
    difference needs w, w⁺ and w⁻ (three); both give the autograd oracle's hypergradient."""
    net, (X, y), (X2, y2) = tiny_net()
    train_loss, val_loss = network_loss(net, X, y), network_loss(net, X2, y2)
    calls = []

    def counted(w, a):
        calls.append(1)
        return train_loss(w, a)
    w, alpha, xi = net.weights(), net.alphas(), 0.05
    got, _ = unrolled_alpha_grad(counted, val_loss, w, alpha, xi=xi, hvp=hvp, r=1e-6)
    assert len(calls) == train_passes
    g_w = torch.autograd.grad(train_loss(w, alpha), w, create_graph=True)
    oracle = torch.autograd.grad(val_loss([p - xi * g for p, g in zip(w, g_w)], alpha), alpha)
    assert rel_err(got, oracle) < (1e-8 if hvp == "exact" else 1e-5)
