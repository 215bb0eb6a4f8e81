"""`LatencyTable`: the measured latency of every distinct cell, as lookups, checked on load.

`data/bench/mnist1d_nb201_latency.npz` + `.json` (built by `naslab.hardware.build`) holds, for each of the
4,930 distinct cells of notebook 06's table and each batch size b (1 and 64 by default),

    median[i, b], q25[i, b], q75[i, b]   seconds per forward pass of a batch of b, one thread

and the machine and torch version it was measured with (`meta["machine"]`). Like every data file of the
course it is loaded through `naslab.tabular.load_checked` (SHA-256 of the .npz and of the metadata) and
then checked here: the arrays and shapes the .json lists, the cell list of its config, positive finite
latencies with q25 <= median <= q75, MACs and parameter counts equal to the network's. Anything else is a
`BenchmarkError` naming the file and the rebuild command. A latency is a property of the machine that
measured it: compare a live measurement with `naslab.hardware.latency.compare` before trusting the
shipped numbers on another CPU (HW-NAS-Bench, Li et al., ICLR 2021, ships one table per device).

Taught in: notebooks/08_hardware_aware.ipynb.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from naslab.bakeoff.build import BENCH_DIR
from naslab.bakeoff.cells import OPS, canonical, cell_str, check_cell, parse_cell
from naslab.bakeoff.network import macs, n_params
from naslab.hardware.build import NAME, REBUILD, LatencyConfig
from naslab.hardware.latency import TimingSpec, compare, measure_sample
from naslab.tabular import BenchmarkError, fail, load_table

STATS = ("median", "q25", "q75")
_KEYS = ("cells", *STATS, "macs", "params")


class LatencyTable:
    """Lookups in the latency table. Use `LatencyTable.load()`."""

    def __init__(self, arrays: dict, meta: dict, path: Path | None = None):
        self.arrays, self.meta, self.path = arrays, meta, path
        self.batch_sizes = tuple(int(b) for b in meta["batch_sizes"])
        self._cells = [tuple(int(o) for o in row) for row in arrays["cells"]]
        self._row = {c: i for i, c in enumerate(self._cells)}

    @classmethod
    def load(cls, name: str = NAME, root: str | Path | None = None) -> LatencyTable:
        """Load and validate data/bench/<name>.npz + .json (BenchmarkError when anything is off)."""
        root = Path(root) if root is not None else BENCH_DIR
        return load_table(cls, root / f"{name}.npz", REBUILD,
                          required=("shapes", "ops", "batch_sizes", "config", "machine"), check=cls.check)

    @staticmethod
    def check(path, arrays: dict, meta: dict) -> None:
        """Raise `BenchmarkError` unless the arrays are what the metadata and the cell network say."""
        def bad(what: str) -> BenchmarkError:
            return fail(path, what, REBUILD)

        if tuple(meta["ops"]) != OPS:
            raise bad(f"has ops {meta['ops']}, expected {list(OPS)}")
        shapes = meta["shapes"]
        if sorted(arrays) != sorted(_KEYS) or sorted(shapes) != sorted(_KEYS):
            raise bad(f"has arrays {sorted(arrays)} (its .json lists {sorted(shapes)}), expected {sorted(_KEYS)}")
        for key in _KEYS:
            if list(arrays[key].shape) != list(shapes[key]):
                raise bad(f"array {key!r} has shape {list(arrays[key].shape)}, expected {shapes[key]}")
        cfg = LatencyConfig.from_dict(meta["config"])
        cells = cfg.all_cells()
        if [tuple(int(o) for o in r) for r in arrays["cells"]] != cells:
            raise bad(f"does not list the {len(cells)} cells of its config in order")
        if list(meta["batch_sizes"]) != list(cfg.spec.batch_sizes):
            raise bad(f"has batch sizes {meta['batch_sizes']}, its config says {list(cfg.spec.batch_sizes)}")
        if any(arrays[k].shape != (len(cells), len(cfg.spec.batch_sizes)) for k in STATS):
            raise bad(f"has latency arrays not of shape ({len(cells)}, {len(cfg.spec.batch_sizes)})")
        q25, med, q75 = (arrays[k].astype(float) for k in ("q25", "median", "q75"))
        if not (np.all(np.isfinite(med)) and np.all(med > 0)):
            raise bad("has latencies that are not positive finite seconds")
        if not (np.all(q25 <= med) and np.all(med <= q75)):
            raise bad("has quartiles out of order (q25 <= median <= q75 must hold)")
        if not (np.array_equal(arrays["macs"], [macs(c, cfg.net) for c in cells])
                and np.array_equal(arrays["params"], [n_params(c, cfg.net) for c in cells])):
            raise bad("has MACs or parameter counts that are not the cell network's")

    def row(self, cell) -> int:
        """Row of a cell's class; accepts op indices, op names or the NB201 string."""
        c = parse_cell(cell) if isinstance(cell, str) else check_cell(cell)
        key = canonical(c)
        if key not in self._row:
            raise ValueError(f"cell {cell_str(c)} (class {cell_str(key)}) is not in this table ({len(self._cells)} "
                             "cells)")
        return self._row[key]

    def unique_cells(self) -> list[tuple[int, ...]]:
        """The distinct (canonical) cells, in table order (that of notebook 06's `CellBenchmark`)."""
        return list(self._cells)

    def batch_index(self, batch: int) -> int:
        """The column of batch size `batch` (ValueError naming the measured ones otherwise)."""
        if batch not in self.batch_sizes:
            raise ValueError(f"batch={batch!r} was not measured; available: {list(self.batch_sizes)}")
        return self.batch_sizes.index(batch)

    def latencies(self, batch: int = 1, stat: str = "median") -> np.ndarray:
        """(n_unique,) seconds per forward pass of a batch of `batch`, in table order."""
        if stat not in STATS:
            raise ValueError(f"stat={stat!r} is unknown; allowed: {list(STATS)}")
        return self.arrays[stat][:, self.batch_index(batch)].astype(float)

    def latency(self, cell, batch: int = 1) -> float:
        """Median seconds of one forward pass of a batch of `batch` through the network with `cell`."""
        return float(self.arrays["median"][self.row(cell), self.batch_index(batch)])

    def __repr__(self) -> str:
        return (f"LatencyTable({self.meta['name']!r}: {len(self._cells)} cells, batch sizes {list(self.batch_sizes)}, "
                f"measured on {self.meta['machine'].get('cpu')!r} with torch {self.meta['machine'].get('torch')})")


