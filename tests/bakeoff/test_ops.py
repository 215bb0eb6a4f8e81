"""naslab.bakeoff.ops: the table of cell ops is the one place an op is defined. Every op of the cell
vocabulary has one entry, and an op planted in the table flows through the network, its MACs and
parameter count, the batched trainer and the DARTS supernet with no other change."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import OPS, PARAMETER_FREE
from naslab.bakeoff.network import NetConfig, apply_op, init_buffers, macs, param_shapes
from naslab.bakeoff.ops import CELL_OPS, CellOp, cell_op

ROOT = Path(__file__).resolve().parents[2]


def test_the_vocabulary_is_the_table():
    assert OPS == tuple(CELL_OPS) == ("none", "skip_connect", "conv_1", "conv_3", "avg_pool_3")
    assert PARAMETER_FREE == ("none", "skip_connect", "avg_pool_3")
    assert [CELL_OPS[o].kernel for o in OPS] == [None, None, 1, 3, None]


def test_each_entry_computes_counts_and_batches_its_op():
    x = torch.randn(4, 3, 7)  # (B, C, L)
    w = torch.randn(3, 3, 3)
    norm = lambda y: F.batch_norm(y, None, None, training=True)  # noqa: E731
    torch.testing.assert_close(cell_op("conv_3").apply(x, w, norm), norm(F.conv1d(F.relu(x), w, padding=1)))
    torch.testing.assert_close(cell_op("avg_pool_3").apply(x, None, norm),
                               F.avg_pool1d(x, 3, 1, 1, count_include_pad=False))
    assert cell_op("skip_connect").apply(x, None, norm) is x and not cell_op("none").apply(x, None, norm).any()
    last = x.transpose(1, 2).unsqueeze(0)  # (1, B, L, C): the batched layout
    for op in ("skip_connect", "avg_pool_3", "none"):
        batched = cell_op(op).apply_last(last, None)[0].transpose(1, 2)
        torch.testing.assert_close(batched, cell_op(op).apply(x, None, norm))
    assert [CELL_OPS[o].macs(3, 7) for o in OPS] == [0, 0, 3 * 3 * 1 * 7, 3 * 3 * 3 * 7, 3 * 3 * 7]
    assert [CELL_OPS[o].weight_shape(3) for o in OPS] == [None, None, (3, 3, 1), (3, 3, 3), None]


def test_the_network_reads_the_table():
    cfg = NetConfig(C=4, n_stages=2)
    conv_edges = [n for n in param_shapes(cfg) if ".e" in n]
    assert {n.split(".")[2] for n in conv_edges} == {"conv_1", "conv_3"}
    x = torch.randn(2, 4, 10)
    params = {"p.e0.conv_1.w": torch.randn(4, 4, 1)}
    bufs = {"p.e0.conv_1.mean": torch.zeros(4), "p.e0.conv_1.var": torch.ones(4)}
    want = CELL_OPS["conv_1"].apply(x, params["p.e0.conv_1.w"], lambda y: F.batch_norm(y, torch.zeros(4),
                                                                                       torch.ones(4)))
    torch.testing.assert_close(apply_op("conv_1", x, params, bufs, "p.e0", False), want)
    assert macs((4,) * 6, cfg) - macs((0,) * 6, cfg) == sum(6 * 3 * cfg.channels(s) * cfg.lengths(s)
                                                             for s in range(cfg.n_stages))
    assert len(init_buffers(cfg)) == 2 * (1 + (cfg.n_stages - 1) + len(conv_edges))
    with pytest.raises(ValueError, match=r"op 'conv_7' is unknown; allowed: \['none', 'skip_connect', 'conv_1', "
                                         r"'conv_3', 'avg_pool_3'\]"):
        cell_op("conv_7")
    assert isinstance(CELL_OPS["none"], CellOp) and CELL_OPS["none"].is_zero


PLANTED = textwrap.dedent("""
    import numpy as np, torch
    from naslab.bakeoff.ops import CELL_OPS, CellOp
    CELL_OPS["conv_5"] = CellOp(kernel=5)  # the one entry that adds an op (before the space is imported)
    from naslab.bakeoff.cells import OPS, all_cells, n_parameter_free
    from naslab.bakeoff.network import NetConfig, forward, init_buffers, init_params, macs, n_params
    from naslab.bakeoff.batched import BatchedNet
    from naslab.bakeoff.training import TrainSpec, train_batched, train_single
    from naslab.bakeoff.supernet import one_hot, supernet_forward
    from naslab.data import load_dataset

    assert OPS[-1] == "conv_5" and len(all_cells()) == 6 ** 6
    cfg = NetConfig(C=4, stem_stride=2)
    cell = (5, 1, 2, 5, 4, 3)
    assert n_parameter_free(cell) == 2
    five = macs(cell, cfg) - macs((0, 1, 2, 0, 4, 3), cfg)
    assert five == 2 * sum(cfg.channels(s) ** 2 * 5 * cfg.lengths(s) for s in range(cfg.n_stages)), five
    assert n_params(cell, cfg) - n_params((0, 1, 2, 0, 4, 3), cfg) == 2 * sum(cfg.channels(s) ** 2 * 5
                                                                             for s in range(cfg.n_stages))
    assert init_params(cfg, 0)["s0c0.e0.conv_5.w"].shape == (4, 4, 5)
    data = load_dataset("mnist1d")
    x = data.X_train[:16]
    params = init_params(cfg, 0)
    ref = forward(params, init_buffers(cfg), cell, x, cfg, train=True)
    torch.testing.assert_close(supernet_forward(params, one_hot(cell), x, cfg), ref, atol=1e-5, rtol=1e-4)
    cells = [cell, (5,) * 6, (3, 5, 0, 2, 1, 4)]
    got = BatchedNet(cells, cfg, 0, device="cpu").forward(x, train=True)
    torch.testing.assert_close(got[:, 0], ref, atol=1e-5, rtol=1e-4)
    spec = TrainSpec(epochs=1, batch_size=32, n_train=64)
    rb = train_batched(cells, 0, data, cfg, spec, device="cpu")
    for k, c in enumerate(cells):
        rs = train_single(c, 0, data, cfg, spec, device="cpu")
        np.testing.assert_allclose(rb["train_loss"][k], rs["train_loss"], atol=1e-4)
    print("planted op ok")
""")


def test_a_planted_op_flows_through_network_macs_batched_and_supernet():
    """A fresh interpreter (the table is read when the space is imported): one entry, and everything uses it."""
    out = subprocess.run([sys.executable, "-c", PLANTED], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    assert "planted op ok" in out.stdout
