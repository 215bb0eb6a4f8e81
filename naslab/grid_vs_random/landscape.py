"""The course's learning-rate x weight-decay landscape, trained once with population training and cached.

One table holds everything notebook 01 compares, for one dataset and one MLP:

* the 6x6 course grid, lr and weight_decay in {1e-4, ..., 10} (36 runs);
* random search for `n_seeds` searcher seeds: the first `n_trials` configurations that
  `RandomSearch(course_space(), seed=s)` asks for, log-uniform on [1e-4, 10]^2 (n_seeds x n_trials runs).

Every run uses the same training seed (same initial weights, same data order), so the landscape
is a fixed function f(lr, wd) and the spread between searcher seeds comes from the search alone.
`Landscape.objective(config)` looks a configuration up, so `run_search` replays a search on the
table in milliseconds (seconds are each run's share of the population's wall clock).

The table is `data/bench/lr_wd_<dataset>_e<epochs>.npz` (compressed NumPy, no pickle) + `.json` (metadata,
shapes, the SHA-256 of the .npz and of the metadata: `naslab.tabular`'s checksum scheme). `load_or_build`
reads it, or rebuilds it (10-30 s per dataset on one core of a 2-core CPU) when it is missing or asked
to; a corrupt, edited or inconsistent table raises `BenchmarkError` naming the file and the rebuild
command (`rebuild_command`), never wrong numbers.

Taught in: notebooks/01_grid_vs_random_search.ipynb.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from naslab.data import DATA_DIR, load_dataset
from naslab.domains import grid
from naslab.grid_vs_random.population import train_member, train_population
from naslab.grid_vs_random.spaces import course_grid, course_space
from naslab.search import run_search
from naslab.searchers import GridSearch, RandomSearch
from naslab.tabular import fail, load_checked, reading, write_meta
from naslab.train import TrainConfig
from naslab.trial import Trial

ARRAYS = ("grid_lr", "grid_wd", "grid_acc", "grid_loss", "grid_diverged", "grid_seconds",
          "rand_lr", "rand_wd", "rand_acc", "rand_loss", "rand_diverged", "rand_seconds")
META = ("dataset", "epochs", "hidden", "train_seed", "build_seconds")  # in the .json and inside the .npz


@dataclass
class Landscape:
    """Validation results of the course grid (36,) and of random search (n_seeds, n_trials)."""

    dataset: str
    epochs: int
    hidden: tuple
    train_seed: int
    build_seconds: float
    grid_lr: np.ndarray
    grid_wd: np.ndarray
    grid_acc: np.ndarray
    grid_loss: np.ndarray
    grid_diverged: np.ndarray
    grid_seconds: np.ndarray
    rand_lr: np.ndarray
    rand_wd: np.ndarray
    rand_acc: np.ndarray
    rand_loss: np.ndarray
    rand_diverged: np.ndarray
    rand_seconds: np.ndarray
    _index: dict = field(default_factory=dict, repr=False)

    @property
    def n_seeds(self) -> int:
        return self.rand_lr.shape[0]

    @property
    def n_trials(self) -> int:
        return self.rand_lr.shape[1]

    def grid_matrix(self, what: str = "acc") -> np.ndarray:
        """(6, 6) table of the grid: rows = learning rate, columns = weight decay (both ascending)."""
        return getattr(self, f"grid_{what}").reshape(6, 6)

    def objective(self, config: dict) -> dict:
        """Look up a trained configuration (the grid's, or one a seeded RandomSearch asked for)."""
        if not self._index:
            for p in ("grid", "rand"):
                for i, key in enumerate(zip(getattr(self, f"{p}_lr").ravel(), getattr(self, f"{p}_wd").ravel())):
                    self._index[(float(key[0]), float(key[1]))] = (p, i)
        hit = self._index.get((float(config["lr"]), float(config["weight_decay"])))
        if hit is None:
            raise KeyError(f"{config} is not in the cached landscape of {self.dataset!r}; train it, or ask "
                           f"RandomSearch(course_space(), seed=s) with s < {self.n_seeds}")
        p, i = hit
        div = bool(getattr(self, f"{p}_diverged").ravel()[i])
        return {"val_acc": float(getattr(self, f"{p}_acc").ravel()[i]),
                "val_loss": float(getattr(self, f"{p}_loss").ravel()[i]), "diverged": div,
                "seconds": float(getattr(self, f"{p}_seconds").ravel()[i])}

    def grid_search(self, seed: int, budget: int = 36) -> list[Trial]:
        """Grid search in a seeded random order, replayed on the table."""
        return run_search(GridSearch(course_grid(), shuffle=True, seed=seed), self.objective, budget)

    def random_search(self, seed: int, budget: int | None = None) -> list[Trial]:
        """Random search with searcher seed `seed` (< n_seeds), replayed on the table."""
        if not 0 <= seed < self.n_seeds:
            raise ValueError(f"seed={seed} must lie in [0, {self.n_seeds}): the seeds this table holds")
        budget = self.n_trials if budget is None else min(budget, self.n_trials)
        return run_search(RandomSearch(course_space(), seed=seed), self.objective, budget)


@dataclass
class TrainObjective:
    """`objective(config) -> metrics` for `run_search`: train the course MLP one-by-one on `data`.

    `config` holds lr and weight_decay (optionally momentum and seed); the result's seconds are
    the training's own wall clock. Picklable, so it runs on a process pool too.
    """

    data: object
    cfg: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=20, device="cpu"))
    hidden: tuple = (64,)

    def __call__(self, config: dict) -> dict:
        r = train_member(self.data, config, self.cfg, hidden=self.hidden)
        return {**r.metrics, "seconds": r.seconds}


