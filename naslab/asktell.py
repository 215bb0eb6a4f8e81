"""The ask/tell bookkeeping every search loop shares: ask order, replay on resume, pending proposals.

A loop that drives a searcher (`naslab.search.run_search` on a laptop or an executor,
`naslab.integrations.tune` through Ray Tune) has to do the same four things, whatever evaluates:

    ask      trial_id = the number of asks so far; a bare config becomes a `Proposal`; a config that
             cannot be recorded as JSON is the searcher's bug (TypeError now, not 9 frames deep)
    replay   with a JSONL `path`, trial i of the file *is* ask i of the rerun: it is told, never run
             again (a different config there means a different search: ValueError; so does a different
             `search_fingerprint` in the log's header: searcher class, seed, space, metric, objective);
             only a trial whose worker or executor died (not the objective) is evaluated again
    finish   a finished trial is appended to `path` at once (Ctrl-C or a crash keeps it); the book
             holds the log locked until `close()` (`naslab.log_writer.TrialLog`: one writer per log)
    tell     in ask order, whatever order the trials finished in; so a seeded search gives the same
             trials sequentially, on a process pool, on Dask, on Ray or through Tune

`AskTellBook` does exactly that; the loops decide only *when* to ask and how to evaluate.
`evaluate_proposal` and `make_trial` turn one evaluation into a `Trial` (the status rule of
`naslab.trial.trial_from_output`), the same in a worker and in this process. `FailureWatch` warns once
when the first trials of a search all fail for the same reason.

Taught in: notebooks/01_grid_vs_random_search.ipynb (the search loop); used by notebooks 01-06.
"""

from __future__ import annotations

import copy
import functools
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from naslab.json_values import describe, jsonable, to_json_value
from naslab.log_writer import TrialLog
from naslab.searchers import Proposal
from naslab.trial import Trial, trial_from_output


def evaluate_proposal(objective: Callable, config: Any, fidelity: Any) -> tuple[Any, float, str | None]:
    """Run one evaluation (in this process or in a worker): (output, seconds, error message)."""
    config = copy.deepcopy(config)  # an objective that edits its config must not change what is recorded
    t0 = time.perf_counter()
    try:
        out = objective(config) if fidelity is None else objective(config, fidelity)
        return out, time.perf_counter() - t0, None
    except Exception as e:  # a crash is a recorded result; KeyboardInterrupt is not caught here
        return None, time.perf_counter() - t0, f"{type(e).__name__}: {e}"


INFRASTRUCTURE = "the executor could not run the trial: "  # the error prefix of `naslab.executors.trial_outcome`


def is_infrastructure_failure(trial: Trial) -> bool:
    """A trial that failed because its worker or executor died, not because of the objective: retried on resume."""
    return trial.status == "failed" and (trial.error or "").startswith(INFRASTRUCTURE)


def make_trial(tid: int, prop: Proposal, outcome, metric: str, searcher) -> Trial:
    """The Trial of ask `tid`: `outcome` = (output, seconds, error) of `evaluate_proposal`."""
    out, seconds, error = outcome
    info = {"searcher": getattr(searcher, "name", type(searcher).__name__), **prop.info}
    common = dict(config=prop.config, fidelity=prop.fidelity, seed=int(getattr(searcher, "seed", 0) or 0),
                  trial_id=tid, parent=prop.parent, info=info)
    return trial_from_output(out, metric, seconds=seconds, error=error, **common)  # the status rule: see Trial


def objective_name(objective: Any) -> str:
    """A function's qualified name (through functools.partial), else its class's: `counted`, `TrainObjective`."""
    while isinstance(objective, functools.partial):
        objective = objective.func
    name = getattr(objective, "__qualname__", None)
    return name if isinstance(name, str) else type(objective).__qualname__


def search_fingerprint(searcher, metric: str, objective: Any = None) -> dict:
    """What makes a search the same search on resume, recorded in its log's header (`naslab.trial_log`):
    the searcher's class, seed and space (`describe`d), the metric, and the objective's name (when given)."""
    fp = {"searcher": type(searcher).__name__, "seed": describe(getattr(searcher, "seed", None)),
          "space": describe(getattr(searcher, "space", None)), "metric": metric}
    if objective is not None:
        fp["objective"] = objective_name(objective)
    return fp


def same_json(a: Any, b: Any) -> bool:
    """Equal after a JSON round trip (tuples vs lists, numpy scalars vs floats)."""
    return json.dumps(jsonable(a), sort_keys=True) == json.dumps(jsonable(b), sort_keys=True)


