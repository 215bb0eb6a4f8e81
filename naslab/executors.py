"""Executors: the same search on a process pool, a Dask cluster or a Ray cluster, with identical trials.

`run_search(searcher, objective, budget, executor=...)` only needs `executor.submit(fn, *args)`
returning a `concurrent.futures.Future`. That is true of Python's thread and process pools, of
Dask's `client.get_executor()` (Rocklin, SciPy 2015), and of `RayExecutor` below, which runs each
call as a Ray task (Moritz et al., OSDI 2018). Ray has no `concurrent.futures` executor of its own,
but `ObjectRef.future()` is a real `concurrent.futures.Future`, so a small class is enough:

    submit(fn, *args)  ->  ray.remote(_run_task).options(num_cpus=c).remote(threads, fn_ref, *arg_refs)

* Big arguments (the objective with its data, arrays) go to Ray's object store once, by identity,
  and every later task reads the same copy; plain values (a config dict) travel inline.
* `future.cancel()` really cancels: `ray.cancel(ref, force=True)` stops a queued or running task
  (a plain cancelled Ray future leaves its task running to the end).
* Ray's token file (~/.ray/auth_token), when `ray.init()` here creates it, is made readable by its
  owner only (0600; Ray 2.60 writes it 0644).
* Torch threads in each task = the CPUs given to it (`num_cpus`): `torch.set_num_threads` is set
  inside the task, because `OMP_NUM_THREADS` does not reach a worker that already imported torch,
  and two threads per task on a busy 2-core machine make tiny networks up to 60x slower.

The helpers `executor_workers`, `submit_trial` and `trial_outcome` are the executor side of
`naslab.search.run_search`: the parallelism comes from a public `max_workers` (argument or attribute),
and an error while shipping a trial to a worker or unpickling it there becomes one failed trial.

Taught in: README "Scaling out" and the optional executor cell of notebooks/01_grid_vs_random_search.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import warnings
from concurrent.futures import Executor, Future, InvalidStateError
from pathlib import Path

import numpy as np

RAY_HINT = "Ray is an optional extra: install it with `pip install 'naslab[ray]'` (or `pip install ray`)"
DASK_HINT = "Dask is an optional extra: install it with `pip install 'naslab[dask]'` (or `pip install distributed`)"
_PLAIN = (str, bytes, int, float, bool, type(None), dict, list, tuple)  # small values: shipped inline


def executor_workers(executor, max_workers: int | None = None) -> int:
    """How many trials `run_search` keeps in flight: `max_workers`, else the executor's public
    `max_workers` attribute, else `os.cpu_count()` (1 without an executor).

    Raises:
        ValueError: a `max_workers` that is not an int >= 1, or a Dask `Client` instead of its executor.
    """
    if executor is not None and type(executor).__module__.startswith("distributed") \
            and hasattr(executor, "get_executor"):
        raise ValueError("executor is a dask Client, whose futures are not concurrent.futures futures; "
                         "pass executor=client.get_executor() (and max_workers=sum(client.nthreads().values()))")
    if max_workers is None:
        if executor is None:
            return 1
        max_workers = getattr(executor, "max_workers", None) or os.cpu_count() or 1
    if isinstance(max_workers, bool) or not isinstance(max_workers, (int, np.integer)) or max_workers < 1:
        raise ValueError(f"max_workers={max_workers!r} must be an int >= 1 (trials in flight at once)")
    return int(max_workers)


def submit_trial(executor, fn, *args) -> Future:
    """`executor.submit(fn, *args)`; an error while submitting (e.g. pickling) comes back in the Future."""
    try:
        return executor.submit(fn, *args)
    except Exception as e:  # KeyboardInterrupt is not caught
        fut = Future()
        fut.set_exception(e)
        return fut


def trial_outcome(fut: Future) -> tuple:
    """The (output, seconds, error) of a finished trial Future; an executor error gives an error message."""
    try:
        return fut.result()
    except Exception as e:  # the objective's own errors were caught in the worker: this is the transport
        message = re.sub(r"\x1b\[[0-9;]*m", "", f"{type(e).__name__}: {e}")  # Ray colours its tracebacks
        return None, 0.0, f"the executor could not run the trial: {message}"


def set_torch_threads(threads: int) -> None:
    """One torch thread per CPU given to a task, in a worker that may be reused by tasks of other sizes.

    torch imported already (a reused worker): `torch.set_num_threads`, since OMP_NUM_THREADS is read
    only when torch loads. Not imported yet: set OMP_NUM_THREADS, which torch reads when the objective
    imports it (and a task that never uses torch does not pay the import).
    """
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _run_task(threads: int, fn, *args, **kwargs):
    """Inside a Ray task: the torch threads, then the call."""
    set_torch_threads(threads)
    return fn(*args, **kwargs)


class _RayFuture(Future):
    """A `concurrent.futures.Future` fed by a Ray `ObjectRef`; `cancel()` calls `ray.cancel`."""

    def __init__(self, ref, on_done=None):
        super().__init__()
        self.ref = ref
        if on_done is not None:
            self.add_done_callback(on_done)
        ref.future().add_done_callback(self._copy)  # runs in Ray's thread when the task ends

    def _copy(self, inner: Future) -> None:
        try:
            exc = inner.exception()
            self.set_exception(exc) if exc is not None else self.set_result(inner.result())
        except (InvalidStateError, Exception):  # cancelled meanwhile (or Ray's own future was cancelled)
            if not self.done():
                self.set_exception(RuntimeError("the Ray task ended without a result"))

    def cancel(self) -> bool:
        if self.done():
            return False
        import ray

        # force: a queued task never starts, a running one loses its worker process (Ray starts a fresh
        # one). A gentle cancel only raises KeyboardInterrupt in the task, which a busy worker can miss.
        ray.cancel(self.ref, force=True)
        return super().cancel()


def ray_token_path() -> Path:
    """Where Ray keeps its authentication token: $RAY_AUTH_TOKEN_PATH, else ~/.ray/auth_token."""
    return Path(os.environ.get("RAY_AUTH_TOKEN_PATH") or Path.home() / ".ray" / "auth_token")


def protect_ray_token(path: Path, existed: bool) -> None:
    """Ray 2.60's `ray.init()` writes its token file readable by every local user (mode 0644), and the
    token lets anyone reach the cluster: a file created by this call (`existed` False) is set to 0600;
    an older one that others can read gets a warning saying `chmod 600`."""
    if not path.is_file() or not path.stat().st_mode & 0o077:
        return
    if existed:
        warnings.warn(f"{path} is readable by other users (mode {path.stat().st_mode & 0o777:o}): anyone who "
                      f"reads it can run code on your Ray cluster; run `chmod 600 {path}`", stacklevel=3)
    else:
        path.chmod(0o600)


class RayExecutor(Executor):
    """A `concurrent.futures.Executor` that runs each `submit` as a Ray task.

    Args:
        address: None starts a local Ray (or joins the one this process already started);
            "auto" connects to the cluster started with `ray start --head` on this machine;
            "ray://host:10001" connects a client to a remote cluster.
        num_cpus: CPUs reserved for each task (and its torch threads: max(1, int(num_cpus))).
        max_workers: tasks `run_search` keeps in flight; default: the cluster's CPUs // num_cpus.
        runtime_env: Ray's runtime environment for the tasks, e.g. `{"py_modules": [my_module]}` to
            ship a local module the workers cannot import, or `{"working_dir": "."}`.
        **init_kwargs: passed to `ray.init` when this executor starts Ray (e.g. num_cpus=2,
            include_dashboard=False).

    A `with RayExecutor() as ex:` block shuts Ray down at the end only if this executor started it.
    """

    def __init__(self, address: str | None = None, *, num_cpus: float = 1, max_workers: int | None = None,
                 runtime_env: dict | None = None, **init_kwargs):
        try:
            import ray
        except ImportError as e:
            raise ImportError(RAY_HINT) from e
        if isinstance(num_cpus, bool) or not isinstance(num_cpus, (int, float)) or not num_cpus > 0:
            raise ValueError(f"num_cpus={num_cpus!r} must be a number > 0 (CPUs reserved per task)")
        if max_workers is not None:
            executor_workers(None, max_workers)  # an int >= 1, checked before Ray starts
        if address is not None and not isinstance(address, str):
            raise ValueError(f"address={address!r} must be a str (e.g. 'auto' or 'ray://host:10001') or None")
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            token = ray_token_path()
            existed = token.exists()
            ray.init(address=address, runtime_env=runtime_env, **init_kwargs)
            protect_ray_token(token, existed)  # a token Ray just wrote: 0600
        self.num_cpus, self.threads = num_cpus, max(1, int(num_cpus))
        cpus = ray.cluster_resources().get("CPU", 1)
        self.max_workers = executor_workers(None, max_workers or max(1, int(cpus // num_cpus)))
        options = {"num_cpus": num_cpus}
        if runtime_env is not None and not self._owns_ray:
            options["runtime_env"] = runtime_env
        self._remote = ray.remote(_run_task).options(**options)
        self._stored: dict[int, tuple] = {}  # id(obj) -> (obj, ObjectRef): put once, kept alive
        self._running: set = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def n_stored(self) -> int:
        """How many distinct objects this executor has put in Ray's object store."""
        return len(self._stored)

    def _ref(self, obj):
        if isinstance(obj, _PLAIN):
            return obj
        hit = self._stored.get(id(obj))
        if hit is None or hit[0] is not obj:
            import ray

            hit = self._stored[id(obj)] = (obj, ray.put(obj))
        return hit[1]

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._closed:
            raise RuntimeError("cannot submit to a RayExecutor after shutdown()")
        ref = self._remote.remote(self.threads, self._ref(fn), *map(self._ref, args),
                                  **{k: self._ref(v) for k, v in kwargs.items()})
        fut = _RayFuture(ref, on_done=self._forget)
        with self._lock:
            if not fut.done():
                self._running.add(fut)
        return fut

    def _forget(self, fut) -> None:
        with self._lock:
            self._running.discard(fut)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        with self._lock:
            running = list(self._running)
        if cancel_futures:
            for fut in running:
                fut.cancel()
        if wait:
            for fut in running:
                if not fut.cancelled():
                    fut.exception()  # block until it ends
        self._stored.clear()
        if self._owns_ray:
            import ray

            ray.shutdown()
