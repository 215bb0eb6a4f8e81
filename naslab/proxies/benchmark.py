"""A laptop-sized tabular NAS benchmark that naslab builds itself (in the spirit of NAS-Bench-201).

The space, `bench_space()`, is a subspace of the notebook-02 macro space (`naslab.controller.macro_space.MacroSpace`):
3 layers, filters {8, 32}, kernels {3, 7}, stride 2, and the one anchor token "does layer 0 also
feed layer 2?", so 4^3 * 2 = 128 architectures. Every one is trained on MNIST-1D for E = 9 epochs
with 2 seeds (Adam, lr 1e-2, batch 128) and its validation accuracy is recorded after every
epoch: fidelities 1..9 epochs (1/9, 1/3 and all of the budget) are checkpoints of one run. The
learning rate is constant, so epoch e of the 9-epoch run *is* an e-epoch run. Each entry keeps the
parameter count and its simulated cost: e * (median CPU seconds of one of its epochs), one thread.

On a seeded sample of 48 architectures there are proxy tables too (seed 0): 1/9 and 1/3 of the
training data, 1/4 and 1/2 of the width, and on 12 of them a "big" model (2x width, N = 2 repeats)
for NASNet's "search small, evaluate big".

Files (no pickle): data/bench/<name>.npz (numbers) + <name>.json (config, space, build record, the
SHA-256 of the .npz and the SHA-256 of the metadata itself: `naslab.tabular`'s one checksum scheme, so
editing either file is refused). `Benchmark.load()` validates both and raises `BenchmarkError` (a
ValueError) naming the file and the rebuild command for a corrupt, truncated, edited or inconsistent
file: never wrong numbers (the checks every table shares are `naslab.tabular.load_checked`; the ones
below are this table's: the metadata agrees with its config, every array has its shape and plausible
values). Building: `naslab.proxies.build` (resumable, worker processes), `python tools/build/build_bench.py`.

Taught in: notebooks/03_proxy_evaluation.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from naslab.controller.macro_space import Architecture, MacroSpace
from naslab.data import DATA_DIR
from naslab.proxies.kinds import TABLE_KINDS, check_kind
from naslab.tabular import BenchmarkError, fail, load_checked, reading
from naslab.validate import check_choice, check_int, check_items, check_real, check_seed

BENCH_DIR = DATA_DIR / "bench"
BENCH_SPACE = {"n_layers": 3, "filters": (8, 32), "kernels": (3, 7), "strides": (2,), "skips": True}
REBUILD = "python tools/build/build_bench.py --workers 2"


@dataclass(frozen=True)
class BenchConfig:
    """What the benchmark trains. The defaults are the shipped benchmark."""

    name: str = "mnist1d_macro128"
    dataset: str = "mnist1d"
    space: tuple = tuple(BENCH_SPACE.items())  # MacroSpace keyword arguments
    epochs: int = 9  # the full budget; every epoch is a fidelity
    seeds: tuple = (0, 1)
    optimizer: str = "adam"
    lr: float = 1e-2
    batch_size: int = 128
    proxy_sample: int = 48  # architectures (seeded sample) with the data / width proxy tables
    data_fractions: tuple = (1 / 9, 1 / 3)
    widths: tuple = (0.25, 0.5)
    big_sample: int = 12  # the first ones of the proxy sample also get a big (2x width, N = 2) run
    big: tuple = (("width", 2.0), ("repeats", 2))

    def __post_init__(self):
        for name in ("epochs", "batch_size", "proxy_sample"):
            check_int(getattr(self, name), name, low=1)
        check_int(self.big_sample, "big_sample", low=0, high=self.proxy_sample)
        check_items(self.seeds, "seeds", check_seed, distinct=True)
        check_choice(self.optimizer, "optimizer", ("sgd", "adam"))
        check_real(self.lr, "lr", low=0, low_open=True)
        check_items(self.data_fractions, "data_fractions", check_real, low=0, high=1, low_open=True)
        check_items(self.widths, "widths", check_real, low=0, low_open=True)


def bench_space(cfg: BenchConfig | None = None) -> MacroSpace:
    """The benchmark's space (a `naslab.controller.macro_space.MacroSpace`)."""
    return MacroSpace(**dict((cfg or BenchConfig()).space))


# ---------------------------------------------------------------------------------------------
# loading and validation

_ACC_KEYS = ("val_acc", "data_acc", "width_acc", "big_acc")


def _fail(path, what: str) -> BenchmarkError:
    return fail(path, what, REBUILD)


