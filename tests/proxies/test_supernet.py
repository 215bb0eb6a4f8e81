"""naslab.proxies.supernet: the weights really are shared between children, and any child runs with them."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from naslab.controller.macro_space import MacroSpace
from naslab.proxies.supernet import SuperNet, evaluate_archs, train_supernet

SPACE = MacroSpace(n_layers=3, filters=(8, 32), kernels=(3, 7), strides=(1, 2), skips=True)


def _step(net, arch, x, y, lr=0.1):
    """One plain SGD step through one child (no momentum: untouched weights must stay put)."""
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(net(x, arch), y).backward()
    opt.step()


def test_an_update_through_one_child_changes_what_another_child_uses():
    torch.manual_seed(0)
    net = SuperNet(SPACE, (1, 40), 10)
    a = SPACE.parse("8-3-2|32-7-1|8-3-2+0")  # the child we train
    b = SPACE.parse("32-3-1|8-3-2|32-7-2")  # shares layer 0's k3 weight (its first 8 filters) with a
    c = SPACE.parse("32-7-1|8-3-2|32-3-2")  # layer 0 uses k7, which a never touches
    x, y = torch.randn(16, 1, 40), torch.randint(0, 10, (16,))
    before = {k: v.detach().clone() for k, v in net.w.items()}
    out_b = net(x, b).detach()
    _step(net, a, x, y)
    # the slice both a and b use moved, so b's output moved
    assert not torch.equal(net.w["L0_k3"][:8], before["L0_k3"][:8])
    assert not torch.allclose(net(x, b), out_b)
    # weights a did not use did not move: other kernel, filters beyond a's 8, and the shared head
    assert torch.equal(net.w["L0_k7"], before["L0_k7"])
    assert torch.equal(net.w["L0_k3"][8:], before["L0_k3"][8:])
    assert torch.equal(net.w["L1_k3"], before["L1_k3"])
    assert torch.equal(net.w["L2_k7"], before["L2_k7"])
    # the skip from layer 0 into layer 2 has its own channel slot, trained only by a child that uses it
    slot = net.slots[2][0]
    assert not torch.equal(net.w["L2_k3"][:8, slot:slot + 8], before["L2_k3"][:8, slot:slot + 8])
    _ = c


@pytest.mark.parametrize("shape", [(1, 40), (1, 8, 8)])
def test_every_child_runs_forward_and_backward(shape):
    net = SuperNet(SPACE, shape, 10)
    x = torch.randn(4, *shape)
    for arch in [SPACE.sample(s) for s in range(6)]:
        out = net(x, arch)
        assert out.shape == (4, 10) and torch.isfinite(out).all()
        out.sum().backward()


def test_sliced_forward_equals_a_standalone_child_with_copied_weights():
    """The child computed inside the supernet is exactly a conv stack with the sliced weights."""
    space = MacroSpace(n_layers=2, filters=(4, 8), kernels=(3,), strides=(2,), skips=False)
    net = SuperNet(space, (1, 40), 10)
    arch = space.parse("4-3-2|8-3-2")
    x = torch.randn(5, 1, 40)
    h = F.conv1d(x, net.w["L0_k3"][:4], stride=2, padding=1)
    h = F.relu(F.batch_norm(h, None, None, training=True))
    h = F.conv1d(h, net.w["L1_k3"][:8, :4], stride=2, padding=1)
    h = F.relu(F.batch_norm(h, None, None, training=True))
    ref = F.linear(h.mean(2), net.head.weight[:, :8], net.head.bias)
    assert torch.allclose(net(x, arch), ref, atol=1e-6)


def test_training_lowers_the_loss_and_evaluation_is_deterministic():
    from naslab.data import load_dataset

    data = load_dataset("mnist1d")
    space = MacroSpace(n_layers=2, filters=(8, 16), kernels=(3, 5), strides=(2,), skips=False)
    net = SuperNet(space, data.input_shape, data.num_classes)
    out = train_supernet(net, data, epochs=2, seed=0)
    assert out["steps"] == 2 * int(np.ceil(len(data.y_train) / 128)) and out["cpu_seconds"] > 0
    assert np.mean(out["loss"][-10:]) < np.mean(out["loss"][:10])
    archs = list(space.enumerate())
    s1 = evaluate_archs(net, archs, data)["scores"]
    s2 = evaluate_archs(net, archs, data)["scores"]
    assert s1.shape == (space.size,) and np.array_equal(s1, s2) and s1.max() > 0.2
    with pytest.raises(ValueError):
        net(data.X_val[:2], SPACE.sample(0))  # a child of another space
