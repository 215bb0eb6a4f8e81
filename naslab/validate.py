"""Argument checks shared by the whole package: one clear error per bad input.

Every public function and class checks its arguments before any work, so a bad value fails early
with a message naming the argument, its value and what is allowed, e.g.

    seed=-1 must be an int in [0, 4294967295] (a random seed)
    lr=nan must be a finite number > 0
    optimizer='rmsprop' is unknown; allowed: ['sgd', 'adam']

Conventions (issue 21, item 7): a value of the right kind but outside its range, and a number given
as a bool, str or float-for-int, is a `ValueError`; an object of the wrong kind altogether (a dict
where a config dataclass belongs, a non-callable callback) is a `TypeError`. Bools are never numbers
here: `True` is almost always a slip for `1`.

Used by every module; tested in tests/core/test_bad_inputs.py.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

SEED_MAX = 2**32 - 1  # numpy's legacy RandomState and Optuna accept seeds up to 2**32 - 1


def is_int(x) -> bool:
    """An int (or numpy integer) that is not a bool."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def is_real(x) -> bool:
    """A real number (int or float, numpy included) that is not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def check_int(value, name: str, *, low: int | None = None, high: int | None = None, none: bool = False,
              hint: str = "") -> int | None:
    """`value` as an int in [low, high] (None allowed when `none`), else a ValueError naming it."""
    if value is None and none:
        return None
    if not is_int(value) or (low is not None and value < low) or (high is not None and value > high):
        rng = (f" in [{low}, {high}]" if low is not None and high is not None
               else f" >= {low}" if low is not None else f" <= {high}" if high is not None else "")
        raise ValueError(f"{name}={value!r} must be an int{rng}{' or None' if none else ''}"
                         f"{f' ({hint})' if hint else ''}")
    return int(value)


def check_real(value, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, none: bool = False, hint: str = "") -> float | None:
    """`value` as a finite float in the interval (open or closed ends), else a ValueError naming it."""
    if value is None and none:
        return None
    ok = is_real(value) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        if low is not None and high is not None:
            where = f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        elif low is not None:
            where = f" {'>' if low_open else '>='} {low}"
        elif high is not None:
            where = f" {'<' if high_open else '<='} {high}"
        else:
            where = ""
        raise ValueError(f"{name}={value!r} must be a finite number{where}{' or None' if none else ''}"
                         f"{f' ({hint})' if hint else ''}")
    return float(value)


def check_seed(value, name: str = "seed") -> int:
    """A random seed: an int in [0, 2**32 - 1] (what numpy, torch and Optuna all accept)."""
    return check_int(value, name, low=0, high=SEED_MAX, hint="a random seed")


def check_bool(value, name: str) -> bool:
    """A real bool (not 'yes', not 1), else a ValueError naming it."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}={value!r} must be True or False")
    return bool(value)


def check_choice(value, name: str, allowed) -> object:
    """One of `allowed`, else a ValueError listing them."""
    try:
        ok = value in allowed
    except TypeError:  # an unhashable value tested against a set or dict
        ok = False
    if not ok:
        raise ValueError(f"{name}={value!r} is unknown; allowed: {list(allowed)}")
    return value


def check_str(value, name: str, *, hint: str = "") -> str:
    """A non-empty str, else a ValueError naming it."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name}={value!r} must be a non-empty str{f' ({hint})' if hint else ''}")
    return value


def check_instance(value, name: str, cls, *, hint: str = ""):
    """An instance of `cls` (a class or tuple of classes), else a TypeError naming what was given."""
    if not isinstance(value, cls):
        want = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        raise TypeError(f"{name} must be a {want}, got {type(value).__name__} {_short(value)}"
                        f"{f'; {hint}' if hint else ''}")
    return value


def check_callable(value, name: str, *, none: bool = False, hint: str = ""):
    """A callable (or None when `none`), else a TypeError naming what was given."""
    if (value is None and none) or callable(value):
        return value
    raise TypeError(f"{name} must be callable{' or None' if none else ''}, got {type(value).__name__} "
                    f"{_short(value)}{f' ({hint})' if hint else ''}")


def check_items(values, name: str, check, *, distinct: bool = False, **kw) -> tuple:
    """A non-empty tuple or list whose every entry passes `check(entry, name + " entry", **kw)`."""
    if not isinstance(values, tuple | list) or not values or (distinct and len(set(values)) != len(values)):
        raise ValueError(f"{name}={values!r} must be a non-empty tuple{' of distinct values' if distinct else ''}")
    return tuple(check(v, f"{name} entry", **kw) for v in values)


class Registry(dict):
    """A dict whose missing key is a KeyError listing the registered keys (e.g. `naslab.darts.ops.OPS`)."""

    def __missing__(self, name):
        raise KeyError(f"{name!r} is not registered; registered: {list(self)}")


def check_fields(given, allowed, what: str) -> None:
    """Refuse keyword overrides that are not fields: a misspelt `lrr=` names the allowed ones."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise TypeError(f"unknown {what} field(s) {unknown}; allowed: {sorted(allowed)}")


