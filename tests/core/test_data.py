import os
import pickle
import struct

import numpy as np
import pytest
import torch

from naslab.data import available_datasets, load_dataset


def test_available_datasets_lists_offline_and_online():
    assert available_datasets() == ["digits", "mnist1d", "mnist", "fashion-mnist", "cifar10"]


def test_digits_shapes_splits_and_standardisation():
    d = load_dataset("digits")
    assert d.input_shape == (1, 8, 8) and d.num_classes == 10 and not d.is_1d
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == 1797
    assert d.X_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert abs(d.X_train.mean().item()) < 1e-4 and abs(d.X_train.std().item() - 1) < 1e-3
    e = load_dataset("digits")
    assert torch.equal(d.X_val, e.X_val) and torch.equal(d.y_test, e.y_test)  # the splits are fixed


def test_validation_and_test_splits_are_disjoint_from_training():
    d = load_dataset("digits")
    rows = {tuple(x.flatten().tolist()) for x in d.X_train}
    # a few digits images are exact duplicates of each other; nearly all validation rows must be new
    assert sum(tuple(x.flatten().tolist()) in rows for x in d.X_val) <= 3


def test_n_train_takes_a_seeded_subset_and_keeps_validation():
    full, sub = load_dataset("digits"), load_dataset("digits", n_train=100)
    assert len(sub.y_train) == 100 and torch.equal(full.y_val, sub.y_val)
    assert not torch.equal(load_dataset("digits", n_train=100, split_seed=1).y_train, sub.y_train)


def test_mnist1d_is_generated_locally_and_cached_as_npz(tmp_path, monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("naslab tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    d = load_dataset("mnist1d", root=tmp_path)
    assert d.input_shape == (1, 40) and d.is_1d and d.num_classes == 10
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (3200, 800, 1000)
    cache = tmp_path / "mnist1d_seed42.npz"
    with np.load(cache, allow_pickle=False) as z:  # loads without pickle
        assert z["x"].shape == (4000, 40)
    again = load_dataset("mnist1d", root=tmp_path)  # from the cache
    assert torch.equal(d.X_train, again.X_train)


@pytest.mark.parametrize("name", ["imagenet", "MNIST1", ""])
def test_unknown_name_lists_the_known_ones(name):
    with pytest.raises(ValueError, match="known datasets: \\['digits', 'mnist1d'"):
        load_dataset(name)


def test_bad_subset_sizes():
    with pytest.raises(ValueError, match="n_train=5000 is larger than the 1150"):
        load_dataset("digits", n_train=5000)
    with pytest.raises(ValueError, match="n_train=0"):
        load_dataset("digits", n_train=0)
    with pytest.raises(ValueError, match="val_fraction"):
        load_dataset("digits", val_fraction=1.5)


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist", "cifar10"])
def test_online_datasets_never_download_unasked(tmp_path, name):
    with pytest.raises(FileNotFoundError, match=f"load_dataset\\('{name}', download=True\\)"):
        load_dataset(name, root=tmp_path)
    assert not any(tmp_path.rglob("*.gz")) and not any(tmp_path.rglob("*.tar.gz"))


# ---- the torchvision loading code, on tiny files written in the datasets' own formats ----------


def _write_idx(path, array):
    """IDX format: magic (0, 0, dtype 0x08 = ubyte, ndim), big-endian int32 sizes, then the bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 0x08, array.ndim))
        f.write(struct.pack(f">{array.ndim}i", *array.shape))
        f.write(array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("name, folder", [("mnist", "MNIST"), ("fashion-mnist", "FashionMNIST")])
def test_mnist_style_files_load(tmp_path, name, folder):
    rng = np.random.default_rng(0)
    raw = tmp_path / folder / "raw"
    for split, n in (("train", 30), ("t10k", 10)):
        _write_idx(raw / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(raw / f"{split}-labels-idx1-ubyte", np.arange(n) % 10)
    d = load_dataset(name, root=tmp_path, val_fraction=0.2)
    assert d.input_shape == (1, 28, 28) and d.num_classes == 10
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (24, 6, 10)
    assert sorted(torch.cat([d.y_train, d.y_val]).tolist()) == sorted((np.arange(30) % 10).tolist())
    assert d.y_test.tolist() == list(range(10))


def test_cifar10_files_load(tmp_path, monkeypatch):
    import torchvision.datasets.cifar as cifar

    # the tiny files cannot match the real archive's md5 sums; check presence instead
    monkeypatch.setattr(cifar, "check_integrity", lambda path, md5=None: os.path.isfile(path))
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for b in batches:
        entry = {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8), "labels": [0, 3, 5, 9]}
        with open(folder / b, "wb") as f:
            pickle.dump(entry, f)  # CIFAR-10's own format is a pickle; naslab never writes one itself
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": [f"c{i}" for i in range(10)]}, f)
    d = load_dataset("cifar10", root=tmp_path, val_fraction=0.25)
    assert d.input_shape == (3, 32, 32) and d.num_classes == 10
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (15, 5, 4)
    assert d.y_test.tolist() == [0, 3, 5, 9]
