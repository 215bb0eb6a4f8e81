"""Crash-safe JSONL: a torn or unterminated last line is dropped (with a warning) before anything is
appended, a damaged line in the middle refuses clearly, and a process killed mid-write resumes cleanly."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import naslab
from naslab.trial import load_jsonl, repair_jsonl


def _objective(config):  # deterministic and cheap
    return {"val_acc": 1.0 - abs(config["x"] - 0.3)}


SPACE = {"x": naslab.Uniform(0.0, 1.0)}


def _search(path, budget, calls=None):
    def objective(config):
        if calls is not None:
            calls.append(config)
        return _objective(config)
    return naslab.run_search(naslab.RandomSearch(SPACE, seed=1), objective, budget, path=path)


def _strict_lines(path, header=True):
    """The trial records of a log, every line strict JSON; the first line is the search's header
    (`append_jsonl` alone writes none)."""
    text = path.read_text()
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    if header:
        assert records[0]["naslab_log"] == 1 and records[0]["fingerprint"]["seed"] == 1
    return records[header:]


@pytest.mark.parametrize("tail", ['{"config": {"x": 0.5}, "tri', "COMPLETE"])
def test_torn_or_unterminated_last_line_is_dropped_before_appending_and_resume_twice_works(tmp_path, tail):
    path = tmp_path / "s.jsonl"
    _search(path, 4)
    lines = path.read_text().splitlines()
    if tail == "COMPLETE":  # a whole record whose newline never reached the disk
        path.write_text("\n".join(lines) + "\n" + json.dumps(json.loads(lines[-1]) | {"trial_id": 4}))
    else:
        path.write_text("\n".join(lines) + "\n" + tail)
    calls = []
    with pytest.warns(RuntimeWarning, match="unterminated last line"):
        first = _search(path, 6, calls)
    assert len(calls) == 2  # trials 4 and 5: the dropped line is evaluated again, never glued to
    assert [d["trial_id"] for d in _strict_lines(path)] == list(range(6))
    calls2 = []
    second = _search(path, 8, calls2)  # the second resume: the one that used to fail
    assert len(calls2) == 2 and [t.trial_id for t in second] == list(range(8))
    assert [t.config for t in second[:6]] == [t.config for t in first]
    assert [t.config for t in second] == [t.config for t in _search(None, 8)]


def test_garbage_in_the_middle_refuses_clearly_and_is_not_repaired(tmp_path):
    path = tmp_path / "s.jsonl"
    _search(path, 4)
    lines = path.read_text().splitlines()
    lines[1] = "}{ garbage"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 2 is not a Trial record.*damaged in the middle"):
        _search(path, 6)
    assert path.read_text().splitlines()[1] == "}{ garbage"  # nothing was touched or appended
    assert repair_jsonl(path) is None  # terminated damage is not the repair's business


def test_load_skips_an_unterminated_last_line_with_a_warning(tmp_path):
    path = tmp_path / "s.jsonl"
    _search(path, 3)
    path.write_text(path.read_text() + '{"conf')
    with pytest.warns(RuntimeWarning, match="unterminated"):
        assert len(load_jsonl(path)) == 3
    with pytest.warns(RuntimeWarning, match="dropped"):
        assert repair_jsonl(path) == '{"conf'
    assert len(load_jsonl(path)) == 3 and path.read_text().endswith("\n")


def test_append_after_a_torn_line_never_writes_on_the_same_line(tmp_path):
    path = tmp_path / "s.jsonl"
    trials = _search(None, 2)
    naslab.append_jsonl(path, trials[0])
    path.write_text(path.read_text() + '{"torn')
    with pytest.warns(RuntimeWarning, match="dropped"):
        naslab.append_jsonl(path, trials[1])
    assert [d["trial_id"] for d in _strict_lines(path, header=False)] == [0, 1]


KILLER = textwrap.dedent("""
    import os, signal, sys
    import naslab, naslab.trial as T
    sys.path.insert(0, {tests!r})
    from test_jsonl_crash import _search
    real_write, n = os.write, [0]
    def write(fd, data):  # the 4th record (after the lock's PID and the header): half of it, then the kill
        n[0] += 1
        if n[0] == 6:
            real_write(fd, data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return real_write(fd, data)
    T.os.write = write
    _search({path!r}, 10)  # the same search (and objective) as the resume below
""")


def test_a_process_killed_in_the_middle_of_a_write_resumes_cleanly(tmp_path):
    path = tmp_path / "killed.jsonl"
    code = KILLER.format(tests=os.path.dirname(__file__), path=str(path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    text = path.read_text()
    assert text.count("\n") == 4 and not text.endswith("\n")  # the header, 3 whole records and a torn 4th
    assert text.startswith('{"naslab_log": 1') and os.path.exists(f"{path}.lock")  # a killed writer's lock file
    calls = []
    with pytest.warns(RuntimeWarning, match="unterminated last line"):
        resumed = _search(path, 6, calls)
    assert len(calls) == 3  # trials 3, 4, 5
    again = _search(path, 10)
    assert [d["trial_id"] for d in _strict_lines(path)] == list(range(10))
    assert [t.metrics for t in again] == [t.metrics for t in _search(None, 10)]
    assert [t.config for t in resumed] == [t.config for t in again[:6]]
