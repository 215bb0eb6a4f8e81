"""The same searches on a local Ray instance and a local Dask cluster give the trials of a sequential run.

One Ray instance (2 CPUs) and one Dask cluster (2 worker processes, 1 thread each) are shared by the
whole module: starting Ray takes 10-20 s on a 2-core machine. Skipped, with the install command,
where the extras are missing (`pip install -e ".[ray,dask]"`; `make test` installs them).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import naslab
from naslab.controller.macro_space import MacroSpace
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.domains import Choice
from naslab.executors import DASK_HINT, RAY_HINT, RayExecutor
from naslab.grid_vs_random.spaces import course_space
from naslab.proxies.halving import SuccessiveHalving
from naslab.search import run_search
from naslab.searchers import GridSearch, RandomSearch
from naslab.trial import load_jsonl

TESTS = str(Path(__file__).resolve().parents[2])  # the repo root: workers import tests.core.test_executors


# ---------------------------------------------------------------------------------------------
# objectives (module level: the workers import them from this file)


def lr_objective(config):
    x = np.log10(config["lr"]) + 1
    if config.get("weight_decay", 0) == 1.0:
        raise RuntimeError("this config crashes")  # a failed trial, on every executor
    return {"val_acc": float(1 - abs(x) / 5 + 0.01 * np.log10(config.get("weight_decay", 1e-4))),
            "diverged": config["lr"] >= 10}


def halving_objective(config, fidelity):
    return {"val_acc": (config * 37) % 101 / 101 * (1 - 0.5 / fidelity)}


def controller_objective(config):
    return {"val_acc": float(np.mean(np.array(config["tokens"]) == 0))}


def torch_threads(_=None):
    import torch

    return torch.get_num_threads()


def torch_threads_in_a_fresh_process(_=None):
    import subprocess

    code = "import torch; print(torch.get_num_threads())"  # a new interpreter inherits the task's environment
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)


def set_threads(n):
    import torch

    torch.set_num_threads(n)
    time.sleep(0.3)  # keep the worker busy so the other one gets the other task
    return n


def slow_marker(path, seconds):
    for _ in range(int(seconds / 0.05)):
        time.sleep(0.05)
    Path(path).write_text("finished")
    return "done"


def slow_unless_first(config):
    Path(config["dir"], f"started-{config['i']}").write_text("started")
    time.sleep(3.0 if config["i"] == 0 else 6.0)  # trial 0 lasts long enough for trial 1 to start under load
    Path(config["dir"], f"finished-{config['i']}").write_text("finished")
    return {"val_acc": float(config["i"])}


def nbytes(a):
    return int(a.nbytes)


GRID = {"lr": Choice([1e-3, 0.1, 10.0]), "weight_decay": Choice([1e-4, 1.0, 10.0])}  # 3 fail, 2 diverge
SPACE = MacroSpace(n_layers=2, filters=(4, 8), kernels=(1, 3), strides=(1, 2))


def searches():
    """(name, searcher factory, objective, budget, run_search kwargs) of the searches compared."""
    return [
        ("grid", lambda: GridSearch(GRID, shuffle=True, seed=1), lr_objective, 9, {}),
        ("random", lambda: RandomSearch(course_space(), seed=5), lr_objective, 12, {}),
        ("halving", lambda: SuccessiveHalving(list(range(9)), eta=3, r_min=1, r_max=9), halving_objective, 50, {}),
        ("controller", lambda: ControllerSearcher(SPACE, ControllerConfig(lr=0.05, batch_size=4), seed=0),
         controller_objective, 12, {"batch_size": 4}),
    ]


def key(trials):
    return [(t.trial_id, t.config, t.fidelity, t.metrics, t.status, t.error, t.parent) for t in trials]


def assert_identical_to_sequential(executor, **extra):
    for name, make, objective, budget, kw in searches():
        seq = run_search(make(), objective, budget)
        par = run_search(make(), objective, budget, executor=executor, **kw, **extra)
        assert key(par) == key(seq), name
        if name == "grid":
            assert sum(t.status == "failed" for t in par) == 3 and sum(t.status == "diverged" for t in par) == 2


# ---------------------------------------------------------------------------------------------
# Ray


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason=RAY_HINT)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started = not ray.is_initialized()
    if started:  # the workers import this file's objectives: put the repo root on their path
        for attempt in (1, 2):  # Ray gives its raylet 30 s to start: one retry on a heavily loaded machine
            try:
                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                         runtime_env={"env_vars": {"PYTHONPATH": TESTS}})
                break
            except Exception:
                ray.shutdown()
                if attempt == 2:
                    raise
    yield ray
    if started:
        ray.shutdown()


def test_ray_searches_are_identical_to_sequential_and_resume(ray_cluster, tmp_path):
    ex = RayExecutor()
    assert ex.max_workers == 2 and ex.threads == 1
    assert_identical_to_sequential(ex)
    path = tmp_path / "random.jsonl"  # part of a search on the laptop, the rest on Ray
    run_search(RandomSearch(course_space(), seed=5), lr_objective, 5, path=path)
    resumed = run_search(RandomSearch(course_space(), seed=5), lr_objective, 12, path=path, executor=ex)
    assert key(resumed) == key(run_search(RandomSearch(course_space(), seed=5), lr_objective, 12))
    assert sum(bool(t.info.get("resumed")) for t in resumed) == 5
    assert sorted(t.trial_id for t in load_jsonl(path)) == list(range(12))


def test_ray_big_arguments_go_to_the_object_store_once_and_threads_match_cpus(ray_cluster):
    ex = RayExecutor()
    big = np.ones(1_000_000)  # 8 MB
    assert [f.result() for f in [ex.submit(nbytes, big) for _ in range(4)]] == [8_000_000] * 4
    assert ex.n_stored == 2  # the function and the array, once each
    ex.submit(nbytes, np.ones(3)).result()
    assert ex.n_stored == 3
    # both workers imported torch with 2 threads; a task given 1 CPU still runs with 1 thread
    poison = [ray_cluster.remote(set_threads).remote(2) for _ in range(2)]
    assert ray_cluster.get(poison) == [2, 2]
    assert sorted(f.result() for f in [ex.submit(torch_threads) for _ in range(4)]) == [1, 1, 1, 1]
    assert RayExecutor(num_cpus=2).submit(torch_threads).result() == 2
    fresh = RayExecutor(num_cpus=2).submit(torch_threads_in_a_fresh_process).result()
    assert fresh == 2  # torch imported after the task started: OMP_NUM_THREADS reaches it
    with pytest.raises(ValueError, match="num_cpus"):
        RayExecutor(num_cpus=0)


def test_ray_cancel_really_stops_the_task(ray_cluster, tmp_path):
    ex = RayExecutor()
    marker = tmp_path / "finished.txt"
    fut = ex.submit(slow_marker, str(marker), 3.0)
    time.sleep(1.0)  # running by now
    assert fut.cancel() and fut.cancelled()
    with pytest.raises(ray_cluster.exceptions.TaskCancelledError):
        ray_cluster.get(fut.ref, timeout=5)
    time.sleep(2.5)  # past the 3 s the task would have needed
    assert not marker.exists()


def test_ray_ctrl_c_in_run_search_stops_the_running_tasks(ray_cluster, tmp_path):
    def interrupt(trial):  # what Ctrl-C does while run_search waits for the workers
        deadline = time.monotonic() + 30  # under load the second worker may start trial 1 late:
        while not (tmp_path / "started-1").exists() and time.monotonic() < deadline:  # interrupt it running
            time.sleep(0.05)
        raise KeyboardInterrupt

    ex = RayExecutor()
    assert [f.result() for f in [ex.submit(set_threads, 1) for _ in range(2)]] == [1, 1]  # both workers up
    space = {"i": Choice([0, 1, 2, 3]), "dir": Choice([str(tmp_path)])}
    trials = run_search(GridSearch(space), slow_unless_first, 4, executor=ex, on_trial=interrupt)
    assert [t.config["i"] for t in trials] == [0]
    time.sleep(7.0)  # past the 6 s trial 1 needs: it was running, was cancelled, and never finished
    assert sorted(p.name for p in tmp_path.iterdir()) == ["finished-0", "started-0", "started-1"]


def test_ray_worker_that_cannot_unpickle_gives_a_failed_trial(ray_cluster, tmp_path):
    (tmp_path / "only_here.py").write_text("def objective(config):\n    return {'val_acc': config['lr']}\n")
    sys.path.insert(0, str(tmp_path))  # importable here, not on the Ray workers
    try:
        import only_here

        trials = run_search(RandomSearch(course_space(), seed=0), only_here.objective, 3, executor=RayExecutor())
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("only_here", None)
    assert [t.status for t in trials] == ["failed"] * 3
    assert "could not run the trial" in trials[0].error and "only_here" in trials[0].error


def test_population_per_task_equals_one_population_on_ray(ray_cluster):
    data = naslab.load_dataset("digits")
    configs = [{"lr": lr, "weight_decay": wd, "seed": s}
               for lr in (0.01, 0.1, 30.0) for wd in (0.0, 1e-3) for s in (0, 1)]  # lr=30 diverges
    one = naslab.train_population(data, configs, epochs=2, hidden=(16,))
    assert one.diverged.sum() == 4 and not one.diverged[:8].any()
    split = naslab.train_population_tasks(data, configs, RayExecutor(), n_tasks=3, epochs=2, hidden=(16,))
    assert split.configs == one.configs
    for k in ("val_acc", "val_loss", "val_acc_curve", "train_loss", "steps", "diverged"):
        np.testing.assert_array_equal(getattr(split, k), getattr(one, k), err_msg=k)


# ---------------------------------------------------------------------------------------------
# Dask


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason=DASK_HINT)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_searches_are_identical_to_sequential(dask_client):
    workers = sum(dask_client.nthreads().values())
    assert workers == 2
    assert_identical_to_sequential(dask_client.get_executor(), max_workers=workers)
    assert dask_client.submit(torch_threads).result() == 1  # Dask's nanny sets OMP_NUM_THREADS=1
    with pytest.raises(ValueError, match="get_executor"):
        run_search(RandomSearch(course_space()), lr_objective, 2, executor=dask_client)
