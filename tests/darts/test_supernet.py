"""naslab.darts.supernet, genotype and network: the relaxation, the supernet, derivation, the string form, errors."""

import pytest
import torch

from naslab.darts.genotype import (
    Genotype,
    derive_cell,
    derive_genotype,
    edge_offset,
    genotype_weights,
    n_edges,
    random_genotype,
)
from naslab.darts.network import DiscreteNetwork, reduction_layers
from naslab.darts.ops import PRIMITIVES
from naslab.darts.supernet import MixedOp, SearchCell, SearchNetwork, weighted_sum

P = list(PRIMITIVES)


def tiny(input_shape=(1, 16), **kw):
    torch.manual_seed(0)
    return SearchNetwork(input_shape, 3, **{"C": 4, "layers": 3, "steps": 2, **kw})


def test_softmax_alpha_sums_to_one_per_edge():
    net = tiny(alpha_init_std=1.0)
    for w in net.arch_weights().values():
        assert w.shape == (n_edges(2), len(P)) == (5, 8)
        torch.testing.assert_close(w.sum(-1), torch.ones(5))
        assert (w > 0).all()


def test_zero_alpha_gives_uniform_weights_and_edge_bookkeeping():
    net = tiny()
    torch.testing.assert_close(net.arch_weights()["normal"], torch.full((5, 8), 1 / 8))
    assert [edge_offset(m) for m in range(4)] == [0, 2, 5, 9] and n_edges(4) == 14


def test_mixed_op_is_the_softmax_weighted_sum_of_its_ops():
    torch.manual_seed(1)
    mixed = MixedOp(3, 1, P, dim=1)
    x, w = torch.randn(4, 3, 10), torch.softmax(torch.randn(8), 0)
    want = sum(wi * op(x) for wi, op in zip(w, mixed.ops))  # eq. (2), none included
    torch.testing.assert_close(mixed(x, w), want)


@pytest.mark.parametrize("shape", [(1, 16), (1, 8, 8)])
def test_search_network_forward_1d_and_2d(shape):
    net = tiny(shape)
    x = torch.randn(5, *shape)
    logits = net(x)
    assert logits.shape == (5, 3) and torch.isfinite(logits).all()
    logits.sum().backward()
    assert all(a.grad is not None and a.grad.abs().sum() > 0 for a in net.alphas())
    names = {n for n, _ in net.named_weights()}
    assert "alpha_normal" not in names and len(net.weights()) + 2 == len(list(net.parameters()))


def test_reduction_cells_and_channel_doubling():
    assert reduction_layers(3) == (1, 2) and reduction_layers(8) == (2, 5)
    net = tiny(layers=5)
    assert [c.reduction for c in net.cells] == [False, True, False, True, False]


def test_one_hot_weights_make_the_supernet_compute_the_discrete_cell():
    net = tiny()
    g = Genotype(normal=[[("sep_conv_3x3", 0), ("skip_connect", 1)], [("max_pool_3x3", 2), ("dil_conv_3x3", 0)]],
                 reduce=[[("avg_pool_3x3", 0), ("sep_conv_5x5", 1)], [("skip_connect", 1), ("dil_conv_5x5", 2)]])
    wn, wr = genotype_weights(g.normal), genotype_weights(g.reduce)
    assert wn.sum() == 4 and wn[edge_offset(1) + 2, P.index("max_pool_3x3")] == 1
    x = torch.randn(6, 1, 16)
    with torch.no_grad():
        hard = net(x, weights_normal=wn, weights_reduce=wr)
        # the same numbers with alpha set to a huge one-hot logit: softmax -> one-hot, absent edges -> `none`
        for a, w in ((net.alpha_normal, wn), (net.alpha_reduce, wr)):
            a.copy_(torch.where(w > 0, 60.0, 0.0))
            a[w.sum(1) == 0, P.index("none")] = 60.0
        soft = net(x)
    torch.testing.assert_close(hard, soft, atol=1e-5, rtol=1e-4)


def hand_alpha():
    """steps=3 logits: node 0 <- edges 0, 1; node 1 <- 2, 3, 4; node 2 <- 5, 6, 7, 8."""
    a = torch.zeros(n_edges(3), len(P))
    a[0, P.index("none")], a[0, P.index("sep_conv_3x3")] = 10.0, 2.0  # none dominates; sep3 is its best real op
    a[1, P.index("skip_connect")] = 3.0
    a[2, P.index("none")], a[2, P.index("sep_conv_5x5")] = 5.0, 4.0  # logit 4 but softmax weight only 0.26
    a[3, P.index("dil_conv_3x3")] = 1.0  # softmax weight e/(e + 7) = 0.28 > 0.26
    a[4, P.index("avg_pool_3x3")] = 2.5  # 0.64
    a[5:, P.index("none")] = 30.0  # node 2: none wins everywhere...
    a[7, P.index("max_pool_3x3")], a[8, P.index("dil_conv_5x5")] = 2.0, 1.5  # ...so rank the real ops
    return a


