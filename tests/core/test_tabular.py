"""naslab.tabular: the build loop and the checked loading both tables share (partial file, workers, checksums)."""

from __future__ import annotations

import functools
import hashlib
import json

import numpy as np
import pytest

from naslab.tabular import BenchmarkError, load_checked, read_partial, run_jobs

REBUILD = "python rebuild.py"


def square(offset: int, job: dict) -> dict:  # module level: picklable for the process pool
    return {"key": job["key"], "value": job["x"] ** 2 + offset}


def test_read_partial_keeps_finished_jobs_and_sessions_and_skips_a_cut_line(tmp_path):
    path = tmp_path / "t.partial.jsonl"
    assert read_partial(path) == ({}, [])  # no file yet: nothing done
    lines = [json.dumps({"key": "a", "v": 1}), json.dumps({"session": {"wall_seconds": 2.0}}),
             json.dumps([1, 2]), json.dumps({"no key": 1}), json.dumps({"key": "b", "v": 2}), '{"key": "c", "v']
    path.write_text("\n".join(lines))
    done, sessions = read_partial(path)
    assert done == {"a": {"key": "a", "v": 1}, "b": {"key": "b", "v": 2}}  # "c" was cut: redone
    assert sessions == [{"wall_seconds": 2.0}]


@pytest.mark.parametrize("workers", [1, 2])
def test_run_jobs_finishes_every_job_once_in_process_or_pool(workers):
    todo = [{"key": f"j{i}", "x": i} for i in range(5)]
    got = []
    run_jobs(functools.partial(square, 1), todo, got.append, workers)
    assert sorted((r["key"], r["value"]) for r in got) == [(f"j{i}", i * i + 1) for i in range(5)]


def _files(tmp_path, meta_extra=None, corrupt=False):
    npz, js = tmp_path / "t.npz", tmp_path / "t.json"
    np.savez_compressed(npz, a=np.arange(4.0))
    meta = {"sha256": hashlib.sha256(npz.read_bytes()).hexdigest(), "shapes": {"a": [4]}, **(meta_extra or {})}
    js.write_text(json.dumps(meta))
    if corrupt:
        data = bytearray(npz.read_bytes())
        data[len(data) // 2] ^= 0xFF
        npz.write_bytes(bytes(data))
    return npz, js


def test_load_checked_returns_the_arrays_and_refuses_broken_files(tmp_path):
    npz, js = _files(tmp_path)
    arrays, meta = load_checked(npz, js, REBUILD, required=("shapes",))
    np.testing.assert_array_equal(arrays["a"], np.arange(4.0))
    assert meta["shapes"] == {"a": [4]}
    with pytest.raises(BenchmarkError, match=r"is not valid benchmark metadata \(KeyError: 'epochs'\); "
                                             r"rebuild it with `python rebuild.py`"):
        load_checked(npz, js, REBUILD, required=("epochs",))
    npz, js = _files(tmp_path, corrupt=True)
    with pytest.raises(BenchmarkError, match="does not match the checksum"):
        load_checked(npz, js, REBUILD)
    npz.write_bytes(b"not a zip file")  # resealed: the checksum matches, the archive cannot be read
    js.write_text(json.dumps({"sha256": hashlib.sha256(npz.read_bytes()).hexdigest()}))
    with pytest.raises(BenchmarkError, match="cannot be read"):
        load_checked(npz, js, REBUILD)
    js.write_text("{not json")
    with pytest.raises(BenchmarkError, match="is not valid benchmark metadata"):
        load_checked(npz, js, REBUILD)
    with pytest.raises(FileNotFoundError, match=r"no benchmark file .*missing.npz; build it with `python rebuild.py`"):
        load_checked(tmp_path / "missing.npz", js, REBUILD)
