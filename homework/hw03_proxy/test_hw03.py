"""Homework 3 tests: the NTK and its condition number against the closed form of a linear model; `plain`
against the hand-derived gradient of a linear softmax model; the model left as found; bad input.

Each `check_*` helper takes the function under test, so tests/course/test_hw03_wrong_answers.py can plant
wrong answers in it: when a result matches a known slip, the message names the slip."""

import math

import pytest
import torch
from my_proxy import empirical_ntk, ntk_condition, plain
from torch import nn

PROXIES = {"empirical_ntk": empirical_ntk, "ntk_condition": ntk_condition, "plain": plain}


def call(name, fn, model, x, y):
    """fn is empirical_ntk (model, x) or a proxy (model, x, y)."""
    return fn(model, x) if name == "empirical_ntk" else fn(model, x, y)


def expect(ok: bool, message: str) -> None:
    """An assert whose message is the report's last line (what course/grade.py prints for a failed test)."""
    if not ok:
        raise AssertionError(message)


def close(a, b, rel=1e-9) -> bool:
    return torch.allclose(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64),
                          rtol=rel, atol=0.0)


def kappa(theta: torch.Tensor) -> float:
    lam = torch.linalg.eigvalsh(theta)
    return float(lam[-1] / lam[0])


def linear_case(seed=0, d=10, k=3, n=6):
    """nn.Linear(d, k) in float64 and a batch: n <= d, so X Xᵀ + 1 is full rank."""
    torch.manual_seed(seed)
    model = nn.Linear(d, k).double()
    x, y = torch.randn(n, d, dtype=torch.float64), torch.randint(0, k, (n,))
    return model, x, y


def linear_ntk_truth(x: torch.Tensor, k: int) -> torch.Tensor:
    # s_i = Σ_k (W x_i + b)_k:  ∂s_i/∂W[k, :] = x_i for every k, ∂s_i/∂b = 1  =>  Θ = k (X Xᵀ + 1)
    return k * (x @ x.T + 1)


def check_linear_ntk(fn, seed):
    model, x, _ = linear_case(seed)
    k, n, gram = model.out_features, len(x), x @ x.T
    got = fn(model, x)
    expect(isinstance(got, torch.Tensor), f"return Θ as a torch.Tensor, got {type(got).__name__}")
    n_params = sum(p.numel() for p in model.parameters())
    expect(got.shape != (n * k, n * k),
           "Θ is (n·K, n·K): one row of J per logit; J has one row per example, the gradient of the summed logits")
    expect(got.shape != (n_params, n_params), "Θ is (P, P): that is Jᵀ J; the NTK is Θ = J Jᵀ, (n, n)")
    expect(got.shape == (n, n), f"Θ must be (n, n) = ({n}, {n}), got {tuple(got.shape)}")
    expect(not got.requires_grad, "Θ still carries an autograd graph: detach it")
    got = got.double()
    expect(not close(got, k * gram), "Θ = K·X Xᵀ, without the +1: the bias gradients are missing from J")
    expect(not close(got, (gram + 1) / k),
           "Θ is K² times too small: you averaged the logits; J differentiates their sum")
    expect(not close(got, gram + 1), "Θ is K times too small: J differentiates the sum of ALL K logits, not one")
    expect(close(got, linear_ntk_truth(x, k)), "Θ[i, j] must be K (x_i·x_j + 1) for a linear model")


def loss_gradient_kernel(model, x, y):
    # ∂ℓ_i/∂W = (p_i - e_{y_i}) x_iᵀ, ∂ℓ_i/∂b = p_i - e_{y_i}  =>  Θ_ij = (r_i·r_j)(x_i·x_j + 1)
    r = torch.softmax(model(x).detach(), 1) - nn.functional.one_hot(y, model.out_features).double()
    return (r @ r.T) * (x @ x.T + 1)


