"""naslab.tabular: the checked loading every table shares (checksums over arrays and metadata, errors)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from naslab.tabular import (
    META_KEY,
    BenchmarkError,
    BenchmarkMissingError,
    fail,
    load_checked,
    load_table,
    meta_sha256,
    read_meta,
    reading,
    seal,
    write_meta,
)
from tests.helpers import edit_json

REBUILD = "python rebuild.py"


def _files(tmp_path, meta_extra=None):
    npz, js = tmp_path / "t.npz", tmp_path / "t.json"
    np.savez_compressed(npz, a=np.arange(4.0))
    write_meta(npz, js, {"shapes": {"a": [4]}, "cost": 1.5e-06, **(meta_extra or {})})
    return npz, js


def test_the_checksum_of_the_metadata_covers_every_field_and_the_arrays(tmp_path):
    npz, js = _files(tmp_path)
    meta = json.loads(js.read_text())
    assert meta["sha256"] == hashlib.sha256(npz.read_bytes()).hexdigest()  # the arrays, by the file's bytes
    body = {k: v for k, v in meta.items() if k != META_KEY}  # everything else, canonical JSON
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert meta[META_KEY] == hashlib.sha256(canonical.encode()).hexdigest() == meta_sha256(meta)
    assert meta_sha256({**meta, "shapes": {"a": [5]}}) != meta[META_KEY]
    assert meta_sha256({**meta, "sha256": "0" * 64}) != meta[META_KEY]  # so it covers the arrays too
    assert seal(npz, meta) == meta  # sealing again changes nothing
    assert read_meta(js, REBUILD, required=("shapes",)) == meta


def test_load_checked_returns_the_arrays_and_refuses_broken_files(tmp_path):
    npz, js = _files(tmp_path)
    arrays, meta = load_checked(npz, js, REBUILD, required=("shapes",))
    np.testing.assert_array_equal(arrays["a"], np.arange(4.0))
    assert meta["shapes"] == {"a": [4]}
    with pytest.raises(BenchmarkError, match=r"data file .*t.json is not valid metadata \(KeyError: 'epochs'\); "
                                             r"rebuild it with `python rebuild.py`"):
        load_checked(npz, js, REBUILD, required=("epochs",))
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(BenchmarkError, match=r"data file .*t.npz does not match the checksum in its .json"):
        load_checked(npz, js, REBUILD)
    npz.write_bytes(b"not a zip file")  # resealed: the checksum matches, the archive cannot be read
    write_meta(npz, js, {})
    with pytest.raises(BenchmarkError, match="cannot be read"):
        load_checked(npz, js, REBUILD)
    with pytest.raises(BenchmarkMissingError, match=r"no data file .*missing.npz; build it with `python rebuild.py`"):
        load_checked(tmp_path / "missing.npz", js, REBUILD)
    assert issubclass(BenchmarkMissingError, FileNotFoundError) and issubclass(BenchmarkError, ValueError)


@pytest.mark.parametrize("text, error", [
    ("{not json", "JSONDecodeError"), ('{"a": "\xe9"}'.encode("latin-1"), "UnicodeDecodeError"),
    ("[1, 2]", "TypeError: the top level is a list"),
    ('{"sha256": 1, "meta_sha256": "x"}', "TypeError: the checksums are not strings"),
    ('{"sha256": "x"}', "KeyError: 'meta_sha256'"), ('{"sha256": "x", "meta_sha256": "y", "v": NaN}', "ValueError"),
])
def test_bad_metadata_is_the_benchmark_error_naming_the_file(tmp_path, text, error):
    npz, js = _files(tmp_path)
    js.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(BenchmarkError, match=rf"data file .*t.json is not valid metadata \({error}.*; "
                                             rf"rebuild it with `python rebuild.py`$"):
        load_checked(npz, js, REBUILD)


@pytest.mark.parametrize("edit", [
    lambda m: m["shapes"].update(a=[5]), lambda m: m.update(cost=3e-06), lambda m: m.update(extra=1),
    lambda m: m.pop("cost"), lambda m: m.update(sha256="0" * 64), lambda m: m.update(meta_sha256="0" * 64),
])
def test_an_edited_field_is_refused(tmp_path, edit):
    npz, js = _files(tmp_path)
    edit_json(js, edit)
    with pytest.raises(BenchmarkError, match=r"t.json does not match its own checksum 'meta_sha256' \(corrupt or "
                                             r"edited metadata\); rebuild it with `python rebuild.py`"):
        load_checked(npz, js, REBUILD)


class _Table:
    def __init__(self, arrays, meta, path):
        self.arrays, self.meta, self.path = arrays, meta, path


def test_load_table_builds_the_class_after_its_checks_and_names_the_file_when_they_fail(tmp_path):
    npz, _ = _files(tmp_path)
    seen = []
    table = load_table(_Table, npz, REBUILD, required=("shapes",), check=lambda *a: seen.append(a[0]))
    assert seen == [npz] and table.path == npz and table.meta["cost"] == 1.5e-06
    np.testing.assert_array_equal(table.arrays["a"], np.arange(4.0))

    def missing_key(path, arrays, meta):
        return arrays["b"]

    with pytest.raises(BenchmarkError, match=r"t.npz does not hold what its loader expects \(KeyError: 'b'\); "
                                             r"rebuild it with `python rebuild.py`"):
        load_table(_Table, npz, REBUILD, required=(), check=missing_key)
    with pytest.raises(BenchmarkMissingError, match="no data file .*u.npz"):
        load_table(_Table, tmp_path / "u.npz", REBUILD, required=(), check=missing_key)


def test_reading_turns_lookup_errors_into_the_benchmark_error():
    with pytest.raises(BenchmarkError, match=r"data file x.npz does not hold what its loader expects "
                                             r"\(KeyError: 'seeds'\); rebuild it with `python rebuild.py`"):
        with reading("x.npz", REBUILD):
            {}["seeds"]  # noqa: B018
    with pytest.raises(BenchmarkError, match="^data file y.npz is odd; rebuild"):  # its own errors pass unchanged
        with reading("x.npz", REBUILD):
            raise fail("y.npz", "is odd", REBUILD)


# -- single-bit flips: the audit every data file of the course goes through --------------------------------


def _positions(raw: bytes, is_json: bool, n: int, rng) -> list[int]:
    """About n positions spread over every byte class: for JSON by character (whitespace, structure,
    digits, letters, the hex of the checksums, ...), for binary files by region (head, body, tail)."""
    if is_json:
        text = raw.decode("ascii")
        hexes = {i for key in ("sha256", META_KEY) for i in range(text.index(f'"{key}"') + len(key) + 5,
                                                                   text.index(f'"{key}"') + len(key) + 69)}
        def cls(i):
            c = text[i]
            return ("hex" if i in hexes else "space" if c in " \n" else "struct" if c in '{}[],:"' else
                    "digit" if c.isdigit() else "letter" if c.isalpha() else "other")
        groups = {}
        for i in range(len(text)):
            groups.setdefault(cls(i), []).append(i)
    else:
        m = len(raw)
        groups = {"head": list(range(min(64, m))), "tail": list(range(max(0, m - 64), m)),
                  **{f"body{k}": list(range(k * m // 8, (k + 1) * m // 8)) for k in range(8)}}
    per = max(1, n // len(groups))
    return sorted({int(i) for g in groups.values() for i in rng.choice(g, min(per, len(g)), replace=False)})


def same(a, b) -> bool:
    """Loaded contents equal: dicts / lists / tuples by item, arrays by dtype, shape and value (NaN = NaN)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return type(a) is type(b) and a == b