def live_check(table: LatencyTable, *, seconds: float = 60.0, batch: int = 1, seed: int = 0,
               spec: TimingSpec | None = None) -> dict:
    """Time a seeded random sample of the table's cells on this machine for about `seconds` and compare:
    {"spearman", "median_ratio" (this machine / shipped), "n", "cells", "measured", "shipped", "machine",
    "shipped_machine"}. A ratio far from 1 says the CPU differs; a low Spearman says the *ranking* differs,
    which is what a hardware-aware search cares about."""
    spec = spec or TimingSpec(batch_sizes=(batch,))
    if batch not in spec.batch_sizes:
        raise ValueError(f"batch={batch!r} is not measured by spec.batch_sizes={list(spec.batch_sizes)}")
    table.batch_index(batch)  # a ValueError when the table lacks this batch size
    cells = table.unique_cells()
    order = np.random.default_rng(seed).permutation(len(cells))
    live = measure_sample([cells[i] for i in order], seconds=seconds, spec=spec, seed=seed, min_cells=2)
    measured = live["median"][:, spec.batch_sizes.index(batch)]
    shipped = np.array([table.latency(c, batch) for c in live["cells"]])
    return {**compare(shipped, measured), "cells": live["cells"], "measured": measured, "shipped": shipped,
            "machine": live["machine"], "shipped_machine": table.meta["machine"]}


__all__ = ["LatencyTable", "STATS", "live_check"]
