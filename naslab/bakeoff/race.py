"""The bake-off: every searcher, many seeds, one simulated cost axis, judged by test regret.

Each (searcher, seed) run is `naslab.search.run_search` against a *table lookup*: the objective returns
the validation accuracy of the asked cell after `fidelity` epochs (all epochs when None) and, as
its "seconds", the CPU seconds that training took when the table was built, so `run_search`'s
`max_seconds` stops every searcher at the same simulated cost. Each run observes one training seed
per cell (drawn once per run: re-asking a cell gives the same number, as a cache would), the way a
real search sees one noisy training run per candidate (NAS-Bench-201 draws a seed per query too).

At simulated time t the searcher would return its *incumbent* (`naslab.anytime.incumbents`): the best
validation accuracy among the finished trials at the highest fidelity seen so far (a 1-epoch score
never beats a full one).
Its test regret is

    regret(t) = max_c test(c) - test(incumbent(t)),      test = the table's mean over seeds,

so a searcher is judged by what it would deploy, with data it never saw.

Taught in: notebooks/06_nas_bakeoff.ipynb (sections 4 and 5).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from naslab.anytime import incumbents
from naslab.bakeoff.hyperband import Hyperband, SuccessiveHalvingCells
from naslab.bakeoff.searchers import CellController, LocalSearch, RandomCellSearch, RegularizedEvolution, random_cell
from naslab.search import run_search
from naslab.searchers import Searcher


@dataclass
class Lookup:
    """Dense arrays of a cell table, indexed by cell id = the op indices read as a base-n_ops number."""

    val: np.ndarray  # (N, S, E) validation accuracy of every cell, seed and epoch
    test: np.ndarray  # (N,) test accuracy (mean over seeds)
    sec: np.ndarray  # (N, E) cumulative CPU seconds after each epoch
    n_ops: int
    n_edges: int
    name: str = "table"

    @classmethod
    def from_table(cls, table) -> Lookup:
        """Read every cell of `table` once through its public interface (isomorphic cells share one row)."""
        cells = [tuple(c) for c in table.cells()]
        n_edges = len(cells[0])
        n_ops = int(round(len(cells) ** (1 / n_edges)))
        if n_ops**n_edges != len(cells):
            raise ValueError(f"the table holds {len(cells)} cells, not n_ops ** {n_edges} for an integer n_ops")
        E, S = int(table.n_epochs), int(table.n_seeds)
        name = getattr(table, "name", type(table).__name__)
        if hasattr(table, "dense") and [cell_id(c, n_ops) for c in cells] == list(range(len(cells))):
            val, test, sec = table.dense()  # rows already in cell-id order: no per-cell calls
            return cls(np.asarray(val, float), np.asarray(test, float), np.asarray(sec, float), n_ops, n_edges, name)
        val, test, sec = np.zeros((len(cells), S, E)), np.zeros(len(cells)), np.zeros((len(cells), E))
        if hasattr(table, "row") and hasattr(table, "arrays"):  # CellBenchmark: one row per isomorphism class
            rows = np.array([table.row(c) for c in cells])  # (N,) the class of every cell
            a = table.arrays
            sec = a["seconds_per_epoch"][rows].astype(float)[:, None] * np.arange(1, E + 1)  # (N, E) cumulative
            return cls(a["val_acc"][rows].astype(float), a["test_acc"][rows].astype(float).mean(1), sec, n_ops,
                       n_edges, name)
        seeds = list(getattr(table, "seeds", range(S)))  # the table's seed ids
        canonical = getattr(table, "canonical", None) or (lambda c: c)
        rows: dict = {}
        for c in cells:
            key = canonical(c)
            if key not in rows:
                rows[key] = (np.array([[table.val_acc(c, epoch=e, seed=s) for e in range(1, E + 1)] for s in seeds]),
                             table.test_acc(c), np.array([table.seconds(c, epoch=e) for e in range(1, E + 1)]))
            i = cell_id(c, n_ops)
            val[i], test[i], sec[i] = rows[key]
        return cls(val, test, sec, n_ops, n_edges, name)

    @property
    def n_epochs(self) -> int:
        return self.val.shape[2]

    @property
    def best_test(self) -> float:
        return float(self.test.max())

    def full_seconds(self) -> float:
        """Mean CPU seconds of one full training (all epochs), over all cells."""
        return float(self.sec[:, -1].mean())


def cell_id(cell, n_ops: int) -> int:
    """The row of `cell` in a `Lookup`: sum_e op_e * n_ops^(n_edges - 1 - e) (lexicographic order)."""
    return functools.reduce(lambda i, op: i * n_ops + int(op), cell, 0)


class TableObjective:
    """objective(cell, fidelity=None) -> {"val_acc", "seconds", "epoch"}: a lookup, no training.

    The run with seed `seed` observes training seed `obs_seed[cell]` of each cell (drawn once).
    """

    def __init__(self, lookup: Lookup, seed: int = 0):
        self.lookup = lookup
        n_cells, n_seeds, _ = lookup.val.shape
        self.obs_seed = np.random.default_rng([int(seed), 7]).integers(n_seeds, size=n_cells)  # (N,)

    def __call__(self, config, fidelity=None) -> dict:
        cell = config["tokens"] if isinstance(config, dict) else config
        k, m = self.lookup.n_ops, self.lookup.n_edges
        if len(cell) != m or not all(isinstance(o, (int, np.integer)) and 0 <= o < k for o in cell):
            raise ValueError(f"cell {cell!r} is not a cell of this table: {m} op indices in 0..{k - 1}")
        i, E = cell_id(cell, k), self.lookup.n_epochs
        epoch = E if fidelity is None else min(E, max(1, int(round(float(fidelity)))))
        return {"val_acc": float(self.lookup.val[i, self.obs_seed[i], epoch - 1]),
                "seconds": float(self.lookup.sec[i, epoch - 1]), "epoch": epoch}


def load_table(name: str = "mnist1d_nb201", **kw):
    """The ground-truth table `name` (`naslab.bakeoff.table.CellBenchmark.load`), or "toy": a `ToyTable`."""
    if name == "toy":
        from naslab.bakeoff.toy import ToyTable

        return ToyTable(**kw)
    from naslab.bakeoff.table import CellBenchmark

    return CellBenchmark.load(name, **kw)


def default_eta(n_epochs: int) -> int:
    """Hyperband's reduction factor for a table of `n_epochs` epochs: 3 from 9 epochs on, else 2."""
    return 3 if n_epochs >= 9 else 2