def _outcome(load, path, rebuild: str, base) -> str:
    """"caught" (a BenchmarkError naming `path` and the rebuild command), "harmless" (the same content as
    `base`) or what went wrong."""
    try:
        got = load()
    except BenchmarkError as e:
        return "caught" if str(path) in str(e) and f"`{rebuild}`" in str(e) else f"unnamed: {e}"
    except Exception as e:  # any other error is a finding
        return f"{type(e).__name__}: {e}"
    return "harmless" if same(got, base) else "silent: loaded different content"


def flip_audit(load, files, rebuild: str, n: int = 150, seed: int = 0) -> dict:
    """Flip one bit at a time at ~n positions of each file (every byte class) and load: each flip must be
    caught (a BenchmarkError naming that file and the rebuild command) or harmless (load() gives the same
    content as before). Returns {"caught": c, "harmless": h, "bad": [(file, position, bit, what), ...]}."""
    base, rng, out = load(), np.random.default_rng(seed), {"caught": 0, "harmless": 0, "bad": []}
    for path in files:
        raw = path.read_bytes()
        for i in _positions(raw, path.suffix == ".json", n, rng):
            bit = int(rng.integers(8))
            path.write_bytes(raw[:i] + bytes([raw[i] ^ (1 << bit)]) + raw[i + 1:])
            try:
                what = _outcome(load, path, rebuild, base)
            finally:
                path.write_bytes(raw)
            if what in ("caught", "harmless"):
                out[what] += 1
            else:
                out["bad"].append((path.name, i, bit, what))
    return out


def test_every_single_bit_flip_is_caught_or_harmless(tmp_path):
    npz, js = _files(tmp_path, {"seeds": [0, 1], "cells": [[0, 1, 2]], "note": "x"})
    got = flip_audit(lambda: load_checked(npz, js, REBUILD), [js, npz], REBUILD, n=150)
    assert got["bad"] == [] and got["caught"] + got["harmless"] >= 150
    assert got["caught"] > 100


def test_a_harmless_flip_loads_the_same_content(tmp_path):
    """'e' -> 'E' (bit 5) in a number's exponent: the same float, so the same metadata and digest."""
    npz, js = _files(tmp_path)
    before = load_checked(npz, js, REBUILD)
    raw = js.read_bytes()
    i = raw.index(b"1.5e-06") + 3
    js.write_bytes(raw[:i] + bytes([raw[i] ^ 0x20]) + raw[i + 1:])
    assert b"1.5E-06" in js.read_bytes() and same(load_checked(npz, js, REBUILD), before)
    assert _outcome(lambda: load_checked(npz, js, REBUILD), js, REBUILD, before) == "harmless"
