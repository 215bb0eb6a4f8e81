"""Homework 7 tests: the per-example gradients and GradSign against the closed form of a linear softmax model;
the model left as found; bad input; naslab's proxy code not called.

Each `check_*` helper takes the function under test, so tests/course/test_hw07_wrong_answers.py can plant
wrong answers in it: when a result matches a known slip, the message names the slip."""

import pytest
import torch
from my_gradsign import gradsign, sample_gradients
from torch import nn

from naslab.checking import CheckError, NotImplementedYet, call_student

FUNCTIONS = {"sample_gradients": sample_gradients, "gradsign": gradsign}
# naslab's proxy code: its per-batch gradients, its nets and its registry (write the proxy yourself)
FORBID = ("naslab.signals.saliency", "naslab.signals.nets", "naslab.signals.measures", "naslab.signals.codes",
          "naslab.signals.registry")


def call(name, fn, model, x, y):
    """fn(model, x, y), watched: a call into naslab's proxy code fails with "called naslab's ..."."""
    try:
        return call_student(fn, model, x, y, name=name, forbid=FORBID)
    except NotImplementedYet as e:
        raise NotImplementedError(str(e)) from None
    except CheckError as e:
        if e.__cause__ is not None:
            raise e.__cause__ from None  # the student's own exception, as it was raised
        raise


def expect(ok: bool, message: str) -> None:
    """An assert whose message is the report's last line (what course/grade.py prints for a failed test)."""
    if not ok:
        raise AssertionError(message)


def close(a, b, rel=1e-9) -> bool:
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return a.shape == b.shape and torch.allclose(a, b, rtol=rel, atol=1e-12)


def linear_case(seed=0, d=5, k=3, n=8):
    """nn.Linear(d, k) in float64 and a batch with every class present."""
    torch.manual_seed(seed)
    model = nn.Linear(d, k).double()
    x, y = torch.randn(n, d, dtype=torch.float64), torch.arange(n) % k
    return model, x, y


def linear_truth(model, x, y) -> torch.Tensor:
    # ℓ_i = -log softmax(W x_i + b)[y_i]:  ∂ℓ_i/∂W = r_i x_iᵀ, ∂ℓ_i/∂b = r_i,  r_i = softmax(z_i) - e_{y_i}  (k,)
    r = torch.softmax(model(x).detach(), 1) - nn.functional.one_hot(y, model.out_features).double()  # (n, k)
    return torch.cat([(r[:, :, None] * x[:, None, :]).reshape(len(x), -1), r], 1)  # (n, k·d + k)


def signs_score(g: torch.Tensor) -> float:
    return float(torch.sign(g).sum(0).abs().sum())


def check_linear_gradients(fn, seed):
    model, x, y = linear_case(seed)
    want = linear_truth(model, x, y)
    n, P = want.shape
    got = call("sample_gradients", fn, model, x, y)
    expect(isinstance(got, torch.Tensor), f"return G as a torch.Tensor, got {type(got).__name__}")
    expect(tuple(got.shape) != (P, n), f"G is (P, n) = ({P}, {n}): one column per example; G has one ROW per example")
    expect(tuple(got.shape) != (n, P - model.out_features),
           f"G has {P - model.out_features} columns, not {P}: the bias gradients are missing")
    expect(tuple(got.shape) == (n, P), f"G must be (n, P) = ({n}, {P}), got {tuple(got.shape)}")
    expect(not got.requires_grad, "G still carries an autograd graph: detach it")
    got = got.double()
    expect(not close(got, want.mean(0).expand(n, P)) and not close(got, want.mean(0).expand(n, P) / n),
           "every row is the gradient of the batch's mean loss: row i is the gradient of example i's own loss ℓ_i")
    expect(not close(got, want / n), "each row is 1/n of ∂ℓ_i/∂θ: ℓ_i is example i's own cross-entropy, not its "
                                     "share of the batch mean")
    expect(not close(got, -want), "the sign is flipped: G differentiates the loss ℓ_i, not log p(y_i)")
    outputs = torch.cat([x.repeat(1, model.out_features), torch.ones(n, model.out_features, dtype=torch.float64)], 1)
    expect(not close(got, outputs), "that differentiates the summed logits: G differentiates the loss ℓ_i")
    expect(close(got, want), "G[i] must be (r_i x_iᵀ, r_i) with r_i = softmax(W x_i + b) - onehot(y_i) "
                             "for a linear model")


def check_linear_gradsign(fn, seed):
    model, x, y = linear_case(seed)
    g = linear_truth(model, x, y)  # (n, P), no zero entry: dense inputs, every r_i nonzero
    n, P = g.shape
    want = signs_score(g)
    got = call("gradsign", fn, model, x, y)
    expect(isinstance(got, float), f"return GradSign as a Python float, got {type(got).__name__}")
    s = torch.sign(g)
    expect(not close(got, float(g.sum(0).abs().sum())),
           "that sums the gradients themselves: GradSign sums their SIGNS, Σ_k |Σ_i sign(G[i, k])|")
    expect(not close(got, float(s.sum())) and not close(got, abs(float(s.sum()))),
           "the absolute value is missing or outside the sum over k: GradSign = Σ_k |Σ_i sign(G[i, k])|")
    expect(not close(got, float(P)), f"GradSign = P = {P}: that is the sign of the batch gradient, one per "
                                     "parameter; take the sign of each example's gradient, then sum over examples")
    expect(not close(got, float(n * P)), f"GradSign = n·P = {n * P}: |sign| summed counts the gradients; sum the "
                                         "signs over the examples first, then take |·| per parameter")
    expect(not close(got, float(s.sum(1).abs().sum())),
           "the sum runs over the wrong axis: sum the signs over the examples i for each parameter k")
    expect(not close(got, want / n) and not close(got, want / (n * P)),
           "GradSign is normalised (divided by n or n·P): the score is the plain sum Σ_k |Σ_i sign(G[i, k])|")
    expect(close(got, want), f"GradSign of this linear model is {want:.0f}, got {got}")


def bn_case(seed=0, train=False):
    """A Linear-BatchNorm-ReLU-Linear MLP (float64) whose running statistics are not the identity. The first
    Linear has no bias: in train mode BatchNorm cancels it, and its gradient is rounding noise of random sign."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).double()
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


def check_needs_two_examples(fn):
    model, x, y = linear_case()
    try:
        call("gradsign", fn, model, x[:1], y[:1])
    except ValueError as e:
        expect("at least 2" in str(e), f"the ValueError must say 'at least 2 examples', got {str(e)!r}")
    else:
        raise AssertionError("one example gave no ValueError: one example always scores P, so gradsign must raise "
                             "ValueError('... at least 2 examples ...')")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sample_gradients_of_a_linear_model_are_the_closed_form(seed):
    check_linear_gradients(sample_gradients, seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradsign_of_a_linear_model(seed):
    check_linear_gradsign(gradsign, seed)


@pytest.mark.parametrize("name", ["sample_gradients", "gradsign"])
def test_model_left_as_found(name):
    check_left_as_found(name, FUNCTIONS[name])


def test_gradsign_needs_two_examples():
    check_needs_two_examples(gradsign)