def default_searchers(lookup: Lookup) -> dict[str, Callable[[int], Searcher]]:
    """The six searchers of the bake-off: name -> factory(seed) -> a fresh searcher.

    Successive halving and Hyperband use eta = 3 when the table has at least 9 epochs, else eta = 2
    (with 4 epochs and eta = 3 the most aggressive bracket would only compare 3 cells).
    """
    k, m, E = lookup.n_ops, lookup.n_edges, lookup.n_epochs
    eta = default_eta(E)

    def sample(rng):
        return random_cell(rng, k, m)

    return {
        "random": lambda s: RandomCellSearch(k, m, seed=s),
        "evolution": lambda s: RegularizedEvolution(k, m, seed=s),
        "local search": lambda s: LocalSearch(k, m, seed=s),
        "REINFORCE": lambda s: CellController(k, m, seed=s),
        "successive halving": lambda s: SuccessiveHalvingCells(sample, E, eta=eta, seed=s),
        "hyperband": lambda s: Hyperband(sample, E, eta=eta, seed=s),
    }


@dataclass
class RaceResult:
    """Regret curves of every searcher: regret[name] is (n_seeds, len(times))."""

    times: np.ndarray  # (T,) simulated CPU seconds
    regret: dict[str, np.ndarray]  # name -> (n_seeds, T) test regret of the incumbent
    val: dict[str, np.ndarray]  # name -> (n_seeds, T) validation accuracy of the incumbent
    n_trials: dict[str, np.ndarray]  # name -> (n_seeds,) trials run within the budget
    best_test: float
    seeds: list[int]
    wall_seconds: dict[str, float] = field(default_factory=dict)  # real seconds each searcher took (all seeds)
    cpu_seconds: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n_seeds,) CPU seconds of each run

    @property
    def names(self) -> list[str]:
        return list(self.regret)

    def final(self, name: str) -> np.ndarray:
        """(n_seeds,) regret at the end of the budget."""
        return self.regret[name][:, -1]


