"""naslab.bakeoff.batched: K members trained as one computation equal each cell trained alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from naslab.bakeoff.batched import BatchedNet
from naslab.bakeoff.cells import all_cells
from naslab.bakeoff.network import NetConfig, forward, init_buffers, init_params, n_params
from naslab.bakeoff.training import TrainSpec, train_batched, train_single
from naslab.data import load_dataset

CELLS = [(3, 1, 2, 0, 1, 4), (0,) * 6, (1,) * 6, (3,) * 6, (2, 4, 0, 3, 0, 1), (4, 0, 3, 2, 2, 0)]
CFG = NetConfig(C=4, stem_stride=2)


@pytest.fixture(scope="module")
def data():
    return load_dataset("mnist1d")


@pytest.mark.parametrize("train", [True, False])
def test_batched_forward_equals_each_member_alone(data, train):
    net = BatchedNet(CELLS, CFG, seed=3)
    x = data.X_train[:16]
    logits = net.forward(x, train=train)  # (B, K, classes)
    for k, cell in enumerate(CELLS):
        params, buffers = init_params(CFG, 3), init_buffers(CFG)
        ref = forward(params, buffers, cell, x, CFG, train=train)
        torch.testing.assert_close(logits[:, k], ref, atol=1e-5, rtol=1e-4)
        if train:  # the running statistics moved the same way
            for name, b in net.member(k)[1].items():
                torch.testing.assert_close(b, buffers[name], atol=1e-6, rtol=1e-5)


def test_batched_training_equals_training_each_cell_alone(data):
    spec = TrainSpec(epochs=2, batch_size=32, n_train=192)
    rb = train_batched(CELLS, 1, data, CFG, spec)
    for k, cell in enumerate(CELLS):
        rs = train_single(cell, 1, data, CFG, spec)
        np.testing.assert_allclose(rb["train_loss"][k], rs["train_loss"], atol=1e-4)
        np.testing.assert_allclose(rb["val_acc"][k], rs["val_acc"], atol=2 / len(data.y_val))
        assert abs(rb["test_acc"][k] - rs["test_acc"]) <= 2 / len(data.y_test)
        params, _ = rb["net"].member(k)
        for name, p in params.items():
            torch.testing.assert_close(p, rs["params"][name].detach(), atol=2e-4, rtol=1e-3)


def test_a_member_does_not_depend_on_the_others(data):
    spec = TrainSpec(epochs=1, batch_size=32, n_train=96)
    alone = train_batched(CELLS[:1], 0, data, CFG, spec)
    crowd = train_batched(CELLS, 0, data, CFG, spec)
    np.testing.assert_allclose(alone["train_loss"][0], crowd["train_loss"][0], atol=1e-5)


def test_params_count_only_the_ops_a_cell_uses():
    shapes_total = sum(p.numel() for p in init_params(CFG, 0).values())
    zero, conv3 = n_params((0,) * 6, CFG), n_params((3,) * 6, CFG)
    edge3 = sum(CFG.channels(s) ** 2 * 3 for s in range(CFG.n_stages))  # one conv_3 edge in every stage
    assert conv3 - zero == 6 * edge3
    assert n_params((1,) * 6, CFG) == n_params((4,) * 6, CFG) == zero < shapes_total
    assert len(all_cells()) == 15_625


def test_batched_net_holds_only_the_weights_some_member_uses():
    net = BatchedNet([(0,) * 6, (1, 0, 0, 0, 0, 3)], CFG, seed=0)
    edge_weights = sorted(n for n in net.params if ".e" in n)
    assert edge_weights == ["s0c0.e5.conv_3.w", "s1c0.e5.conv_3.w"]
