"""Homework 3, hidden tests: torch.func on a two-layer MLP, each function in the model's own mode (train and
eval), a parameter that forward never uses, and a singular kernel. Each catches a slip that the public tests
let through (the planted wrong answers of tests/course/test_hw03_wrong_answers.py)."""

import copy
import math

import pytest
import torch
from test_hw03 import PROXIES, bn_case, call, close, expect, kappa, linear_case
from torch import nn
from torch.func import functional_call, jacrev
from torch.func import grad as func_grad
from torch.nn import functional as F


def mlp_case(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double()
    return model, torch.randn(5, 4, dtype=torch.float64), torch.randint(0, 3, (5,))


def functional_ntk(model, x, names=None) -> torch.Tensor:
    """Θ = J Jᵀ from torch.func.jacrev of θ -> (Σ_k f_k(x_i; θ))_i over the parameters `names` (default: all)."""
    params = {k: v.detach() for k, v in model.named_parameters() if names is None or k in names}
    buffers = {k: v.clone() for k, v in model.named_buffers()}  # an input, as a train-mode BatchNorm updates them
    jac = jacrev(lambda p, b: functional_call(model, {**p, **b}, (x,)).reshape(len(x), -1).sum(1))(params, buffers)
    j = torch.cat([v.reshape(len(x), -1) for v in jac.values()], 1).double()
    return (j @ j.T).detach()


def check_mlp(name, fn):
    model, x, y = mlp_case()
    want = functional_ntk(model, x)
    weights_only = functional_ntk(model, x, [k for k, _ in model.named_parameters() if k.endswith("weight")])
    last = functional_ntk(model, x, ["2.weight", "2.bias"])
    got = call(name, fn, model, x, y)
    truth = (want, weights_only, last)
    if name != "empirical_ntk":
        truth = tuple(kappa(t) for t in truth)
    expect(not close(got, truth[1], 1e-6), f"{name}: the biases are missing from J (every parameter counts)")
    expect(not close(got, truth[2], 1e-6), f"{name}: only the last layer is in J (every parameter counts)")
    expect(close(got, truth[0], 1e-6), f"{name} does not match torch.func.jacrev on a Linear-Tanh-Linear MLP")


def functional_plain(model, x, y) -> float:
    """Σ θ ⊙ ∂L/∂θ from torch.func.grad of the mean cross-entropy."""
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.clone() for k, v in model.named_buffers()}  # an input: a train-mode BatchNorm updates them
    g = func_grad(lambda p, b: F.cross_entropy(functional_call(model, {**p, **b}, (x,)), y))(params, buffers)
    return float(sum((params[k] * g[k]).sum() for k in params))


def oracle(name, model, x, y):
    """The truth on a copy of the model in its mode (a train-mode forward updates BatchNorm's running stats)."""
    model = copy.deepcopy(model)
    if name == "plain":
        return functional_plain(model, x, y)
    theta = functional_ntk(model, x)
    return theta if name == "empirical_ntk" else kappa(theta)


def check_mode(name, fn):
    for train in (False, True):
        model, x, y = bn_case(seed=1, train=train)
        other = copy.deepcopy(model).train(not train)
        want, slip = oracle(name, model, x, y), oracle(name, other, x, y)
        got = call(name, fn, model, x, y)
        (mode, stats), wrong = (("train", "batch"), "eval") if train else (("eval", "running"), "train")
        expect(not close(got, slip, 1e-6), f"{name}: the model is in {mode} mode but this is the value in {wrong} "
               f"mode: run the model in the mode it is in (BatchNorm on {stats} statistics), do not call .{wrong}()")
        expect(close(got, want, 1e-6),
               f"{name} does not match torch.func in {mode} mode (Linear-BatchNorm-ReLU-Linear)")
        expect(model.training == train, f"{name}: the model was in {mode} mode: leave it there")


class Spare(nn.Module):
    """A Linear-Tanh-Linear MLP, optionally with a parameter that forward never uses (its gradient is zero)."""

    def __init__(self, spare: bool):
        super().__init__()
        if spare:
            self.spare = nn.Parameter(torch.ones(2, dtype=torch.float64))
        self.a, self.b = nn.Linear(4, 6).double(), nn.Linear(6, 3).double()

    def forward(self, x):
        return self.b(torch.tanh(self.a(x)))


def guarded(name, fn, *args):
    """fn(*args), with autograd's complaints about an unused parameter turned into a message naming the slip."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise
    except RuntimeError as e:
        if "not have been used in the graph" not in str(e):
            raise
        raise AssertionError(f"{name}: a parameter that forward never uses has no gradient and autograd refused "
                             "(allow_unused=False): count its gradient as zeros") from e
    except (TypeError, AttributeError) as e:
        if "NoneType" not in str(e):
            raise
        raise AssertionError(f"{name}: the gradient of a parameter that forward never uses is None: count it as "
                             f"zeros ({e})") from e


def check_unused(name, fn):
    torch.manual_seed(0)
    with_spare, without = Spare(True), Spare(False)
    without.load_state_dict({k: v for k, v in with_spare.state_dict().items() if k != "spare"})
    x, y = torch.randn(5, 4, dtype=torch.float64), torch.randint(0, 3, (5,))
    want = oracle(name, without, x, y)
    got = guarded(name, call, name, fn, with_spare, x, y)
    expect(close(got, want, 1e-6), f"{name}: a parameter that forward never uses must add nothing")


def check_singular(fn):
    model, x, y = linear_case(seed=4)
    x[1] = x[0]  # two equal inputs: two equal rows of J
    small = nn.Linear(2, 2).double()  # 6 parameters, 8 examples: rank Θ <= 6 < 8
    for why, m, xs, ys in (("two equal inputs", model, x, y),
                           ("more examples than parameters", small, torch.randn(8, 2, dtype=torch.float64),
                            torch.randint(0, 2, (8,)))):
        got = fn(m, xs, ys)
        expect(got == math.inf, f"κ = {got}: {why} make Θ singular (λ_min <= SINGULAR · λ_max): return math.inf")


@pytest.mark.parametrize("name", ["empirical_ntk", "ntk_condition"])
def test_mlp_against_torch_func(name):
    check_mlp(name, PROXIES[name])


@pytest.mark.parametrize("name", ["empirical_ntk", "ntk_condition", "plain"])
def test_run_in_the_models_own_mode(name):
    check_mode(name, PROXIES[name])


@pytest.mark.parametrize("name", ["empirical_ntk", "ntk_condition", "plain"])
def test_unused_parameters_count_zero(name):
    check_unused(name, PROXIES[name])


def test_a_singular_kernel_has_infinite_condition_number():
    check_singular(PROXIES["ntk_condition"])
