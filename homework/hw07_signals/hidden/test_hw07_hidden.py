"""Homework 7, hidden tests: ZiCo against the oracle (the closed form of G, then the formula) on linear models with
biases, torch.func on a two-layer MLP, each function in the model's own mode (train and eval), and a parameter
that forward never uses. Each catches a slip that the public tests let through (the planted wrong answers of
tests/course/test_hw07_wrong_answers.py)."""

import copy
import math

import pytest
import torch
from test_hw07 import FUNCTIONS, bn_case, call, close, expect, linear_case, linear_truth
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


def zico_of(g: torch.Tensor, model, layer=lambda name, p: p.dim() >= 2) -> float:
    """The oracle: ZiCo = Σ_l log S_l, S_l = Σ_{θ in l, σ_θ > 0} mean_i |g_iθ| / σ_θ (ddof 0), l over the
    parameters `layer` accepts (default: tensors of dimension ≥ 2), S_l = 0 skipped. g (n, P) in
    model.named_parameters() order."""
    total, start = 0.0, 0
    for name, p in model.named_parameters():
        block, start = g[:, start:start + p.numel()], start + p.numel()
        if not layer(name, p):
            continue
        std = block.std(0, correction=0)
        s = float((block.abs().mean(0)[std > 0] / std[std > 0]).sum())
        total += math.log(s) if s > 0 else 0.0
    return total


def truth(name, g: torch.Tensor, model):
    return g if name == "sample_gradients" else zico_of(g, model)


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


def check_linear_zico(fn):
    for seed in (0, 1, 2):
        model, x, y = linear_case(seed)  # random weights and biases, every class present
        g = linear_truth(model, x, y)  # (n, k·d + k): the weight's columns, then the bias's
        got = call("zico", fn, model, x, y)
        expect(isinstance(got, float), f"return ZiCo as a Python float, got {type(got).__name__}")
        biases = zico_of(g, model, lambda name, p: True)
        one = math.log(math.exp(zico_of(g, model)) + math.exp(zico_of(g, model, lambda name, p: p.dim() < 2)))
        expect(not close(got, biases) and not close(got, one),
               "zico: the biases were counted: ZiCo's layers are the weight tensors of dimension ≥ 2 (Linear / "
               "Conv weights); biases are left out")
        want = zico_of(g, model)
        expect(close(got, want), f"zico of a random nn.Linear(5, 3) (seed {seed}) is {want:.6f}, got {got}")


def mlp_case(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double()
    return model, torch.randn(9, 4, dtype=torch.float64), torch.arange(9) % 3


def check_mlp(name, fn):
    model, x, y = mlp_case()
    want = functional_gradients(model, x, y)
    got = call(name, fn, model, x, y)
    if name == "sample_gradients":
        last = functional_gradients(model, x, y, ["2.weight", "2.bias"])
        expect(not close(got, last), f"{name}: only the last layer is in G (every parameter counts)")
    else:
        halves = torch.stack([rows.mean(0) for rows in want.chunk(2)])  # the mean-loss gradients of 2 mini-batches
        expect(not close(got, zico_of(halves, model)),
               f"{name}: the std runs over the gradients of 2 mini-batches (the paper's code splits its data so): "
               "here every example is its own batch, mean and std over the n rows of G")
    expect(close(got, truth(name, want, model)), f"{name} does not match torch.func.jacrev of the per-example "
                                                 "losses on a Linear-Tanh-Linear MLP")


def check_mode(name, fn):
    for train in (False, True):
        model, x, y = bn_case(seed=1, train=train)
        other = copy.deepcopy(model).train(not train)
        g = functional_gradients(model, x, y)
        want, slip = truth(name, g, model), truth(name, functional_gradients(other, x, y), model)
        got = guarded(name, fn, model, x, y)
        (mode, stats), wrong = (("train", "batch"), "eval") if train else (("eval", "running"), "train")
        expect(not close(got, slip), f"{name}: the model is in {mode} mode but this is the value in {wrong} mode: "
               f"run the model in the mode it is in (BatchNorm on {stats} statistics), do not call .{wrong}()")
        if name == "zico":
            expect(not close(got, zico_of(g, model, lambda n, p: n.endswith("weight"))),
                   f"{name}: the BatchNorm's 1-D weight (its scale) was counted as a layer: ZiCo's layers are the "
                   "weight tensors of dimension ≥ 2 (Linear / Conv weights)")
        expect(close(got, want), f"{name} does not match torch.func in {mode} mode (Linear-BatchNorm-ReLU-Linear)")
        expect(model.training == train, f"{name}: the model was in {mode} mode: leave it there")


class Spare(nn.Module):
    """A Linear-Tanh-Linear MLP, optionally with a 2 x 2 weight that forward never uses (its gradient is zero)."""

    def __init__(self, spare: bool):
        super().__init__()
        if spare:
            self.spare = nn.Parameter(torch.ones(2, 2, dtype=torch.float64))
        self.a, self.b = nn.Linear(4, 6).double(), nn.Linear(6, 3).double()

    def forward(self, x):
        return self.b(torch.tanh(self.a(x)))


def check_unused(name, fn):
    torch.manual_seed(0)
    with_spare, without = Spare(True), Spare(False)
    without.load_state_dict({k: v for k, v in with_spare.state_dict().items() if k != "spare"})
    x, y = torch.randn(6, 4, dtype=torch.float64), torch.arange(6) % 3
    g = functional_gradients(without, x, y)
    want = torch.cat([torch.zeros(len(x), 4, dtype=torch.float64), g], 1)  # the spare comes first, as registered
    got = guarded(name, fn, with_spare, x, y)
    if name == "zico":
        expect(got != float("-inf"), f"{name} is -inf: a layer that forward never uses has std 0 on every "
                                     "parameter, so its sum S_l is 0 and log 0 = -inf: skip a layer whose sum is 0")
    expect(close(got, truth(name, want, with_spare)),
           f"{name}: a parameter that forward never uses has gradient 0 (its columns of G are zeros, in "
           "model.parameters() order) and adds nothing to ZiCo")


def test_zico_against_the_oracle_on_linear_models_with_biases():
    check_linear_zico(FUNCTIONS["zico"])


@pytest.mark.parametrize("name", ["sample_gradients", "zico"])
def test_mlp_against_torch_func(name):
    check_mlp(name, FUNCTIONS[name])


@pytest.mark.parametrize("name", ["sample_gradients", "zico"])
def test_run_in_the_models_own_mode(name):
    check_mode(name, FUNCTIONS[name])


@pytest.mark.parametrize("name", ["sample_gradients", "zico"])
def test_unused_parameters_count_zero(name):
    check_unused(name, FUNCTIONS[name])
