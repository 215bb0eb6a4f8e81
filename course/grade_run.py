"""One assignment of course/grade.py, run where the files a submission brings cannot change the grading.

`run(tests, submission, timeout)` copies the instructor's assignment folder `tests` into a fresh temporary
folder, adds only the files the assignment names (its `my_*.py`, `RESULTS.md`) from `submission`, and
runs pytest there in a separate process: plugin autoloading off, the grader's own `pytest.ini` (`-c`)
and `--rootdir`, a `PYTHONPATH` of the assignment's copy and this repository's naslab (not its
homework/, whose reference solutions a submission could otherwise import), and the plugin
course/grade_plugin.py logging each event to a file of the grader's. A watchdog kills the process when
no event came for `timeout` seconds (a test, or an import, that hangs), records that test as timed out,
and runs the remaining tests in a fresh process; a test that ends its process (os._exit) is recorded as
failed the same way. The submitted code itself runs in that process: see course/grade.py on its limits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PLUGIN = "naslab_grade_plugin"
TAMPERED = "*tampered*"  # the key of errors when the run saw the submission register a pytest plugin
INI = "[pytest]\naddopts =\npython_files = test_*.py\nconsole_output_style = classic\n"


class GraderError(RuntimeError):
    """The grader itself could not run (exit status 2), as opposed to a submission scoring 0."""


def submitted_names(folder: Path) -> list[str]:
    """The files an assignment takes from a submission: its my_*.py and RESULTS.md."""
    return sorted(p.name for p in folder.glob("my_*.py")) + ["RESULTS.md"]


def stage(tests: Path, submission: Path, dest: Path) -> str:
    """Copy the instructor's folder `tests` into `dest` without its submitted files, then the submitted
    files from `submission`; return why the assignment cannot be graded ('' when it can)."""
    names = submitted_names(tests)
    shutil.copytree(tests, dest, ignore=lambda d, fs: [f for f in fs if f == "__pycache__" or
                                                       (Path(d) == tests and f in names)])
    for name in names:
        src = submission / name
        if src.is_symlink() or (src.exists() and src.resolve() != submission.parent.resolve() / submission.name / name):
            return f"{name} is a symbolic link (or in a linked folder): submit the file itself"
        if not src.is_file():
            if name.endswith(".py"):
                return f"{name} is missing from the submission ({src})"
            continue
        (dest / name).write_bytes(src.read_bytes())
    return ""


def _child_env(run_dir: Path, folder: Path, log: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k not in ("PYTHONPATH",
                                                                                           "PYTHONSTARTUP")}
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONDONTWRITEBYTECODE="1", NASLAB_GRADE_LOG=str(log),
               PYTHONPATH=os.pathsep.join([str(folder), str(run_dir / "_grader")]))
    env.setdefault("NASLAB_FAST", "1")
    return env


def _pytest_once(run_dir: Path, targets: list[str], env: dict, timeout: float) -> tuple[list[dict], int | None]:
    """Run pytest on `targets`; return its log records and its exit code (None: killed after `timeout`
    seconds without a new record, i.e. a test or an import that hangs)."""
    log = Path(env["NASLAB_GRADE_LOG"])
    log.write_text("")
    cmd = [sys.executable, "-m", "pytest", "-c", str(run_dir / "pytest.ini"), "--rootdir", str(run_dir),
           "-p", "no:cacheprovider", "-p", PLUGIN, "--continue-on-collection-errors", "-q", "--no-header",
           "--tb=short", *targets]
    with open(run_dir / "_grader" / "pytest-output.txt", "ab") as out:
        proc = subprocess.Popen(cmd, cwd=run_dir, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    size, last = 0, time.monotonic()
    while proc.poll() is None:
        time.sleep(0.05)
        now_size = log.stat().st_size
        if now_size != size:
            size, last = now_size, time.monotonic()
        elif time.monotonic() - last > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return _records(log), None
    return _records(log), proc.returncode


def _records(log: Path) -> list[dict]:
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by a kill
            pass
    return out


def _message(text: str, run_dir: Path) -> str:
    """The last `E ` line of a pytest report, with the submitted file and line it names, if any."""
    last = [ln for ln in text.splitlines() if ln.startswith("E ")][-1:] or text.strip().splitlines()[-1:] or [""]
    msg = last[0][2:].strip() if last[0].startswith("E ") else last[0].strip()
    places = re.findall(r"(my_\w+\.py)\"?(?:, line |:)(\d+)", text)
    return (f"{places[-1][0]} line {places[-1][1]}: {msg}" if places else msg)[:200]


def run_assignment(run_dir: Path, name: str, timeout: float) -> tuple[dict, dict, list]:
    """Run the tests of run_dir/name; return ({test id: (outcome, message)}, {test file: import error},
    [test ids collected]). Raises GraderError when pytest does not start at all."""
    grader = run_dir / "_grader"
    env = _child_env(run_dir, run_dir / name, grader / "log.jsonl")
    results: dict[str, tuple[str, str]] = {}
    errors: dict[str, str] = {}
    collected: list[str] = []
    targets = [name]
    while targets:
        records, code = _pytest_once(run_dir, targets, env, timeout)
        if not any(r["event"] == "start" for r in records):
            tail = (grader / "pytest-output.txt").read_text(errors="replace")[-1500:]
            raise GraderError(f"pytest did not start for {name} (exit code {code}):\n{tail}")
        if code == 4:
            raise GraderError(f"pytest refused the grader's arguments for {name}: {targets}")
        running = None
        for r in records:
            if r["event"] == "collected" and not collected:
                collected = r["ids"]
            elif r["event"] == "collect_error":
                errors[r["path"]] = f"import failed: {_message(r['text'], run_dir)}"
            elif r["event"] == "tampered":
                errors[TAMPERED] = r["text"]
            elif r["event"] == "begin":
                running = r["id"]
            elif r["event"] == "result":
                running = None
                if results.get(r["id"], ("passed",))[0] == "passed":  # the first failure of a test stays
                    todo = r["outcome"] == "failed" and "NotImplementedError" in r["text"]
                    outcome = "todo" if todo else r["outcome"] if r["outcome"] != "skipped" else "failed"
                    results[r["id"]] = (outcome, "" if outcome == "passed" else _message(r["text"], run_dir))
        if code is None and running is None and not collected:
            errors[name] = f"timed out after {timeout:g} s while importing the assignment's files"
            break
        if running is not None:  # killed (a hang) or the process ended during this test
            results[running] = ("timeout", f"timed out after {timeout:g} s") if code is None else \
                ("failed", f"the test process ended during this test (exit code {code})")
        elif code is not None:
            break  # a normal end: tests not run by now never will be
        targets = [t for t in collected if t not in results]
    return results, errors, collected


def run(tests: Path, submission: Path, timeout: float, verbose: bool = False) -> tuple[str, dict, dict, list]:
    """(why it cannot be graded or '', {test id: (outcome, message)}, {test file: import error}, [ids run])."""
    with tempfile.TemporaryDirectory(prefix=f"naslab-grade-{tests.name}-") as tmp:
        run_dir = Path(tmp)
        (run_dir / "_grader").mkdir()
        shutil.copy2(HERE / "grade_plugin.py", run_dir / "_grader" / f"{PLUGIN}.py")
        if (REPO / "naslab").is_dir():  # this repository's naslab, and nothing else of it (not homework/)
            (run_dir / "_grader" / "naslab").symlink_to(REPO / "naslab", target_is_directory=True)
        (run_dir / "pytest.ini").write_text(INI)
        note = stage(tests, submission, run_dir / tests.name)
        results, errors, collected = ({}, {}, []) if note else run_assignment(run_dir, tests.name, timeout)
        output = run_dir / "_grader" / "pytest-output.txt"
        if verbose and output.exists():
            print(output.read_text(errors="replace"))
    return note, results, errors, collected
