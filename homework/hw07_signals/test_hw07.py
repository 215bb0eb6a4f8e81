"""Homework 7 tests: the per-example gradients against the closed form of a linear softmax model; ZiCo on a case
worked by hand and through its invariants (one term per layer, scale-free, zero-std parameters skipped); the
model left as found; bad input; naslab's proxy code not called.

Each `check_*` helper takes the function under test, so tests/course/test_hw07_wrong_answers.py can plant
wrong answers in it: when a result matches a known slip, the message names the slip."""

import math

import pytest
import torch
from my_zico import sample_gradients, zico
from torch import nn

from naslab.checking import CheckError, NotImplementedYet, call_student

FUNCTIONS = {"sample_gradients": sample_gradients, "zico": zico}
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


def zero_linear(d, k, bias=True):
    """nn.Linear(d, k) in float64 with every weight 0: its logits are 0 for any input, so for every example
    r_i = softmax(0) - onehot(y_i) = 1/k - onehot(y_i), and G[i] = (r_i x_iᵀ, r_i) whatever the batch."""
    model = nn.Linear(d, k, bias=bias).double()
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    return model


def zico_float(fn, model, x, y) -> float:
    got = call("zico", fn, model, x, y)
    expect(isinstance(got, float), f"return ZiCo as a Python float, got {type(got).__name__}")
    expect(math.isfinite(got), f"ZiCo is {got}: a parameter whose gradient has std 0 over the examples was not "
                               "skipped (0/0 is nan, x/0 is inf), or a layer whose sum is 0 gave log 0 = -inf: "
                               "skip both")
    return got


# The case worked by hand: a zero-weight nn.Linear(2, 3), x_1 = (1, 2), x_2 = (-3, 1), both labels 0, so
# r = (-2/3, 1/3, 1/3) for both and G[i, (c, j)] = r_c x_i[j]. One layer, the 3 x 2 weight (the biases r_c
# are the same for both examples: std 0, skipped). Column j = 0 holds r_c·(1, -3): mean |g| = 2|r_c|,
# std = 2|r_c|, ratio 1; column j = 1 holds r_c·(2, 1): mean |g| = 1.5|r_c|, std = 0.5|r_c|, ratio 3.
# Three rows c: S = 3·(1 + 3) = 12, ZiCo = log 12. Each slip below gives its own value, worked the same way.
BY_HAND = math.log(12)
HAND_SLIPS = [
    (12.0, "ZiCo = 12 = S, not log S: take the log of each layer's sum"),
    (math.log(12 / math.sqrt(2)), "that std divides by n - 1 (torch.std's default, ddof = 1): ZiCo uses the "
                                  "population std over the examples, ddof = 0 (correction=0 in torch.std)"),
    (math.log(48.75), "that divides mean |g| by the variance: divide by the standard deviation"),
    (math.log(4), "the ratio is upside down (std / mean |g|): ZiCo sums mean |g| / std"),
    (math.log(2.5), "that takes the mean of g, not of |g|: μ_θ is the mean of the ABSOLUTE gradients"),
    (math.log(10.5), "that takes |mean of g|, not the mean of |g|: μ_θ is the mean of the ABSOLUTE gradients"),
    (math.log(27), "the log is inside the sum over the parameters: ZiCo takes the log of each layer's sum "
                   "log Σ_θ μ_θ / σ_θ"),
    (math.log(2 / math.sqrt(5) + 8 / (3 * math.sqrt(10))),
     "mean and std run over the parameters of each example: they run over the examples i, one pair per parameter"),
]


def check_zico_by_hand(fn):
    model = zero_linear(2, 3)
    x, y = torch.tensor([[1.0, 2.0], [-3.0, 1.0]], dtype=torch.float64), torch.tensor([0, 0])
    got = zico_float(fn, model, x, y)
    for value, message in HAND_SLIPS:
        expect(not close(got, value), f"{message} (on the two-example case worked by hand)")
    expect(close(got, BY_HAND), f"on the two-example case worked by hand (zero-weight nn.Linear(2, 3), "
                                f"x = (1, 2), (-3, 1), both labels 0) ZiCo is log 12 = {BY_HAND:.6f}, got {got}")