class AskTellBook:
    """Asked, finished and told trials of one search, in ask order, with replay from a JSONL file.

    Args:
        searcher: anything with `ask()` and `tell(config, trial)`.
        budget: the maximum number of asks (replayed trials included).
        path: a JSONL file of Trials, or None. A file that is not a trial log is refused untouched; the
            log is locked until `close()` (a second writer: TrialLogError); a torn last line is dropped
            (with a warning) before the finished trials are read back for replay.
        fingerprint: `search_fingerprint(...)`, written in a new log's header and compared with an old
            one's (None: neither). fingerprint_mismatch: "error" (ValueError naming each differing
            field) or "warn" (resume anyway).

    Attributes:
        trials: the told trials, in ask order (what a search returns).
        queue: (trial_id, Proposal) asked and not told yet, in ask order.
        results: trial_id -> finished Trial not told yet.
        n_asked: asks so far; spent: summed seconds of the told trials.
    """

    def __init__(self, searcher, budget: int, path: str | Path | None = None, *, fingerprint: dict | None = None,
                 fingerprint_mismatch: str = "error"):
        self.searcher, self.budget, self.path = searcher, budget, path
        self.log = None if path is None else TrialLog(path, fingerprint, parse=Trial.from_dict,
                                                      fingerprint_mismatch=fingerprint_mismatch)
        self.stored = {t.trial_id: t for t in self.log.records} if self.log is not None else {}
        self.trials: list[Trial] = []
        self.queue: list[tuple[int, Proposal]] = []
        self.results: dict[int, Trial] = {}
        self.n_asked, self.spent = 0, 0.0

    def seconds(self) -> float:
        """Summed seconds of the told trials and of the finished ones not told yet."""
        return self.spent + sum(t.seconds for t in self.results.values())

    def ask(self) -> tuple[int, Proposal, bool] | None:
        """Ask the searcher once: (trial_id, proposal, replayed) or None (budget spent, or nothing to propose now).

        A replayed trial (the file's trial `trial_id`, marked info["resumed"]) is finished already: it waits
        in `results` for its tell and must not be evaluated.
        """
        if self.n_asked >= self.budget:
            return None
        p = self.searcher.ask()
        if p is None and self.n_asked == 0:  # the very first ask: nothing was ever proposed
            name = type(self.searcher).__name__
            raise ValueError(f"the searcher {name} proposed nothing: its first ask() returned None, so it is "
                             f"exhausted (e.g. a {name} an earlier run_search used up); make a new one")
        if p is None:
            return None
        tid, prop = self.n_asked, p if isinstance(p, Proposal) else Proposal(p)
        try:  # a config that cannot be recorded is the searcher's bug: say so now, not 9 frames deep
            to_json_value(prop.config, "config")
            to_json_value(prop.fidelity, "fidelity")
        except TypeError as e:
            raise TypeError(f"{getattr(self.searcher, 'name', 'the searcher')} proposed a trial that cannot "
                            f"be recorded: {e}") from e
        self.queue.append((tid, prop))
        self.n_asked += 1
        old = self.stored.get(tid)
        if old is None or is_infrastructure_failure(old):  # a dead worker or executor: run it again
            return tid, prop, False
        if not (same_json(old.config, prop.config) and same_json(old.fidelity, prop.fidelity)):
            raise ValueError(f"{self.path}: trial {tid} holds config {old.config!r} but the searcher "
                             f"asked for {prop.config!r}; use a new file for a different search")
        old.info["resumed"] = True  # replayed from the file: told, not run again
        self.results[tid] = old
        return tid, prop, True

    def finish(self, trial: Trial) -> None:
        """A trial finished: keep it for its tell, and append it to `path` at once."""
        self.results[trial.trial_id] = trial
        if self.log is None:
            return
        try:
            self.log.append(trial.to_json() + "\n")  # on disk as soon as it finishes: Ctrl-C or a crash keeps it
        except OSError as e:  # a full disk: name the file, and hand back every trial evaluated so far
            done = self.trials + [self.results[k] for k in sorted(self.results)]
            err = OSError(e.errno, f"{e.strerror or e}; trial {trial.trial_id} could not be appended to the log "
                                   f"(the trials written before are in it; all {len(done)} evaluated so far are "
                                   "in this error's .trials)", str(self.path))
            err.trials = done
            raise err from e

    def close(self) -> None:
        """Release the log (its lock and file); the book can still tell, but no longer append."""
        if self.log is not None:
            self.log.close()

    def __enter__(self) -> AskTellBook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def tell_ready(self, on_tell: Callable[[Trial], None] | None = None) -> None:
        """Tell the finished trials at the head of the queue, in ask order (a later one waits for the earlier)."""
        while self.queue and self.queue[0][0] in self.results:
            tid, prop = self.queue.pop(0)
            self._tell(prop, self.results.pop(tid), on_tell)

    def tell_finished(self, on_tell: Callable[[Trial], None] | None = None) -> None:
        """After an interrupt: tell every queued trial that finished, in ask order, skipping the unfinished."""
        for tid, prop in self.queue:
            if tid in self.results:
                self._tell(prop, self.results[tid], on_tell)

    def _tell(self, prop: Proposal, trial: Trial, on_tell) -> None:
        self.searcher.tell(prop.config, trial)
        self.trials.append(trial)
        if on_tell is not None:
            on_tell(trial)
        self.spent += trial.seconds


class FailureWatch:
    """Warn once when the first `n` trials of a search all failed for the same reason.

    (A forgotten metric key or an objective returning a TrainResult would otherwise spend the whole
    budget on failed trials without a word.)
    """

    def __init__(self, n: int = 3):
        self.n, self.errors, self.done = n, [], False

    def see(self, trial: Trial) -> None:
        if self.done:
            return
        self.errors.append(trial.error if trial.status == "failed" else None)
        if len(self.errors) >= self.n:
            self.close()

    def close(self) -> None:
        """Check now (also called at the end of a search shorter than n)."""
        if self.done or not self.errors:
            return
        self.done = True
        if len(self.errors) >= 2 and self.errors[0] is not None and len(set(self.errors)) == 1:
            warnings.warn(f"the first {len(self.errors)} trials all failed with the same error: "
                          f"{self.errors[0]}", RuntimeWarning, stacklevel=3)
