"""Homework 3 tests: both proxies against the hand-derived gradient of a linear softmax model."""

import copy

import pytest
import torch
from my_proxy import grad_norm, snip
from torch import nn


def _linear_case(seed=0, d=5, k=3, n=8):
    torch.manual_seed(seed)
    model = nn.Linear(d, k).double()
    x, y = torch.randn(n, d, dtype=torch.float64), torch.randint(0, k, (n,))
    # hand-derived: dL/dz = (softmax(z) - onehot(y)) / n;  dL/dW = dz^T x;  dL/db = sum_i dz_i
    dz = (torch.softmax(model(x).detach(), 1) - nn.functional.one_hot(y, k).double()) / n  # (n, k)
    return model, x, y, dz.T @ x, dz.sum(0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_norm_against_the_hand_derived_gradient(seed):
    model, x, y, gW, gb = _linear_case(seed)
    want = gW.norm().item() + gb.norm().item()
    assert grad_norm(model, x, y) == pytest.approx(want, rel=1e-9), "one L2 norm per tensor, then the sum"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_snip_against_the_hand_derived_gradient(seed):
    model, x, y, gW, gb = _linear_case(seed)
    want = (model.weight.detach() * gW).abs().sum().item() + (model.bias.detach() * gb).abs().sum().item()
    assert snip(model, x, y) == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("proxy", [grad_norm, snip])
def test_model_left_as_found(proxy):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    model.eval()
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    x, y = torch.randn(16, 6), torch.randint(0, 3, (16,))
    score = proxy(model, x, y)
    assert isinstance(score, float) and score > 0
    assert not model.training, "the model was in eval mode: leave it there"
    assert all(p.grad is None for p in model.parameters()), "a .grad was left on a parameter"
    for k, v in model.named_parameters():
        assert torch.equal(v, before[k]), f"{k} changed"
    assert proxy(model, x, y) == pytest.approx(score), "the same model and batch must give the same score"


def test_scaling_the_last_layer_scales_snip():
    # snip is |θ · g|: scaling a layer's weights by c scales its own term's θ by c
    model, x, y, _, _ = _linear_case(3)
    zero = copy.deepcopy(model)
    with torch.no_grad():
        zero.weight.zero_()
        zero.bias.zero_()
    assert snip(zero, x, y) == 0.0, "all-zero weights have zero sensitivity"
    assert grad_norm(zero, x, y) > 0, "but their gradient is not zero"