def incumbent_path(trials, lookup: Lookup) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(finish time, incumbent's validation accuracy, incumbent's test accuracy) after each trial."""
    done = np.cumsum([t.seconds for t in trials])  # (n,) simulated time each trial finished
    ok = [t.status == "ok" for t in trials]  # a trial that is not "ok" counts as 0 epochs and a score of -1
    epoch = np.array([t.metrics.get("epoch", lookup.n_epochs) if g else 0 for t, g in zip(trials, ok)])  # (n,)
    score = np.array([t.score() if g else -1.0 for t, g in zip(trials, ok)])  # (n,)
    inc = incumbents(score, epoch)  # (n,) by (epochs, score): the highest fidelity first, earlier wins ties
    return done, score[inc], np.array([lookup.test[cell_id(trials[j].config, lookup.n_ops)] for j in inc])


def race(lookup: Lookup, searchers: dict | None = None, *, seeds=range(50), max_seconds: float | None = None,
         times=None, n_times: int = 40) -> RaceResult:
    """Run every searcher with every seed until `max_seconds` of simulated time, then score them.

    Args:
        lookup: a `Lookup` (build it once with `Lookup.from_table(table)`).
        searchers: name -> factory(seed) -> Searcher (default: `default_searchers(lookup)`).
        seeds: the search seeds (each run also draws which training seed it observes per cell).
        max_seconds: the simulated budget (default: 100 full trainings of an average cell).
        times: the time grid of the curves (default: `n_times` log-spaced points from the moment every
            run has a result to `max_seconds`).

    Returns:
        a `RaceResult`.
    """
    if isinstance(lookup, Lookup) is False:
        raise TypeError(f"lookup must be a naslab.bakeoff.race.Lookup, got {type(lookup).__name__}; "
                        "build one with Lookup.from_table(table)")
    searchers = default_searchers(lookup) if searchers is None else dict(searchers)
    seeds = [int(s) for s in seeds]
    if not seeds or not searchers:
        raise ValueError("race needs at least one seed and one searcher")
    max_seconds = 100 * lookup.full_seconds() if max_seconds is None else float(max_seconds)
    if not max_seconds > 0:
        raise ValueError(f"max_seconds={max_seconds!r} must be > 0 (simulated CPU seconds per run)")
    paths, wall, cpu = {}, {}, {}
    for name, make in searchers.items():
        t0 = time.perf_counter()
        runs, cpu[name] = [], []
        for s in seeds:
            c0, searcher = time.process_time(), make(s)  # this process's CPU time: the run, lookups included
            trials = run_search(searcher, TableObjective(lookup, s), budget=10**7, max_seconds=max_seconds)
            if not trials:
                raise RuntimeError(f"searcher {name!r} proposed nothing with seed {s}")
            if sum(t.seconds for t in trials) < max_seconds and searcher.ask() is not None:
                break  # stopped short but not exhausted: Ctrl-C (run_search returns what it finished)
            runs.append(incumbent_path(trials, lookup))
            cpu[name].append(time.process_time() - c0)
        if len(runs) < len(seeds):
            if not paths:
                raise KeyboardInterrupt(f"the bake-off was interrupted during {name!r}, before any searcher finished")
            print(f"interrupted during {name!r}: keeping the {len(paths)} searchers that finished all seeds")
            break
        paths[name], wall[name] = runs, time.perf_counter() - t0
    if times is None:
        start = max(p[0][0] for runs in paths.values() for p in runs)  # every run has a first result
        times = np.geomspace(start, max_seconds, n_times)
    times = np.asarray(times, dtype=float)
    regret, val, n_trials = {}, {}, {}
    for name, runs in paths.items():
        R, V = np.full((len(seeds), len(times)), np.nan), np.full((len(seeds), len(times)), np.nan)
        for i, (done, score, test) in enumerate(runs):
            k = np.searchsorted(done, times, side="right") - 1  # (T,) last trial finished by each time
            ok = k >= 0
            R[i, ok] = lookup.best_test - test[k[ok]]
            V[i, ok] = score[k[ok]]
        regret[name], val[name] = R, V
        n_trials[name] = np.array([np.searchsorted(done, max_seconds, side="right") for done, _, _ in runs])
    return RaceResult(times, regret, val, n_trials, lookup.best_test, seeds, wall, {n: np.array(cpu[n]) for n in paths})