class TwoLayers(nn.Module):
    """Two zero-weight layers side by side: f(x) = A x[:, :2] + B x[:, 2:] (no biases)."""

    def __init__(self):
        super().__init__()
        self.a, self.b = zero_linear(2, 3, bias=False), zero_linear(3, 3, bias=False)

    def forward(self, x):
        return self.a(x[:, :2]) + self.b(x[:, 2:])


def check_zico_adds_layers(fn, seed=0):
    # the logits stay 0, so layer A's columns of G are those of A alone on x[:, :2], and B's those of B alone
    torch.manual_seed(seed)
    x, y = torch.randn(6, 5, dtype=torch.float64), torch.arange(6) % 3
    both = zico_float(fn, TwoLayers(), x, y)
    a = zico_float(fn, zero_linear(2, 3, bias=False), x[:, :2], y)
    b = zico_float(fn, zero_linear(3, 3, bias=False), x[:, 2:], y)
    expect(not close(both, math.log(math.exp(a) + math.exp(b))),
           "that is the log of the total over all layers: ZiCo sums one log per layer, Σ_l log S_l")
    expect(not close(both, a) and not close(both, b), "only one of the two layers was counted: every weight "
                                                      "tensor of dimension ≥ 2 is a layer")
    expect(close(both, a + b), f"a second layer must add its own term: ZiCo(A and B) = ZiCo(A) + ZiCo(B) = "
                               f"{a:.6f} + {b:.6f} when the layers see separate inputs, got {both}")


def check_zico_scale_free(fn, seed=0, c=10.0):
    # with zero weights, scaling the inputs by c scales every weight gradient by c: mean |g| / std does not change
    torch.manual_seed(seed)
    x, y = torch.randn(6, 4, dtype=torch.float64), torch.arange(6) % 3
    one = zico_float(fn, zero_linear(4, 3), x, y)
    scaled = zico_float(fn, zero_linear(4, 3), c * x, y)
    expect(not close(scaled - one, -math.log(c)),
           f"ZiCo dropped by log {c:g} when every weight gradient grew {c:g}-fold: that divides by the variance; "
           "divide by the standard deviation, so that mean |g| / std does not depend on the scale")
    expect(close(scaled, one), f"ZiCo must not change when every weight gradient is scaled by {c:g} "
                               f"(mean |g| / std is scale-free): got {one} and then {scaled}")


def check_zico_skips_zero_std(fn, seed=0):
    # an input feature that is always 0: its weights get gradient 0 from every example (std 0), skipped
    torch.manual_seed(seed)
    x, y = torch.randn(6, 3, dtype=torch.float64), torch.arange(6) % 3
    x[:, 1] = 0.0
    want = zico_float(fn, zero_linear(2, 3, bias=False), x[:, [0, 2]], y)
    got = zico_float(fn, zero_linear(3, 3, bias=False), x, y)
    expect(close(got, want), "the weights of an input feature that is always 0 have gradient 0 for every example "
                             f"(std 0): skipped, ZiCo equals that of the model without the feature, {want:.6f}; "
                             f"got {got}")


def bn_case(seed=0, train=False):
    """A Linear-BatchNorm-ReLU-Linear MLP (float64) whose running statistics are not the identity. The first
    Linear has no bias: in train mode BatchNorm cancels it, and its gradient would be rounding noise."""
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
        call("zico", fn, model, x[:1], y[:1])
    except ValueError as e:
        expect("at least 2" in str(e), f"the ValueError must say 'at least 2 examples', got {str(e)!r}")
    else:
        raise AssertionError("one example gave no ValueError: with one example every std is 0, so zico must raise "
                             "ValueError('... at least 2 examples ...')")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sample_gradients_of_a_linear_model_are_the_closed_form(seed):
    check_linear_gradients(sample_gradients, seed)


def test_zico_of_a_case_worked_by_hand():
    check_zico_by_hand(zico)


def test_zico_adds_one_term_per_layer():
    check_zico_adds_layers(zico)


def test_zico_is_scale_free():
    check_zico_scale_free(zico)


def test_zico_skips_a_parameter_with_std_zero():
    check_zico_skips_zero_std(zico)


@pytest.mark.parametrize("name", ["sample_gradients", "zico"])
def test_model_left_as_found(name):
    check_left_as_found(name, FUNCTIONS[name])


def test_zico_needs_two_examples():
    check_needs_two_examples(zico)
