"""The bake-off trainers are device-agnostic: `device="auto"` by default, "cpu" gives the same numbers on a CPU,
results come back on the CPU, and a bad device name is rejected with the allowed ones before any work."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

import naslab.bakeoff
from naslab.bakeoff.batched import BatchedNet
from naslab.bakeoff.build import build
from naslab.bakeoff.network import NetConfig
from naslab.bakeoff.oneshot import DartsTableConfig, darts_on_table
from naslab.bakeoff.supernet import supernet_ranking
from naslab.bakeoff.training import TrainSpec, train_batched, train_single
from naslab.darts.config import SearchConfig
from naslab.data import load_dataset
from naslab.utils import get_device

from .test_table import TINY, fake_bench

CELLS = [(3, 1, 2, 0, 1, 4), (0,) * 6, (2, 4, 0, 3, 0, 1)]
NET = NetConfig(C=4, stem_stride=2)
SPEC = TrainSpec(epochs=1, batch_size=32, n_train=96)
BAD = r"device='tpu' is unknown; allowed: \['auto', 'cpu', 'cuda', 'mps'\]"
ON_CPU = get_device("auto").type == "cpu"  # then the default and "cpu" must agree bit for bit


@pytest.fixture(scope="module")
def data():
    return load_dataset("mnist1d")


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if ON_CPU:
        np.testing.assert_array_equal(a, b)
    else:  # another device rounds differently
        np.testing.assert_allclose(a, b, atol=0.05)


def test_train_batched_and_single_default_device_equals_cpu(data):
    default, cpu = train_batched(CELLS, 0, data, NET, SPEC), train_batched(CELLS, 0, data, NET, SPEC, device="cpu")
    for key in ("val_acc", "test_acc", "train_loss"):
        _same(default[key], cpu[key])
    assert cpu["net"].device == torch.device("cpu") and all(p.device.type == "cpu" for p in cpu["net"].params.values())
    s_default = train_single(CELLS[0], 0, data, NET, SPEC)
    s_cpu = train_single(CELLS[0], 0, data, NET, SPEC, device="cpu")
    for key in ("val_acc", "test_acc", "train_loss"):
        _same(s_default[key], s_cpu[key])


def test_darts_on_table_and_supernet_ranking_default_device_equals_cpu(data):
    bench, kw = fake_bench(), dict(epochs=1, seed=0, data=data, n_train=64, batch_size=32, net=NET)
    for order in ("first", "second"):
        default, cpu = darts_on_table(bench, order, **kw), darts_on_table(bench, order, device="cpu", **kw)
        _same(default.alpha, cpu.alpha)
        assert cpu.config.search.device == "cpu" and default.config.search.device == "auto"
        assert isinstance(default.alpha, np.ndarray)
        assert all(p.device.type == "cpu" for p in default.params.values())  # results come back on the CPU
    a = supernet_ranking(bench, steps=4, n_cells=6, seed=0, data=data, net=NET)
    b = supernet_ranking(bench, steps=4, n_cells=6, seed=0, data=data, net=NET, device="cpu")
    _same(a["supernet_acc"], b["supernet_acc"])


@pytest.mark.parametrize("call", [
    lambda d: BatchedNet(CELLS, NET, 0, device="tpu"),
    lambda d: train_batched(CELLS, 0, d, NET, SPEC, device="tpu"),
    lambda d: train_single(CELLS[0], 0, d, NET, SPEC, device="tpu"),
    lambda d: DartsTableConfig(search=SearchConfig(device="tpu")),
    lambda d: darts_on_table(None, "first", epochs=1, data=d, device="tpu"),
    lambda d: supernet_ranking(fake_bench(), steps=1, n_cells=2, data=d, net=NET, device="tpu"),
], ids=["BatchedNet", "train_batched", "train_single", "DartsTableConfig", "darts_on_table", "supernet_ranking"])
def test_bad_device_names_the_value_and_the_allowed_ones(call, data):
    with pytest.raises(ValueError, match=BAD):
        call(data)


def test_build_rejects_a_bad_device_before_writing_anything(tmp_path):
    with pytest.raises(ValueError, match=BAD):
        build(TINY, root=tmp_path / "bench", progress=False, device="tpu")
    assert not (tmp_path / "bench").exists()


def test_no_hard_coded_cuda_in_the_bakeoff_package():
    root = Path(naslab.bakeoff.__file__).parent
    for path in root.glob("*.py"):
        code = path.read_text()
        assert not re.search(r"\.cuda\(|[\"']cuda[\"']|device=[\"']cuda", code), f"{path.name} hard-codes CUDA"


def test_the_proxies_build_rejects_a_bad_device_before_writing_anything(tmp_path):
    from naslab.proxies.build import build as build_proxies

    with pytest.raises(ValueError, match=BAD):
        build_proxies(root=tmp_path / "bench", progress=False, device="tpu")
    assert not (tmp_path / "bench").exists()
