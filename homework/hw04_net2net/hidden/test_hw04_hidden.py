"""Homework 4, hidden tests: widen then deepen, on layers without bias, in float32."""

import torch
from my_net2net import identity_depthwise, widen_separable
from torch import nn


def test_widen_without_bias_then_insert_an_identity():
    torch.manual_seed(3)
    pw1, dw, pw2 = nn.Conv1d(2, 3, 1, bias=False), nn.Conv1d(3, 3, 5, groups=3, padding=2, bias=False), \
        nn.Conv1d(3, 2, 1, bias=False)
    new1, new_dw, new2 = widen_separable(pw1, dw, pw2, torch.tensor([0, 1, 2, 2, 2]))
    x = torch.randn(4, 2, 12)
    old = pw2(torch.relu(dw(torch.relu(pw1(x)))))
    deeper = new2(identity_depthwise(5, 3)(torch.relu(new_dw(torch.relu(new1(x))))))
    assert torch.allclose(deeper, old, atol=1e-5)
