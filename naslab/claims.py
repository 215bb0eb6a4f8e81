"""Claims as code: every "Expected result" a notebook states is checked by the run that shows it.

A **claim** names where it is made (notebook and section), says in words what is expected, reads a
value the notebook has just computed (never a re-typed number) and states its bound. It prints one
line, `holds` or `DOES NOT HOLD`, with the observed value and the bound, and returns a `Claim`
record. A failing claim never raises: a student's run must not crash on a noisy result. `make claims`
runs every notebook in class mode with `NASLAB_CLAIMS=<file>` set, so each claim also appends its
record (one JSON line) to that file; the command prints one line per claim and exits non-zero when
any claim fails. `make claims SEEDS=0,1,2` runs each notebook once per value of its `SEED` parameter
and adds, per claim, the observed values over the seeds, their range and how many seeds held
(`per_seed_lines`): where a claim's bound comes from.

How to write a claim (one code cell right after each "Expected result" markdown cell)::

    from naslab.claims import claim
    # bound from 3 seeds: 0.955 / 0.962 / 0.971 (make claims SEEDS=0,1,2)
    claim("01 §5", "random search is ahead after 9 trials", rand9 - grid9, low=0.0)
    claim("05 §7", "collapse on most seeds", n_collapsed / n_seeds, low=0.6, fast=(0.0, 1.0))
    claim("04 §2", "exact function preservation", max_diff, high=1e-5, fast="same")

* `where` is `"NN §S"` (notebook number, section number); `what` is the prose in a few words.
* `observed` is a number or a bool; a bool claim holds when it is True (no bounds).
* `low` / `high` are inclusive bounds; give one or both. Take them from >= 3 seeds or runs and say
  so in a comment next to the claim (the spread and the command that measured it). A claim that
  depends on the seed is a range or a frequency over seeds, never one lucky run.
* `fast`: what FAST mode (the tests, tiny budgets) checks. Default None: the claim's code runs and
  its line is printed, but it is recorded as `unchecked` (FAST budgets cannot reproduce class-mode
  numbers). `"same"` checks the class-mode bounds in FAST too (exact, seed-free claims); a
  `(low, high)` pair checks FAST-specific bounds (None for an open side).

Taught in: every notebook's expected results; `make claims` (README, "Claims").
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass

from naslab.config import is_fast

CLAIMS_ENV = "NASLAB_CLAIMS"
WHERE = re.compile(r"^\d\d §\d+[a-z]?$")
STATUSES = ("holds", "fails", "unchecked")


@dataclass(frozen=True)
class Claim:
    """One checked claim: where it is made, what it says, what was observed and the bound."""

    where: str
    what: str
    observed: float | bool
    low: float | None
    high: float | None
    status: str  # "holds", "fails" or "unchecked" (FAST mode without FAST bounds)
    mode: str  # "class" or "FAST"
    predicted: str | None = None  # the student's prediction, written before the run (predict first)

    def _ipython_display_(self) -> None:  # claim() printed the line; a cell ending in claim(...) shows no repr
        pass

    @property
    def holds(self) -> bool:
        return self.status != "fails"

    def bound(self) -> str:
        """The bound in words: 'True', '>= a', '<= b' or 'in [a, b]'."""
        if self.low is None and self.high is None:
            return "True"
        if self.high is None:
            return f">= {_fmt(self.low)}"
        if self.low is None:
            return f"<= {_fmt(self.high)}"
        return f"in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def line(self) -> str:
        """One line: `05 §7 · what: holds · observed 3 · bound in [2, 8]`."""
        word = {"holds": "holds", "fails": "DOES NOT HOLD", "unchecked": "not checked in FAST"}[self.status]
        line = f"{self.where} · {self.what}: {word} · observed {_fmt(self.observed)} · bound {self.bound()}"
        return line if self.predicted is None else f"{line} · you predicted {self.predicted}"


def _fmt(x) -> str:
    if isinstance(x, bool) or x is None:
        return str(x)
    return f"{x:.4g}"


def _number(name: str, x) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={x!r} is not a number") from None
    if math.isnan(v):
        raise ValueError(f"{name} is NaN")
    return v


def _within(x: float, low: float | None, high: float | None) -> bool:
    if math.isnan(x):
        return False
    return (low is None or x >= low) and (high is None or x <= high)


NO_PREDICTION = "nothing yet (fill in the prediction cell before the experiment)"


def _prediction(predicted) -> str:
    """The student's prediction in words: a number as the claims print numbers, anything else as str()."""
    if predicted is None or (isinstance(predicted, str) and not predicted.strip()):
        return NO_PREDICTION
    if isinstance(predicted, (int, float)) and not isinstance(predicted, bool):
        return _fmt(predicted)
    return str(predicted).strip()