def test_derivation_keeps_top2_edges_by_strongest_non_none_op():
    nodes = derive_cell(torch.softmax(hand_alpha(), -1), PRIMITIVES, k=2)
    assert nodes == ((("sep_conv_3x3", 0), ("skip_connect", 1)),
                     (("dil_conv_3x3", 1), ("avg_pool_3x3", 2)),
                     (("max_pool_3x3", 2), ("dil_conv_5x5", 3)))


def test_derivation_with_k1_and_never_none():
    nodes = derive_cell(torch.softmax(hand_alpha(), -1), PRIMITIVES, k=1)
    assert nodes == ((("skip_connect", 1),), (("avg_pool_3x3", 2),), (("max_pool_3x3", 2),))
    g = derive_genotype(torch.full((9, 8), -1.0).index_fill(1, torch.tensor([0]), 50.0), hand_alpha())
    assert all(op != "none" for node in g.normal + g.reduce for op, _ in node)
    assert all(len(node) == 2 for node in g.normal)


def test_genotype_string_round_trip_and_counts():
    g = random_genotype(4, seed=3)
    assert Genotype.parse(str(g)) == g and str(Genotype.parse(str(g))) == str(g)
    assert random_genotype(4, seed=3) == g != random_genotype(4, seed=4)
    s = ("normal: skip_connect~0 + skip_connect~1 | sep_conv_3x3~2 + skip_connect~0 ; "
         "reduce: max_pool_3x3~0 + max_pool_3x3~1")
    g = Genotype.parse(s)
    assert g.count("skip_connect") == 3 and g.count(("max_pool_3x3",), kind="reduce") == 2
    assert g.count(("skip_connect", "sep_conv_3x3")) == 4


@pytest.mark.parametrize("text, match", [
    ("normal: sep_conv_3x3~0 + skip_connect~1", "both a normal and a reduce part"),
    ("normal sep_conv_3x3~0 ; reduce: skip_connect~0", "malformed genotype"),
    ("normal: sep_conv_3x3-0 ; reduce: skip_connect~0", "malformed edge"),
    ("normal: sep_conv_3x3~0 ; reduce: skip_connect~0 ; normal: skip_connect~1", "malformed genotype"),
    ("normal: conv_7x7~0 ; reduce: skip_connect~0", "unknown op 'conv_7x7'.*allowed"),
    ("normal: none~0 ; reduce: skip_connect~0", "unknown op 'none'"),
    ("normal: sep_conv_3x3~2 ; reduce: skip_connect~0", "out of range.*inputs 0..1"),
    ("normal: sep_conv_3x3~0 | skip_connect~-1 ; reduce: skip_connect~0", "out of range.*inputs 0..2"),
    ("normal: sep_conv_3x3~0 + skip_connect~0 ; reduce: skip_connect~0", "same input twice"),
    ("", "malformed genotype"),
    (None, "genotype string is expected"),
])
def test_bad_genotype_strings_give_clear_errors(text, match):
    with pytest.raises(ValueError, match=match):
        Genotype.parse(text)


def test_input_too_small_for_the_reductions():
    with pytest.raises(ValueError, match="too small for 2 reduction cells"):
        SearchNetwork((1, 2), 3, C=4, layers=3, steps=2)
    with pytest.raises(ValueError, match="too small"):
        DiscreteNetwork(random_genotype(2), (1, 1, 1), 3, C=4)
    with pytest.raises(ValueError, match="needs size >= 3"):  # 3 -> 2 -> 1: BatchNorm fails on length 1, batch 1
        SearchNetwork((1, 3), 3, C=4, layers=3, steps=2)
    net = SearchNetwork((1, 5), 3, C=4, layers=3, steps=2)  # 5 -> 3 -> 2 is fine, even on a batch of one
    assert net(torch.randn(1, 1, 5)).shape == (1, 3)
    cell = SearchCell(2, 4, 4, 4, reduction=True, reduction_prev=False, dim=1)
    w = torch.softmax(torch.zeros(5, 8), -1)
    with pytest.raises(ValueError, match="too small for a reduction cell"):
        cell(torch.randn(2, 4, 1), torch.randn(2, 4, 1), w)
    with pytest.raises(ValueError, match="rank 3"):
        cell(torch.randn(2, 4, 4, 4), torch.randn(2, 4, 4, 4), w)


