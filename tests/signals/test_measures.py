"""Every zero-cost proxy against an oracle: a closed form on a tiny linear / ReLU net, autograd's own
Hessian-vector product, a hand-computed Hamming kernel, and notebook 06's #params and MACs."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from naslab.bakeoff.cells import unique_cells
from naslab.bakeoff.network import NetConfig, macs, n_params
from naslab.signals.codes import JACOB_K, code_scores, hamming_kernel, naswot_score
from naslab.signals.measures import BUILTIN, module_net, proxy_names, score
from naslab.signals.nets import cell_net, mlp_net
from naslab.signals.registry import REGISTRY, compute
from naslab.signals.saliency import gradient_scores

g = torch.Generator().manual_seed(0)
W1, W2, W3 = (torch.randn(5, 4, generator=g, dtype=torch.float64), torch.randn(3, 5, generator=g, dtype=torch.float64),
              torch.randn(2, 3, generator=g, dtype=torch.float64))
X = torch.randn(6, 4, generator=g, dtype=torch.float64)
Y = torch.tensor([0, 1, 2, 0, 1, 2])


def test_builtins_are_registered_in_order():
    assert proxy_names()[: len(BUILTIN)] == list(BUILTIN)
    assert all(REGISTRY[n].builtin for n in BUILTIN)
    assert [n for n in BUILTIN if not REGISTRY[n].needs_data] == ["synflow", "params", "flops"]


def test_synflow_is_n_layers_times_R_on_a_positive_net():
    # oracle (Tanaka et al. 2020, synaptic saliency conservation): with |W| and an all-ones input every ReLU is
    # the identity, R = 1ᵀ|W3||W2||W1|1, and each layer's Σ|θ| ⊙ ∂R/∂|θ| equals R: synflow = 3 R
    net = mlp_net([W1, W2, W3])
    R = float(torch.ones(2, dtype=torch.float64) @ W3.abs() @ W2.abs() @ W1.abs() @ torch.ones(4, dtype=torch.float64))
    assert compute("synflow", net, X, Y) == pytest.approx(3 * R, rel=1e-12)
    assert compute("synflow", mlp_net([-W1, W2, -W3]), X, Y) == pytest.approx(3 * R, rel=1e-12)  # signs do not matter


def _ce_grad_single_layer(W, x, y):
    """∂L/∂W for logits = x Wᵀ, L = mean cross-entropy: (softmax - onehot)ᵀ x / B."""
    p = torch.softmax(x @ W.T, 1)
    return (p - F.one_hot(y, W.shape[0]).double()).T @ x / len(y)


def test_snip_and_grad_norm_closed_form_on_a_linear_net():
    x = torch.randn(6, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    G = _ce_grad_single_layer(W2, x, Y)
    net = mlp_net([W2])
    assert compute("snip", net, x, Y) == pytest.approx(float((W2 * G).abs().sum()), rel=1e-12)
    assert compute("grad_norm", net, x, Y) == pytest.approx(float(G.norm()), rel=1e-12)
    # two layers: grad_norm sums the per-tensor norms (not the norm of the concatenation)
    net2 = mlp_net([W1, W2])
    p = [W1.clone().requires_grad_(), W2.clone().requires_grad_()]
    gs = torch.autograd.grad(F.cross_entropy(F.relu(X @ p[0].T) @ p[1].T, Y), p)
    assert compute("grad_norm", net2, X, Y) == pytest.approx(float(gs[0].norm() + gs[1].norm()), rel=1e-12)
    expected = float(sum((w * gi).abs().sum() for w, gi in zip(p, gs)).detach())
    assert compute("snip", net2, X, Y) == pytest.approx(expected, rel=1e-12)


def test_grasp_equals_minus_theta_dot_autograd_hvp():
    # oracle: torch.autograd.functional.hvp of the loss as a function of the flat weight vector
    n1 = W1.numel()

    def loss(flat):
        a, b = flat[:n1].view_as(W1), flat[n1:].view_as(W2)
        return F.cross_entropy(F.relu(X @ a.T) @ b.T, Y)

    theta = torch.cat([W1.flatten(), W2.flatten()])
    grad = torch.autograd.functional.jacobian(loss, theta)
    _, hg = torch.autograd.functional.hvp(loss, theta, grad)
    expected = float(-(theta * hg).sum())
    assert compute("grasp", mlp_net([W1, W2]), X, Y) == pytest.approx(expected, rel=1e-10)
    assert expected != 0


def test_fisher_closed_form_on_a_linear_net():
    # oracle: a = x Wᵀ (B, K) the only layer output, ∂L/∂a = (softmax - onehot) / B; Σ_k 1/(2B) Σ_n (a g)²
    a = X @ W1.T
    gr = (torch.softmax(a, 1) - F.one_hot(torch.tensor([0, 1, 2, 3, 4, 0]), 5).double()) / 6
    expected = float(0.5 * ((a * gr) ** 2).mean(0).sum())
    assert compute("fisher", mlp_net([W1]), X, torch.tensor([0, 1, 2, 3, 4, 0])) == pytest.approx(expected, rel=1e-12)


def _jacob_score(J):
    lam = np.linalg.eigvalsh(np.corrcoef(J))
    return -np.sum(np.log(lam + JACOB_K) + 1 / (lam + JACOB_K))


def test_jacob_cov_closed_form_on_relu_and_linear_nets():
    # ReLU net: J_n = W1ᵀ diag(1[z_n > 0]) W2ᵀ 1, by hand
    masks = (X @ W1.T > 0).double()  # (B, 5)
    J = np.stack([(W1.T @ (m * (W2.T @ torch.ones(3, dtype=torch.float64)))).numpy() for m in masks])
    assert compute("jacob_cov", mlp_net([W1, W2]), X, Y) == pytest.approx(_jacob_score(J), rel=1e-10)
    # linear net: every J_n = Wᵀ1, the correlation matrix is all ones, eigenvalues B and 0 (B - 1 times)
    B = len(X)
    closed = -(math.log(B + JACOB_K) + 1 / (B + JACOB_K) + (B - 1) * (math.log(JACOB_K) + 1 / JACOB_K))
    assert compute("jacob_cov", mlp_net([W1]), X, Y) == pytest.approx(closed, rel=1e-6)


def test_naswot_hand_computed_kernel():
    # one ReLU layer with W = I: codes of x are (x > 0); N_A = 2
    net = mlp_net([torch.eye(2), torch.ones(1, 2)])
    x = torch.tensor([[1.0, -1.0], [1.0, 1.0], [-1.0, -1.0]], dtype=torch.float64)
    K = np.array([[2, 1, 1], [1, 2, 0], [1, 0, 2]])  # N_A - Hamming distance, by hand
    np.testing.assert_array_equal(hamming_kernel(np.array([[1, 0], [1, 1], [0, 0]])), K)
    assert np.linalg.det(K) == pytest.approx(4)
    assert compute("naswot", net, x, torch.zeros(3, dtype=torch.long)) == pytest.approx(math.log(4), rel=1e-12)
    # two inputs with the same code: K_H singular, score -inf; no ReLU at all: -inf
    assert naswot_score(np.array([[1, 0], [1, 0], [0, 1]])) == -math.inf
    assert compute("naswot", mlp_net([W1]), X, Y) == -math.inf


def test_params_and_flops_equal_the_benchmark_cost_model():
    cfg = NetConfig(C=8, stem_stride=2)
    cells = unique_cells()
    for c in [cells[i] for i in np.random.default_rng(0).choice(len(cells), 25, replace=False)] + [(3,) * 6]:
        net = cell_net(c, cfg)
        assert compute("params", net, None, None) == n_params(c, cfg)
        assert compute("flops", net, None, None) == macs(c, cfg)


def test_the_zero_cell_scores_worst_or_zero():
    net = cell_net((0,) * 6)
    x = torch.randn(8, 1, 40, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    s, _ = score(net, x, torch.arange(8))
    assert s["jacob_cov"] == s["naswot"] == -math.inf  # the output ignores the input
    assert s["synflow"] == s["snip"] == s["grad_norm"] == s["grasp"] == 0.0  # no weight reaches the output
    # fisher keeps the head's output channels: a = b (the bias, for every example), g = (softmax(b) - onehot) / B
    b = net.params["head.b"]
    gr = (torch.softmax(b, 0) - F.one_hot(torch.arange(8), 10).double()) / 8
    assert s["fisher"] == pytest.approx(float(0.5 * ((b * gr) ** 2).mean(0).sum()), rel=1e-12)


@pytest.mark.parametrize("cell", [(3, 1, 2, 4, 0, 3), (2, 2, 2, 2, 2, 2), (1, 4, 0, 3, 1, 0)])
def test_one_pass_scores_equal_the_measures(cell):
    net = cell_net(cell, seed=1)
    x = torch.randn(16, 1, 40, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    y = torch.arange(16) % 10
    fused = {**gradient_scores(net, x, y), **code_scores(net, x)}
    for name, v in fused.items():
        assert v == pytest.approx(compute(name, net, x, y), rel=1e-12, abs=1e-15), name


def test_module_net_agrees_with_the_functional_mlp():
    # cross-implementation oracle: nn.Sequential with hooks vs the hand-written functional MLP
    model = nn.Sequential(nn.Linear(4, 5, bias=False), nn.ReLU(), nn.Linear(5, 3, bias=False)).double()
    with torch.no_grad():
        model[0].weight.copy_(W1)
        model[2].weight.copy_(W2)
    a, b = module_net(model, (4,)), mlp_net([W1, W2])
    for name in BUILTIN:
        assert compute(name, a, X, Y) == pytest.approx(compute(name, b, X, Y), rel=1e-10), name
