"""`CellBenchmark`: the NAS-Bench-201-style ground-truth table of every MNIST-1D cell, as lookups.

NAS-Bench-201 (Dong & Yang, ICLR 2020) trains every cell of its space once and turns any multi-trial
search into table lookups: accuracy after each epoch (a fidelity), final test accuracy, size, cost.
`data/bench/mnist1d_nb201` does the same for the 1-D space of `naslab.bakeoff.cells` (built by
`naslab.bakeoff.build`): every one of the 4,930 distinct cells, trained with 2 seeds.

Any of the 15,625 cells can be asked about (a tuple of op indices or names, or the NB201 string);
it is mapped to its isomorphism class (`cells.canonical`) first. Ranks are among the distinct cells
(1 = best; ties share the better rank). Seeds: `seed=None` averages over the seeds.

The file is checked on load like naslab's first benchmark (`naslab.tabular.load_checked`: SHA-256 of the
.npz and of the .json's metadata, readable, not truncated), then here: every array with its recorded shape,
accuracies in [0, 1], positive costs equal to the cost model, seeds and epochs as in the config, the cell
list equal to the config's cells; anything else raises `BenchmarkError` (a ValueError) naming the file.

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from naslab.bakeoff.build import BENCH_DIR, REBUILD
from naslab.bakeoff.cells import OPS, all_cells, canonical, cell_str, check_cell, parse_cell, unique_cells
from naslab.proxies.ranking import kendall_tau
from naslab.tabular import BenchmarkError, fail, load_table

METRICS = ("val", "test")
_KEYS = ("cells", "val_acc", "test_acc", "train_loss", "params", "macs", "seconds_per_epoch")


def _fail(path, what: str) -> BenchmarkError:
    return fail(path, what, REBUILD)


class CellBenchmark:
    """Lookups in the cell table. Use `CellBenchmark.load()`."""

    def __init__(self, arrays: dict, meta: dict, path: Path | None = None):
        self.arrays, self.meta, self.path = arrays, meta, path
        self.ops = tuple(meta["ops"])
        self.seeds = tuple(int(s) for s in meta["seeds"])
        self.n_seeds, self.n_epochs = len(self.seeds), int(meta["epochs"])
        self._cells = [tuple(int(o) for o in row) for row in arrays["cells"]]
        self._row = {c: i for i, c in enumerate(self._cells)}

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, name: str = "mnist1d_nb201", root: str | Path | None = None) -> CellBenchmark:
        """Load and validate data/bench/<name>.npz + .json (BenchmarkError when anything is off)."""
        root = Path(root) if root is not None else BENCH_DIR
        return load_table(cls, root / f"{name}.npz", REBUILD,
                          required=("shapes", "ops", "seeds", "epochs", "config", "cost_model"),
                          check=lambda npz, arrays, meta: cls._check(npz, arrays, meta, meta["shapes"]))

    @staticmethod
    def _check(path, arrays, meta, shapes) -> None:
        if tuple(meta["ops"]) != OPS:
            raise _fail(path, f"has ops {meta['ops']}, expected {list(OPS)}")
        unknown = sorted(set(arrays) - set(shapes))
        if unknown:
            raise _fail(path, f"has arrays {unknown} its .json does not list")
        for key in (*_KEYS, *shapes):
            if key not in arrays:
                raise _fail(path, f"has no array {key!r}")
            if key in shapes and list(arrays[key].shape) != list(shapes[key]):
                raise _fail(path, f"array {key!r} has shape {list(arrays[key].shape)}, expected {shapes[key]}")
        n, S, E = len(arrays["cells"]), len(meta["seeds"]), int(meta["epochs"])
        if arrays["val_acc"].shape != (n, S, E) or arrays["test_acc"].shape != (n, S):
            raise _fail(path, f"has val_acc {arrays['val_acc'].shape} / test_acc {arrays['test_acc'].shape}, "
                              f"expected ({n}, {S}, {E}) / ({n}, {S})")
        for key in ("val_acc", "test_acc"):
            a = arrays[key]
            if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
                raise _fail(path, f"has accuracies outside [0, 1] or NaN in {key!r}")
        if not np.all(arrays["seconds_per_epoch"] > 0):
            raise _fail(path, "has non-positive costs in 'seconds_per_epoch'")
        cfg = meta["config"]
        if list(meta["seeds"]) != list(cfg["seeds"]) or meta["epochs"] != cfg["spec"]["epochs"]:
            raise _fail(path, f"has seeds {meta['seeds']} and epochs {meta['epochs']}, its config says "
                              f"{cfg['seeds']} and {cfg['spec']['epochs']}")
        cells = unique_cells() if cfg["cells"] is None else [tuple(c) for c in cfg["cells"]]
        if [tuple(int(o) for o in r) for r in arrays["cells"]] != cells:
            raise _fail(path, f"does not list the {len(cells)} cells of its config in order")
        a, b = float(meta["cost_model"]["a"]), float(meta["cost_model"]["b_per_mac"])
        if not np.array_equal(arrays["seconds_per_epoch"], np.maximum(a + b * arrays["macs"], 1e-3).astype(np.float32)):
            raise _fail(path, f"has costs that are not its cost model {meta['cost_model']}")

    # -- cells ---------------------------------------------------------------------------------

    def row(self, cell) -> int:
        """Row of a cell's class; accepts op indices, op names or the NB201 string."""
        c = parse_cell(cell) if isinstance(cell, str) else check_cell(cell)
        key = canonical(c)
        if key not in self._row:
            raise ValueError(f"cell {cell_str(c)} (class {cell_str(key)}) is not in this table "
                             f"({len(self._cells)} cells)")
        return self._row[key]

    def cells(self) -> list[tuple[int, ...]]:
        """Every cell of the space (15,625): all can be looked up."""
        return all_cells()

    def unique_cells(self) -> list[tuple[int, ...]]:
        """The distinct (canonical) cells of the table, in table order."""
        return list(self._cells)

    # -- lookups -------------------------------------------------------------------------------

    def _epoch(self, epoch) -> int:
        if epoch is None:
            return self.n_epochs
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or not 1 <= epoch <= self.n_epochs:
            raise ValueError(f"epoch={epoch!r} is not available; allowed: 1..{self.n_epochs} (None = the last)")
        return int(epoch)

    def _seed_col(self, seed):
        if seed is None:
            return slice(None)
        if seed not in self.seeds:
            raise ValueError(f"seed={seed!r} is not in the table; available seeds: {list(self.seeds)} "
                             f"(None = mean over seeds)")
        return self.seeds.index(seed)

    def val_acc(self, cell, epoch=None, seed=None) -> float:
        """Validation accuracy after `epoch` (1..n_epochs, None = last); seed None = mean over seeds."""
        return float(np.mean(self.arrays["val_acc"][self.row(cell), self._seed_col(seed), self._epoch(epoch) - 1]))

    def test_acc(self, cell, seed=None) -> float:
        """Test accuracy at the end of training; seed None = mean over seeds."""
        return float(np.mean(self.arrays["test_acc"][self.row(cell), self._seed_col(seed)]))

    def seconds(self, cell, epoch=None) -> float:
        """Simulated cost: CPU seconds to train this cell alone to `epoch` (cumulative, one thread)."""
        return float(self.arrays["seconds_per_epoch"][self.row(cell)]) * self._epoch(epoch)

    def params(self, cell) -> int:
        """Trainable parameters of the network with this cell (the ops of its class)."""
        return int(self.arrays["params"][self.row(cell)])

    def flops(self, cell) -> int:
        """Multiply-accumulates of one forward pass of one example (the 'FLOPs' of NAS papers)."""
        return int(self.arrays["macs"][self.row(cell)])

    def accuracies(self, metric: str = "test", epoch=None, seed=None) -> np.ndarray:
        """(n_unique,) accuracy of every distinct cell, in `unique_cells()` order."""
        if metric not in METRICS:
            raise ValueError(f"metric={metric!r} is unknown; allowed: {list(METRICS)}")
        if metric == "test":
            if epoch is not None:
                raise ValueError("test accuracy exists at the last epoch only; use epoch=None")
            a = self.arrays["test_acc"][:, self._seed_col(seed)]
        else:
            a = self.arrays["val_acc"][:, self._seed_col(seed), self._epoch(epoch) - 1]
        return (a.mean(1) if a.ndim == 2 else a).astype(float)

    def best(self, metric: str = "test") -> tuple[tuple[int, ...], float]:
        """(cell, value) of the best distinct cell by `metric` (mean over seeds, last epoch)."""
        acc = self.accuracies(metric)
        i = int(np.argmax(acc))
        return self._cells[i], float(acc[i])

    def rank_of(self, cell, metric: str = "test") -> int:
        """1 + the number of distinct cells strictly better than this one (1 = best)."""
        acc = self.accuracies(metric)
        return int(1 + np.sum(acc > acc[self.row(cell)]))

    def noise_ceiling(self, metric: str = "test", epoch=None) -> float:
        """Kendall's tau between the seeds' accuracies over the distinct cells (mean over seed pairs): how
        well one training run ranks the cells against another, the ceiling for any ranking method."""
        pairs = [(a, b) for i, a in enumerate(self.seeds) for b in self.seeds[i + 1:]]
        if not pairs:
            raise ValueError("the noise ceiling needs at least 2 seeds")
        return float(np.mean([kendall_tau(self.accuracies(metric, epoch, a), self.accuracies(metric, epoch, b))
                              for a, b in pairs]))

    def __repr__(self) -> str:
        return (f"CellBenchmark({self.meta['name']!r}: {len(self._cells)} distinct cells of {len(all_cells())}, "
                f"{self.n_seeds} seeds, {self.n_epochs} epochs, ops {list(self.ops)})")


__all__ = ["CellBenchmark", "METRICS", "BenchmarkError"]
