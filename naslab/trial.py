"""The one record every search writes: `Trial`, its status rule, and crash-safe JSONL save / load.

A trial is one evaluation of one candidate: a hyper-parameter configuration (notebook 01) or an
architecture (notebooks 02-06), at some `fidelity` (epochs, data fraction, width... or None for
"full"), with a `seed`, the `metrics` it produced, the wall-clock `seconds` it took and a `status`
given by one rule (`trial_from_output`, used by `naslab.asktell.make_trial`; see `Trial`).

Records are plain JSON (no pickle; values made plain by `naslab.json_values`): one object per line
in a `.jsonl` file, appended as each trial finishes (one `os.write` of the whole line), so an
interrupted search keeps what it finished and a rerun can resume. A line without its final newline
is a write cut short by a crash: readers skip it and `append_jsonl` drops it with a warning, so the
next record never lands on a torn line. A corrupt line that *is* terminated is real damage and raises
`ValueError`; so does a file that is not a trial log at all, which is never written to. What counts as
a trial log, its header line and the lock of a running search: `naslab.trial_log`, `naslab.log_writer`.

Taught in: notebooks/00_welcome.ipynb; used by every search notebook.
"""

from __future__ import annotations

import json
import math
import os
import reprlib
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from naslab.json_values import jsonable, to_json_value
from naslab.trial_log import drop_tail, scan_log, write_all
from naslab.validate import check_instance, check_int, check_seed

STATUSES = ("ok", "diverged", "failed")


def as_score(v: Any) -> float:
    """A metric value as a float score: NaN for None / NaN / ±inf / "inf" (how they are stored)."""
    if not _is_real(v):  # None, "inf", lists, an int too large for a float...: no score
        return float("nan")
    return float(v) if math.isfinite(v) else float("nan")


@dataclass
class Trial:
    """One evaluated candidate.

    Attributes:
        config: the hyper-parameters or the architecture (JSON: dict, list or str).
        fidelity: the budget level it was evaluated at (e.g. {"epochs": 3}) or None for full.
        seed: the seed of the evaluation.
        metrics: what came out, e.g. {"val_acc": 0.93, "val_loss": 0.21}; numpy / torch numbers
            and 0-d arrays are normalised to Python numbers when the Trial is made.
        seconds: wall-clock (or simulated) cost of the evaluation, a finite number >= 0.
        status: one of "ok", "diverged", "failed".
        error: the error message of a failed trial.
        trial_id: position in the search (0, 1, 2, ...).
        parent: trial_id of the parent (growth trees in notebook 04), else None.
        info: anything else worth keeping (searcher name, timestamps...).

    The status rule (`trial_from_output`, applied by `run_search` to what the objective returned):

    * "failed": the objective raised; or it returned something other than a dict; or a metric
      cannot be written to JSON (an nn.Module, a set...); or the score metric is missing or is not
      a real number (a str, a bool, a list, an int too large for a float such as 10**400); or
      "diverged" is not a bool; or "seconds" is not a finite number >= 0. `error` names the key and the type.
    * "diverged": the score is NaN or ±inf of any kind (Python, numpy, torch, 0-d tensors, None),
      or `metrics["diverged"]` is True. A recorded result, never a crash.
    * "ok": otherwise.

    `score()` is NaN for a failed trial and for a non-finite score, so best-so-far curves skip
    both; a diverged trial with a finite score (training reports chance accuracy) keeps it.
    """

    config: Any
    fidelity: Any = None
    seed: int = 0
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0
    status: str = "ok"
    error: str | None = None
    trial_id: int | None = None
    parent: int | None = None
    info: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r} is unknown; allowed: {list(STATUSES)}")
        if not isinstance(self.metrics, dict):
            raise TypeError(f"metrics must be a dict, got {type(self.metrics).__name__}")
        s = self.seconds
        if isinstance(s, bool) or not isinstance(s, (int, float)) and not hasattr(s, "__float__"):
            raise TypeError(f"seconds={s!r} must be a number, got {type(s).__name__}")
        self.seconds = float(s)
        if not (math.isfinite(self.seconds) and self.seconds >= 0):
            raise ValueError(f"seconds={s!r} must be a finite number >= 0 (a cost in seconds)")
        self.metrics = {str(k): to_json_value(v, f"metric {k!r}") for k, v in self.metrics.items()}
        self.config = to_json_value(self.config, "config")
        self.fidelity = to_json_value(self.fidelity, "fidelity")
        check_seed(self.seed)
        check_int(self.trial_id, "trial_id", low=0, none=True)
        check_int(self.parent, "parent", low=0, none=True)
        if self.error is not None and not isinstance(self.error, str):
            raise TypeError(f"error must be a str or None, got {type(self.error).__name__} {self.error!r}")
        check_instance(self.info, "info", dict)
        if "created" not in self.info:
            self.info["created"] = time.time()

    def score(self, metric: str = "val_acc") -> float:
        """The trial's value of `metric`; NaN when it failed, lacks the metric, or it is non-finite."""
        return float("nan") if self.status == "failed" else as_score(self.metrics.get(metric))

    def to_dict(self) -> dict:
        return jsonable(asdict(self))

    @classmethod
    def from_dict(cls, d: dict) -> Trial:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)


