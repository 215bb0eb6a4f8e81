"""naslab.build_loop: the resumable build loop every table shares (partial file, config, workers, executors)."""

from __future__ import annotations

import functools
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from naslab.build_loop import end_cut_line, read_partial, resumable_build, run_jobs


def square(offset: int, job: dict) -> dict:  # module level: picklable for the process pool
    return {"key": job["key"], "value": job["x"] ** 2 + offset}


JOBS = [{"key": f"j{i}", "x": i} for i in range(6)]
CONFIG = {"name": "toy", "offset": 1}


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
    got = []
    run_jobs(functools.partial(square, 1), JOBS, got.append, workers)
    assert sorted((r["key"], r["value"]) for r in got) == [(f"j{i}", i * i + 1) for i in range(6)]


def test_run_jobs_on_any_executor_gives_the_same_records():
    got = []
    with ThreadPoolExecutor(3) as ex:
        run_jobs(functools.partial(square, 1), JOBS, got.append, executor=ex)
    assert sorted((r["key"], r["value"]) for r in got) == [(f"j{i}", i * i + 1) for i in range(6)]


def _build(tmp_path, **kw):
    return resumable_build(tmp_path / "toy.partial.jsonl", CONFIG, JOBS, functools.partial(square, 1),
                           progress=False, **kw)


def test_a_limited_build_resumes_to_the_records_of_one_run(tmp_path):
    done, sessions, complete = _build(tmp_path, limit=2)
    assert not complete and sorted(done) == ["j0", "j1"] and sessions[-1]["jobs"] == 2
    done, sessions, complete = _build(tmp_path)
    assert complete and len(sessions) == 2 and sessions[-1]["jobs"] == 4
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    whole, _, _ = _build(fresh)  # the same jobs in one go
    assert {k: r["value"] for k, r in done.items()} == {k: r["value"] for k, r in whole.items()}
    assert done["j0"]["config"] == CONFIG and done["j1"]["config"] is None  # the first record holds the config


def test_a_line_cut_by_a_crash_is_ended_before_the_next_record(tmp_path):
    path = tmp_path / "toy.partial.jsonl"
    _build(tmp_path, limit=1)
    path.write_text(path.read_text() + '{"key": "j1", "val')  # a crash mid-write
    done, _, complete = _build(tmp_path)
    assert complete and sorted(done) == [f"j{i}" for i in range(6)]
    assert read_partial(path)[0].keys() == done.keys()  # nothing glued onto the cut line and lost
    end_cut_line(path)
    assert path.read_text().endswith("\n")


def test_a_resume_with_another_config_is_refused(tmp_path):
    _build(tmp_path, limit=1)
    with pytest.raises(ValueError, match="was started with another config; delete it to start over"):
        resumable_build(tmp_path / "toy.partial.jsonl", {**CONFIG, "offset": 2}, JOBS,
                        functools.partial(square, 2), progress=False)


def test_the_session_record_names_the_executor_and_extra_fields(tmp_path):
    with ThreadPoolExecutor(2) as ex:
        _, sessions, complete = _build(tmp_path, executor=ex, session={"device": "cpu"})
    assert complete and sessions[-1]["workers"] == "ThreadPoolExecutor" and sessions[-1]["device"] == "cpu"
    assert sessions[-1]["load_min"] <= sessions[-1]["load_mean"] <= sessions[-1]["load_max"]
