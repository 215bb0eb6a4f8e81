"""Files of a tabular benchmark: the checked loading every table of the course shares (and where it is built).

A tabular benchmark (NAS-Bench-101/201 style: every architecture trained once, a search becomes lookups)
is built as a list of independent training jobs and shipped as two files. Both of naslab's tables
(`naslab.proxies` 03, `naslab.bakeoff` 06, `naslab.signals` 07, `naslab.hardware` 08) use the same machinery:

* **Build**: `naslab.build_loop` (one JSON line per finished job, resumable, workers or any executor).
* **Load** (`load_checked`): `<name>.npz` (numbers, never pickle) + `<name>.json` (config, shapes, build
  record and two checksums: "sha256", the SHA-256 of the .npz bytes, and META_KEY, the SHA-256 of the
  canonical JSON of every other field, "sha256" included, so one digest covers arrays and metadata;
  `write_meta` writes them). A missing file, bad JSON, a wrong type, a missing key, a checksum mismatch or
  an unreadable archive is a `BenchmarkError` (a ValueError; `BenchmarkMissingError` is also a
  FileNotFoundError) naming the file and the rebuild command: never wrong numbers. Each table then checks
  its own arrays (shapes, ranges) inside `reading`, which turns any lookup error into the same error.
  The same scheme covers notebook 01's landscape tables and the MNIST-1D cache.

What a job computes, how the records are packed and what is checked beyond that stays with each table.

Taught in: notebooks/03_proxy_evaluation.ipynb and notebooks/06_nas_bakeoff.ipynb; the same loading serves
notebook 01's landscapes and the MNIST-1D cache (data/README.md says how the shipped files were made).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import numpy as np

META_KEY = "meta_sha256"  # the checksum of the metadata, which holds the checksum of the arrays


class BenchmarkError(ValueError):
    """A data file of the course is missing a part, corrupt, truncated, edited or inconsistent."""


class BenchmarkMissingError(BenchmarkError, FileNotFoundError):
    """A data file is not there (a `BenchmarkError` and a `FileNotFoundError`)."""


def fail(path, what: str, rebuild: str) -> BenchmarkError:
    """The error for a broken file: `data file <path> <what>; rebuild it with `<rebuild>``."""
    return BenchmarkError(f"data file {path} {what}; rebuild it with `{rebuild}`")


@contextmanager
def reading(path, rebuild: str):
    """Turn any KeyError / TypeError / ValueError / IndexError / AttributeError raised while a table is
    checked or unpacked into the `BenchmarkError` naming `path` and the rebuild command."""
    try:
        yield
    except BenchmarkError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise fail(path, f"does not hold what its loader expects ({type(e).__name__}: {e})", rebuild) from e


# -- the checksum scheme --------------------------------------------------------------------------------


def file_sha256(path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def meta_sha256(meta: dict) -> str:
    """SHA-256 (hex) of the metadata's canonical JSON (sorted keys, no spaces, ASCII), without META_KEY.

    The metadata holds "sha256", the checksum of the .npz bytes, so this one digest covers arrays and
    metadata: a change anywhere in either file changes it. Floats are written by `repr`, which JSON
    reads back bit-exactly, so the digest of the loaded metadata is the digest of what was written."""
    body = {k: v for k, v in meta.items() if k != META_KEY}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def seal(npz, meta: dict) -> dict:
    """`meta` with "sha256" (of the .npz file's bytes) and META_KEY (of everything else) filled in."""
    sealed = {k: v for k, v in meta.items() if k != META_KEY}
    sealed["sha256"] = file_sha256(npz)
    sealed[META_KEY] = meta_sha256(sealed)
    return sealed


def write_meta(npz, js, meta: dict) -> dict:
    """Write `seal(npz, meta)` as the .json beside an already written .npz (atomically); return it."""
    sealed, js = seal(npz, meta), Path(js)
    tmp = js.with_name(f"{js.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(sealed, indent=1))
    tmp.replace(js)
    return sealed


def read_meta(js, rebuild: str, required: Iterable[str] = ()) -> dict:
    """The metadata of a .json written by `write_meta`, after checking that it parses to an object with
    the `required` keys and that META_KEY matches (BenchmarkError naming the file otherwise)."""
    js = Path(js)
    if not js.exists():
        raise BenchmarkMissingError(f"no data file {js}; build it with `{rebuild}`")
    try:
        meta = json.loads(js.read_bytes())  # bytes: a non-UTF-8 byte is a ValueError here, not later
        if not isinstance(meta, dict):
            raise TypeError(f"the top level is a {type(meta).__name__}, not an object")
        for key in ("sha256", META_KEY, *required):
            meta[key]  # noqa: B018 (must exist)
        if not isinstance(meta["sha256"], str) or not isinstance(meta[META_KEY], str):
            raise TypeError("the checksums are not strings")
        digest = meta_sha256(meta)
    except (ValueError, KeyError, TypeError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError...
        raise fail(js, f"is not valid metadata ({type(e).__name__}: {e})", rebuild) from e
    if digest != meta[META_KEY]:
        raise fail(js, f"does not match its own checksum {META_KEY!r} (corrupt or edited metadata)", rebuild)
    return meta


def load_checked(npz: Path, js: Path, rebuild: str, required: Iterable[str] = ()) -> tuple[dict, dict]:
    """(arrays, meta) of a .npz + .json pair after the checks every data file shares.

    Args:
        npz, js: the two files.
        rebuild: the command that rebuilds them (quoted in every error).
        required: keys the .json must have ("sha256" and META_KEY always count).

    Raises:
        BenchmarkMissingError: a file is missing (also a FileNotFoundError).
        BenchmarkError: the .json is not valid metadata or does not match its checksum, the .npz does not
            match the checksum in the .json or cannot be read.
    """
    npz, js = Path(npz), Path(js)
    if not npz.exists():
        raise BenchmarkMissingError(f"no data file {npz}; build it with `{rebuild}`")
    meta = read_meta(js, rebuild, required)
    if file_sha256(npz) != meta["sha256"]:
        raise fail(npz, "does not match the checksum in its .json (corrupt, truncated or edited)", rebuild)
    try:
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as e:  # BadZipFile, EOFError, ValueError...: all mean a broken file
        raise fail(npz, f"cannot be read ({type(e).__name__}: {e})", rebuild) from e
    return arrays, meta


def load_table(cls, npz: Path, rebuild: str, required: Iterable[str], check: Callable[[Path, dict, dict], None]):
    """`cls(arrays, meta, npz)` for the table `npz` (+ the .json beside it), after `load_checked` and after
    `check(npz, arrays, meta)`, the table's own checks; a missing key or a wrong type while checking or
    building is the `BenchmarkError` of `reading`."""
    npz = Path(npz)
    arrays, meta = load_checked(npz, npz.with_suffix(".json"), rebuild, required)
    with reading(npz, rebuild):
        check(npz, arrays, meta)
        return cls(arrays, meta, npz)


__all__ = ["BenchmarkError", "BenchmarkMissingError", "META_KEY", "fail", "file_sha256", "load_checked", "load_table",
           "meta_sha256", "read_meta", "reading", "seal", "write_meta"]