def _check(path: Path, arrays: dict, meta: dict) -> None:
    """Raise BenchmarkError unless the arrays are complete, consistent with the meta and plausible."""
    cfg = meta["config"]
    if not isinstance(cfg["seeds"], list) or not all(type(x) is int for x in cfg["seeds"]):
        raise _fail(path, f"has seeds {cfg['seeds']!r}, not a list of ints")
    space = MacroSpace(**dict((k, tuple(v) if isinstance(v, list) else v) for k, v in cfg["space"]))
    n, s, e = space.size, len(cfg["seeds"]), int(cfg["epochs"])
    expected = {"space": {k: v for k, v in cfg["space"]}, "fidelities": list(range(1, e + 1)), "size": n}
    for key, want in expected.items():  # the metadata says one thing once
        if meta[key] != want:
            raise _fail(path, f"has {key} {meta[key]} in its .json, but its config says {want}")
    m = min(int(cfg["proxy_sample"]), n)  # the proxy sample and its head, the "big" sample
    expected = {"val_acc": [n, s, e], "data_acc": [m, len(cfg["data_fractions"]), e],
                "width_acc": [m, len(cfg["widths"]), e], "big_acc": [min(int(cfg["big_sample"]), m), 1, e]}
    for key, shape in {**meta["shapes"], **expected}.items():
        if key not in arrays:
            raise _fail(path, f"has no array {key!r}")
        if list(arrays[key].shape) != list(shape):
            raise _fail(path, f"array {key!r} has shape {list(arrays[key].shape)}, expected {shape}")
    for key in _ACC_KEYS:
        a = arrays[key]
        if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
            raise _fail(path, f"has accuracies outside [0, 1] or NaN in {key!r}")
    for key in [k for k in arrays if k.endswith("cpu_seconds")]:
        c = arrays[key]
        if not np.all(np.isfinite(c)) or c.min() <= 0 or np.any(np.diff(c, axis=-1) < 0):
            raise _fail(path, f"has non-positive or decreasing cumulative seconds in {key!r}")


