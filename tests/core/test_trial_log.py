"""naslab.trial_log and naslab.log_writer: a file that is not a trial log is never written; a log deleted or
replaced mid-run stops the search; the header's fingerprint refuses another search; one writer at a time
(two real processes)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import naslab
from naslab.trial import Trial, append_jsonl, load_jsonl, repair_jsonl, save_jsonl
from naslab.trial_log import TrialLogError

SPACE = {"x": naslab.Uniform(0.0, 1.0)}


def objective(config):
    return {"val_acc": config["x"], "acc": 1.0 - config["x"]}


def _search(path, budget=3, seed=0, obj=objective, searcher=None, **kw):
    searcher = searcher or naslab.RandomSearch(SPACE, seed=seed)
    return naslab.run_search(searcher, obj, budget, path=path, **kw)


NOT_LOGS = {  # name -> (content, why it is refused)
    "table.npz": (None, r"does not start with a JSON object but with b'PK\\x03\\x04"),
    "results.json": (json.dumps({"best": {"val_acc": 0.9}}, indent=2),
                     r"it is one JSON document \(a dict\), not one trial record per line"),
    "bad.jsonl": ('{"x": \n', r"line 1 is not JSON \(Expecting"),
    "one_line.json": ('{"best": 0.9}', "its only line has no newline and is not a trial record"),
    "blank.jsonl": ("\n  \n", "it holds only whitespace"),
    "table.csv": ("lr,acc\n0.1,0.9\n", r"does not start with a JSON object but with b'lr,acc"),
    "other.jsonl": ('{"lr": 0.1, "acc": 0.9}\n', r"line 1 is a JSON object without the trial keys \['config'"),
    "lists.jsonl": ('{"config": 1, "metrics": {}, "status": "ok"}\n[1, 2]\n', "line 2 is not a Trial record"),
}


@pytest.mark.parametrize("name", sorted(NOT_LOGS))
def test_a_file_that_is_not_a_trial_log_is_refused_and_left_byte_identical(tmp_path, name):
    path = tmp_path / name
    content, why = NOT_LOGS[name]
    if content is None:
        np.savez(path, a=np.arange(100))
    else:
        path.write_text(content)
    before = path.read_bytes()
    what = "damaged in the middle" if name == "lists.jsonl" else "is not a naslab trial log: "
    for call in (lambda: _search(path), lambda: append_jsonl(path, Trial(config={"x": 1})),
                 lambda: save_jsonl(path, []), lambda: load_jsonl(path)):
        with pytest.raises(ValueError, match=why) as err:
            call()
        assert str(path) in str(err.value) and what in str(err.value)
    if before.endswith(b"\n"):
        assert repair_jsonl(path) is None  # nothing to cut: not even read
    else:
        with pytest.raises(ValueError, match=why):
            repair_jsonl(path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == [name]  # no lock file, no .tmp left


def test_a_folder_is_not_a_trial_log(tmp_path):
    with pytest.raises(ValueError, match=f"{tmp_path} is not a naslab trial log: it is a folder"):
        _search(tmp_path)


def test_a_new_log_starts_with_the_fingerprint_and_an_empty_or_torn_first_line_is_a_new_log(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"")  # e.g. `touch s.jsonl`
    first = _search(path)
    header = json.loads(path.read_text().splitlines()[0])
    space = {"x": {"type": "Uniform", "low": 0.0, "high": 1.0}}
    assert header["fingerprint"] == {"searcher": "RandomSearch", "seed": 0, "metric": "val_acc",
                                     "objective": "objective", "space": space}
    assert [t.trial_id for t in load_jsonl(path)] == [0, 1, 2] and not (tmp_path / "s.jsonl.lock").exists()
    for torn in ('{"naslab_log": 1, "finger', '{"naslab_log": 1, "fingerprint": {"seed": 0}', '{"config": {"x": 0.5}'):
        path.write_text(torn)  # killed while writing the header (or append_jsonl's first record)
        with pytest.warns(RuntimeWarning, match="dropped an unterminated last line"):
            assert [t.config for t in _search(path)] == [t.config for t in first]
        lines = path.read_text().splitlines()
        assert len(lines) == 4 and json.loads(lines[0])["naslab_log"] == 1


def test_a_second_header_is_damage_not_a_second_search(tmp_path):
    path = tmp_path / "s.jsonl"
    _search(path, 2)
    header = path.read_text().splitlines()[0]
    path.write_text(path.read_text() + header + "\n")
    with pytest.raises(ValueError, match=r"line 4 is not a Trial record \(a second header"):
        _search(path, 4)


def test_a_log_without_a_header_still_resumes_unchecked(tmp_path):
    path = tmp_path / "old.jsonl"
    fresh = _search(None, 5)
    save_jsonl(path, fresh[:3])  # as naslab wrote logs before headers
    calls = []
    resumed = _search(path, 5, obj=lambda c: calls.append(c) or objective(c))  # another objective name: unchecked
    assert len(calls) == 2 and [t.metrics for t in resumed] == [t.metrics for t in fresh]
    assert '"naslab_log"' not in path.read_text() and len(load_jsonl(path)) == 5


@pytest.mark.parametrize("change, field", [
    (dict(seed=1), 'seed: 0 in the log, 1 now'),
    (dict(metric="acc"), 'metric: "val_acc" in the log, "acc" now'),
    (dict(obj=lambda c: objective(c)), 'objective: "objective" in the log, "<lambda>" now'),
    (dict(searcher=naslab.RandomSearch({"x": naslab.Uniform(0.0, 2.0)})),
     r'space.x.high: 1.0 in the log, 2.0 now'),
    (dict(searcher=type("MyRandom", (naslab.RandomSearch,), {})(SPACE)),
     'searcher: "RandomSearch" in the log, "MyRandom" now'),
])
def test_a_resume_by_another_search_is_refused_naming_the_difference(tmp_path, change, field):
    path = tmp_path / "s.jsonl"
    _search(path, 3)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=f"{path} was written by a different search: .*{field}.*"
                                         "pass fingerprint_mismatch='warn' to resume it anyway"):
        _search(path, 5, **change)
    assert path.read_bytes() == before and not (tmp_path / "s.jsonl.lock").exists()


def test_fingerprint_mismatch_warn_resumes_a_renamed_objective(tmp_path):
    path = tmp_path / "s.jsonl"
    first = _search(path, 3)

    def renamed(config):
        return objective(config)

    with pytest.warns(RuntimeWarning, match=r'objective: "objective" in the log, "\S*renamed" now; resuming it anyway'):
        resumed = _search(path, 5, obj=renamed, fingerprint_mismatch="warn")
    assert [t.info.get("resumed", False) for t in resumed] == [True] * 3 + [False] * 2
    assert [t.config for t in resumed[:3]] == [t.config for t in first]
    with pytest.raises(ValueError, match=r"fingerprint_mismatch='force' is unknown; allowed: \['error', 'warn'\]"):
        _search(path, 5, fingerprint_mismatch="force")


def test_a_log_deleted_replaced_or_written_to_mid_run_stops_the_search(tmp_path):
    path, other = tmp_path / "s.jsonl", tmp_path / "copy.jsonl"

    def run(action):
        n = []

        def obj(config):
            n.append(1)
            if len(n) == 3:
                action()
            return objective(config)
        return _search(path, 6, obj=obj)

    with pytest.raises(TrialLogError, match=f"{path} disappeared \\(deleted or moved\\) while this search was writing"):
        run(lambda: path.unlink())
    assert not path.exists() and not (tmp_path / "s.jsonl.lock").exists()  # never recreated without trials 0, 1

    def replace():
        other.write_bytes(path.read_bytes())
        os.replace(other, path)
    with pytest.raises(TrialLogError, match=f"{path} was replaced by another file while this search"):
        run(replace)
    path.unlink()
    with pytest.raises(TrialLogError, match=r"changed while this search was writing to it \(size \d+ bytes, this "):
        run(lambda: append_jsonl(path, Trial(config={"x": 0.5})))


def test_a_second_writer_in_this_process_is_refused_and_the_lock_is_released_on_every_exit(tmp_path):
    path = tmp_path / "s.jsonl"
    book = naslab.asktell.AskTellBook(naslab.RandomSearch(SPACE), 3, path)
    with pytest.raises(TrialLogError, match=f"{path} is being written by another search \\(process {os.getpid()} on "):
        _search(path)
    book.close()

    class Broken(naslab.RandomSearch):
        def ask(self):
            if self._asked == 2:
                raise RuntimeError("searcher bug")
            return super().ask()

    with pytest.raises(RuntimeError, match="searcher bug"):
        _search(path, 5, searcher=Broken(SPACE))

    def interrupt(config):
        raise KeyboardInterrupt
    assert len(_search(tmp_path / "i.jsonl", 5, obj=interrupt)) == 0
    assert sorted(os.listdir(tmp_path)) == ["i.jsonl", "s.jsonl"]  # no lock file left behind
    assert len(_search(path, 2, searcher=Broken(SPACE))) == 2  # the log is free again: its 2 trials replayed


WRITER = textwrap.dedent("""
    import sys, time
    import naslab
    def slow(config):
        time.sleep(0.02)
        return {"val_acc": config["x"]}
    naslab.run_search(naslab.RandomSearch({"x": naslab.Uniform(0.0, 1.0)}, seed=1), slow, int(sys.argv[2]),
                      path=sys.argv[1])
""")


def _writer(path, budget, **kw):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(budget)], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_a_second_process_is_refused_naming_the_holder_and_a_killed_holder_does_not_block(tmp_path):
    path, lock = tmp_path / "s.jsonl", tmp_path / "s.jsonl.lock"
    first = _writer(path, 100_000)
    try:
        deadline = time.time() + 120
        while not (path.exists() and path.read_text().count("\n") >= 3):  # the header and 2 trials
            assert first.poll() is None and time.time() < deadline, "the first writer ended or is too slow"
            time.sleep(0.1)
        assert lock.read_text().split()[0] == str(first.pid)
        second = _writer(path, 5)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 1
        assert f"TrialLogError: {path} is being written by another search (process {first.pid} on " in err
        assert first.poll() is None  # the first writer is not disturbed
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    assert lock.exists()  # a killed writer leaves its lock file, but the OS released the lock
    n = len(load_jsonl(path))
    third = _writer(path, n + 3)
    _, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert [t.trial_id for t in load_jsonl(path)] == list(range(n + 3)) and not lock.exists()
