"""Shared bits: seeding, device choice, parameter counts and a tiny timer.

* `seed_everything(seed)` seeds Python's `random`, NumPy and torch (CPU and, when present, CUDA),
  so the same seed gives the same numbers on the CPU.
* `get_device("auto")` picks cuda, then mps, then cpu. naslab never hard-codes CUDA: every
  tensor is allocated on the device of the model or batch it belongs to.
* `count_params(model)` counts trainable parameters (the "model size" axis of every cost plot).
* `set_threads(n=None)` pins torch's CPU threads: 1 by default (right for the course's tiny
  networks: on a busy 2-core CPU two threads make them 10-60x slower), `NASLAB_THREADS` or `n` for
  bigger models. Every notebook's setup cell calls it, so a student sets nothing.
* `script_threads(n=None)`: the one thread set-up of every command-line script (benchmarks/, tools/):
  `set_threads(n)` here, and the same count exported to the worker processes the script starts.
* `short(value)` / `summarize(trial)`: readable text with floats rounded (no `0.29374998807907104`).

Taught in: notebooks/00_welcome.ipynb (environment check).
"""

from __future__ import annotations

import os
import random
import time

import numpy as np
import torch
from torch import nn

from naslab.validate import check_instance, check_seed

DEVICES = ("auto", "cpu", "cuda", "mps")
THREADS_ENV = "NASLAB_THREADS"
DEFAULT_THREADS = 1


def set_threads(n: int | None = None) -> int:
    """Set torch's intra-op CPU threads and return the number set.

    Args:
        n: threads to use; None reads the environment variable `NASLAB_THREADS`, and without it uses
            1, the right count for the course's tiny networks (thread synchronisation costs more than
            the arithmetic it splits; with bigger models, set `NASLAB_THREADS=4` or call `set_threads(4)`).

    Raises:
        ValueError: if `n` (or `NASLAB_THREADS`) is not a positive integer.
    """
    source = "n"
    if n is None:
        raw = os.environ.get(THREADS_ENV, "").strip()
        n, source = (raw or DEFAULT_THREADS), THREADS_ENV
    try:
        count = int(n)
        ok = (isinstance(n, (int, np.integer)) or source != "n") and not isinstance(n, bool) \
            and str(n).strip() == str(count) and count >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{source}={n!r} is not a positive integer number of threads (e.g. 1, 2, 4)")
    torch.set_num_threads(count)
    return count


def script_threads(n: int | None = None) -> int:
    """The thread set-up of a command-line script (benchmarks/, tools/): call it first in `main()`.

    Sets torch's threads in this process with `set_threads(n)` (n, else `NASLAB_THREADS`, else 1) and
    exports `OMP_NUM_THREADS` and `MKL_NUM_THREADS` with the same count, so that the worker processes
    the script starts (process pools, Dask, Ray) begin with it too instead of one thread per core.
    Returns the count. No script sets threads itself (tests/tools/test_scripts.py checks it).

    Raises:
        ValueError: if `n` (or `NASLAB_THREADS`) is not a positive integer.
    """
    count = set_threads(n)
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(count)
    return count


def seed_everything(seed: int) -> None:
    """Seed `random`, NumPy and torch (all devices) with `seed`."""
    check_seed(seed)  # an int in [0, 2**32 - 1]: numpy would fold a larger one onto another seed
    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))  # also seeds every CUDA device when one exists


def get_device(device: str | torch.device = "auto") -> torch.device:
    """Resolve a device request.

    Args:
        device: "auto" (cuda, then mps, then cpu), "cpu", "cuda", "cuda:N", "mps" or a torch.device.

    Raises:
        ValueError: for a name that is not one of "auto", "cpu", "cuda[:N]", "mps", or a device that
            this machine does not have.
    """
    if isinstance(device, torch.device):
        return device
    name = str(device).lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.split(":")[0] not in DEVICES:
        raise ValueError(f"device={device!r} is unknown; allowed: {list(DEVICES)} (or 'cuda:N')")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for but CUDA is not available; use 'auto' or 'cpu'")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("device='mps' was asked for but MPS is not available; use 'auto' or 'cpu'")
    return torch.device(name)


def count_params(model: nn.Module, *, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of `model`."""
    check_instance(model, "model", nn.Module)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def short(value, digits: int = 3) -> str:
    """Readable text of a value, floats (also inside dicts, lists, tuples) to `digits` significant digits."""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {short(v, digits)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(short(v, digits) for v in value) + "]"
    return str(value)


def summarize(trial, digits: int = 3) -> str:
    """One readable line of a `naslab.trial.Trial`: id, status, config, fidelity, seed, metrics (floats rounded)
    and seconds; no timestamp. The record itself keeps every field at full precision."""
    fields = [("config", trial.config), ("fidelity", trial.fidelity), ("seed", trial.seed), ("metrics", trial.metrics)]
    parts = [f"trial {trial.trial_id} ({trial.status})",
             *(f"{k} {short(v, digits)}" for k, v in fields if v is not None), f"{trial.seconds:.1f} s"]
    return " | ".join(parts) + (f" | error: {trial.error}" if trial.error else "")


class Timer:
    """Context manager measuring wall-clock seconds: `with Timer() as t: ...; t.seconds`."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


class ExpectInput:
    """A forward pre-hook: a clear ValueError when a model gets inputs of the wrong shape.

    `model.register_forward_pre_hook(ExpectInput((1, 40), "make_cnn"))` turns torch's deep
    "mat1 and mat2 shapes cannot be multiplied" into "make_cnn was built for inputs (N, 1, 40),
    got (N, 64)". A picklable class (not a closure), so models still go to process pools.
    """

    def __init__(self, input_shape, built_by: str = "this model"):
        self.input_shape, self.built_by = tuple(int(s) for s in input_shape), built_by

    def __call__(self, module: nn.Module, args) -> None:
        x = args[0] if args else None
        if isinstance(x, torch.Tensor) and tuple(x.shape[1:]) != self.input_shape:
            want = ", ".join(map(str, self.input_shape))
            raise ValueError(f"{self.built_by} was built for inputs of shape (N, {want}), "
                             f"got {tuple(x.shape)}; build it with input_shape={tuple(x.shape[1:])} "
                             "(e.g. data.input_shape) or reshape the batch")


def expect_input(model: nn.Module, input_shape, built_by: str) -> nn.Module:
    """Attach `ExpectInput` to `model` and return it."""
    model.register_forward_pre_hook(ExpectInput(input_shape, built_by))
    return model


def check_shape_arg(input_shape, name: str = "input_shape", dims=(2, 3)) -> tuple[int, ...]:
    """`input_shape` as a tuple of positive ints of an allowed length, else a ValueError saying so."""
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = None
    if shape is None or len(shape) not in dims or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                                                      or s < 1 for s in shape):
        forms = " or ".join({1: "(D,)", 2: "(C, L)", 3: "(C, H, W)"}[d] for d in dims)
        raise ValueError(f"{name}={input_shape!r} must be {forms} with positive ints (e.g. data.input_shape)")
    return tuple(int(s) for s in shape)


def check_count(value, name: str, low: int = 1) -> int:
    """An int >= low (not a bool, not a float like 20.5), else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}={value!r} must be an int >= {low}")
    return int(value)