# --- models and data (naslab.train.train and evaluate) ---------------------------------------


def check_batch(model, X, y, batch_size) -> None:
    """`evaluate`'s inputs: a module with parameters, a float batch X and as many int64 labels y."""
    import torch  # here, not at the top: light modules (a dataclass of settings) import this one too
    from torch import nn

    if not isinstance(model, nn.Module) or next(model.parameters(), None) is None:
        raise TypeError(f"model must be a torch nn.Module with parameters, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"X and y must be torch tensors, got {type(X).__name__} and {type(y).__name__}")
    if y.ndim != 1 or y.dtype != torch.long or len(X) != len(y) or len(y) == 0:
        raise ValueError(f"evaluate needs X of shape (N, ...) and y of shape (N,) int64 class labels with N >= 1, "
                         f"got X {tuple(X.shape)} and y {tuple(y.shape)} {y.dtype}")
    check_int(batch_size, "batch_size", low=1)


def check_train_call(model, data, cfg, overrides: dict, callback, config_cls) -> None:
    """`train(model, data, cfg, callback=..., **overrides)`: a module, a Dataset, a config or None, known fields."""
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    check_dataset(data)
    if cfg is not None and not isinstance(cfg, config_cls):
        raise TypeError(f"cfg must be a {config_cls.__name__} (or None), got {type(cfg).__name__}; "
                        "pass fields as keywords instead, e.g. train(model, data, lr=0.01)")
    check_fields(overrides, config_cls.__dataclass_fields__, config_cls.__name__)
    check_callable(callback, "callback", none=True, hint="called as callback(step, loss)")


def check_device(device, allowed) -> None:
    """A torch.device, one of `allowed` ("auto", "cpu", ...) or "cuda:N"."""
    import torch

    if not (isinstance(device, torch.device) or isinstance(device, str) and (
            device in allowed or device.startswith("cuda:") and device[5:].isdigit())):
        raise ValueError(f"device={device!r} is unknown; allowed: {list(allowed)} (or 'cuda:N')")


def check_dataset(data) -> None:
    """`data` has the Dataset fields `train` reads, and non-empty training and validation splits."""
    need = ("X_train", "y_train", "X_val", "y_val", "num_classes")
    if any(not hasattr(data, f) for f in need):
        raise TypeError(f"data must be a naslab Dataset (with {list(need)}), got {type(data).__name__}")
    for split in ("train", "val"):
        X, y = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
        if len(y) == 0 or len(X) != len(y):
            raise ValueError(f"data {getattr(data, 'name', '')!r} has {len(X)} {split} inputs and {len(y)} labels; "
                             f"training needs a non-empty {split} split with one label per input")


def check_model_fits(model, data, device) -> None:
    """A clear error, before any update, when `model` was built for other inputs or classes than `data`."""
    import torch
    from torch import nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    dtypes = {p.dtype for p in model.parameters()}
    if dtypes and data.X_val.dtype not in dtypes:  # a float64 model on float32 data is not a shape problem
        raise ValueError(f"the model's parameters are {sorted(map(str, dtypes))} but the inputs of "
                         f"{getattr(data, 'name', 'the dataset')!r} are {data.X_val.dtype}: convert one of them, "
                         "e.g. model.float()")
    was_training = model.training
    model.eval()  # eval: no BatchNorm statistic moves, no dropout randomness is drawn
    try:
        with torch.no_grad():
            out = model(data.X_val[:2].to(device))
    except (RuntimeError, ValueError) as e:
        raise ValueError(f"the model does not accept {getattr(data, 'name', 'the dataset')!r} inputs of shape "
                         f"(N, {', '.join(map(str, data.X_val.shape[1:]))}): {e}") from e
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (len(data.X_val[:2]), data.num_classes):
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"the model maps a batch of 2 to {got}, but {getattr(data, 'name', 'the dataset')!r} "
                         f"needs (2, num_classes={data.num_classes}) logits")


def _short(x, limit: int = 60) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."
