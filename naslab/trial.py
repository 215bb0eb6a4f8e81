"""The one record every search writes: `Trial`, plus JSONL save / load.

A trial is one evaluation of one candidate: a hyper-parameter configuration (notebook 01) or an
architecture (notebooks 02-05), at some `fidelity` (epochs, data fraction, width... or None for
"full"), with a `seed`, the `metrics` it produced, the wall-clock `seconds` it took and a `status`:

* "ok": finished normally;
* "diverged": training produced NaN/inf loss (a recorded result, with chance accuracy);
* "failed": the objective raised; `error` holds the message.

Records are plain JSON (no pickle): one object per line in a `.jsonl` file, appended as each trial
finishes, so an interrupted search keeps what it finished and a rerun can resume.

Taught in: notebooks/00_welcome.ipynb; used by every search notebook.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("ok", "diverged", "failed")


def jsonable(x: Any) -> Any:
    """Turn tuples, numpy scalars/arrays and non-finite floats into plain JSON values."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if hasattr(x, "tolist"):  # numpy / torch scalars and arrays
        return jsonable(x.tolist())
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


@dataclass
class Trial:
    """One evaluated candidate.

    Attributes:
        config: the hyper-parameters or the architecture (JSON-serialisable: dict, list or str).
        fidelity: the budget level it was evaluated at (e.g. {"epochs": 3}) or None for full.
        seed: the seed of the evaluation.
        metrics: what came out, e.g. {"val_acc": 0.93, "val_loss": 0.21}.
        seconds: wall-clock (or simulated) cost of the evaluation.
        status: one of "ok", "diverged", "failed".
        error: the error message of a failed trial.
        trial_id: position in the search (0, 1, 2, ...).
        parent: trial_id of the parent (growth trees in notebook 04), else None.
        info: anything else worth keeping (searcher name, timestamps...).
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
        if "created" not in self.info:
            self.info["created"] = time.time()

    def score(self, metric: str = "val_acc") -> float:
        """The trial's value of `metric`; NaN when it failed or lacks the metric."""
        v = self.metrics.get(metric)
        return float("nan") if v is None or self.status == "failed" else float(v)

    def to_dict(self) -> dict:
        return jsonable(asdict(self))

    @classmethod
    def from_dict(cls, d: dict) -> Trial:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)


def append_jsonl(path: str | Path, trial: Trial) -> None:
    """Append one trial as one line of JSON (the file and its folder are created when missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(trial.to_json() + "\n")
        f.flush()


def save_jsonl(path: str | Path, trials: list[Trial]) -> None:
    """Write `trials` to `path`, replacing the file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(t.to_json() + "\n" for t in trials), encoding="utf-8")


def load_jsonl(path: str | Path) -> list[Trial]:
    """Read trials back. A missing file gives []. A truncated last line (a run killed mid-write) is
    ignored; a corrupt line elsewhere raises ValueError naming the line."""
    path = Path(path)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    trials = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            trials.append(Trial.from_dict(json.loads(line)))
        except (json.JSONDecodeError, TypeError) as e:
            if i == len(lines) - 1:  # the last line of an interrupted write
                break
            raise ValueError(f"{path}: line {i + 1} is not a Trial record ({e})") from e
    return trials
