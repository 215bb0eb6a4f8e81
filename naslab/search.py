"""The search loop every notebook shares: `run_search` drives any ask/tell searcher (`naslab.searchers`).

`run_search(searcher, objective, budget)` drives a searcher: it asks, evaluates `objective(config) ->
dict of metrics` sequentially or on an `executor` (a process pool, Dask, Ray: `naslab.executors`),
tells the results back *in ask order*, and returns the list of `Trial`s. Because tells always
arrive in ask order, a fixed seed gives the same trials whichever executor runs them. On an
executor, a non-adaptive searcher keeps every worker busy (the next trial is submitted as soon as
one finishes); an adaptive one is asked `batch_size` proposals (default 1) before any tell.

* `ask()` returning None means "nothing to propose right now": the loop evaluates what is pending
  and asks again; None with nothing pending ends the search (a 6x6 grid ends after 36).
* A `Proposal(config, fidelity=..., parent=..., info=...)` lets a searcher ask for a cheaper
  evaluation (successive halving: `objective(config, fidelity)` is called) or record a parent.
* An objective that raises gives a "failed" Trial with the error message; the search goes on.
  `{"diverged": True}` or a NaN / inf score gives a "diverged" Trial (the status rule: `Trial`).
  A "seconds" metric (e.g. the
  simulated cost from a cached benchmark) replaces the measured wall-clock seconds.
* With `path=`, each trial is appended to a JSONL file as soon as it finishes; running again with
  the same file replays the finished trials (told to the fresh searcher, never re-evaluated).
* Ctrl-C (KeyboardInterrupt) stops the loop and returns the trials that finished.

The anytime curves of a finished search (best-so-far, `best_trial`) are in `naslab.anytime`.

Taught in: notebooks/01_grid_vs_random_search.ipynb; reused by notebooks 02-04.
"""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
from typing import Any

import numpy as np

from naslab.anytime import (  # noqa: F401  (re-exported: the anytime curves of a search)
    best_so_far,
    best_trial,
    best_vs_seconds,
    best_vs_trials,
    mean_and_spread,
)
from naslab.executors import executor_workers, submit_trial, trial_outcome
from naslab.searchers import Proposal, Searcher
from naslab.trial import (
    FailureWatch,
    Trial,
    append_jsonl,
    jsonable,
    load_jsonl,
    repair_jsonl,
    to_json_value,
    trial_from_output,
)

# ---------------------------------------------------------------------------------------------
# the loop


def _evaluate(objective: Callable, config: Any, fidelity: Any) -> tuple[Any, float, str | None]:
    """Run one evaluation (in this process or in a worker): (output, seconds, error message)."""
    t0 = time.perf_counter()
    try:
        out = objective(config) if fidelity is None else objective(config, fidelity)
        return out, time.perf_counter() - t0, None
    except Exception as e:  # a crash is a recorded result; KeyboardInterrupt is not caught here
        return None, time.perf_counter() - t0, f"{type(e).__name__}: {e}"


def _make_trial(tid: int, prop: Proposal, outcome, metric: str, searcher: Searcher) -> Trial:
    out, seconds, error = outcome
    info = {"searcher": getattr(searcher, "name", type(searcher).__name__), **prop.info}
    common = dict(config=prop.config, fidelity=prop.fidelity, seed=int(getattr(searcher, "seed", 0) or 0),
                  trial_id=tid, parent=prop.parent, info=info)
    return trial_from_output(out, metric, seconds=seconds, error=error, **common)  # the status rule: see Trial


def _resolve_metric(searcher: Any, metric: str | None) -> str:
    """One source of truth for the score key: run_search's `metric` and the searcher's must agree."""
    own = getattr(searcher, "metric", None)
    own = own if isinstance(own, str) else None
    if metric is not None and not isinstance(metric, str):
        raise TypeError(f"metric={metric!r} must be a str (a key of the objective's metrics)")
    if metric is not None and own is not None and metric != own:
        raise ValueError(f"run_search(metric={metric!r}) disagrees with the searcher, which scores its tells "
                         f"by metric={own!r}; give the same key to both (e.g. ControllerConfig(metric={metric!r}))")
    return metric or own or "val_acc"


