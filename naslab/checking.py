"""The contract every exercise check follows, and the one place a student's code is called.

Every `check_*` in `naslab/<topic>/checks.py` (notebooks 00-07):

* **right answer** -> returns a `Verdict` (a `str`, shown without quotes in a notebook) starting with "✓";
  `verdict.passed` is True.
* **wrong answer** -> raises `CheckError` (a subclass of `AssertionError`) whose message names the mistake
  ("off by one", "sign", "shape", "constant", the exercise's classic slip) and the input that showed it.
* **the student's code raises** -> `CheckError("your function NAME raised X: msg on input Y")`: the
  student's own exception is reported as theirs, never as another mistake (`call_student`).
* **not implemented yet** (the answer raises `NotImplementedError`, or is `None` / `...`) -> no
  traceback: the check returns a `Verdict` saying "… not implemented yet" with `passed` False
  (the student edition runs top to bottom on these).

Checks never trust a self-reported number: what they grade (a τ, a cost, an output) they recompute.
They use `expect(cond, msg)` rather than `assert`, so they work under `python -O` too.

Taught in: every notebook's Exercises section (notebooks/00-07).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np

__all__ = ["CheckError", "Verdict", "call_student", "graded", "expect", "fail", "describe", "slip"]


class CheckError(AssertionError):
    """A wrong answer: the message says which mistake and on which input."""


class NotImplementedYet(Exception):
    """Raised inside a check when the student's answer is still a stub (caught by `graded`)."""


class Verdict(str):
    """A check's result: the message, plus `passed` (False: the exercise is not implemented yet)."""

    passed: bool = True

    def __new__(cls, text: str, passed: bool = True):
        obj = super().__new__(cls, text)
        obj.passed = passed
        return obj

    def __repr__(self) -> str:  # a notebook shows the message, not a quoted string
        return str(self)


def fail(msg: str):
    """Reject the answer with `msg` (raises `CheckError`)."""
    raise CheckError(msg)


def expect(cond, msg: str) -> None:
    """`assert cond, msg` that survives `python -O` and raises `CheckError`."""
    if not cond:
        raise CheckError(msg)


def describe(x, limit: int = 80) -> str:
    """A short description of an input for messages: tensors/arrays by shape and dtype, the rest by repr."""
    shape = getattr(x, "shape", None)
    if shape is not None and hasattr(x, "dtype"):
        return f"{type(x).__name__} of shape {tuple(shape)}"
    if isinstance(x, (list, tuple)) and any(getattr(t, "shape", None) is not None for t in x):
        return "[" + ", ".join(describe(t, limit) for t in x) + "]"
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_stub(answer) -> bool:
    return answer is None or answer is Ellipsis


def _module_files(modules) -> dict[str, str]:
    """file path -> module name, for the modules a student's answer may not call."""
    out = {}
    for m in modules:
        mod = sys.modules.get(m) or __import__(m, fromlist=["_"])
        out[str(Path(mod.__file__).resolve())] = m
    return out


class _Watch:
    """A `sys.setprofile` hook that records the first call into a forbidden module's Python code."""

    def __init__(self, files: dict[str, str]):
        self.files, self.hit, self.seen = files, None, {}

    def __call__(self, frame, event, arg):
        if event != "call" or self.hit is not None:
            return
        f = frame.f_code.co_filename
        if f not in self.seen:
            self.seen[f] = self.files.get(str(Path(f).resolve())) if f and not f.startswith("<") else None
        if self.seen[f] is not None:
            self.hit = f"{self.seen[f]}.{frame.f_code.co_name}"


def call_student(fn, *args, what: str | None = None, name: str | None = None, forbid=(), **kwargs):
    """Call the student's `fn(*args, **kwargs)`; any exception inside it becomes a clear `CheckError`.

    Args:
        what: the input, as the message should show it (default: the arguments, described).
        name: how to call `fn` in the message (default: its name).
        forbid: module names (e.g. "naslab.hardware.pareto") holding naslab's own version of what the
            exercise asks the student to write. While `fn` runs, a profile hook watches every Python call;
            one into these modules is a `CheckError` naming the function called ("write it yourself").

    Raises:
        NotImplementedYet: `fn` raised `NotImplementedError` (or is None / `...`); `graded` turns it
            into a "not implemented yet" verdict.
        CheckError: "your function NAME raised X: msg on input Y" for any other exception.
    """
    name = name or getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
    if _is_stub(fn):
        raise NotImplementedYet(f"{name} is still {fn!r}")
    watch = _Watch(_module_files(forbid)) if forbid else None
    previous = sys.getprofile()
    try:
        if watch is not None:
            sys.setprofile(watch)
        try:
            out = fn(*args, **kwargs)
        finally:
            if watch is not None:
                sys.setprofile(previous)
        if watch is not None and watch.hit is not None:
            raise CheckError(f"your function {name} called naslab's {watch.hit}: this exercise asks you to write "
                             f"that step yourself (naslab's version is used after the exercise)")
        return out
    except CheckError:
        raise
    except NotImplementedError as e:
        raise NotImplementedYet(str(e) or f"{name} raises NotImplementedError") from None
    except Exception as e:  # the student's own error, reported as theirs
        if what is None:
            what = ", ".join([describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()])
        raise CheckError(f"your function {name} raised {type(e).__name__}: {e} on input {what}") from e


def graded(label: str):
    """Decorate a `check_*`: a stub answer gives a "not implemented yet" `Verdict` instead of a traceback,
    and a plain message returned by the check becomes a passing `Verdict` starting with "✓"."""

    def wrap(check):
        @functools.wraps(check)
        def run(*args, **kwargs):
            if args and _is_stub(args[0]):
                return Verdict(f"… {label}: not implemented yet (the answer is {args[0]!r})", passed=False)
            try:
                msg = check(*args, **kwargs)
            except NotImplementedYet as e:
                return Verdict(f"… {label}: not implemented yet ({e})", passed=False)
            text = str(msg)
            return Verdict(text if text.startswith("✓") else f"✓ {text}")

        return run

    return wrap


def slip(got, want, *, atol: float = 1e-6, rtol: float = 1e-5) -> str | None:
    """Name how `got` differs from `want` (same shape, as numbers), or None when they agree.

    "the negative of ... (a sign error)", "a constant", "shifted by d (off by one?)", "c times ...";
    "" when they differ in no simple way (the caller then shows the first mismatch).
    """
    g, w = np.asarray(got, dtype=float).ravel(), np.asarray(want, dtype=float).ravel()
    if g.shape != w.shape:
        return f"shape {g.shape} instead of {w.shape} (wrong shape)"
    if np.allclose(g, w, atol=atol, rtol=rtol):
        return None
    if np.allclose(g, -w, atol=atol, rtol=rtol):
        return "the negative of the expected values (a sign error)"
    if g.size > 1 and np.ptp(g) <= atol and np.ptp(w) > atol:
        return f"the same value {g[0]:.4g} for every input (a constant)"
    d = g - w
    if g.size > 1 and np.ptp(d) <= atol + rtol * np.abs(w).max():
        return f"the expected values shifted by {d[0]:+.4g} (off by one?)" if np.isclose(abs(d[0]), 1) else \
            f"the expected values shifted by {d[0]:+.4g}"
    ww = float(w @ w)
    if ww > 0:
        c = float(g @ w) / ww
        if np.allclose(g, c * w, atol=atol, rtol=rtol):
            return f"{c:.4g} times the expected values (a scale slip)"
    return ""
