"""Datasets: offline first, online on request, always as plain tensors with a fixed validation split.

`load_dataset(name)` returns a `Dataset` with train / validation / test tensors and metadata.

* Offline (no network, ever):
  - "digits": scikit-learn's bundled 8x8 handwritten digits (1,797 images), shaped (1, 8, 8).
  - "mnist1d": MNIST-1D (Greydanus & Kobak 2020), generated locally with
    `mnist1d.data.make_dataset` (never the downloading `get_dataset`), shaped (1, 40); cached in
    `data/` as a NumPy `.npz` (no pickle) + a `.json` with its checksums (`naslab.tabular`), checked
    on every load: a corrupt or edited cache raises `BenchmarkError` naming the file and the command.
* Online (torchvision, root `data/`): "mnist", "fashion-mnist", "cifar10". They download only
  when the caller passes `download=True`; offline they raise an error that says what to run.

Splits: the test split is the dataset's own (digits: a fixed 20 % carved with seed 0). A
validation split (`val_fraction` of the training data) is carved with the fixed `split_seed`;
searches select on validation, and the test split is used once, at the very end.
Inputs are standardised with the training split's mean and std.

Taught in: notebooks/00_welcome.ipynb.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from naslab.tabular import fail, load_checked, reading, write_meta
from naslab.validate import check_int, check_seed, is_real

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
OFFLINE = ("digits", "mnist1d")
ONLINE = ("mnist", "fashion-mnist", "cifar10")
_TV_CLASS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST", "cifar10": "CIFAR10"}


def available_datasets() -> list[str]:
    """Names `load_dataset` accepts: the offline ones first."""
    return list(OFFLINE + ONLINE)


@dataclass
class Dataset:
    """Train / validation / test tensors plus metadata.

    X_* are float32 of shape (N, *input_shape); y_* are int64 of shape (N,).
    """

    name: str
    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    input_shape: tuple[int, ...]  # (C, L) for signals, (C, H, W) for images
    num_classes: int

    def __post_init__(self):
        for split in ("train", "val", "test"):  # one int64 label per input, in every split
            X, y = getattr(self, f"X_{split}"), getattr(self, f"y_{split}")
            if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor) or len(X) != len(y):
                got = [getattr(t, "shape", type(t).__name__) for t in (X, y)]
                raise ValueError(f"Dataset {self.name!r}: X_{split} and y_{split} must be tensors of equal length, "
                                 f"got {got[0]} and {got[1]}")
        check_int(self.num_classes, "Dataset.num_classes", low=1)

    @property
    def is_1d(self) -> bool:
        return len(self.input_shape) == 2

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, input_shape={self.input_shape}, num_classes={self.num_classes}, "
                f"train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)})")


# ---------------------------------------------------------------------------------------------
# raw arrays: (X_trainval, y_trainval, X_test, y_test) as NumPy, X with a channel axis


def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    X = d.images.astype(np.float32)[:, None] / 16.0  # (1797, 1, 8, 8), pixel counts 0..16
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(0).permutation(len(y))  # fixed test split, independent of `seed`
    n_test = len(y) // 5
    te, tr = perm[:n_test], perm[n_test:]
    return X[tr], y[tr], X[te], y[te]


MNIST1D_ARRAYS = {"x": 2, "y": 1, "x_test": 2, "y_test": 1}  # name -> ndim


def mnist1d_rebuild(root: Path) -> str:
    """The command that regenerates the MNIST-1D cache in `root` (quoted in every load error)."""
    where = "" if Path(root) == DATA_DIR else f", root='{root}'"
    return (f"rm {root / 'mnist1d_seed42.npz'} {root / 'mnist1d_seed42.json'}; python -c \"from naslab.data "
            f"import load_dataset; load_dataset('mnist1d'{where})\"")


def _check_mnist1d(path: Path, arrays: dict, meta: dict, rebuild: str) -> None:
    """BenchmarkError unless the cache holds x (N, 40), y (N,), x_test (M, 40), y_test (M,) as its .json says,
    finite signals and labels 0..9."""
    shapes = {k: list(v.shape) for k, v in arrays.items()}
    ndims = {k: len(v) for k, v in shapes.items()}
    if ndims != MNIST1D_ARRAYS or shapes != meta["shapes"] or {shapes["x"][1], shapes["x_test"][1]} != {40}:
        raise fail(path, f"holds arrays {shapes}, expected {meta['shapes']} with x (N, 40), y (N,)", rebuild)
    X, y, Xt, yt = arrays["x"], arrays["y"], arrays["x_test"], arrays["y_test"]
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Xt))) or len(X) != len(y) or len(Xt) != len(yt) \
            or not set(np.unique(y)) | set(np.unique(yt)) <= set(range(10)):
        raise fail(path, "holds non-finite signals, labels outside 0..9 or not one label per signal", rebuild)


def _mnist1d(root: Path):
    """MNIST-1D from the cache <root>/mnist1d_seed42.npz + .json, generated (offline) when either is missing.

    The .json holds the SHA-256 of the .npz and of itself (`naslab.tabular`'s scheme); a cache that
    fails the check or holds other arrays raises `BenchmarkError` naming the file and the command."""
    path, js, rebuild = root / "mnist1d_seed42.npz", root / "mnist1d_seed42.json", mnist1d_rebuild(root)
    if not (path.exists() and js.exists()):  # first use, or a cache written before it had a checksum
        from importlib.metadata import version

        from mnist1d.data import get_dataset_args, make_dataset  # local generator, no download

        d = make_dataset(get_dataset_args())  # ~1 s: 4,000 train / 1,000 test signals of length 40
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"mnist1d_seed42.{os.getpid()}.tmp.npz")
        arrays = {k: d[k] for k in MNIST1D_ARRAYS}
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)
        write_meta(path, js, {"generator": "mnist1d.data.make_dataset(get_dataset_args())", "seed": 42,
                              "mnist1d": version("mnist1d"), "shapes": {k: list(v.shape) for k, v in arrays.items()}})
    arrays, meta = load_checked(path, js, rebuild, required=("shapes",))
    with reading(path, rebuild):
        _check_mnist1d(path, arrays, meta, rebuild)
    X, y, Xt, yt = arrays["x"], arrays["y"], arrays["x_test"], arrays["y_test"]
    f = np.float32
    return X.astype(f)[:, None], y.astype(np.int64), Xt.astype(f)[:, None], yt.astype(np.int64)


def _torchvision(name: str, root: Path, download: bool):
    import torchvision

    cls = getattr(torchvision.datasets, _TV_CLASS[name])
    try:
        train = cls(root=str(root), train=True, download=download)
        test = cls(root=str(root), train=False, download=download)
    except RuntimeError as e:  # torchvision: "Dataset not found or corrupted."
        raise FileNotFoundError(
            f"dataset {name!r} is not in {root} and naslab never downloads unless asked. While online, run "
            f"`naslab.data.load_dataset({name!r}, download=True)` once; offline, use one of {list(OFFLINE)}."
        ) from e

    def arrays(ds):
        X = np.asarray(ds.data, dtype=np.float32) / 255.0
        X = X[:, None] if X.ndim == 3 else X.transpose(0, 3, 1, 2)  # (N,H,W) or (N,H,W,C) -> (N,C,H,W)
        return X, np.asarray(ds.targets, dtype=np.int64)

    return (*arrays(train), *arrays(test))


# ---------------------------------------------------------------------------------------------


def load_dataset(
    name: str,
    *,
    n_train: int | None = None,
    val_fraction: float = 0.2,
    split_seed: int = 0,
    root: str | Path | None = None,
    download: bool = False,
) -> Dataset:
    """Load a dataset as standardised tensors with a fixed validation split.

    Args:
        name: one of `available_datasets()`.
        n_train: keep only this many training examples (a seeded subset), or all when None.
        val_fraction: share of the dataset's training data carved out for validation, in (0, 1).
        split_seed: seed of the validation carve and of the `n_train` subset (fixed by default).
        root: folder of cached / downloaded files (default: the repository's `data/`).
        download: allow torchvision to download the online datasets.

    Raises:
        ValueError: unknown name (the message lists the known ones), bad `n_train` / `val_fraction`.
        FileNotFoundError: an online dataset that is not on disk and `download=False`.
    """
    if not isinstance(name, str):
        raise ValueError(f"unknown dataset {name!r}; known datasets: {available_datasets()}")
    key = name.lower().replace("_", "-")
    if key not in available_datasets():
        raise ValueError(f"unknown dataset {name!r}; known datasets: {available_datasets()}")
    if not (is_real(val_fraction) and 0.0 < val_fraction < 1.0):
        raise ValueError(f"val_fraction={val_fraction!r} must lie strictly between 0 and 1")
    check_seed(split_seed, "split_seed")
    root = Path(root) if root is not None else DATA_DIR
    if key == "digits":
        X, y, Xt, yt = _digits()
    elif key == "mnist1d":
        X, y, Xt, yt = _mnist1d(root)
    else:
        X, y, Xt, yt = _torchvision(key, root, download)

    perm = np.random.default_rng(split_seed).permutation(len(y))
    n_val = max(1, int(round(val_fraction * len(y))))
    va, tr = perm[:n_val], perm[n_val:]
    if n_train is not None:
        if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)) or n_train < 1:
            raise ValueError(f"n_train={n_train!r} must be a positive int (or None for all)")
        n_classes = len(np.unique(y))
        if n_train < n_classes:
            raise ValueError(f"n_train={n_train} is too small for {key!r}: it has {n_classes} classes, so keep at "
                             f"least {n_classes} training examples (a few dozen or more for any learning)")
        if n_train > len(tr):
            raise ValueError(f"n_train={n_train} is larger than the {len(tr)} training examples of {key!r} "
                             f"(after carving {n_val} for validation)")
        tr = tr[:n_train]  # `tr` is already a seeded permutation: its head is a random subset

    mean, std = X[tr].mean(), X[tr].std() + 1e-8  # statistics of the training split only

    def t(a):
        return torch.from_numpy(np.ascontiguousarray((a - mean) / std, dtype=np.float32))

    return Dataset(
        name=key,
        X_train=t(X[tr]), y_train=torch.from_numpy(y[tr]),
        X_val=t(X[va]), y_val=torch.from_numpy(y[va]),
        X_test=t(Xt), y_test=torch.from_numpy(yt),
        input_shape=tuple(int(s) for s in X.shape[1:]),
        num_classes=int(max(y.max(), yt.max()) + 1),
    )
