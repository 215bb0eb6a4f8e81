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
  A "seconds" metric (e.g. the simulated cost from a cached benchmark) replaces the measured
  wall-clock seconds.
* With `path=`, each trial is appended to a JSONL file as soon as it finishes; running again with
  the same file replays the finished trials (told to the fresh searcher, never re-evaluated; only a
  trial whose worker or executor died is run again, an objective's failure is not). The
  log's header holds the search's fingerprint, and the log is locked while the search runs.
* Ctrl-C (KeyboardInterrupt) stops the loop and returns the trials that finished.

The ask order, the replay and the pending proposals are kept by `naslab.asktell.AskTellBook`, which
the Ray Tune adapter (`naslab.integrations.tune`) shares; this module decides when to ask and where
to evaluate.
The anytime curves of a finished search (best-so-far, `best_trial`) are in `naslab.anytime`.

Taught in: notebooks/01_grid_vs_random_search.ipynb; reused by notebooks 02-06.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
from typing import Any

from naslab.asktell import AskTellBook, FailureWatch, evaluate_proposal, make_trial, search_fingerprint
from naslab.executors import executor_workers, submit_trial, trial_outcome
from naslab.searchers import Searcher
from naslab.trial import Trial
from naslab.validate import check_callable, check_instance, check_int


def _resolve_metric(searcher: Any, metric: str | None) -> str:
    """One source of truth for the score key: run_search's `metric` and the searcher's must agree."""
    own = getattr(searcher, "metric", None)
    own = own if isinstance(own, str) else None
    if metric is not None and not isinstance(metric, str):
        raise TypeError(f"metric={metric!r} must be a str (a key of the objective's metrics)")
    if metric == "":
        raise ValueError("metric='' must be a non-empty str (a key of the objective's metrics)")
    if metric is not None and own is not None and metric != own:
        raise ValueError(f"run_search(metric={metric!r}) disagrees with the searcher, which scores its tells "
                         f"by metric={own!r}; give the same key to both (e.g. ControllerConfig(metric={metric!r}))")
    return metric or own or "val_acc"


def _check_call(searcher: Any, objective: Any, executor: Any, max_seconds: Any, path: Any, on_trial: Any) -> None:
    """Clear early errors for the usual slips (swapped arguments, a lambda on a process pool...)."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures.Executor (with submit) or None, got {executor!r}")
    check_instance(path, "path", (str, os.PathLike, type(None)), hint="a .jsonl trial log")
    check_callable(on_trial, "on_trial", none=True, hint="called as on_trial(trial)")
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


def _check_counts(budget: Any, batch_size: Any) -> None:
    check_int(budget, "budget", low=1, hint="the number of trials")
    check_int(batch_size, "batch_size", low=1, none=True)


def _progress_bar(progress: bool, budget: int, searcher):
    """A tqdm bar over the budget, or None."""
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=int(budget), desc=getattr(searcher, "name", "search"), leave=False)


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
    fingerprint_mismatch: str = "error",
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
        path: a JSONL file; finished trials are appended to it and replayed on a rerun. Its header holds
            the search's fingerprint (searcher class, seed, space, metric, objective name); it is locked
            while the search runs (`naslab.log_writer`). A file that is not a trial log is never written.
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
        fingerprint_mismatch: "warn" resumes a log whose fingerprint differs (a renamed objective); default "error".

    Returns: the trials in ask order (trial_id 0, 1, ...); fewer than `budget` after Ctrl-C.

    Raises:
        ValueError: a bad budget / batch_size / max_workers / max_seconds / metric, a Dask `Client` as
            executor, a `path` that is not a trial log or was written by a different search. TypeError:
            swapped arguments, a config that is not JSON, an objective a process pool cannot pickle.
            TrialLogError: `path` is held by another search, or was deleted or replaced during the run.
    Warns: RuntimeWarning once when the first 3 trials all failed alike, and for a dropped torn last line.
    """
    _check_call(searcher, objective, executor, max_seconds, path, on_trial)
    metric = _resolve_metric(searcher, metric)
    _check_counts(budget, batch_size)
    workers = executor_workers(executor, max_workers)
    streaming = executor is not None and batch_size is None and not getattr(searcher, "adaptive", True)
    book = AskTellBook(searcher, budget, path, fingerprint=search_fingerprint(searcher, metric, objective),
                       fingerprint_mismatch=fingerprint_mismatch)
    watch, bar = FailureWatch(3), _progress_bar(progress, budget, searcher)
    try:
        run = _Run(book, objective, executor, metric, _on_tell(on_trial, watch, bar))
        try:
            run.loop(workers if streaming else None, batch_size, max_seconds)
        except KeyboardInterrupt:
            run.interrupted()
    finally:
        book.close()  # the log's lock: released on a normal end, an exception and Ctrl-C alike
        if bar is not None:
            bar.close()
    watch.close()
    return book.trials


def _on_tell(on_trial, watch: FailureWatch, bar) -> Callable[[Trial], None]:
    """What follows each tell: the failure watch, the caller's `on_trial`, the progress bar."""
    def call(trial: Trial) -> None:
        watch.see(trial)
        if on_trial is not None:
            on_trial(trial)
        if bar is not None:
            bar.update(1)
    return call


# ---------------------------------------------------------------------------------------------
# the loop: when to ask and where to evaluate (the bookkeeping is `naslab.asktell.AskTellBook`)


class _Run:
    """One `run_search` call: its book, its objective and the executor's futures still running."""

    def __init__(self, book: AskTellBook, objective: Callable, executor, metric: str, on_tell):
        self.book, self.objective, self.executor, self.metric, self.on_tell = book, objective, executor, metric, on_tell
        self.futures: dict = {}  # Future -> (trial_id, Proposal) still running on the executor

    def loop(self, workers: int | None, batch_size: int | None, max_seconds: float | None) -> None:
        """Ask, evaluate, tell until nothing is pending; `workers` (streaming) keeps that many trials in flight."""
        book = self.book
        while True:
            self._ask(workers, batch_size, max_seconds)
            if not book.queue:
                break  # exhausted (or out of budget): nothing pending and nothing new to propose
            if self.executor is None:
                for tid, prop in book.queue:
                    if tid not in book.results:
                        outcome = evaluate_proposal(self.objective, prop.config, prop.fidelity)
                        book.finish(make_trial(tid, prop, outcome, self.metric, book.searcher))
            elif book.queue[0][0] not in book.results:  # wait for the next trial to finish, whichever it is
                done, _ = wait(list(self.futures), return_when=FIRST_COMPLETED)
                for fut in done:
                    self._finish(fut)
            book.tell_ready(self.on_tell)  # in ask order, whatever order they finished in

    def _ask(self, workers: int | None, batch_size: int | None, max_seconds: float | None) -> None:
        """Ask a batch once the previous one is told, or (streaming) one trial per free worker."""
        book, streaming = self.book, workers is not None
        room = workers - len(self.futures) if streaming else (batch_size or 1) * (not book.queue)
        while room > 0 and (max_seconds is None or book.seconds() < max_seconds):
            asked = book.ask()
            if asked is None:
                break  # nothing to propose now: evaluate what is pending, then ask again
            tid, prop, replayed = asked
            if replayed:
                room -= not streaming  # a replayed trial takes no worker
                continue
            if self.executor is not None:
                fut = submit_trial(self.executor, evaluate_proposal, self.objective, prop.config, prop.fidelity)
                self.futures[fut] = (tid, prop)
            room -= 1

    def _finish(self, fut) -> None:
        tid, prop = self.futures.pop(fut)
        self.book.finish(make_trial(tid, prop, trial_outcome(fut), self.metric, self.book.searcher))

    def interrupted(self) -> None:
        """Ctrl-C: keep the trials that finished (told in ask order), drop the ones still running."""
        for fut in list(self.futures):
            if fut.done() and not fut.cancelled():  # finished just before the interrupt: keep it
                self._finish(fut)
            else:
                fut.cancel()  # dropped (a RayExecutor future also stops its task); a rerun with `path` resumes
        self.book.tell_finished(self.on_tell)
