"""One search, four ways: sequential, a process pool, a local Dask cluster, a local Ray instance.

The search: `RandomSearch(course_space(), seed=0)`, N trials, each a digits MLP trained with SGD
(`naslab.grid_vs_random.population.train_member`, EPOCHS epochs, about 0.5 s of one CPU core). Every executor gets
W = 2 workers of one torch thread each (Ray: `RayExecutor(num_cpus=1)`; Dask: 2 worker processes
with 1 thread; pool: `ProcessPoolExecutor(2)`). For each executor it prints

* startup: seconds to start the pool / cluster (not counted in wall);
* wall: seconds for `run_search` to finish the N trials;
* speedup: sequential wall / this wall (2 workers: at most 2);
* overhead / trial: (W * wall - sum of the trials' own seconds) / N, the worker time per trial
  spent outside the objective (shipping, scheduling, waiting);
* identical: the same (config, status, val_acc, val_loss, steps) as the sequential run, trial by trial.

The machine's load (`os.getloadavg`) is printed next to the timings: on a shared 2-core machine
a load above ~2 means other processes took CPU time, and the speedups are then lower bounds.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/scale_out.py            # 16 trials of ~0.5 s
    OMP_NUM_THREADS=1 NASLAB_FAST=1 .venv/bin/python benchmarks/scale_out.py   # 6 short trials: a smoke test
    BENCH_TRIAL=sleep .venv/bin/python benchmarks/scale_out.py                # trials that sleep 0.5 s

`BENCH_TRIAL=sleep` replaces training by `time.sleep(0.5)`: the trials then need no CPU, so the
speedup shows the executor's own parallelism whatever else runs on the machine (a CPU-bound trial on
a machine whose load is above its core count cannot run twice as fast on 2 workers).

Needs the extras: `pip install -e ".[ray,dask]"` (a missing one is reported and skipped).
"""

from __future__ import annotations

import functools
import json
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor

from naslab.config import budget
from naslab.grid_vs_random.spaces import course_space
from naslab.search import run_search
from naslab.searchers import RandomSearch
from naslab.utils import script_threads

N_TRIALS = budget(full=16, fast=6)
EPOCHS = int(os.environ.get("BENCH_EPOCHS", budget(full=25, fast=3)))  # ~0.5 s per trial on one idle core
WORKERS = 2
_DATA = {}  # per process: the dataset, loaded once


def digits_trial(config: dict, epochs: int) -> dict:
    """Train the digits MLP with this lr / weight decay: the objective every executor runs."""
    from naslab.data import load_dataset
    from naslab.grid_vs_random.population import train_member
    from naslab.train import TrainConfig

    if "digits" not in _DATA:
        _DATA["digits"] = load_dataset("digits")
    config = {"lr": min(config["lr"], 0.3), "weight_decay": config["weight_decay"], "seed": 0}  # no early stop
    return train_member(_DATA["digits"], config, TrainConfig(epochs=epochs)).metrics


def sleep_trial(config: dict, seconds: float = 0.5) -> dict:
    """A trial that waits instead of computing: the executor's parallelism without CPU contention."""
    time.sleep(seconds)
    return {"val_acc": float(1 - abs(math.log10(config["lr"]) + 2) / 6), "val_loss": 0.0, "steps": 1}


def _key(trials) -> str:  # JSON, so that a diverged trial's NaN loss equals itself
    return json.dumps([(t.config, t.status, t.metrics.get("val_acc"), t.metrics.get("val_loss"),
                        t.metrics.get("steps")) for t in trials], default=float, allow_nan=True)


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _run(name, objective, make_executor, reference):
    t0 = time.perf_counter()
    try:
        executor, close = make_executor()
    except ImportError as e:
        print(f"{name:<22} skipped: {e}")
        return None
    startup = time.perf_counter() - t0
    try:
        run_search(RandomSearch(course_space(), seed=1), objective, WORKERS, executor=executor)  # warm the workers
        t0 = time.perf_counter()
        trials = run_search(RandomSearch(course_space(), seed=0), objective, N_TRIALS, executor=executor,
                            max_workers=None if executor is None else WORKERS)
        wall = time.perf_counter() - t0
    finally:
        close()
    workers = 1 if executor is None else WORKERS
    busy = sum(t.seconds for t in trials)
    row = {"name": name, "startup": startup, "wall": wall, "busy": busy,
           "overhead": (workers * wall - busy) / len(trials), "trials": trials,
           "identical": reference is None or _key(trials) == _key(reference), "load": os.getloadavg()[0]}
    return row


def _sequential():
    return None, lambda: None


def _pool():
    ex = ProcessPoolExecutor(WORKERS)
    return ex, ex.shutdown


def _dask():
    import distributed

    cluster = distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)

    def close():
        client.close()
        cluster.close()

    return client.get_executor(), close


def _ray():
    import ray

    from naslab.executors import RayExecutor

    ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False)
    return RayExecutor(num_cpus=1), ray.shutdown


def main() -> None:
    script_threads()
    sleep = os.environ.get("BENCH_TRIAL") == "sleep"
    objective = sleep_trial if sleep else functools.partial(digits_trial, epochs=EPOCHS)
    what = "time.sleep(0.5)" if sleep else f"digits MLP, {EPOCHS} epochs"
    print(f"{N_TRIALS} trials of RandomSearch(course_space()), {what}; "
          f"{WORKERS} workers x 1 thread; {os.cpu_count()} CPUs; {_load()}")
    seq = _run("sequential", objective, _sequential, None)
    rows = [seq] + [_run(n, objective, f, seq["trials"]) for n, f in
                    (("process pool", _pool), ("Dask (LocalCluster)", _dask), ("Ray (RayExecutor)", _ray))]
    print(f"mean trial: {seq['busy'] / N_TRIALS:.2f} s (sequential)")
    print(f"| executor | startup s | wall s | speedup | overhead / trial s | identical | {'load (1 min)'} |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if r is None:
            continue
        print(f"| {r['name']} | {r['startup']:.1f} | {r['wall']:.2f} | {seq['wall'] / r['wall']:.2f}x | "
              f"{r['overhead']:.3f} | {'yes' if r['identical'] else 'NO'} | {r['load']:.2f} |")
    print(_load())


if __name__ == "__main__":
    main()
