"""Ray Tune adapter: any naslab searcher as a Tune `Searcher`, with the same trials and the same JSONL.

Ray Tune (Liaw et al., 2018) drives a search through `suggest(trial_id) -> config` and
`on_trial_complete(trial_id, result)`, which map onto naslab's ask/tell:

    suggest(id)                  ->  searcher.ask()            (None: "not now", FINISHED: exhausted)
    on_trial_complete(id, res)   ->  searcher.tell(config, trial), in ask order

Tune may finish trials in any order; `NaslabTuneSearcher` buffers them and tells the searcher in
ask order with the bookkeeper of `naslab.search.run_search` (`naslab.asktell.AskTellBook`), so a
seeded search gives the same trials through Tune as on a laptop. Each finished trial is appended to
`path` (the same `Trial` JSONL as `run_search`), and a rerun with the same file replays the finished
trials (told, never re-run).

When to use it: Tune's schedulers (ASHA, PBT) on top of a naslab searcher, Tune's fault tolerance
and experiment tracking, trials of minutes or more. When not: the course's sub-second trials,
where Tune's per-trial bookkeeping (1.5-9 s each on a 2-core machine) dwarfs the work;
`run_search(..., executor=RayExecutor())` (`naslab.executors`) runs them on the same Ray cluster at
0.02-0.2 s per trial. Needs the `tune` extra: `pip install 'naslab[tune]'`.

Taught in: README "Scaling out".
"""

from __future__ import annotations

import json
from pathlib import Path

from naslab.asktell import AskTellBook, evaluate_proposal, make_trial, search_fingerprint
from naslab.executors import set_torch_threads
from naslab.json_values import jsonable
from naslab.searchers import Proposal
from naslab.trial import Trial
from naslab.validate import check_callable, check_int, check_real

TUNE_HINT = "Ray Tune is an optional extra: install it with `pip install 'naslab[tune]'` (or `pip install 'ray[tune]'`)"

try:
    from ray.tune.search import Searcher as _TuneSearcher
except ImportError:  # the class below still imports; using it raises the hint
    _TuneSearcher = object


def _trainable(config: dict, objective=None, threads: int = 1) -> None:
    """The Tune function trainable: one evaluation, reported once (with naslab's outcome inside)."""
    from ray import tune

    set_torch_threads(threads)  # one torch thread per CPU Tune gave this trial
    c = config["naslab"]
    out, seconds, error = evaluate_proposal(objective, c["config"], c["fidelity"])
    score = out.get(c["metric"]) if isinstance(out, dict) else None
    try:  # one JSON string: Tune flattens nested results before the searcher sees them
        payload = json.dumps(jsonable({"out": out, "seconds": seconds, "error": error}))
    except (TypeError, ValueError) as e:  # run_search records such an output as failed too
        payload = json.dumps({"out": None, "seconds": seconds, "error": f"metrics that cannot be written to JSON: {e}"})
    tune.report({c["metric"]: float(score) if isinstance(score, (int, float)) else float("nan"), "naslab": payload})


