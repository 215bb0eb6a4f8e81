import json
import os
import pickle
import shutil
import struct

import numpy as np
import pytest
import torch

from naslab.data import DATA_DIR, available_datasets, load_dataset, mnist1d_rebuild
from naslab.tabular import BenchmarkError, file_sha256, meta_sha256, write_meta

from .test_tabular import flip_audit


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


@pytest.fixture(scope="module")
def mnist1d_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("cache")
    load_dataset("mnist1d", root=root)  # generated once: 4 s or so
    return root


def _cache_copy(cache, tmp_path):
    for suffix in (".npz", ".json"):
        shutil.copy(cache / f"mnist1d_seed42{suffix}", tmp_path / f"mnist1d_seed42{suffix}")
    return tmp_path / "mnist1d_seed42.npz", tmp_path / "mnist1d_seed42.json"


def _content(root):
    return {k: v.numpy() for k, v in vars(load_dataset("mnist1d", root=root)).items() if isinstance(v, torch.Tensor)}


def test_the_mnist1d_cache_carries_both_checksums(mnist1d_cache):
    meta = json.loads((mnist1d_cache / "mnist1d_seed42.json").read_text())
    assert meta["sha256"] == file_sha256(mnist1d_cache / "mnist1d_seed42.npz")
    assert meta["meta_sha256"] == meta_sha256(meta)
    assert meta["shapes"] == {"x": [4000, 40], "y": [4000], "x_test": [1000, 40], "y_test": [1000]}
    npz, js = DATA_DIR / "mnist1d_seed42.npz", DATA_DIR / "mnist1d_seed42.json"
    assert mnist1d_rebuild(DATA_DIR) == f"rm {npz} {js}; python -c \"from naslab.data import load_dataset; " \
                                        f"load_dataset('mnist1d')\""


def test_single_bit_flips_in_the_mnist1d_cache_are_caught_or_harmless(mnist1d_cache, tmp_path):
    npz, js = _cache_copy(mnist1d_cache, tmp_path)
    got = flip_audit(lambda: _content(tmp_path), [js, npz], mnist1d_rebuild(tmp_path), n=150)
    assert got["bad"] == [] and got["caught"] + got["harmless"] >= 280, got


@pytest.mark.parametrize("edit", [lambda m: m["shapes"].update(x=[4000, 39]), lambda m: m.update(seed=0),
                                  lambda m: m.update(generator="other")])
def test_edited_cache_metadata_is_refused(mnist1d_cache, tmp_path, edit):
    npz, js = _cache_copy(mnist1d_cache, tmp_path)
    meta = json.loads(js.read_text())
    edit(meta)
    js.write_text(json.dumps(meta))
    with pytest.raises(BenchmarkError, match=rf"data file {js} does not match its own checksum 'meta_sha256' "
                                             rf"\(corrupt or edited metadata\); rebuild it with `rm {npz} {js}; "):
        load_dataset("mnist1d", root=tmp_path)


@pytest.mark.parametrize("edit, message", [
    (lambda a: a.update(x=a["x"][:, :39]), r"holds arrays .*'x': \[4000, 39\].*expected"),
    (lambda a: a.pop("y_test"), "holds arrays"),
    (lambda a: a["x"].__setitem__((0, 0), np.nan), "holds non-finite signals"),
    (lambda a: a["y"].__setitem__(0, 10), "holds non-finite signals, labels outside 0..9"),
])
def test_resealed_impossible_caches_are_refused(mnist1d_cache, tmp_path, edit, message):
    npz, js = _cache_copy(mnist1d_cache, tmp_path)
    with np.load(npz, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    edit(arrays)
    np.savez_compressed(npz, **arrays)
    write_meta(npz, js, {**json.loads(js.read_text()), "shapes": {k: list(v.shape) for k, v in arrays.items()}})
    with pytest.raises(BenchmarkError, match=rf"^data file {npz} {message}.*; rebuild it with `rm {npz} {js}; "):
        load_dataset("mnist1d", root=tmp_path)


def test_a_cache_without_its_json_is_generated_again(mnist1d_cache, tmp_path):
    npz, js = _cache_copy(mnist1d_cache, tmp_path)
    js.unlink()
    npz.write_bytes(b"an old cache, or anything else")  # never read: no checksum vouches for it
    np.testing.assert_array_equal(_content(tmp_path)["X_test"], _content(mnist1d_cache)["X_test"])
    assert json.loads(js.read_text())["sha256"] == file_sha256(npz)


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