def claim(where: str, what: str, observed, low=None, high=None, *, fast=None, predicted=...) -> Claim:
    """Check one expected result, print its line, append it to `$NASLAB_CLAIMS` if set, return it.

    Args:
        where: "NN §S", the notebook and section making the claim (e.g. "05 §7").
        what: the claim in a few words, as the prose says it.
        observed: the value the notebook computed: a number (int, float, NumPy or 0-d torch scalar)
            or a bool. NaN observed never holds.
        low, high: inclusive bounds (either may be None); both None only for a bool `observed`.
        fast: FAST-mode bounds: None (record "unchecked"), "same" (the class bounds) or (low, high).
        predicted: predict first: the variable the student set before the experiment ran. Given (even as
            None, the unfilled stub), the line ends with "you predicted ..." beside what happened.

    Raises:
        ValueError: for a malformed `where`, an empty `what`, a non-numeric observed value or bound,
            bounds on a bool, a number without bounds, low > high, or an unknown `fast`.
    """
    if not isinstance(where, str) or not WHERE.match(where):
        raise ValueError(f"where={where!r} must look like '05 §7' (notebook number, section number)")
    if not isinstance(what, str) or not what.strip():
        raise ValueError("what must say the claim in words")
    lo, hi = _number("low", low), _number("high", high)
    if isinstance(observed, bool):
        if lo is not None or hi is not None:
            raise ValueError("a bool claim takes no bounds: it holds when observed is True")
        obs: float | bool = observed
    else:
        if hasattr(observed, "item"):  # NumPy / torch scalars
            observed = observed.item()
        if isinstance(observed, bool):
            obs = observed
        else:
            try:
                obs = float(observed)
            except (TypeError, ValueError):
                raise ValueError(f"observed={observed!r} is neither a number nor a bool") from None
            if lo is None and hi is None:
                raise ValueError(f"the numeric claim {where} '{what}' needs a bound: low and/or high")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"low={lo} is above high={hi}")
    if fast is not None and fast != "same" and not (isinstance(fast, tuple) and len(fast) == 2):
        raise ValueError(f"fast={fast!r}; allowed: None, 'same' or a (low, high) pair")

    mode = "FAST" if is_fast() else "class"
    if mode == "FAST" and isinstance(fast, tuple):
        lo, hi = _number("fast low", fast[0]), _number("fast high", fast[1])
    holds = bool(obs) if isinstance(obs, bool) else _within(obs, lo, hi)
    status = "holds" if holds else "fails"
    if mode == "FAST" and fast is None:
        status = "unchecked"
    said = None if predicted is ... else _prediction(predicted)
    record = Claim(where, what.strip(), obs, lo, hi, status, mode, said)
    print(("CLAIM " if status == "fails" else "claim ") + record.line())
    path = os.environ.get(CLAIMS_ENV, "").strip()
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(record)) + "\n")
    return record


def per_seed_lines(runs: dict) -> list[str]:
    """One line per claim over several runs of one notebook: how many seeds held, the observed values, their
    range (min..max) and the bound, e.g. `FAILS  05 §4 · accuracy: held on 2 of 3 seeds · observed 0.88 / 0.89 /
    0.79 · range 0.79..0.89 · bound >= 0.8`.

    Args:
        runs: seed -> the `Claim`s its run recorded, in order. A claim is the same claim in every run when
            its `where`, its `what` and its position among claims with that `where` and `what` agree.
    """
    table: dict[tuple, dict] = {}  # (where, what, k) -> seed -> Claim, in first-seen order
    for seed, claims in runs.items():
        seen: dict[tuple, int] = {}
        for c in claims:
            k = seen[c.where, c.what] = seen.get((c.where, c.what), -1) + 1
            table.setdefault((c.where, c.what, k), {})[seed] = c
    lines = []
    for (where, what, _), by_seed in table.items():
        got = [by_seed[s] for s in runs if s in by_seed]
        n_fail = sum(c.status == "fails" for c in got)
        n_unchecked = sum(c.status == "unchecked" for c in got)
        missing = [str(s) for s in runs if s not in by_seed]
        held = f"held on {len(got) - n_fail - n_unchecked} of {len(runs)} seeds"
        if n_unchecked:
            held = f"not checked in FAST on {n_unchecked} of {len(runs)} seeds" if n_unchecked == len(got) else \
                f"{held}, not checked on {n_unchecked}"
        held += f", missing on SEED {', '.join(missing)}" if missing else ""
        observed = " / ".join(f"{s}: {_fmt(by_seed[s].observed)}" if s in by_seed else f"{s}: -" for s in runs)
        values = [c.observed for c in got]
        status = "FAILS" if n_fail or missing else ("holds" if len(got) > n_unchecked else "unchecked")
        lines.append(f"{(status + ' ').ljust(7)}{where} · {what}: {held} · observed (SEED: value) {observed} · "
                     f"range {_fmt(min(values))}..{_fmt(max(values))} · bound {got[0].bound()}")
    return lines


def load_claims(path) -> list[Claim]:
    """Read the records that `claim` appended to `path` (one JSON object per line)."""
    with open(path, encoding="utf-8") as f:
        return [Claim(**json.loads(line)) for line in f if line.strip()]
