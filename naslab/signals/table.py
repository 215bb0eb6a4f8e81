"""`ProxyTable`: the zero-cost proxies of every cell of notebook 06's table, checked on load.

data/bench/mnist1d_nb201_proxies.npz + .json (built by `naslab.signals.build`, `tools/build/build_proxies.py`)
hold, per proxy, a float32 array (n_cells, n_seeds, n_batches) of scores, or (n_cells, n_seeds) for a proxy
that ignores the data (synflow, params, flops), rows in the order of the NB201 table's distinct cells.
Every score follows `naslab.signals.registry`'s convention: higher = predicted better; -inf = "this net
cannot learn" (its output ignores the input), never NaN or +inf.

Loading checks like every table of the course (`naslab.tabular.load_checked`: SHA-256 of the .npz and of
the metadata), then here: the arrays its .json lists with their shapes, the cell list of its config, no
NaN or +inf. Anything else is a `BenchmarkError` naming the file and the rebuild command.

Taught in: notebooks/07_cheap_signals.ipynb §1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from naslab.bakeoff.build import BENCH_DIR
from naslab.bakeoff.cells import OPS, unique_cells
from naslab.signals.build import REBUILD
from naslab.tabular import fail, load_table

NAME = "mnist1d_nb201_proxies"


class ProxyTable:
    """Proxy scores per distinct cell. Use `ProxyTable.load()`."""

    def __init__(self, arrays: dict, meta: dict, path: Path | None = None):
        self.arrays, self.meta, self.path = arrays, meta, path
        self.proxies = tuple(meta["proxies"])
        self.seeds = tuple(int(s) for s in meta["config"]["seeds"])
        self.n_batches = int(meta["config"]["n_batches"])
        self._cells = [tuple(int(o) for o in r) for r in arrays["cells"]]

    @classmethod
    def load(cls, name: str = NAME, root: str | Path | None = None) -> ProxyTable:
        """Load and validate <root>/<name>.npz + .json (default data/bench); BenchmarkError when anything is off."""
        root = Path(root) if root is not None else BENCH_DIR
        return load_table(cls, root / f"{name}.npz", REBUILD,
                          required=("config", "proxies", "shapes", "needs_data", "ops"), check=cls._check)

    @staticmethod
    def _check(path, arrays: dict, meta: dict) -> None:
        if list(meta["ops"]) != list(OPS):
            raise fail(path, f"has ops {meta['ops']}, expected {list(OPS)}", REBUILD)
        expected = {"cells", *meta["proxies"]}
        if set(arrays) != expected or set(meta["shapes"]) != expected:
            raise fail(path, f"has arrays {sorted(arrays)}, its .json lists {sorted(meta['shapes'])}, expected "
                             f"{sorted(expected)}", REBUILD)
        cfg = meta["config"]
        cells = unique_cells() if cfg["cells"] is None else [tuple(c) for c in cfg["cells"]]
        if [tuple(int(o) for o in r) for r in arrays["cells"]] != cells:
            raise fail(path, f"does not list the {len(cells)} cells of its config in order", REBUILD)
        n, S, B = len(cells), len(cfg["seeds"]), int(cfg["n_batches"])
        for p in meta["proxies"]:
            shape = (n, S, B) if meta["needs_data"][p] else (n, S)
            a = arrays[p]
            if a.shape != shape or list(meta["shapes"][p]) != list(shape):
                raise fail(path, f"array {p!r} has shape {list(a.shape)}, expected {list(shape)}", REBUILD)
            if np.isnan(a).any() or np.isposinf(a).any():
                raise fail(path, f"has NaN or +inf scores in {p!r} (only -inf is allowed)", REBUILD)

    # -- lookups -------------------------------------------------------------------------------

    def unique_cells(self) -> list[tuple[int, ...]]:
        """The cells of the rows, in order (notebook 06's table order for the shipped file)."""
        return list(self._cells)

    def raw(self, proxy: str) -> np.ndarray:
        """(n_cells, n_seeds, n_batches) float64 scores; a data-free proxy repeats over the batches."""
        if proxy not in self.proxies:
            raise ValueError(f"proxy={proxy!r} is not in the table; available: {list(self.proxies)}")
        a = self.arrays[proxy].astype(np.float64)
        return a if a.ndim == 3 else np.repeat(a[:, :, None], self.n_batches, axis=2)

    def scores(self, proxy: str, seed=None, batch=None) -> np.ndarray:
        """(n_cells,) scores: one seed / batch, or the mean over them (None); -inf stays -inf."""
        a = self.raw(proxy)
        if seed is not None:
            if seed not in self.seeds:
                raise ValueError(f"seed={seed!r} is not in the table; available: {list(self.seeds)} (None = mean)")
            a = a[:, [self.seeds.index(seed)]]
        if batch is not None:
            if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or not 0 <= batch < self.n_batches:
                raise ValueError(f"batch={batch!r} is not in the table; available: 0..{self.n_batches - 1} "
                                 "(None = mean)")
            a = a[:, :, [int(batch)]]
        with np.errstate(invalid="ignore"):  # a mean over -inf values is -inf
            return a.reshape(len(a), -1).mean(1)

    def rows_of(self, cells) -> np.ndarray:
        """Row of each cell in this table (for aligning with another table's cells); ValueError if one is missing."""
        index = {c: i for i, c in enumerate(self._cells)}
        missing = [c for c in map(tuple, cells) if c not in index]
        if missing:
            raise ValueError(f"{len(missing)} cells are not in the proxy table, e.g. {missing[0]}")
        return np.array([index[tuple(c)] for c in cells])

    def __repr__(self) -> str:
        return (f"ProxyTable({self.meta['name']!r}: {len(self._cells)} cells, proxies {list(self.proxies)}, "
                f"seeds {list(self.seeds)} x {self.n_batches} batches)")


__all__ = ["ProxyTable", "NAME"]
