"""Homework 4, hidden tests: layers without bias, and a widened block deepened by an identity, in float32 with a
5-tap depthwise conv. Each catches a slip the public tests let through (tests/course/test_hw04_wrong_answers.py)."""

import torch
from my_net2net import identity_depthwise, widen_separable
from test_hw04 import diagnose, expect, forward, no_naslab
from torch import nn


def no_bias_block():
    torch.manual_seed(3)
    return (nn.Conv1d(2, 3, 1, bias=False), nn.Conv1d(3, 3, 5, groups=3, padding=2, bias=False),
            nn.Conv1d(3, 2, 1, bias=False))


def check_without_bias(fn):
    old, g = no_bias_block(), torch.tensor([0, 1, 2, 2, 2])
    new = no_naslab(fn, *old, g)
    for name, a in zip(("pw1", "dw", "pw2"), new):
        expect(a.bias is None, f"{name} has no bias, but the new {name} has one (a fresh nn.Conv1d draws a random "
               f"bias): create it with bias={name}.bias is not None")
    for name, a, b in zip(("pw1", "dw", "pw2"), new, old):
        expect(a.kernel_size == b.kernel_size and a.padding == b.padding, f"the new {name} has kernel "
               f"{a.kernel_size} and padding {a.padding}, the old one {b.kernel_size} and {b.padding}: keep them")
    x = torch.randn(4, 2, 12)
    with torch.no_grad():
        gap = (forward(*new, x) - forward(*old, x)).abs().max().item()
    expect(gap < 1e-5, f"without bias, outputs differ by {gap:.3g}: " + diagnose(old, new, g))


def check_widen_then_deepen(widen, identity):
    old, g = no_bias_block(), torch.tensor([0, 1, 2, 2, 2])
    new1, new_dw, new2 = widen(*old, g)
    x = torch.randn(4, 2, 12)
    with torch.no_grad():
        deeper, before = new2(no_naslab(identity, 5, 3)(torch.relu(new_dw(torch.relu(new1(x)))))), forward(*old, x)
        expect(deeper.shape == before.shape, f"widened (5-tap depthwise) then deepened, the output has shape "
               f"{tuple(deeper.shape)} instead of {tuple(before.shape)}: the widened dw must keep the old kernel size "
               f"and padding ({old[1].kernel_size}, {old[1].padding})")
        gap = (deeper - before).abs().max().item()
    expect(gap < 1e-5, f"widened (5-tap depthwise, float32) then deepened with identity_depthwise(5, 3), the output "
           f"differs by {gap:.3g}: the widened dw must keep the old kernel size and padding, and the identity layer "
           "must return its input exactly")


def test_widen_without_bias():
    check_without_bias(widen_separable)


def test_widen_then_insert_an_identity():
    check_widen_then_deepen(widen_separable, identity_depthwise)