def _check_call(searcher: Any, objective: Any, executor: Any, max_seconds: Any) -> None:
    """Clear early errors for the usual slips (swapped arguments, a lambda on a process pool...)."""
    if not (callable(getattr(searcher, "ask", None)) and callable(getattr(searcher, "tell", None))):
        swapped = " (did you swap them? the order is run_search(searcher, objective, budget))" \
            if hasattr(objective, "ask") else ""
        raise TypeError(f"searcher must have ask() and tell(), got a {type(searcher).__name__}{swapped}")
    if not callable(objective):
        raise TypeError(f"objective must be callable, objective(config) -> dict; got a {type(objective).__name__}")
    if max_seconds is not None and (isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float))
                                    or not max_seconds > 0):
        raise ValueError(f"max_seconds={max_seconds!r} must be a number > 0, or None for no time limit")
    if executor is not None and type(executor).__name__ == "ProcessPoolExecutor":
        try:
            pickle.dumps(objective)
        except Exception as e:
            raise TypeError(f"objective {objective!r} cannot be sent to a process pool ({type(e).__name__}: {e}); "
                            "use a module-level function or functools.partial, not a lambda or a closure") from e


def _watched(on_trial, watch: FailureWatch):
    def call(trial: Trial) -> None:
        watch.see(trial)
        if on_trial is not None:
            on_trial(trial)
    return call


def _same(a: Any, b: Any) -> bool:
    """Equal after a JSON round trip (tuples vs lists, numpy scalars vs floats)."""
    return json.dumps(jsonable(a), sort_keys=True) == json.dumps(jsonable(b), sort_keys=True)