def random_configs(n_seeds: int, n_trials: int) -> list[list[dict]]:
    """The configurations `RandomSearch(course_space(), seed=s)` asks for first, for s < n_seeds."""
    out = []
    for s in range(n_seeds):
        searcher = RandomSearch(course_space(), seed=s)
        out.append([searcher.ask() for _ in range(n_trials)])
    return out


def build_landscape(dataset: str = "digits", *, epochs: int = 20, n_seeds: int = 20, n_trials: int = 36,
                    hidden: tuple = (64,), train_seed: int = 0) -> Landscape:
    """Train the grid and every seed's random configurations as one population (SGD, momentum 0.9)."""
    if n_seeds < 1 or n_trials < 1:
        raise ValueError(f"n_seeds={n_seeds} and n_trials={n_trials} must be >= 1")
    data = load_dataset(dataset)
    g = grid(course_grid())
    r = [c for run in random_configs(n_seeds, n_trials) for c in run]
    cfg = TrainConfig(epochs=epochs, seed=train_seed, device="cpu")
    pop = train_population(data, g + r, cfg, hidden=tuple(hidden))
    sec, n = pop.member_seconds(), len(g)
    shape = (n_seeds, n_trials)
    return Landscape(
        dataset=data.name, epochs=epochs, hidden=tuple(hidden), train_seed=train_seed,
        build_seconds=pop.seconds,
        grid_lr=np.array([c["lr"] for c in g]), grid_wd=np.array([c["weight_decay"] for c in g]),
        grid_acc=pop.val_acc[:n], grid_loss=pop.val_loss[:n], grid_diverged=pop.diverged[:n],
        grid_seconds=sec[:n],
        rand_lr=np.array([c["lr"] for c in r]).reshape(shape),
        rand_wd=np.array([c["weight_decay"] for c in r]).reshape(shape),
        rand_acc=pop.val_acc[n:].reshape(shape), rand_loss=pop.val_loss[n:].reshape(shape),
        rand_diverged=pop.diverged[n:].reshape(shape), rand_seconds=sec[n:].reshape(shape))


def default_path(dataset: str, epochs: int = 20) -> Path:
    """data/bench/lr_wd_<dataset>_e<epochs>.npz: the lr x weight-decay landscape (its .json beside it)."""
    return DATA_DIR / "bench" / f"lr_wd_{dataset}_e{epochs}.npz"


