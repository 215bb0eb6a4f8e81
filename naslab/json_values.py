"""Plain JSON values: what a `Trial` may hold (configs, fidelities, metrics) and how it is written to disk.

Every record of a search is plain JSON, so `to_json_value` turns numpy / torch numbers, 0-d arrays,
arrays and tensors, tuples and non-str dict keys into ints, floats, bools, lists and str-keyed dicts,
and refuses anything else (an nn.Module, a set...) with a TypeError naming where it sits. JSON has no
NaN or infinity, so `jsonable` writes them as null and "inf" / "-inf" (`naslab.trial.as_score` reads
those back as NaN scores). `describe` is a JSON description of any object, stable across runs (the
space in a search's fingerprint, `naslab.asktell.search_fingerprint`).

Taught in: notebooks/00_welcome.ipynb (a Trial written to and read from JSONL); used by every search.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

JSON_TYPES = "numbers, str, bool, None, lists and dicts"


def to_json_value(x: Any, where: str = "value") -> Any:
    """`x` as a plain JSON value: numpy / torch numbers and 0-d arrays -> int / float / bool,
    arrays and tensors -> nested lists, tuples -> lists, dict keys -> str. Non-finite floats stay
    floats (they are written as null / "inf" by `to_json`).

    Raises:
        TypeError: naming `where` (e.g. "metric 'model'") and the type, for anything else
        (an nn.Module, a set, a TrainResult...).
    """
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, float)):
        return int(x) if isinstance(x, int) else float(x)  # np.float64 -> float, IntEnum -> int
    if isinstance(x, dict):
        return {str(k): to_json_value(v, f"{where}[{k!r}]") for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_json_value(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if hasattr(x, "tolist") and hasattr(x, "dtype"):  # numpy scalars / arrays, torch tensors (0-d included)
        kind = str(x.dtype)
        if not any(s in kind for s in ("int", "float", "bool")):
            raise TypeError(f"{where} is a {type(x).__name__} of dtype {kind}; allowed: {JSON_TYPES}")
        return to_json_value(x.tolist(), where)  # 0-d -> a Python scalar, else nested lists
    raise TypeError(f"{where} is a {type(x).__name__}, which cannot be written to JSON; allowed: {JSON_TYPES}")


def jsonable(x: Any) -> Any:
    """`to_json_value` plus the on-disk form of non-finite floats (NaN -> null, ±inf -> "inf"/"-inf")."""
    x = to_json_value(x)

    def fix(v):
        if isinstance(v, dict):
            return {k: fix(u) for k, u in v.items()}
        if isinstance(v, list):
            return [fix(u) for u in v]
        if isinstance(v, float) and not math.isfinite(v):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return v

    return fix(x)


def describe(x: Any, depth: int = 0) -> Any:
    """A JSON description of any object, for a search's fingerprint: JSON values as `jsonable` writes
    them, dataclasses as {"type": name, field: value...}, functions by qualified name, anything else by
    its type name (so the description never holds a memory address and is the same in every run)."""
    if depth > 20:
        return "..."
    if x is None or isinstance(x, (bool, int, float, str)) or hasattr(x, "dtype"):
        try:
            return jsonable(x)
        except TypeError:
            return type(x).__name__
    if isinstance(x, dict):
        return {str(k): describe(v, depth + 1) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [describe(v, depth + 1) for v in x]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"type": type(x).__name__, **{f.name: describe(getattr(x, f.name), depth + 1)
                                             for f in dataclasses.fields(x)}}
    name = getattr(x, "__qualname__", None)
    return name if isinstance(name, str) else type(x).__name__
