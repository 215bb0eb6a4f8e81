"""Notebook 04's Exercise 1 (Net2WiderNet through a BatchNorm, on modules): the right answer passes; each
typical wrong answer is rejected with a message naming the slip (the message text is the oracle); calling
naslab's widen_pair is refused; a wrong argument type is the check's own TypeError."""


import pytest
import torch
from torch import nn

from naslab.checking import CheckError
from naslab.net2net.checks import check_identity_kernel, check_widen_conv_linear
from naslab.net2net.checks_bn import check_widen_bn
from naslab.net2net.deeper import identity_conv
from naslab.net2net.layers import widen_pair


def widen_bn(fc1, bn, fc2, g, *, divisor=lambda c: c, skip=(), fc2_bias=lambda b, c: b, in_place=False):
    """The answer, with a planted slip: `skip` names what is not copied ("stats", "affine", "bias1")."""
    n, q = fc1.out_features, len(g)
    count = torch.bincount(g, minlength=n).float()
    f1, b, f2 = nn.Linear(fc1.in_features, q), nn.BatchNorm1d(q), nn.Linear(q, fc2.out_features)
    with torch.no_grad():
        f1.weight.copy_(fc1.weight[g])
        if "bias1" not in skip:
            f1.bias.copy_(fc1.bias[g])
        if "affine" not in skip:
            b.weight.copy_(bn.weight[g]), b.bias.copy_(bn.bias[g])
        if "stats" not in skip:
            b.running_mean.copy_(bn.running_mean[g]), b.running_var.copy_(bn.running_var[g])
        f2.weight.copy_(fc2.weight[:, g] / divisor(count[g]))
        f2.bias.copy_(fc2_bias(fc2.bias, count))
        if in_place:
            fc2.bias.zero_()
    return f1, b, f2


def via_widen_pair(fc1, bn, fc2, g):
    w = widen_pair(fc1, fc2, len(g), bn=bn, g=g)
    return w.layer, w.bn, w.next_layer


WRONG = {
    "no division": (lambda *a: widen_bn(*a, divisor=lambda c: torch.ones_like(c)), "without dividing them"),
    "off by one: count + 1": (lambda *a: widen_bn(*a, divisor=lambda c: c + 1), "replica count ± 1 \\(off by one\\)"),
    "BatchNorm statistics not remapped": (lambda *a: widen_bn(*a, skip=("stats",)),
                                          "the running mean was not remapped with g"),
    "BatchNorm γ, β not remapped": (lambda *a: widen_bn(*a, skip=("affine",)), "γ \\(bn.weight\\) was not remapped"),
    "fc1's bias not copied": (lambda *a: widen_bn(*a, skip=("bias1",)), "fc1's bias is not copied by g"),
    "fc2's bias divided": (lambda *a: widen_bn(*a, fc2_bias=lambda b, c: b / c.max()), "fc2's bias must stay"),
    "the old modules changed": (lambda *a: widen_bn(*a, in_place=True), "changed the old modules in place"),
    "weights, not modules": (lambda fc1, bn, fc2, g: (fc1.weight[g], bn, fc2),
                             "return modules, not weight tensors"),
    "two modules": (lambda fc1, bn, fc2, g: widen_bn(fc1, bn, fc2, g)[:2], "return the three new modules"),
    "calls naslab's widen_pair": (via_widen_pair, "called naslab's naslab.net2net.layers"),
}


def test_the_right_answer_passes():
    assert check_widen_bn(widen_bn).passed



def test_naslab_agrees_with_the_right_answer():  # the oracle of the planted answer: widen_pair, same g
    torch.manual_seed(0)
    fc1, bn, fc2 = nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2)
    with torch.no_grad():
        bn.running_mean.normal_(), bn.weight.uniform_(0.5, 2)
    g = torch.tensor([0, 1, 2, 0, 2])
    for a, b in zip(widen_bn(fc1, bn, fc2, g), via_widen_pair(fc1, bn, fc2, g)):
        for x, y in zip(a.state_dict().values(), b.state_dict().values()):
            assert torch.allclose(x.float(), y.float())


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answers_are_named(name):
    fn, says = WRONG[name]
    with pytest.raises(CheckError, match=says):
        check_widen_bn(fn)


def test_a_wrong_argument_type_is_the_checks_own_type_error():
    with pytest.raises(TypeError, match="fn must be your function, got str"):
        check_widen_bn("my_widen_bn")


def test_the_other_exercises_refuse_naslabs_own_code():
    def conv_via_naslab(W1, b1, W2, g, s):
        conv, lin = nn.Conv1d(W1.shape[1], W1.shape[0], W1.shape[2]), nn.Linear(W2.shape[1], W2.shape[0])
        with torch.no_grad():
            conv.weight.copy_(W1), conv.bias.copy_(b1), lin.weight.copy_(W2)
        w = widen_pair(conv, lin, len(g), g=g)
        return w.layer.weight.detach(), w.layer.bias.detach(), w.next_layer.weight.detach()

    with pytest.raises(CheckError, match="called naslab's naslab.net2net.layers"):
        check_widen_conv_linear(conv_via_naslab)
    with pytest.raises(CheckError, match="called naslab's naslab.net2net.deeper"):
        check_identity_kernel(lambda c, k: identity_conv(c, k, dim=1).weight.detach())


@pytest.mark.parametrize("check", [check_widen_conv_linear, check_identity_kernel])
def test_the_other_04_checks_raise_their_own_type_error(check):
    with pytest.raises(TypeError, match=f"{check.__name__}\\(fn\\): fn must be your function, got tuple"):
        check((1, 2))
