"""naslab.net2net.preservation (measure_preservation) and the identity layers (the checks: test_checks_net2net.py)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from naslab.net2net.deeper import identity_conv, identity_linear, set_bn_identity, validate_idempotent
from naslab.net2net.network import make_plain_net, reinit, widen_layer
from naslab.net2net.preservation import measure_preservation


def test_identity_layers_are_identities():
    x = torch.randn(5, 4)
    assert torch.equal(identity_linear(4)(x), x)
    for dim, shape in [(1, (2, 3, 9)), (2, (2, 3, 6, 5))]:
        for k in (1, 3, 5):
            X = torch.randn(*shape)
            assert torch.allclose(identity_conv(3, k, dim=dim)(X), X, atol=1e-7)


def test_bn_identity_from_statistics():
    h = torch.randn(64, 3, 7) * 3 + 2
    bn = set_bn_identity(nn.BatchNorm1d(3), h).eval()
    x = torch.randn(10, 3, 7) * 5
    assert torch.allclose(bn(x), x, atol=1e-5)
    assert torch.allclose(bn.running_mean, h.mean((0, 2)))


def test_check_idempotent_matches_the_definition():
    validate_idempotent(nn.ReLU())
    validate_idempotent(nn.Identity())
    with pytest.raises(ValueError, match="Tanh"):
        validate_idempotent(nn.Tanh())


def test_measure_preservation_reports_differences_and_leaves_models_alone():
    torch.manual_seed(0)
    teacher = make_plain_net((1, 12), 4, "conv-3-3 fc-5", bn=True).eval()
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    X = torch.randn(16, 1, 12)
    same = measure_preservation(teacher, widen_layer(teacher, 0, 6), X)
    assert same.preserved("eval") and same.preserved("train")
    other = measure_preservation(teacher, reinit(teacher, seed=1), X)
    assert not other.preserved("eval") and other.mean_abs["eval"] > 0
    assert all(torch.equal(v, teacher.state_dict()[k]) for k, v in before.items())  # no running stats moved
    assert "eval mode" in str(same)
    assert same.scale["eval"] == pytest.approx(teacher(X).abs().max().item())
    assert same.relative("eval") == pytest.approx(same.max_abs["eval"] / same.scale["eval"])
    with pytest.raises(ValueError, match="allowed"):
        measure_preservation(teacher, teacher, X, modes=("test",))
