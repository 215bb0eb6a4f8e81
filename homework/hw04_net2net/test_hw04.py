"""Homework 4 tests: the widened and deepened separable blocks compute exactly the old function."""

import pytest
import torch
from my_net2net import identity_depthwise, widen_separable
from torch import nn


def _block(c=3, n=4, p=5, k=3, seed=0):
    torch.manual_seed(seed)
    return (nn.Conv1d(c, n, 1).double(), nn.Conv1d(n, n, k, groups=n, padding=k // 2).double(),
            nn.Conv1d(n, p, 1).double())


def _forward(pw1, dw, pw2, x):
    return pw2(torch.relu(dw(torch.relu(pw1(x)))))


@pytest.mark.parametrize("g", [[0, 1, 2, 3, 0, 0], [3, 2, 1, 0], [0, 1, 2, 3, 1, 3, 3, 2]])
def test_widening_preserves_the_function(g):
    pw1, dw, pw2 = _block()
    g = torch.tensor(g)
    new = [m.double() for m in widen_separable(pw1, dw, pw2, g)]
    x = torch.randn(7, 3, 11, dtype=torch.float64)
    assert torch.allclose(_forward(*new, x), _forward(pw1, dw, pw2, x), atol=1e-10), \
        "outputs differ: copy pw1's rows and dw's filters by g, divide pw2's columns by the replica count"


def test_widened_shapes_and_groups():
    pw1, dw, pw2 = _block()
    new1, new_dw, new2 = widen_separable(pw1, dw, pw2, torch.tensor([0, 1, 2, 3, 2, 2]))
    assert new1.weight.shape == (6, 3, 1) and new2.weight.shape == (5, 6, 1)
    assert new_dw.groups == 6 and new_dw.weight.shape == (6, 1, 3), "the depthwise conv needs groups = q"


def test_widening_changes_nothing_in_place():
    pw1, dw, pw2 = _block()
    before = [m.weight.detach().clone() for m in (pw1, dw, pw2)]
    widen_separable(pw1, dw, pw2, torch.tensor([0, 1, 2, 3, 0]))
    assert all(torch.equal(m.weight, b) for m, b in zip((pw1, dw, pw2), before))


def test_a_missing_channel_is_refused_by_name():
    pw1, dw, pw2 = _block()
    with pytest.raises(ValueError, match=r"\[2\]"):
        widen_separable(pw1, dw, pw2, torch.tensor([0, 1, 3, 3, 1]))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_identity_depthwise(k):
    conv = identity_depthwise(4, k)
    assert conv.groups == 4 and conv.weight.shape == (4, 1, k)
    x = torch.randn(2, 4, 9)
    assert torch.allclose(conv(x), x, atol=1e-7), "the layer must return its input unchanged"


def test_even_kernel_is_refused():
    with pytest.raises(ValueError, match="even"):
        identity_depthwise(4, 2)
