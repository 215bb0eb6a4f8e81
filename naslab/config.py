"""Run modes and budgets: the one FAST switch every loop goes through.

naslab has two run modes:

* **class mode** (the default): what a student runs in class, at most ~5 min per notebook on a
  2-core CPU;
* **FAST** (`NASLAB_FAST=1`): what the tests run, at most ~60 s per notebook. It shrinks budgets
  (epochs, trials, children, architectures) and never skips a cell.

Budgets are chosen with `budget(full, fast)`, so a notebook never scatters `if FAST:` branches.
The variable is read on every call (not cached at import time), so tests can flip it with
`monkeypatch.setenv` and a notebook's parameters cell can read it too.

Taught in: notebooks/00_welcome.ipynb (parameters cell).
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

FAST_ENV = "NASLAB_FAST"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_fast() -> bool:
    """True when the environment variable `NASLAB_FAST` asks for FAST mode ("1", "true", "yes", "on").

    Raises:
        ValueError: if the variable holds something that is neither a true nor a false word.
    """
    raw = os.environ.get(FAST_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={raw!r} is not understood; use one of {sorted(_TRUE)} or {sorted(_FALSE - {''})}"
    )


def budget(full: T, fast: T) -> T:
    """Return `fast` in FAST mode and `full` in class mode.

    Example: `epochs = budget(full=20, fast=2)`.
    """
    return fast if is_fast() else full


def mode_name() -> str:
    """'FAST' or 'class', for printouts."""
    return "FAST" if is_fast() else "class"
