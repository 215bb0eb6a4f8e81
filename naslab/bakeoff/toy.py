"""Toy cell tables with a known optimum: the test bed of every bake-off searcher.

A `ToyTable` has the interface of the real ground-truth table (`naslab.bakeoff.table.CellBenchmark`:
`val_acc`, `test_acc`, `seconds`, `best`, `rank_of`, `cells`...) but its numbers come from a formula,
so the optimum is known by construction. With `opt` the planted optimum and `d(c)` the number of
edges on which cell `c` differs from it (the Hamming distance),

    final(c) = top - step * d(c) + bump * u(c),      u(c) ~ U[0, 1) fixed per cell, bump < step

so every neighbour of `opt` is worse and `opt` is the unique best cell; `bump` adds small local
optima elsewhere. Validation accuracy after epoch e follows a saturating learning curve

    val(c, e) = 0.1 + (final(c) - 0.1) * (1 - exp(-e / tau_c)) / (1 - exp(-E / tau_c)),  val(c, E) = final(c)

with a per-cell speed tau_c (`tau_spread = 0`: every cell learns at the same speed, so even one
epoch ranks the cells perfectly). Each seed adds Gaussian noise of size `noise`. An epoch costs
`base_seconds` plus a per-operation cost, summed over the edges (a 3-wide conv costs most).

Taught in: notebooks/06_nas_bakeoff.ipynb (exercises) and tests/bakeoff/.
"""

from __future__ import annotations

import itertools

import numpy as np

OP_SECONDS = (0.0, 0.01, 0.05, 0.12, 0.03)  # none, skip, conv_1, conv_3, avg_pool_3: seconds per edge and epoch


class ToyTable:
    """A synthetic cell table over `n_ops ** n_edges` cells with the planted optimum `opt`.

    Args:
        n_ops, n_edges: the space: a cell is a tuple of `n_edges` op indices in range(n_ops).
        n_epochs, n_seeds: fidelities (epochs 1..n_epochs) and training seeds stored.
        opt: the planted optimum (default: drawn from `seed`).
        top, step, bump: final accuracy = top - step * distance + bump * u (see the module docstring).
        tau_spread: learning speeds tau_c are drawn from [1, 1 + tau_spread] (0: low fidelity ranks perfectly).
        noise: standard deviation of the seed-to-seed noise on validation and test accuracy.
        seed: seeds everything random in the table.
    """

    name = "toy"

    def __init__(self, *, n_ops: int = 5, n_edges: int = 6, n_epochs: int = 12, n_seeds: int = 2, opt=None,
                 top: float = 0.9, step: float = 0.05, bump: float = 0.02, tau_spread: float = 3.0,
                 noise: float = 0.004, base_seconds: float = 0.2, seed: int = 0):
        if not (0 <= bump < step):
            raise ValueError(f"bump={bump!r} must lie in [0, step={step!r}) so that the planted optimum is unique")
        rng = np.random.default_rng(seed)
        self.n_ops, self.n_edges, self.n_epochs, self.n_seeds = int(n_ops), int(n_edges), int(n_epochs), int(n_seeds)
        self._cells = list(itertools.product(range(self.n_ops), repeat=self.n_edges))
        self.opt = tuple(int(o) for o in (rng.integers(self.n_ops, size=self.n_edges) if opt is None else opt))
        if len(self.opt) != self.n_edges or not all(0 <= o < self.n_ops for o in self.opt):
            raise ValueError(f"opt={opt!r} must be {self.n_edges} op indices in range({self.n_ops})")
        C = np.array(self._cells)  # (N, n_edges)
        dist = (C != np.array(self.opt)).sum(1)  # (N,) Hamming distance to the optimum
        self.final = top - step * dist + bump * rng.random(len(C))  # (N,)
        tau = 1.0 + tau_spread * rng.random(len(C))  # (N,) learning speed of each cell
        e = np.arange(1, self.n_epochs + 1)  # (E,)
        shape = (1 - np.exp(-e[None] / tau[:, None])) / (1 - np.exp(-self.n_epochs / tau[:, None]))  # (N, E)
        curve = 0.1 + (self.final[:, None] - 0.1) * shape  # (N, E), curve[:, -1] == final
        self.val = np.clip(curve[:, None, :] + noise * rng.standard_normal((len(C), self.n_seeds, self.n_epochs)),
                           0, 1)  # (N, S, E)
        self.test = np.clip(self.final[:, None] + noise * rng.standard_normal((len(C), self.n_seeds)), 0, 1)  # (N, S)
        op_cost = np.resize(np.array(OP_SECONDS), self.n_ops)  # (n_ops,) seconds per edge and epoch
        per_epoch = base_seconds + op_cost[C].sum(1)  # (N,)
        self.sec = per_epoch[:, None] * e[None]  # (N, E) cumulative seconds after each epoch
        self._index = {c: i for i, c in enumerate(self._cells)}

    def __repr__(self) -> str:
        return (f"ToyTable({len(self._cells)} cells = {self.n_ops}^{self.n_edges}, {self.n_epochs} epochs, "
                f"{self.n_seeds} seeds, optimum {self.opt})")

    # -- the table interface ---------------------------------------------------------------------------
    def index(self, cell) -> int:
        key = tuple(int(o) for o in cell)
        if key not in self._index:
            raise ValueError(f"cell {cell!r} is not in this table: {self.n_edges} op indices in range({self.n_ops})")
        return self._index[key]

    def _epoch(self, epoch) -> int:
        epoch = self.n_epochs if epoch is None else int(epoch)
        if not 1 <= epoch <= self.n_epochs:
            raise ValueError(f"epoch={epoch!r} must lie in 1..{self.n_epochs}")
        return epoch - 1

    def cells(self) -> list[tuple]:
        return list(self._cells)

    def unique_cells(self) -> list[tuple]:
        return list(self._cells)  # no isomorphic duplicates in a toy: every tuple is its own cell

    def val_acc(self, cell, epoch=None, seed=None) -> float:
        v = self.val[self.index(cell), :, self._epoch(epoch)]
        return float(v.mean() if seed is None else v[int(seed)])

    def test_acc(self, cell, seed=None) -> float:
        t = self.test[self.index(cell)]
        return float(t.mean() if seed is None else t[int(seed)])

    def seconds(self, cell, epoch=None) -> float:
        return float(self.sec[self.index(cell), self._epoch(epoch)])

    def params(self, cell) -> int:
        return int(sum(o in (2, 3) for o in cell))

    def flops(self, cell) -> int:
        return self.params(cell)

    def best(self, metric: str = "test") -> tuple[tuple, float]:
        scores = self._scores(metric)
        i = int(np.argmax(scores))
        return self._cells[i], float(scores[i])

    def rank_of(self, cell, metric: str = "test") -> int:
        """1 for the best cell, len(cells) for the worst."""
        scores = self._scores(metric)
        return int((scores > scores[self.index(cell)]).sum()) + 1

    def dense(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(val (N, S, E), test (N,) mean over seeds, seconds (N, E)) in `cells()` order: the fast path of
        `naslab.bakeoff.race.Lookup.from_table`."""
        return self.val, self.test.mean(1), self.sec

    def _scores(self, metric: str) -> np.ndarray:
        if metric not in ("test", "val"):
            raise ValueError(f"metric={metric!r} is unknown; allowed: ['test', 'val']")
        return self.test.mean(1) if metric == "test" else self.val[:, :, -1].mean(1)
