"""Notebook 00's exercise checks (naslab/welcome/checks.py): one right answer and a table of wrong ones per
exercise; each wrong one is rejected with a message naming the mistake (the message text is asserted)."""

import dataclasses

import pytest
from torch import nn

from naslab.checking import CheckError
from naslab.data import load_dataset
from naslab.models import make_cnn, make_mlp
from naslab.train import TrainResult, evaluate
from naslab.utils import seed_everything
from naslab.welcome.checks import check_cnn, check_cnn_builder, check_n_params

# ---- exercise 1: build the CNN by hand ----------------------------------------------------------------------


def my_cnn(input_shape, num_classes, channels, *, stride=2, padding=1, relu=True, pool=nn.AdaptiveAvgPool1d,
           flatten=True, kernel=3, last=None):
    layers, c = [], input_shape[0]
    for c_out in channels:
        layers += [nn.Conv1d(c, c_out, kernel, stride=stride, padding=padding)] + ([nn.ReLU()] if relu else [])
        c = c_out
    layers += [pool(1)] + ([nn.Flatten()] if flatten else []) + [nn.Linear(c, last or num_classes)]
    return nn.Sequential(*layers)


class Unflattened(nn.Module):
    def __init__(self, *a):
        super().__init__()
        self.net = my_cnn(*a, flatten=False)

    def forward(self, x):
        return self.net[:-1](x).transpose(1, 2) @ self.net[-1].weight.T + self.net[-1].bias  # (B, 1, classes)


CNN_WRONG = {
    "no ReLU": (lambda *a: my_cnn(*a, relu=False), "put a ReLU after every conv"),
    "stride 1": (lambda *a: my_cnn(*a, stride=1), "every conv has stride 2"),
    "no padding": (lambda *a: my_cnn(*a, padding=0), "every conv pads 1"),
    "max pooling": (lambda *a: my_cnn(*a, pool=nn.AdaptiveMaxPool1d), "max pooling: the head averages"),
    "kernel 5": (lambda *a: my_cnn(*a, kernel=5, padding=2), "every conv has kernel size 3"),
    "widths": (lambda s, n, ch: my_cnn(s, n, (*ch, 8)), "conv widths"),
    "not flattened": (lambda *a: Unflattened(*a), "flatten the pooled"),
    "calls make_cnn": (lambda s, n, ch: make_cnn(s, n, ch), "called naslab's naslab.models"),
    "not a module": (lambda *a: [nn.Linear(2, 2)], "return an nn.Module"),
}


def test_cnn_builder_accepts_the_right_answer():
    assert check_cnn_builder(my_cnn).passed


@pytest.mark.parametrize("name", CNN_WRONG)
def test_cnn_builder_names_the_mistake(name):
    fn, fragment = CNN_WRONG[name]
    with pytest.raises(CheckError, match=fragment):
        check_cnn_builder(fn)


def test_cnn_builder_wrong_type():
    with pytest.raises(TypeError, match="takes your function my_cnn"):
        check_cnn_builder(make_cnn((1, 40), 10))


# ---- exercise 2: count parameters by hand --------------------------------------------------------------------


def n_params(hidden, d_in=40, n_classes=10):
    sizes = [d_in, *hidden, n_classes]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def layers(hidden):
    sizes = [40, *hidden, 10]
    return list(zip(sizes[:-1], sizes[1:]))


def own_error(hidden):
    return hidden[0] * 40


N_PARAMS_WRONG = {
    "classic: forgets the biases": (lambda h: sum(a * b for a, b in layers(h)), "counts only the weights"),
    "biases per input": (lambda h: sum(a * b + a for a, b in layers(h)), "d_out biases \\(one per output\\)"),
    "forgets the output layer": (lambda h: sum(a * b + b for a, b in layers(h)[:-1]), "left out the output layer"),
    "off by one": (lambda h: n_params(h) + 1, "off by one: \\+1"),
    "sign error": (lambda h: -n_params(h), "not positive \\(a sign error"),
    "constant": (lambda h: 12345, "returns 12345 whatever hidden is \\(a constant\\)"),
    "wrong shape: a list per layer": (lambda h: [a * b + b for a, b in layers(h)], "not a count per layer"),
    "a float": (lambda h: float(n_params(h)), "is a float"),
    "builds it": (lambda h: sum(p.numel() for p in make_mlp((1, 40), 10, h).parameters()), "called naslab's"),
    "own IndexError": (own_error, "your function own_error raised IndexError: tuple index out of range on input "
                       "hidden=\\(\\)"),
}