def run_search(
    searcher: Searcher,
    objective: Callable[..., dict],
    budget: int,
    *,
    path: str | Path | None = None,
    executor=None,
    metric: str | None = None,
    batch_size: int | None = None,
    max_workers: int | None = None,
    max_seconds: float | None = None,
    on_trial: Callable[[Trial], None] | None = None,
    progress: bool = False,
) -> list[Trial]:
    """Ask, evaluate and tell until `budget` trials are done or the searcher is exhausted.

    Args:
        searcher: anything with `ask()` and `tell(config, trial)`.
        objective: `objective(config) -> dict` of metrics holding `metric` (or
            `objective(config, fidelity)` for a `Proposal` with a fidelity). Must be picklable
            (a module-level function or functools.partial) to run on a process pool, Dask or Ray.
            State it keeps (a cache, a counter) stays in the worker that ran it: read results from
            the trials' metrics, not from the objective, when an executor runs the search.
        budget: the maximum number of trials (resumed ones included), an int >= 1.
        path: a JSONL file; finished trials are appended to it and replayed on a rerun.
        executor: a `concurrent.futures.Executor` (`submit(fn, *args) -> concurrent.futures.Future`):
            a thread or process pool, Dask's `client.get_executor()` (not the `Client` itself: its
            futures are Dask futures), or `naslab.executors.RayExecutor`. None evaluates
            sequentially in this process. An error while shipping a trial to a worker or unpickling
            it there (a module missing on the worker) gives a "failed" trial, as an objective's does.
        metric: the score key that must be in the objective's output. Default: the searcher's
            own `metric` (e.g. `ControllerConfig.metric`) if it has one, else "val_acc"; a value
            that disagrees with the searcher's is a ValueError.
        batch_size: ask this many proposals, evaluate them all, tell them all, repeat. Default: 1
            for an adaptive searcher and without an executor; a non-adaptive searcher (grid,
            random, successive halving) on an executor instead keeps `max_workers` trials in
            flight, submitting the next one as soon as a worker frees up.
        max_workers: the executor's parallelism (trials in flight at once). Default: the
            executor's public `max_workers` attribute (`RayExecutor` has one), else
            `os.cpu_count()`. Give it for a pool or a Dask cluster of another size, e.g.
            `max_workers=sum(client.nthreads().values())`.
        max_seconds: also stop once the trials' summed seconds (measured or simulated) reach this
            (a number > 0, or None; checked before each ask, so with an executor up to
            `max_workers - 1` more may run).
        on_trial: called with each finished Trial, in ask order (live plots, printing).
        progress: show a tqdm bar.

    Returns:
        the trials in ask order (trial_id 0, 1, ...); fewer than `budget` after Ctrl-C.

    Raises:
        ValueError: a bad budget / batch_size / max_workers / max_seconds / metric, a Dask `Client`
            passed as executor, or a `path` written by a different search. TypeError: swapped
            arguments, a config that is not JSON, or an objective a process pool cannot pickle.
    Warns:
        RuntimeWarning: once, when the first 3 trials all failed with the same error; and when a
            torn last line of `path` (a crash mid-write) is dropped before resuming.
    """
    _check_call(searcher, objective, executor, max_seconds)
    metric = _resolve_metric(searcher, metric)
    watch = FailureWatch(3)
    on_trial = _watched(on_trial, watch)
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise ValueError(f"budget={budget!r} must be an int >= 1 (the number of trials)")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"batch_size={batch_size!r} must be an int >= 1")
    workers = executor_workers(executor, max_workers)
    streaming = executor is not None and batch_size is None and not getattr(searcher, "adaptive", True)
    if path is not None:
        repair_jsonl(path)  # drop a torn last line now, so that appends start on a fresh line
    stored = {t.trial_id: t for t in load_jsonl(path)} if path is not None else {}
    trials: list[Trial] = []
    spent, n_asked = 0.0, 0
    queue: list[tuple[int, Proposal]] = []  # asked, not told yet, in ask order
    results: dict[int, Trial] = {}  # trial_id -> finished Trial not told yet
    futures: dict = {}  # Future -> (trial_id, Proposal) still running on the executor
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=int(budget), desc=getattr(searcher, "name", "search"), leave=False)

    def finish(trial: Trial) -> None:
        results[trial.trial_id] = trial
        if path is not None:
            append_jsonl(path, trial)  # on disk as soon as it finishes: Ctrl-C or a crash keeps it

    try:
        while True:
            # ask: a batch once the previous one is told, or (streaming) one trial per free worker
            room = workers - len(futures) if streaming else (batch_size or 1) * (not queue)
            while room > 0 and n_asked < budget and (max_seconds is None or spent + _seconds(results) < max_seconds):
                p = searcher.ask()
                if p is None:
                    break  # nothing to propose now: evaluate what is pending, then ask again
                tid, prop = n_asked, p if isinstance(p, Proposal) else Proposal(p)
                try:  # a config that cannot be recorded is the searcher's bug: say so now, not 9 frames deep
                    to_json_value(prop.config, "config")
                    to_json_value(prop.fidelity, "fidelity")
                except TypeError as e:
                    raise TypeError(f"{getattr(searcher, 'name', 'the searcher')} proposed a trial that cannot "
                                    f"be recorded: {e}") from e
                queue.append((tid, prop))
                n_asked += 1
                old = stored.get(tid)
                if old is not None:
                    if not (_same(old.config, prop.config) and _same(old.fidelity, prop.fidelity)):
                        raise ValueError(f"{path}: trial {tid} holds config {old.config!r} but the searcher "
                                         f"asked for {prop.config!r}; use a new file for a different search")
                    old.info["resumed"] = True
                    results[tid] = old
                    room -= not streaming  # a replayed trial takes no worker
                    continue
                if executor is not None:
                    futures[submit_trial(executor, _evaluate, objective, prop.config, prop.fidelity)] = (tid, prop)
                room -= 1
            if not queue:
                break  # exhausted (or out of budget): nothing pending and nothing new to propose
            if executor is None:
                for tid, prop in queue:
                    if tid not in results:
                        finish(_make_trial(tid, prop, _evaluate(objective, prop.config, prop.fidelity), metric,
                                           searcher))
            elif queue[0][0] not in results:  # wait for the next trial to finish, whichever it is
                done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
                for fut in done:
                    tid, prop = futures.pop(fut)
                    finish(_make_trial(tid, prop, trial_outcome(fut), metric, searcher))
            while queue and queue[0][0] in results:  # tell in ask order, whatever order they finished in
                tid, prop = queue.pop(0)
                trial = results.pop(tid)
                _tell(searcher, prop, trial, trials, on_trial, bar)
                spent += trial.seconds
    except KeyboardInterrupt:
        for fut, (tid, prop) in list(futures.items()):
            if fut.done() and not fut.cancelled():  # finished just before the interrupt: keep it
                finish(_make_trial(tid, prop, trial_outcome(fut), metric, searcher))
            else:
                fut.cancel()  # dropped (a RayExecutor future also stops its task); a rerun with `path` resumes
        for tid, prop in queue:  # asked but not told yet
            if tid in results:
                _tell(searcher, prop, results[tid], trials, on_trial, bar)
    finally:
        if bar is not None:
            bar.close()
    watch.close()
    return trials


def _seconds(results: dict) -> float:
    return sum(t.seconds for t in results.values())  # finished trials not told yet


def _tell(searcher, prop, trial, trials, on_trial, bar) -> None:
    searcher.tell(prop.config, trial)
    trials.append(trial)
    if on_trial is not None:
        on_trial(trial)
    if bar is not None:
        bar.update(1)


# public names for `naslab.tune`, which builds the very same trials outside this loop
evaluate_proposal = _evaluate
make_trial = _make_trial
same_json = _same