def _is_real(v: Any) -> bool:
    """An int or float that a float can hold (10**400 cannot: the status rule calls it failed, not a crash)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and (isinstance(v, float) or
                                                                         abs(v) <= sys.float_info.max)


def _kind(v: Any) -> str:
    return f"{type(v).__name__} {reprlib.repr(v)}" + (" (too large for a float)" if type(v) is int else "")


def trial_from_output(out: Any, metric: str, *, seconds: float, error: str | None = None, **common) -> Trial:
    """The status rule: turn an objective's output into a Trial (see `Trial` for the rule).

    Args:
        out: what the objective returned (ignored when `error` is set).
        metric: the score key.
        seconds: the measured wall-clock seconds (a valid "seconds" metric replaces them).
        error: the message of an exception the objective raised, else None.
        **common: config, fidelity, seed, trial_id, parent, info.
    """
    metrics: dict = {}
    if error is None and not isinstance(out, dict):
        hint = " (e.g. return result.metrics for a TrainResult)" if hasattr(out, "metrics") else ""
        error = f"objective must return a dict of metrics, got {type(out).__name__}{hint}"
    if error is None:
        try:
            metrics = {str(k): to_json_value(v, f"metric {k!r}") for k, v in out.items()}
        except TypeError as e:
            error, metrics = f"TypeError: {e}", {}
    if error is None:
        score, div, sec = metrics.get(metric), metrics.get("diverged", False), metrics.get("seconds", seconds)
        if metric not in metrics:
            error = f"objective returned no {metric!r}; its keys: {sorted(metrics)}"
        elif score is not None and not _is_real(score):
            error = f"metric {metric!r} must be a real number, got {_kind(out[metric])}"
        elif not isinstance(div, bool) and div not in (0, 1):
            error = f"metric 'diverged' must be a bool, got {type(out['diverged']).__name__} {div!r}"
        elif not _is_real(sec) or not (math.isfinite(sec) and sec >= 0):
            error = f"metric 'seconds' must be a finite number >= 0, got {_kind(out['seconds'])}"
    if error is not None:
        return Trial(metrics={}, seconds=max(float(seconds), 0.0), status="failed", error=error, **common)
    if "diverged" in metrics:
        metrics["diverged"] = bool(metrics["diverged"])
    bad = metrics[metric] is None or not math.isfinite(metrics[metric])  # NaN / ±inf of any number type
    status = "diverged" if metrics.get("diverged") or bad else "ok"
    sec = float(metrics.get("seconds", seconds))  # a simulated cost wins over the wall clock
    return Trial(metrics=metrics, seconds=sec, status=status, **common)


def _path(path) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path={path!r} must be a str or pathlib.Path (a .jsonl file)")
    return Path(path)


def repair_jsonl(path: str | Path) -> str | None:
    """Drop an unterminated last line (a write cut short by a crash) so appends start on a fresh line.

    Returns the dropped text (None when the file is missing or ends with a newline: then nothing is read
    or written) and warns when it drops one. A complete record without its newline is dropped too: its
    trial is simply evaluated again. A file that is not a trial log (`naslab.trial_log.scan_log`) is a
    ValueError, and is left unchanged.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return None
    scan = scan_log(path)  # every line before the torn one must be valid: never cut another kind of file
    drop_tail(path, scan)
    return scan.tail


def append_jsonl(path: str | Path, trial: Trial) -> None:
    """Append one trial as one line of JSON (the file and its folder are created when missing).

    The whole file is checked first (`naslab.trial_log.scan_log`): a file that is not a trial log (an
    `.npz`, a JSON document...) or is damaged is a ValueError and is left unchanged. A torn last line left
    by an earlier crash is then dropped, and the line is written with a single `os.write` in append mode.
    No lock is taken: `run_search(path=...)` holds the log while it runs (`naslab.log_writer.TrialLog`).
    """
    path = _path(path)
    check_instance(trial, "trial", Trial)
    line = (trial.to_json() + "\n").encode("utf-8")
    scan = scan_log(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if scan.tail is not None:
        drop_tail(path, scan)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        write_all(fd, line)
    finally:
        os.close(fd)


def save_jsonl(path: str | Path, trials: list[Trial]) -> None:
    """Write `trials` to `path`, replacing the file (written to a temporary file, then renamed).

    An existing file that is not a trial log is a ValueError and is left unchanged."""
    path = _path(path)
    if not isinstance(trials, list | tuple) or not all(isinstance(t, Trial) for t in trials):
        raise TypeError(f"trials must be a list of Trial records, got {reprlib.repr(trials)}")
    scan_log(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(t.to_json() + "\n" for t in trials), encoding="utf-8")
    os.replace(tmp, path)


def load_jsonl(path: str | Path) -> list[Trial]:
    """Read trials back (a header line, `naslab.trial_log`, is skipped). A missing file gives []. An
    unterminated last line (a run killed mid-write) is skipped with a warning; a file that is not a trial
    log, or a corrupt terminated line, raises ValueError naming the file (and the line)."""
    path = Path(path)
    scan = scan_log(path, Trial.from_dict)
    if scan.tail is not None and scan.tail.strip():  # no newline after the last record: an interrupted write
        warnings.warn(f"{path}: skipping an unterminated last line (a write cut short by a crash): "
                      f"{scan.tail[:60]!r}", RuntimeWarning, stacklevel=2)
    return scan.records