def rebuild_command(path: str | Path) -> str:
    """The command that rebuilds the landscape table at `path` (quoted in every load error)."""
    path = Path(path)
    m = re.fullmatch(r"lr_wd_(\w+?)_e(\d+)", path.stem)
    dataset, epochs = (m[1], int(m[2])) if m else ("<dataset>", "<epochs>")
    where = "" if m and path == default_path(dataset, epochs) else f", path='{path}'"
    return (f'python -c "from naslab.grid_vs_random.landscape import load_or_build; '
            f"load_or_build('{dataset}', epochs={epochs}{where}, rebuild=True)\"")


def _meta(land: Landscape) -> dict:
    return {k: list(land.hidden) if k == "hidden" else getattr(land, k) for k in META}


def save_landscape(land: Landscape, path: str | Path) -> None:
    """<path> (.npz of the arrays, no pickle) + <path>.json (metadata, shapes, both checksums: naslab.tabular)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = _meta(land)
    arrays = {k: getattr(land, k) for k in ARRAYS}
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
    write_meta(path, path.with_suffix(".json"), {**meta, "shapes": {k: list(v.shape) for k, v in arrays.items()}})


def _check(path: Path, arrays: dict, meta: dict, rebuild: str) -> None:
    """BenchmarkError unless the arrays are the course grid and the seeded random configurations, trained."""
    inner = json.loads(str(arrays["meta"]))
    if inner != {k: meta[k] for k in META}:
        raise fail(path, f"holds metadata {inner} that its .json does not repeat", rebuild)
    n_seeds, n_trials = meta["shapes"]["rand_lr"]
    for key in ARRAYS:
        want = [36] if key.startswith("grid") else [n_seeds, n_trials]
        if list(arrays[key].shape) != want or meta["shapes"][key] != want:
            raise fail(path, f"has array {key!r} of shape {list(arrays[key].shape)}, expected {want}", rebuild)
    g = grid(course_grid())
    r = [c for run in random_configs(n_seeds, n_trials) for c in run]
    for p, configs in (("grid", g), ("rand", r)):
        for hp, key in (("lr", "lr"), ("weight_decay", "wd")):
            if not np.array_equal(arrays[f"{p}_{key}"].ravel(), [c[hp] for c in configs]):
                raise fail(path, f"has {p}_{key} values that are not the configurations it was built for", rebuild)
        acc, sec = arrays[f"{p}_acc"], arrays[f"{p}_seconds"]
        if not np.all(np.isfinite(acc)) or acc.min() < 0 or acc.max() > 1:
            raise fail(path, f"has accuracies outside [0, 1] or NaN in '{p}_acc'", rebuild)
        if not np.all(np.isfinite(sec)) or sec.min() <= 0 or arrays[f"{p}_diverged"].dtype != bool:
            raise fail(path, f"has non-positive seconds in '{p}_seconds' or a non-bool '{p}_diverged'", rebuild)


def load_landscape(path: str | Path) -> Landscape:
    """Load and check <path> + its .json; `BenchmarkError` naming the file and the rebuild command otherwise."""
    path, rebuild = Path(path), rebuild_command(path)
    arrays, meta = load_checked(path, path.with_suffix(".json"), rebuild, required=("shapes", *META))
    with reading(path, rebuild):  # a missing key or a wrong type is the table's error too
        _check(path, arrays, meta, rebuild)
        meta = {k: tuple(meta[k]) if k == "hidden" else meta[k] for k in META}
        return Landscape(**meta, **{k: arrays[k] for k in ARRAYS})


def load_or_build(dataset: str = "digits", *, epochs: int = 20, n_seeds: int = 20, n_trials: int = 36,
                  rebuild: bool = False, path: str | Path | None = None) -> Landscape:
    """Read the cached table when it holds what is asked for; otherwise build it and save it."""
    path = Path(path) if path is not None else default_path(dataset, epochs)
    if path.exists() and path.with_suffix(".json").exists() and not rebuild:  # a broken table raises
        land = load_landscape(path)
        if land.epochs == epochs and land.n_seeds >= n_seeds and land.n_trials >= n_trials:
            return land
    land = build_landscape(dataset, epochs=epochs, n_seeds=n_seeds, n_trials=n_trials)
    save_landscape(land, path)
    return land
