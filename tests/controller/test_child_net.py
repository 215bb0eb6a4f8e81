"""naslab.controller.child_net: building 1-D and 2-D children of the macro space, the shrink rule, skips."""

import numpy as np
import pytest
import torch
from torch import nn

from naslab.controller.child_net import ChildBuilder, ChildNet, same_size
from naslab.controller.macro_space import MacroSpace

from .test_macro_space import SPACES

SHAPES = [(1, 40), (2, 13), (1, 8, 8), (3, 5, 7), (1, 1, 1)]


@pytest.mark.parametrize("input_shape", SHAPES)
@pytest.mark.parametrize("space", SPACES[:3], ids=lambda s: f"L{s.n_layers}")
def test_every_sampled_architecture_builds_runs_forward_and_backward(space, input_shape):
    torch.manual_seed(0)
    rng = np.random.default_rng(2)
    for _ in range(6):
        arch = space.sample(rng)
        net = space.build(arch, input_shape, num_classes=4)
        x = torch.randn(3, *input_shape)
        y = net(x)
        assert y.shape == (3, 4) and torch.isfinite(y).all()
        y.square().sum().backward()
        for name, p in net.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), name


@pytest.mark.parametrize("input_shape", [(1, 40), (1, 8, 8), (2, 3, 9)])
def test_shrink_rule_never_goes_below_one_and_shapes_match(input_shape):
    s = MacroSpace(n_layers=7, filters=(4,), kernels=(1, 3), strides=(3,), pools=("max", "avg"))
    rng = np.random.default_rng(3)
    for _ in range(5):
        arch = s.sample(rng)
        shapes = s.shapes(arch, input_shape)
        size = list(input_shape[1:])
        for shape in shapes:  # stride 3 then pool 2, each ceil-divides every axis longer than 1
            size = [-(-n // 3) if n > 1 else 1 for n in size]
            size = [-(-n // 2) if n > 1 else 1 for n in size]
            assert list(shape[1:]) == size and min(size) >= 1
        assert min(shapes[-1][1:]) == 1  # seven reductions shrink everything to length 1
        net = s.build(arch, input_shape, 3)
        seen = []
        hooks = [m.register_forward_hook(lambda m, i, o, seen=seen: seen.append(tuple(o.shape[1:])))
                 for m in net.layers]
        net(torch.randn(2, *input_shape))
        for h in hooks:
            h.remove()
        assert seen == shapes


def test_skip_connections_concatenate_channels():
    s = MacroSpace(n_layers=3, filters=(4, 8), kernels=(3,), strides=(2,))
    arch = s.parse("4-3-2|8-3-2|4-3-2+0")
    net = s.build(arch, (1, 16), 2)
    assert net.layers[2][0].in_channels == 8 + 4  # layer 1's output plus layer 0's, concatenated
    no_skip = s.build(s.parse("4-3-2|8-3-2|4-3-2"), (1, 16), 2)
    assert no_skip.layers[2][0].in_channels == 8


def test_same_size_average_pools_down_and_keeps_a_match():
    x = torch.arange(8.0).reshape(1, 1, 8)
    torch.testing.assert_close(same_size(x, (4,)), x.reshape(1, 1, 4, 2).mean(-1))  # pairs averaged
    assert same_size(x, (8,)) is x
    img = torch.randn(2, 3, 6, 6)
    assert same_size(img, (3, 3)).shape == (2, 3, 3, 3)


def test_a_subclass_overrides_make_layer_and_build_uses_it():
    class Dropped(MacroSpace):
        def make_layer(self, op, c_in, size):
            layer, c_out, size = super().make_layer(op, c_in, size)
            return nn.Sequential(layer, nn.Dropout(0.5)), c_out, size

    s = Dropped(n_layers=2, filters=(4,), kernels=(3,), strides=(1,))
    net = s.build(s.sample(0), (1, 10), 3)
    assert isinstance(net, ChildNet) and isinstance(s, ChildBuilder)
    assert all(isinstance(layer[1], nn.Dropout) for layer in net.layers)
    assert MacroSpace.reduce((5, 1), 2) == ((2, 1), (3, 1))  # the shrink rule: axes of length 1 stay
    assert np.prod(net(torch.randn(2, 1, 10)).shape) == 6


def test_notebook_02_space_on_digits_every_child_ends_at_8_over_2_to_the_strides():
    # notebook 02 §4 (what the shrink rule guarantees, a fact of construction, so a test and not a claim): on an
    # 8 x 8 digit a child with k stride-2 layers ends at ceil(8 / 2^k) per side, i.e. 8, 4, 2, then 1 x 1 for
    # three or four stride-2 layers, and never below 1 x 1
    space = MacroSpace(n_layers=4, filters=(4, 8, 16, 32), kernels=(1, 3, 5, 7), strides=(1, 2), skips=True)
    seen = set()
    for s in range(300):
        arch = space.sample(s)
        k = sum(arch.layer(i)["stride"] == 2 for i in range(arch.n_layers))
        last = space.shapes(arch, (1, 8, 8))[-1][1:]
        assert tuple(last) == (max(1, 8 // 2 ** k),) * 2, (arch.key, k, last)
        seen.add(k)
    assert {3, 4} <= seen  # the conditional of the claim is exercised, not vacuous
