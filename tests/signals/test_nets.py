"""The proxies' view of a network agrees with notebook 06's network, and bad input is refused."""

import pytest
import torch

from naslab.bakeoff.cells import unique_cells
from naslab.bakeoff.network import NetConfig, forward, init_buffers, init_params, n_params
from naslab.signals.nets import Probe, cell_net, mlp_net

CFG = NetConfig(C=8, stem_stride=2)
X = torch.randn(16, 1, 40, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


@pytest.mark.parametrize("cell", [(3, 1, 2, 4, 0, 3), (2, 2, 2, 2, 2, 2), (1, 4, 0, 3, 1, 0), (0,) * 6])
def test_cell_net_equals_the_benchmark_forward_in_training_mode(cell):
    # oracle: naslab.bakeoff.network.forward with BN on batch statistics (train=True, fresh buffers)
    params = {k: v.double() for k, v in init_params(CFG, 3).items()}
    buffers = {k: v.double() for k, v in init_buffers(CFG).items()}
    expected = forward(params, buffers, cell, X, CFG, train=True)
    torch.testing.assert_close(cell_net(cell, CFG, seed=3)(X), expected, rtol=0, atol=1e-12)


def test_cell_net_keeps_only_the_used_weights_and_leaves_bn_out_on_request():
    for cell in unique_cells()[::700]:
        net = cell_net(cell, CFG)
        assert sum(v.numel() for v in net.params.values()) == n_params(cell, CFG)
    net = cell_net((3, 3, 3, 3, 3, 3), CFG)
    assert not torch.allclose(net(X, bn="off"), net(X))  # BN matters, so "off" really drops it


def test_probe_sees_relus_layers_and_macs_in_forward_order():
    seen = []

    class Rec(Probe):
        def relu(self, name, pre):
            seen.append(("relu", name, tuple(pre.shape)))

        def layer(self, name, out):
            seen.append(("layer", name, tuple(out.shape)))
            return out

    cell_net((2, 0, 0, 0, 0, 1), CFG)(X[:2], probe=Rec())  # one conv_1 edge 1 <- 0, then skip 3 <- 2
    assert seen == [("layer", "stem", (2, 8, 20)), ("relu", "s0c0.e0.conv_1", (2, 8, 20)),
                    ("layer", "s0c0.e0.conv_1", (2, 8, 20)), ("relu", "red1", (2, 8, 20)),
                    ("layer", "red1", (2, 16, 10)), ("relu", "s1c0.e0.conv_1", (2, 16, 10)),
                    ("layer", "s1c0.e0.conv_1", (2, 16, 10)), ("relu", "head", (2, 16, 10)),
                    ("layer", "head", (2, 10))]


def test_bad_input_is_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match=r"bn='eval' is unknown; allowed: \['batch', 'off'\]"):
        cell_net((1,) * 6)(X, bn="eval")
    with pytest.raises(ValueError, match=r"op 7 on edge \(1, 0\) is not an index 0..4"):
        cell_net((7, 0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match=r"weight shapes \(5, 4\) -> \(3, 6\) do not chain"):
        mlp_net([torch.zeros(5, 4), torch.zeros(3, 6)])
    with pytest.raises(ValueError, match="non-empty list of 2-D matrices"):
        mlp_net([])
