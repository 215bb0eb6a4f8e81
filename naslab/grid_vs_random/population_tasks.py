"""Population training per executor task: one big population split over workers, same result.

`naslab.grid_vs_random.population.train_population` trains K members at once in one process; each member's
numbers depend only on its own config (weights, data order and update rule are its own), so
the population can be cut into contiguous chunks, one chunk trained per executor task (a process
pool, Dask, `naslab.executors.RayExecutor`), and the chunks joined in order (`join_populations`, the
join that `train_population`'s own `chunk_size` uses too):

    configs[0:K]  ->  chunks c_1 | c_2 | ... | c_T   (T = n_tasks, sizes differ by at most one)
    result = join(train_population(data, c_t, cfg) for t = 1..T)  ==  train_population(data, configs, cfg)

On Ray the dataset goes to the object store once and every task reads it from there.

Taught in: notebooks/01_grid_vs_random_search.ipynb (the optional "scaling out" cell) and README
"Scaling out".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from naslab.executors import executor_workers
from naslab.grid_vs_random.population import PopulationResult, join_populations, train_population


def train_population_tasks(data, configs: Sequence[dict], executor, *, n_tasks: int | None = None,
                           **population_kwargs) -> PopulationResult:
    """`train_population(data, configs, ...)` with one chunk of members per executor task.

    Args:
        data: a `naslab.data.Dataset` (shipped once per task; once in all on Ray).
        configs: the K member configs, as for `train_population`.
        executor: a process-based `concurrent.futures.Executor` (process pool, Dask with one thread
            per worker, RayExecutor). Not a thread pool: each chunk seeds torch's global generator
            before building its members, and threads share it.
        n_tasks: how many chunks; default the executor's `max_workers` (else os.cpu_count()),
            never more than K.
        **population_kwargs: passed to every `train_population` call (cfg, epochs, hidden, method...).

    Returns:
        the same PopulationResult as one `train_population` call (seconds: summed over tasks).
    """
    configs = list(configs)
    if not configs:
        raise ValueError("configs is empty: a population needs at least one member config")
    if n_tasks is not None and (isinstance(n_tasks, bool) or not isinstance(n_tasks, int) or n_tasks < 1):
        raise ValueError(f"n_tasks={n_tasks!r} must be an int >= 1 (chunks of the population)")
    if not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures.Executor (with submit), got {executor!r}")
    n_tasks = min(n_tasks or executor_workers(executor), len(configs))
    bounds = np.linspace(0, len(configs), n_tasks + 1).round().astype(int)  # contiguous, sizes differ by <= 1
    futures = [executor.submit(train_population, data, configs[a:b], **population_kwargs)
               for a, b in zip(bounds[:-1], bounds[1:])]
    return join_populations([f.result() for f in futures])