def check_linear_condition(fn, seed):
    model, x, y = linear_case(seed)
    want = kappa(linear_ntk_truth(x, model.out_features))
    got = fn(model, x, y)
    expect(isinstance(got, float), f"return κ as a Python float, got {type(got).__name__}")
    expect(not close(got, 1 / want, 1e-6), "κ < 1: that is λ_min / λ_max; κ = λ_max / λ_min")
    expect(not close(got, math.sqrt(want), 1e-6),
           "κ is the square root of the truth: that is κ of J (its singular values); take the eigenvalues of Θ = J Jᵀ")
    expect(not close(got, kappa(model.out_features * x @ x.T), 1e-6),
           "κ of K·X Xᵀ: the bias gradients are missing from J")
    expect(not close(got, kappa(loss_gradient_kernel(model, x, y)), 1e-6),
           "κ of the loss gradients' kernel: the NTK differentiates the outputs Σ_k f_k(x_i), not the loss")
    expect(close(got, want, 1e-6), f"κ = λ_max / λ_min of K (X Xᵀ + 1) is {want:.6g}, got {got:.6g}")


def check_plain(fn, seed):
    model, x, y = linear_case(seed)
    n, k = len(x), model.out_features
    # hand-derived: dL/dz = (softmax(z) - onehot(y)) / n;  dL/dW = dzᵀ x;  dL/db = Σ_i dz_i
    dz = (torch.softmax(model(x).detach(), 1) - nn.functional.one_hot(y, k).double()) / n  # (n, k)
    w, b = model.weight.detach(), model.bias.detach()
    gw, gb = dz.T @ x, dz.sum(0)
    want = float((w * gw).sum() + (b * gb).sum())
    got = fn(model, x, y)
    expect(isinstance(got, float), f"return a Python float, got {type(got).__name__}")
    absolute = float((w * gw).abs().sum() + (b * gb).abs().sum())
    expect(not close(got, absolute), "that is SNIP's Σ |θ ⊙ ∂L/∂θ|: plain keeps the sign")
    expect(not close(got, -want), "the sign is flipped: plain is Σ θ ⊙ ∂L/∂θ, not its negative")
    expect(not close(got, float((w * gw).sum())), "the bias terms are missing: sum over every parameter")
    expect(not close(got, n * want), "n times too large: L is the MEAN cross-entropy of the batch, not the sum")
    outputs = float((w @ x.sum(0)).sum() + n * b.sum())  # Σ θ ⊙ ∂(Σ_i Σ_k f_k(x_i))/∂θ
    expect(not close(got, outputs) and not close(got, outputs / n),
           "that differentiates the summed outputs: plain differentiates the loss L")
    expect(close(got, want), f"plain = Σ θ ⊙ ∂L/∂θ = {want:.9g}, got {got:.9g}")


def bn_case(seed=0, train=False):
    """A Linear-BatchNorm-ReLU-Linear MLP (float64) whose running statistics are not the identity."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).double()
    with torch.no_grad():
        model[1].running_mean.uniform_(-1, 1)
        model[1].running_var.uniform_(0.5, 2)
    model.train(train)
    return model, torch.randn(7, 6, dtype=torch.float64), torch.randint(0, 3, (7,))


def check_left_as_found(name, fn):
    model, x, y = bn_case()
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    score = call(name, fn, model, x, y)
    expect(not model.training, f"{name}: the model was in eval mode: leave it there")
    expect(all(p.grad is None for p in model.parameters()),
           f"{name}: a .grad was left on a parameter (use torch.autograd.grad, or set .grad back to None)")
    for k, v in model.named_parameters():
        expect(torch.equal(v, before[k]), f"{name}: the parameter {k} changed")
    again = call(name, fn, model, x, y)
    expect(close(again, score), f"{name}: the same model and batch must give the same result")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ntk_of_a_linear_model_is_the_closed_form(seed):
    check_linear_ntk(empirical_ntk, seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_condition_number_of_a_linear_model(seed):
    check_linear_condition(ntk_condition, seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_against_the_hand_derived_gradient(seed):
    check_plain(plain, seed)


@pytest.mark.parametrize("name", ["empirical_ntk", "ntk_condition", "plain"])
def test_model_left_as_found(name):
    check_left_as_found(name, PROXIES[name])


def check_needs_two_examples(fn):
    model, x, y = linear_case()
    try:
        fn(model, x[:1], y[:1])
    except ValueError as e:
        expect("at least 2" in str(e), f"the ValueError must say 'at least 2 examples', got {str(e)!r}")
    else:
        raise AssertionError("one example gave no ValueError: κ of a 1 x 1 kernel is always 1, so ntk_condition "
                             "must raise ValueError('... at least 2 examples ...')")


def test_condition_needs_two_examples():
    check_needs_two_examples(ntk_condition)