def test_n_params_accepts_the_right_answer():
    v = check_n_params(n_params)
    assert v.passed and "7,434" in v  # 40*64+64 + 64*64+64 + 64*10+10


@pytest.mark.parametrize("name", N_PARAMS_WRONG)
def test_n_params_names_the_mistake(name):
    fn, fragment = N_PARAMS_WRONG[name]
    with pytest.raises(CheckError, match=fragment):
        check_n_params(fn)


def test_n_params_stub_is_not_implemented_yet():
    def stub(hidden):
        raise NotImplementedError("Exercise 2: count them")

    v = check_n_params(stub)
    assert not v.passed and "not implemented yet (Exercise 2: count them)" in v


# ---- exercise 1: a CNN ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data():
    return load_dataset("mnist1d")


def result_of(model, data, steps=40):
    loss, acc = evaluate(model, data.X_val, data.y_val)
    return TrainResult(val_acc=acc, val_loss=loss, steps=steps)


@pytest.fixture(scope="module")
def right(data):
    seed_everything(0)
    cnn = make_cnn(data.input_shape, 10, channels=(32, 32, 32))
    mlp = make_mlp(data.input_shape, 10, hidden=(64,))
    return cnn, result_of(cnn, data), result_of(mlp, data)


def test_cnn_accepts_the_right_answer(right, data):
    assert check_cnn(*right, data, require_win=False).passed


def cnn_wrong(right, data):
    cnn, res, mlp_res = right
    small = make_cnn(data.input_shape, 10, channels=(16, 16, 16))
    deeper = make_cnn(data.input_shape, 10, channels=(32, 32, 32, 32))
    nine = make_cnn(data.input_shape, 9, channels=(32, 32, 32))
    mlp = make_mlp(data.input_shape, 10, hidden=(64,))
    return {
        "classic: the MLP's result": ((cnn, mlp_res, mlp_res), "cnn_result is the MLP's result"),
        "wrong channels": ((small, result_of(small, data), mlp_res), "channels \\(16, 16, 16\\)"),
        "off by one: a fourth layer": ((deeper, result_of(deeper, data), mlp_res), "too many or too few: off by one"),
        "wrong shape: 9 classes": ((nine, res, mlp_res), "expected \\(2, 10\\).*wrong shape"),
        "not a CNN": ((mlp, result_of(mlp, data), mlp_res), "no convolution layer"),
        "other budget": ((cnn, dataclasses.replace(res, steps=39), mlp_res), "trained for 39 steps, the MLP for 40"),
        "diverged": ((cnn, dataclasses.replace(res, diverged=True), mlp_res), "diverged"),
        "self-reported accuracy": ((cnn, dataclasses.replace(res, val_acc=0.99), mlp_res), "scores 0\\.\\d+ on the "
                                   "validation split"),
        "sign error: error rate": ((cnn, dataclasses.replace(res, val_acc=1 - res.val_acc), mlp_res),
                                   "but your cnn scores"),
    }


NAMES = ["classic: the MLP's result", "wrong channels", "off by one: a fourth layer", "wrong shape: 9 classes",
         "not a CNN", "other budget", "diverged", "self-reported accuracy", "sign error: error rate"]


@pytest.mark.parametrize("name", NAMES)
def test_cnn_names_the_mistake(name, right, data):
    answer, fragment = cnn_wrong(right, data)[name]
    with pytest.raises(CheckError, match=fragment):
        check_cnn(*answer, data, require_win=False)


def test_cnn_must_win_in_class_mode(right, data):
    cnn, res, mlp_res = right
    with pytest.raises(CheckError, match="should beat the MLP"):
        check_cnn(cnn, res, dataclasses.replace(mlp_res, val_acc=1.0), data, require_win=True)
    assert sorted(cnn_wrong(right, data)) == sorted(NAMES)