def test_bad_network_arguments():
    with pytest.raises(ValueError, match="layers=2"):
        SearchNetwork((1, 16), 3, layers=2)
    with pytest.raises(ValueError, match="unknown op"):
        SearchNetwork((1, 16), 3, primitives=("none", "conv_9x9"))
    with pytest.raises(ValueError, match="steps=0"):
        SearchNetwork((1, 16), 3, steps=0)
    with pytest.raises(ValueError, match="do not match"):
        derive_cell(torch.zeros(5, 3), PRIMITIVES)
    with pytest.raises(ValueError, match="no cell's edge count"):
        derive_cell(torch.zeros(4, 8), PRIMITIVES)


@pytest.mark.parametrize("shape", [(1, 16), (1, 8, 8)])
def test_discrete_network_trains_one_step(shape):
    torch.manual_seed(0)
    net = DiscreteNetwork(str(random_genotype(3, seed=1)), shape, 4, C=4, layers=3)
    x, y = torch.randn(8, *shape), torch.randint(0, 4, (8,))
    loss = torch.nn.functional.cross_entropy(net(x), y)
    loss.backward()
    assert net(x).shape == (8, 4) and all(p.grad is not None for p in net.parameters())


def test_weighted_sum_keeps_channels_last_and_equals_the_plain_sum():
    torch.manual_seed(0)
    w = torch.softmax(torch.randn(5), 0)
    outs = [torch.randn(2, 3, 4, 5).contiguous(memory_format=torch.channels_last) for _ in range(5)]
    got = weighted_sum(w, outs)
    assert got.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(got, sum(wi * o for wi, o in zip(w, outs)))
    flat = [o.contiguous() for o in outs]  # the default layout, and 1-D signals, take the plain stack
    torch.testing.assert_close(weighted_sum(w, flat), got)
    torch.testing.assert_close(weighted_sum(w, [o[:, :, 0] for o in flat]), got[:, :, 0])


def test_images_run_channels_last_through_every_cell():
    net = tiny((1, 8, 8))
    layouts = []
    for cell in net.cells:
        cell.register_forward_hook(lambda m, i, o: layouts.append(o.is_contiguous(memory_format=torch.channels_last)))
    x = torch.randn(4, 1, 8, 8)
    out = net(x)
    assert layouts == [True] * 3 and out.shape == (4, 3)
    with torch.no_grad():  # the same numbers as the default layout, up to rounding
        for cell in net.cells:
            cell._forward_hooks.clear()
        torch.testing.assert_close(net(x.contiguous(memory_format=torch.channels_last)), out)


def test_the_mixed_op_reads_weights_on_the_host_once_per_forward_not_once_per_op(monkeypatch):
    """On a GPU, `bool(weights[i] != 0)` per op syncs host and device; the network reads each cell kind's
    weights once (`tolist`) and never converts a tensor to a bool or a number inside the loops."""
    net, x = tiny(), torch.randn(5, 1, 16)
    g = Genotype(normal=[[("sep_conv_3x3", 0), ("skip_connect", 1)], [("max_pool_3x3", 2), ("dil_conv_3x3", 0)]],
                 reduce=[[("avg_pool_3x3", 0), ("sep_conv_5x5", 1)], [("skip_connect", 1), ("dil_conv_5x5", 2)]])
    wn, wr = genotype_weights(g.normal), genotype_weights(g.reduce)
    with torch.no_grad():
        want_hard, want_soft = net(x, weights_normal=wn, weights_reduce=wr), net(x)
    calls = []
    real_tolist = torch.Tensor.tolist

    def tolist(t):
        calls.append(tuple(t.shape))
        return real_tolist(t)

    def no_sync(*a):
        raise AssertionError("a tensor was read on the host inside the forward")
    monkeypatch.setattr(torch.Tensor, "tolist", tolist)
    for name in ("__bool__", "item"):
        monkeypatch.setattr(torch.Tensor, name, no_sync)
    with torch.no_grad():
        hard, soft = net(x, weights_normal=wn, weights_reduce=wr), net(x)
    assert calls == [(5, 8), (5, 8)] * 2  # one read per cell kind and forward
    assert torch.equal(hard, want_hard) and torch.equal(soft, want_soft)
    calls.clear()
    net(x)  # alpha needs a gradient: no read at all
    assert calls == []


def test_a_one_hot_edge_runs_only_its_op():
    torch.manual_seed(0)
    mixed, x = MixedOp(3, 1, P, dim=1), torch.randn(2, 3, 6)
    ran = []
    for i, op in enumerate(mixed.ops):
        op.register_forward_hook(lambda m, inp, out, i=i: ran.append(i))
    k = P.index("dil_conv_5x5")
    out = mixed(x, torch.nn.functional.one_hot(torch.tensor(k), len(P)).float())
    assert ran == [] or ran == [k]  # after_relu bypasses the hook of relu-first ops: check the numbers instead
    assert torch.equal(out, mixed.ops[k](x))
    assert mixed(x, torch.zeros(len(P))) is None
