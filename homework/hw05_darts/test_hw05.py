"""Homework 5 tests: the new op passes naslab's op validator; the skip rule against DARTS's derivation."""

import pytest
import torch
from my_darts import derive_cell_max_skip, mb_conv

from naslab.darts.genotype import derive_cell, n_edges
from naslab.darts.ops import PRIMITIVES, build_op, register_op, unregister_op, validate_op


@pytest.fixture
def registered():
    register_op("mb_conv_3x3", mb_conv, overwrite=True)
    yield "mb_conv_3x3"
    unregister_op("mb_conv_3x3")


def test_mb_conv_is_a_valid_darts_op(registered):
    assert validate_op(registered, C=4, size=8) == registered  # shapes, strides 1 and 2, 1-D and 2-D, gradients


@pytest.mark.parametrize("dim, taps", [(1, 3), (2, 9)])
def test_mb_conv_structure(registered, dim, taps):
    op = build_op(registered, 4, 1, dim=dim)
    convs = [m for m in op.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d))]
    assert [c.groups for c in convs] == [1, 8, 1], "1x1 expand, depthwise (groups = 2C), 1x1 project"
    assert all(c.bias is None for c in convs), "DARTS convs carry no bias (BN follows)"
    want = 4 * 8 + 2 * 8 + 8 * taps + 2 * 8 + 8 * 4 + 2 * 4  # conv, BN, depthwise, BN, conv, BN
    assert sum(p.numel() for p in op.parameters()) == want


@pytest.mark.parametrize("dim", [1, 2])
def test_mb_conv_strides_on_the_depthwise_conv(registered, dim):
    op = build_op(registered, 4, 2, dim=dim)
    convs = [m for m in op.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Conv2d))]
    assert [c.stride for c in convs] == [(1,) * dim, (2,) * dim, (1,) * dim], (
        f"strides {[c.stride for c in convs]}: the stride belongs to the depthwise 3-tap conv; the 1x1 convs keep "
        "stride 1 (a strided 1x1 conv drops three of every four positions without looking at them)")


@pytest.mark.parametrize("dim", [1, 2])
def test_mb_conv_ends_linear(registered, dim):
    torch.manual_seed(0)
    op = build_op(registered, 4, 1, dim=dim)
    y = op(torch.randn(8, 4, *([8] * dim)))
    assert (y < 0).any(), ("every output is >= 0: a ReLU after the 1x1 projection? MobileNetV2's bottleneck ends "
                           "with Conv 1x1 -> BN and no activation (a linear bottleneck)")


def _weights(steps=3, seed=0):
    torch.manual_seed(seed)
    return torch.softmax(torch.randn(n_edges(steps), len(PRIMITIVES)), -1)


@pytest.mark.parametrize("seed", range(6))
def test_equals_derive_cell_when_the_limit_does_not_bind(seed):
    w = _weights(seed=seed)
    want = derive_cell(w, PRIMITIVES, k=2)
    assert derive_cell_max_skip(w, PRIMITIVES, k=2, max_skip=99) == want


def test_collapsed_cell_keeps_the_strongest_skips():
    w = torch.full((n_edges(3), len(PRIMITIVES)), 0.01)
    skip, sep = PRIMITIVES.index("skip_connect"), PRIMITIVES.index("sep_conv_3x3")
    for row in range(n_edges(3)):
        w[row, skip] = 0.5 + 0.01 * row  # skip wins everywhere; later rows' skips are stronger
        w[row, sep] = 0.2
    nodes = derive_cell_max_skip(w, PRIMITIVES, k=2, max_skip=2)
    ops = [op for node in nodes for op, _ in node]
    assert ops.count("skip_connect") == 2, f"{ops}: at most max_skip skips"
    assert set(ops) == {"skip_connect", "sep_conv_3x3"}, "a replaced skip takes its strongest other op"
    assert [op for op, _ in nodes[-1]] == ["skip_connect", "skip_connect"], "the strongest skips (last node) stay"
    assert [[j for _, j in node] for node in nodes] == [[j for _, j in node] for node in derive_cell(w, PRIMITIVES)], \
        "the kept edges (inputs) do not change, only their ops"


def test_max_skip_zero_and_bad_values():
    w = _weights(seed=1)
    w[:, PRIMITIVES.index("skip_connect")] += 1.0
    assert all(op != "skip_connect" for node in derive_cell_max_skip(w, PRIMITIVES, max_skip=0) for op, _ in node)
    for bad in (-1, 1.5, "2"):
        with pytest.raises(ValueError, match="max_skip"):
            derive_cell_max_skip(w, PRIMITIVES, max_skip=bad)