class NaslabTuneSearcher(_TuneSearcher):
    """A naslab searcher (`ask` / `tell`) behind Tune's `Searcher` interface.

    Args:
        searcher: any naslab searcher (GridSearch, RandomSearch, SuccessiveHalving, OptunaSearch...).
        budget: the maximum number of trials, replayed ones included.
        metric: the score key (maximised).
        path: a JSONL file of `Trial`s: appended as trials finish, replayed on a rerun; held (locked) from
            here until `close()`, with the search's fingerprint in its header, as in `run_search`.
        objective: the objective, named in the fingerprint (None: not compared).
        fingerprint_mismatch: "error" or "warn", as for `run_search`.

    `trials` holds the told trials in ask order (what `run_search` would return). The naslab searcher is
    `naslab_searcher` (Tune reads an attribute named `searcher` as a wrapped Tune searcher).
    """

    def __init__(self, searcher, budget: int, *, metric: str = "val_acc", path: str | Path | None = None,
                 objective=None, fingerprint_mismatch: str = "error"):
        if _TuneSearcher is object:
            raise ImportError(TUNE_HINT)
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"budget={budget!r} must be an int >= 1 (the number of trials)")
        super().__init__(metric=metric, mode="max")
        self.naslab_searcher, self.budget, self.path, self.naslab_metric = searcher, budget, path, metric
        self.book = AskTellBook(searcher, budget, path, fingerprint=search_fingerprint(searcher, metric, objective),
                                fingerprint_mismatch=fingerprint_mismatch)  # ask order, replay, tells: as in run_search
        self._running: dict[str, tuple[int, Proposal]] = {}  # Tune trial id -> (trial_id, proposal)

    @property
    def trials(self) -> list[Trial]:
        return self.book.trials

    def close(self) -> None:
        """Release the log (`run_tune` does it when Tune ends)."""
        self.book.close()

    def suggest(self, trial_id: str):
        while True:
            asked = self.book.ask()
            if asked is None:  # exhausted, or waiting for tells (e.g. the end of a halving rung)
                return _TuneSearcher.FINISHED if not self.book.queue else None
            tid, prop, replayed = asked
            if not replayed:
                self._running[trial_id] = (tid, prop)
                return {"naslab": {"config": prop.config, "fidelity": prop.fidelity, "trial_id": tid,
                                   "metric": self.naslab_metric}}
            self.book.tell_ready()  # replayed from the file: told, not run again

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        tid, prop = self._running.pop(trial_id)
        outcome = (result or {}).get("naslab")
        if outcome is None:
            outcome = (None, 0.0, "the Tune trial ended without a result (an error in Tune or in the worker)")
        else:
            outcome = json.loads(outcome)
            outcome = (outcome["out"], outcome["seconds"], outcome["error"])
        trial = make_trial(tid, prop, outcome, self.naslab_metric, self.naslab_searcher)
        trial.info["tune_trial_id"] = trial_id
        self.book.finish(trial)
        self.book.tell_ready()

    def get_state(self) -> dict:  # Tune checkpoints this; naslab resumes from the JSONL at `path`
        return {"asked": self.book.n_asked, "told": len(self.trials),
                "path": None if self.path is None else str(self.path)}

    def set_state(self, state: dict) -> None:
        raise NotImplementedError(f"resume a naslab search by running it again with path={state.get('path')!r} "
                                  "(the Trial JSONL), not with Tuner.restore")

    def save(self, checkpoint_path: str) -> None:  # Tune's experiment checkpoint: a small summary
        Path(checkpoint_path).write_text(json.dumps(self.get_state()), encoding="utf-8")

    def restore(self, checkpoint_path: str) -> None:
        self.set_state(json.loads(Path(checkpoint_path).read_text(encoding="utf-8")))


def _dirname(trial) -> str:
    return trial.trial_id


def run_tune(searcher, objective, budget: int, *, path: str | Path | None = None, metric: str = "val_acc",
             cpus_per_trial: float = 1, max_concurrent: int | None = None, scheduler=None,
             storage_path: str | Path | None = None, reuse_actors: bool = True, **tune_config) -> list[Trial]:
    """`run_search` through Ray Tune: the same trials, the same JSONL, Tune's machinery around them.

    Args:
        searcher, objective, budget, path, metric: as for `naslab.search.run_search`.
        cpus_per_trial: CPUs Tune reserves per trial (torch threads in the trial: max(1, int(.))).
        max_concurrent: trials running at once (default: as many as the cluster's CPUs allow).
        scheduler: a Tune scheduler (e.g. ASHAScheduler); trials report once, so it only orders them.
        storage_path: where Tune writes its experiment folder (default: Tune's, ~/ray_results).
        reuse_actors: run trial after trial in the same worker (no fresh process, no new torch import).
        **tune_config: more `ray.tune.TuneConfig` fields (time_budget_s, reuse_actors...).

    Returns:
        the trials in ask order, as `run_search` returns them.
    """
    if not (callable(getattr(searcher, "ask", None)) and callable(getattr(searcher, "tell", None))):
        raise TypeError(f"searcher must have ask() and tell(), got a {type(searcher).__name__}")
    check_callable(objective, "objective", hint="objective(config) -> dict of metrics")
    check_real(cpus_per_trial, "cpus_per_trial", low=0, low_open=True)
    check_int(max_concurrent, "max_concurrent", low=1, none=True)
    try:
        from ray import tune
    except ImportError as e:
        raise ImportError(TUNE_HINT) from e
    trainable = tune.with_resources(
        tune.with_parameters(_trainable, objective=objective, threads=max(1, int(cpus_per_trial))),
        {"cpu": cpus_per_trial})
    run_config = tune.RunConfig(storage_path=None if storage_path is None else str(Path(storage_path).resolve()),
                                verbose=0)
    adapter = NaslabTuneSearcher(searcher, budget, metric=metric, path=path, objective=objective)
    try:  # the log stays locked while Tune runs
        tune.Tuner(trainable, run_config=run_config, tune_config=tune.TuneConfig(
            search_alg=adapter, num_samples=-1, metric=metric, mode="max", scheduler=scheduler,
            max_concurrent_trials=max_concurrent, trial_dirname_creator=_dirname, reuse_actors=reuse_actors,
            **tune_config)).fit()
    finally:
        adapter.close()
    return adapter.trials
