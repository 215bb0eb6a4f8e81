"""naslab.darts.ops: every registered op keeps the size at stride 1, halves it at stride 2, is finite and passes
gradients, in 1-D and 2-D; the registry accepts new ops and rejects bad ones with clear errors."""

import pytest
import torch
from torch import nn

import naslab
from naslab.darts.ops import (
    BUILTIN,
    OPS,
    PRIMITIVES,
    RELU_FIRST,
    DilConv,
    FactorizedReduce,
    ReLUConvBN,
    SepConv,
    build_op,
    halved,
    register_op,
    unregister_op,
    validate_op,
)


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("size", [8, 7])
def test_every_op_shape_finite_and_gradient(name, dim, stride, size):
    torch.manual_seed(0)
    C = 4
    op = build_op(name, C, stride, affine=True, dim=dim)
    x = torch.randn(3, C, *([size] * dim), requires_grad=True)
    y = op(x)
    expected = size if stride == 1 else (size + 1) // 2  # stride 2 halves (ceil for odd sizes)
    assert tuple(y.shape) == (3, C, *([expected] * dim))
    assert torch.isfinite(y).all()
    y.square().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    if name != "none":  # only the zero op passes an all-zero gradient
        assert x.grad.abs().sum() > 0
    for pname, p in op.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), pname


def test_primitives_are_the_papers_eight_in_order():
    assert PRIMITIVES == ("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
                          "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")
    assert set(PRIMITIVES) <= set(OPS) and BUILTIN[:8] == PRIMITIVES


def test_stride_one_skip_is_identity_and_none_is_zero():
    x = torch.randn(2, 3, 6)
    assert torch.equal(build_op("skip_connect", 3, 1, dim=1)(x), x)
    assert torch.equal(build_op("none", 3, 2, dim=1)(x), torch.zeros(2, 3, 3))


def test_halved():
    assert [halved(s) for s in (1, 2, 7, 8, 40)] == [1, 1, 4, 4, 20]


def test_register_a_new_op_then_check_and_remove_it():
    name = "conv_3x3_test"

    @register_op(name)
    def conv_3x3(C, stride, affine, dim):
        conv = nn.Conv1d if dim == 1 else nn.Conv2d
        return nn.Sequential(nn.ReLU(), conv(C, C, 3, stride, 1, bias=False))

    try:
        assert name in OPS and validate_op(name) == name
        assert naslab.check_op(name) == f"✓ {name}: a valid DARTS candidate in 1-D and 2-D"
        register_op(name, conv_3x3)  # the same builder again (a re-run notebook cell) is fine
        with pytest.raises(ValueError, match="already registered with a different builder"):
            register_op(name, lambda C, stride, affine, dim: conv_3x3(C, stride, affine, dim))
        register_op(name, conv_3x3, overwrite=True)  # replacing one's own op is allowed
    finally:
        unregister_op(name)
    assert name not in OPS


def test_validate_op_rejects_an_op_that_does_not_halve():
    register_op("bad_pool_test", lambda C, stride, affine, dim: nn.Identity(), check=False)
    try:
        with pytest.raises(ValueError, match="stride=2"):
            validate_op("bad_pool_test")
        with pytest.raises(AssertionError, match="stride=2"):  # the exercise form, naslab.check_op
            naslab.check_op("bad_pool_test")
    finally:
        unregister_op("bad_pool_test")


def test_validate_op_rejects_an_op_whose_parameter_gets_no_gradient():
    class Unused(nn.Module):  # right shapes, but its parameter never takes part
        def __init__(self, C, stride):
            super().__init__()
            self.w, self.stride = nn.Parameter(torch.ones(C)), stride

        def forward(self, x):
            return x[..., :: self.stride]

    register_op("unused_param_test", lambda C, stride, affine, dim: Unused(C, stride), check=False)
    try:
        with pytest.raises(ValueError, match="parameter w gets no gradient"):
            validate_op("unused_param_test", dims=(1,))
    finally:
        unregister_op("unused_param_test")


@pytest.mark.parametrize("bad", ["has space", "op~1", "", "1abc", 3])
def test_register_rejects_bad_names(bad):
    with pytest.raises(ValueError, match="letters, digits and underscores"):
        register_op(bad, lambda C, stride, affine, dim: nn.Identity())


def test_builtin_ops_cannot_be_replaced_or_removed():
    with pytest.raises(ValueError, match="built-in DARTS op and cannot be replaced"):
        register_op("skip_connect", lambda C, stride, affine, dim: nn.Identity(), overwrite=True, check=False)
    with pytest.raises(ValueError, match="built-in"):
        unregister_op("sep_conv_3x3")
    with pytest.raises(ValueError, match="not registered"):
        unregister_op("no_such_op")


def test_build_op_errors_name_the_allowed_values():
    with pytest.raises(ValueError, match="registered ops"):
        build_op("conv_7x7", 4, 1)
    with pytest.raises(ValueError, match=r"allowed: \[1, 2\]"):
        build_op("skip_connect", 4, 3)
    with pytest.raises(ValueError, match="dim=3"):
        build_op("skip_connect", 4, 1, dim=3)


@pytest.mark.parametrize("name", [n for n in BUILTIN if isinstance(build_op(n, 4, 1), RELU_FIRST)
                                  or isinstance(build_op(n, 4, 2), RELU_FIRST)])
@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("stride", [1, 2])
def test_after_relu_is_forward_without_its_first_relu(name, dim, stride):
    """A mixed op shares relu(x) among the ops of an edge: op.after_relu(relu(x)) must be op(x), to the bit."""
    torch.manual_seed(0)
    op = build_op(name, 4, stride, affine=False, dim=dim)
    if not isinstance(op, RELU_FIRST):  # skip_connect is an identity at stride 1
        assert name == "skip_connect" and stride == 1
        return
    x = torch.randn(3, 4, *([9] * dim))
    assert torch.equal(op.after_relu(torch.relu(x)), op(x))


def test_exactly_the_ops_that_start_with_a_relu_share_it():
    assert set(RELU_FIRST) == {ReLUConvBN, DilConv, SepConv, FactorizedReduce}
    for cls in (ReLUConvBN, DilConv):  # Sequentials whose first layer is the ReLU
        op = cls(4, 4, 3, 1, 1, affine=False, dim=1) if cls is ReLUConvBN else cls(4, 4, 3, 1, 2, 2, False, 1)
        assert isinstance(op[0], nn.ReLU)
    assert isinstance(SepConv(4, 4, 3, 1, 1, False, 1)[0], DilConv)