class Benchmark:
    """The tabular benchmark: look up accuracy and simulated cost instead of training.

    Fidelities are epochs 1..E (E = 9: the full budget). Architectures can be given as an
    `Architecture`, its key string ("8-3-2|32-7-2|..."), its token list or its index 0..size-1.
    """

    def __init__(self, arrays: dict, meta: dict, path: Path | None = None):
        if not (isinstance(arrays, dict) and "tokens" in arrays and isinstance(meta, dict)
                and {"space", "fidelities", "config"} <= set(meta)):
            raise _fail(path, "needs a dict of arrays with 'tokens' and a meta dict with ['config', 'fidelities', "
                        "'space'] (as Benchmark.load reads them)")
        self.arrays, self.meta, self.path = arrays, meta, path
        self.space = MacroSpace(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta["space"].items()})
        self.fidelities = tuple(int(f) for f in meta["fidelities"])
        self.seeds = tuple(int(s) for s in meta["config"]["seeds"])
        self.archs = [self.space.decode([int(t) for t in row]) for row in arrays["tokens"]]
        self._index = {a.key: i for i, a in enumerate(self.archs)}
        if len(self._index) != self.space.size:
            raise _fail(path, f"covers {len(self._index)} of the {self.space.size} architectures of its space")

    @classmethod
    def load(cls, name: str = BenchConfig.name, *, root: str | Path | None = None) -> Benchmark:
        """Load and validate data/bench/<name>.npz + .json (BenchmarkError when anything is off).

        `root` is the folder holding the benchmark files themselves (default `data/bench/`), not the
        `data/` folder that `load_dataset(root=...)` takes: a benchmark is a file set, not a dataset.
        """
        if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():  # not "x.npz"
            raise ValueError(f"name={name!r} must be a benchmark name such as {BenchConfig.name!r}, not a path")
        root = Path(root) if root is not None else BENCH_DIR
        npz = root / f"{name}.npz"
        arrays, meta = load_checked(npz, root / f"{name}.json", REBUILD, required=("shapes", "config"))
        with reading(npz, REBUILD):  # a missing key or a wrong type is the benchmark's error too
            _check(npz, arrays, meta)
            bench = cls(arrays, meta, npz)
            bench.config  # noqa: B018 (the config must rebuild)
        return bench

    # -- lookups -------------------------------------------------------------------------------

    @property
    def config(self) -> BenchConfig:
        """The BenchConfig the file was built with (JSON lists turned back into tuples)."""
        c = dict(self.meta["config"])
        c["space"] = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in c["space"])
        c["big"] = tuple(tuple(p) for p in c["big"])
        return BenchConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in c.items()})

    @property
    def size(self) -> int:
        return len(self.archs)

    def space_name(self) -> str:
        return f"{self.space} ({self.space.size} architectures)"

    def index(self, arch) -> int:
        """Row of an architecture: an Architecture, its key string, its tokens, its index or a dict
        ({"tokens": [...]}, {"arch": key} or `Architecture.to_dict()`)."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            if not 0 <= arch < self.size:
                raise ValueError(f"architecture index {arch} is outside 0..{self.size - 1} of {self.space_name()}")
            return int(arch)
        try:
            if isinstance(arch, dict):  # {"tokens": [...]} or {"arch": key} (naslab.controller.children), or to_dict()
                arch = arch.get("arch") or arch.get("tokens") or Architecture.from_dict(arch)
            if isinstance(arch, str):
                arch = self.space.parse(arch)
            elif not isinstance(arch, Architecture):
                arch = self.space.decode(list(arch))
            self.space.encode(arch)  # ValueError naming the bad layer / value
            return self._index[arch.key]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{getattr(arch, 'key', arch)!r} is not an architecture of the benchmark's space "
                             f"{self.space_name()}: {e}") from e

    def epoch(self, fidelity) -> int:
        """The epochs of a fidelity (an int, {"epochs": e} or None = full); ValueError listing the available."""
        f = fidelity.get("epochs") if isinstance(fidelity, dict) else fidelity
        if f is None:
            return self.fidelities[-1]
        if isinstance(f, bool) or not isinstance(f, (int, np.integer, float)) or int(f) != f \
                or int(f) not in self.fidelities:
            raise ValueError(f"fidelity={fidelity!r} is not available; available fidelities (epochs): "
                             f"{list(self.fidelities)} (None = the full budget {self.fidelities[-1]})")
        return int(f)

    def _seed(self, seed) -> int:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed not in self.seeds:
            raise ValueError(f"seed={seed!r} is not in the benchmark; available seeds: {list(self.seeds)}")
        return self.seeds.index(seed)

    def lookup(self, arch, fidelity=None, seed: int = 0) -> dict:
        """{"val_acc" (of that seed), "seconds", "params", "epochs"}. "seconds" is the simulated cost: CPU
        seconds of training up to that epoch, averaged over the seeds (the work does not depend on the
        seed; the average smooths the noise of a shared machine)."""
        i, e, s = self.index(arch), self.epoch(fidelity), self._seed(seed)
        return {"val_acc": float(self.arrays["val_acc"][i, s, e - 1]),
                "seconds": float(self.arrays["cpu_seconds"][i, :, e - 1].mean()),
                "params": int(self.arrays["params"][i]), "epochs": e}

    def accuracy(self, fidelity=None, seed: int | None = None) -> np.ndarray:
        """(size,) validation accuracy of every architecture at `fidelity`; seed None = mean over seeds."""
        e = self.epoch(fidelity)
        acc = self.arrays["val_acc"][:, :, e - 1]  # (n, S)
        return acc.mean(1) if seed is None else acc[:, self._seed(seed)]

    def cost(self, fidelity=None, seed: int | None = None) -> np.ndarray:
        """(size,) simulated seconds of every architecture at `fidelity`; seed None = mean over seeds."""
        e = self.epoch(fidelity)
        c = self.arrays["cpu_seconds"][:, :, e - 1]
        return c.mean(1) if seed is None else c[:, self._seed(seed)]

    def objective(self, seed: int = 0):
        """`objective(arch, fidelity=None) -> metrics` for `run_search`: a lookup, with simulated seconds."""
        def objective(config, fidelity=None):
            return self.lookup(config, fidelity, seed)

        return objective

    def proxy_table(self, kind: str) -> dict:
        """The proxy tables on the sample: kind "data" / "width" / "big" ->
        {"index": (m,), "levels": [...], "acc": (m, levels, E), "seconds": (m, levels, E), "params"}."""
        spec = check_kind(kind, TABLE_KINDS)  # one vocabulary of proxy kinds: naslab.proxies.kinds
        cfg = self.meta["config"]
        return {"index": self.arrays["big_index" if spec.sample == "big_sample" else "proxy_index"],
                "levels": list(cfg[spec.levels]) if spec.knob is not None else [dict(cfg[spec.levels])],
                "acc": self.arrays[f"{kind}_acc"], "seconds": self.arrays[f"{kind}_cpu_seconds"],
                "params": self.arrays[f"{kind}_params"]}

    def __repr__(self) -> str:
        return (f"Benchmark({self.meta['config']['name']!r}: {self.size} architectures x {len(self.seeds)} seeds, "
                f"fidelities (epochs) {list(self.fidelities)}, space {self.space})")
