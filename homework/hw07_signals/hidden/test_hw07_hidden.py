"""Homework 7, hidden tests: a weight no example moves (sign 0), torch.func on a two-layer MLP, each function in
the model's own mode (train and eval), and a parameter that forward never uses. Each catches a slip that the
public tests let through (the planted wrong answers of tests/course/test_hw07_wrong_answers.py)."""

import copy

import pytest
import torch
from test_hw07 import FUNCTIONS, bn_case, call, close, expect, linear_case, linear_truth, signs_score
from torch import nn
from torch.func import functional_call, jacrev
from torch.nn import functional as F


def functional_gradients(model, x, y, names=None) -> torch.Tensor:
    """G from torch.func.jacrev of θ -> (ℓ_1, ..., ℓ_n), one forward of the batch, over `names` (default: all)."""
    model = copy.deepcopy(model)  # a train-mode BatchNorm updates its running statistics
    params = {k: v.detach() for k, v in model.named_parameters() if names is None or k in names}
    buffers = {k: v.clone() for k, v in model.named_buffers()}
    jac = jacrev(lambda p, b: F.cross_entropy(functional_call(model, {**p, **b}, (x,)), y, reduction="none"))(
        params, buffers)
    return torch.cat([v.reshape(len(x), -1) for v in jac.values()], 1).double().detach()


def truth(name, g: torch.Tensor):
    return g if name == "sample_gradients" else signs_score(g)


def guarded(name, fn, *args):
    """call(name, fn, *args), with the usual crashes of two slips turned into a message naming the slip."""
    try:
        return call(name, fn, *args)
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
    except ValueError as e:
        if "more than 1 value per channel" not in str(e):
            raise
        raise AssertionError(f"{name}: a forward of one example alone fails in train mode (BatchNorm needs the "
                             "batch): ℓ_i is row i of ONE forward of the whole batch") from e


def check_zero_sign(fn):
    model, x, y = linear_case(seed=3)
    x[:, 0] = 0.0  # the first input feature is always 0: the weights W[:, 0] get gradient exactly 0
    want = signs_score(linear_truth(model, x, y))
    got = call("gradsign", fn, model, x, y)
    k, n = model.out_features, len(x)
    expect(not close(got, want + k * n) and not close(got, want - k * n) and not close(got, want + k),
           f"GradSign is off by a multiple of n = {n} on the {k} weights whose gradient is exactly 0: a zero "
           "gradient was counted as +1 or -1; sign(0) = 0 (torch.sign), so such a weight adds nothing")
    expect(close(got, want), f"with an input feature that is always 0, GradSign is {want:.0f}, got {got}")


def mlp_case(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double()
    return model, torch.randn(9, 4, dtype=torch.float64), torch.arange(9) % 3


def check_mlp(name, fn):
    model, x, y = mlp_case()
    want, last = functional_gradients(model, x, y), functional_gradients(model, x, y, ["2.weight", "2.bias"])
    got = call(name, fn, model, x, y)
    expect(not close(got, truth(name, last)), f"{name}: only the last layer is in G (every parameter counts)")
    expect(close(got, truth(name, want)), f"{name} does not match torch.func.jacrev of the per-example losses "
                                          "on a Linear-Tanh-Linear MLP")


def check_mode(name, fn):
    for train in (False, True):
        model, x, y = bn_case(seed=1, train=train)
        other = copy.deepcopy(model).train(not train)
        want, slip = truth(name, functional_gradients(model, x, y)), truth(name, functional_gradients(other, x, y))
        got = guarded(name, fn, model, x, y)
        (mode, stats), wrong = (("train", "batch"), "eval") if train else (("eval", "running"), "train")
        expect(not close(got, slip), f"{name}: the model is in {mode} mode but this is the value in {wrong} mode: "
               f"run the model in the mode it is in (BatchNorm on {stats} statistics), do not call .{wrong}()")
        expect(close(got, want), f"{name} does not match torch.func in {mode} mode (Linear-BatchNorm-ReLU-Linear)")
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


def check_unused(name, fn):
    torch.manual_seed(0)
    with_spare, without = Spare(True), Spare(False)
    without.load_state_dict({k: v for k, v in with_spare.state_dict().items() if k != "spare"})
    x, y = torch.randn(6, 4, dtype=torch.float64), torch.arange(6) % 3
    g = functional_gradients(without, x, y)
    want = torch.cat([torch.zeros(len(x), 2, dtype=torch.float64), g], 1)  # the spare comes first, as registered
    got = guarded(name, fn, with_spare, x, y)
    expect(close(got, truth(name, want)), f"{name}: a parameter that forward never uses has gradient 0 (its columns "
                                          "of G are zeros, in model.parameters() order) and adds nothing to GradSign")


def test_a_weight_no_example_moves_has_sign_zero():
    check_zero_sign(FUNCTIONS["gradsign"])


@pytest.mark.parametrize("name", ["sample_gradients", "gradsign"])
def test_mlp_against_torch_func(name):
    check_mlp(name, FUNCTIONS[name])


@pytest.mark.parametrize("name", ["sample_gradients", "gradsign"])
def test_run_in_the_models_own_mode(name):
    check_mode(name, FUNCTIONS[name])


@pytest.mark.parametrize("name", ["sample_gradients", "gradsign"])
def test_unused_parameters_count_zero(name):
    check_unused(name, FUNCTIONS[name])
