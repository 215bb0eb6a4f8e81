"""Notebook 02's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message naming the mistake (the message text is asserted)."""

import math

import pytest
import torch
from torch import nn

from naslab.checking import CheckError
from naslab.controller.checks import check_reward_shaping, check_token_extension
from naslab.controller.macro_space import MacroSpace


def reject(check, answer, fragment, *args):
    with pytest.raises(CheckError, match=fragment):
        check(answer, *args)


# ---- exercise 3: reward shaping ------------------------------------------------------------------------------


def tan_reward(acc):
    return torch.tan(acc.clamp(max=0.999) * math.pi / 2)


def own_error(acc):
    return acc[acc > 0.5][40]


REWARD_WRONG = {
    "off by one": (lambda a: tan_reward(a) + 1, "shifted by \\+1 \\(off by one"),
    "sign error": (lambda a: -tan_reward(a), "negative of the expected values \\(a sign error\\)"),
    "constant": (lambda a: torch.ones_like(a), "same value 1 for every input \\(a constant\\)"),
    "wrong shape": (lambda a: tan_reward(a)[:-1], "shape \\(35,\\) for 36 accuracies.*wrong shape"),
    "classic: tan(acc·π)": (lambda a: torch.tan(a.clamp(max=0.999) * math.pi), "tan\\(acc · π\\)"),
    "classic: degrees": (lambda a: torch.tan(a * 90), "radians"),
    "another shaping": (lambda a: a ** 3, "'cube' shaping"),
    "no clipping at acc = 1": (lambda a: torch.tan(a * math.pi / 2), "clip the accuracy at 0.999"),
    "NaN replaced by 0": (lambda a: torch.nan_to_num(tan_reward(a), nan=0.0), "keep it NaN"),
    "math.tan on a tensor": (lambda a: math.tan(a * math.pi / 2), "torch functions \\(torch.tan"),
    "a list": (lambda a: [float(v) for v in tan_reward(a)][:3], "shape \\(3,\\) for 36"),
    "own IndexError": (own_error, "raised IndexError"),
}


def test_reward_shaping_accepts_the_right_answers():
    assert check_reward_shaping(tan_reward, "tan").passed
    assert check_reward_shaping(lambda a: a ** 3, "cube").startswith("✓")


@pytest.mark.parametrize("name", REWARD_WRONG)
def test_reward_shaping_names_the_mistake(name):
    reject(check_reward_shaping, *REWARD_WRONG[name], "tan")


def test_reward_shaping_rejects_naslabs_own_shaping():
    from naslab.controller.reinforce import REWARDS

    reject(check_reward_shaping, lambda a: torch.tensor([REWARDS["tan"](float(v)) for v in a]),
           "called naslab's naslab.controller.reinforce", "tan")


def test_reward_shaping_cube_and_bad_kind():
    reject(check_reward_shaping, lambda a: a ** 2, "wrong: fn\\(0.030\\) = 0.0009", "cube")
    with pytest.raises(TypeError, match="takes your function"):
        check_reward_shaping(0.5, "tan")
    with pytest.raises(ValueError, match="allowed"):
        check_reward_shaping(tan_reward, "square")


# ---- exercise 4: a new token type ----------------------------------------------------------------------------


class DropoutSpace(MacroSpace):
    """The worked answer: a dropout rate per layer."""

    def layer_decisions(self):
        return super().layer_decisions() + [("dropout", (0.0, 0.3))]

    def make_layer(self, op, c_in, size):
        layer, c_out, size = super().make_layer(op, c_in, size)
        return nn.Sequential(layer, nn.Dropout(op["dropout"])), c_out, size


class Unused(DropoutSpace):  # the classic slip: the token is decided but make_layer never reads it
    def make_layer(self, op, c_in, size):
        return MacroSpace.make_layer(self, op, c_in, size)


class ExtraChannel(DropoutSpace):  # wrong shape: claims c_out + 1 channels
    def make_layer(self, op, c_in, size):
        layer, c_out, size = super().make_layer(op, c_in, size)
        return layer, c_out + 1, size


class PaddingOffByOne(DropoutSpace):  # off by one: padding k // 2 + 1 makes the output 2 longer
    def make_layer(self, op, c_in, size):
        layer, c_out, new = super().make_layer(op, c_in, size)
        conv = layer[0][0]
        conv.padding = (conv.padding[0] + 1,)
        return layer, c_out, new


class NegativeRate(DropoutSpace):  # sign error: a negative dropout rate
    def layer_decisions(self):
        return MacroSpace.layer_decisions(self) + [("dropout", (0.0, -0.3))]


class OneValue(DropoutSpace):  # a constant token
    def layer_decisions(self):
        return MacroSpace.layer_decisions(self) + [("dropout", (0.3,))]


class PairOnly(DropoutSpace):  # wrong shape: make_layer returns (module, c_out)
    def make_layer(self, op, c_in, size):
        return super().make_layer(op, c_in, size)[:2]


SPACES = dict(n_layers=3)
TOKEN_WRONG = {
    "classic: token never used": (Unused(**SPACES), "'dropout' is never used.*make_layer must read op\\['dropout'\\]"),
    "wrong shape: c_out + 1": (ExtraChannel(**SPACES), "says it outputs \\d+ channels.*module outputs shape"),
    "off by one: padding": (PaddingOffByOne(**SPACES), "size \\(\\d+,\\).*module outputs shape \\(2, \\d+, \\d+\\)"),
    "sign error: negative rate": (NegativeRate(**SPACES), "your function make_layer raised ValueError: .*-0.3"),
    "constant": (OneValue(**SPACES), "single value \\(0.3,\\) \\(a constant\\)"),
    "wrong shape: a pair": (PairOnly(**SPACES), "return a tuple \\(module, c_out, new size\\)"),
    "no new token": (MacroSpace(**SPACES), "no new token type"),
}


def test_token_extension_accepts_the_right_answer():
    v = check_token_extension(DropoutSpace(**SPACES))
    assert v.passed and "changes the child" in v
    assert DropoutSpace(n_layers=3).size == MacroSpace(n_layers=3).size * 2 ** 3


@pytest.mark.parametrize("name", TOKEN_WRONG)
def test_token_extension_names_the_mistake(name):
    reject(check_token_extension, *TOKEN_WRONG[name])


def test_token_extension_stub_is_not_implemented_yet():
    class Stub(MacroSpace):
        def layer_decisions(self):
            raise NotImplementedError("Exercise 4: add the dropout token")

    v = check_token_extension(Stub.__new__(Stub))
    assert not v.passed and "not implemented yet" in v
