"""Grade the homework: run each assignment's tests against a submission's files and print a score.

    python course/grade.py                              # the files in homework/ (every assignment)
    python course/grade.py --hw 3                       # only homework 3
    python course/grade.py --root their/homework        # a student's submission, against YOUR tests
    make grade  /  make grade HW=3                      # the same, from the Makefile

One point per test. An assignment's tests are the `test_*.py` files of its folder in `--tests` (default:
the homework/ beside this script) plus, where the folder exists, the instructor's hidden tests in
`hidden/` (left out of the student edition).

What a submission can and cannot change:
* Only the files the assignment names are taken from it: its `my_*.py` (the names in the `--tests`
  folder) and `RESULTS.md`. They are copied into a fresh temporary copy of the instructor's folder, so
  a `conftest.py`, `pytest.ini`, `sitecustomize.py`, `test_*.py` or `hidden/` in the submission is never
  seen. A named file that is missing or a symbolic link scores 0 with that reason.
* Each assignment runs in its own pytest process, with plugin autoloading off, the grader's own
  config (`-c`) and `PYTHONPATH`, and the grader's plugin (course/grade_plugin.py) logging each result
  to a file outside the submission. The number of tests is read from the instructor's test files
  (their `def test_*` and literal `parametrize` lists), not from what the run reports.
* Every test has a time limit (`--timeout`, default 60 s): a test that takes longer is killed with its
  process, reported as "timed out after 60 s", and the remaining tests run in a fresh process. An
  assignment whose `my_*.py` does not import scores 0 with the error and the file named; the others are
  graded as usual.
* The submission's own code still runs inside that pytest process, with the grader's rights. A
  tripwire scores 0 a submission that registers a pytest plugin from its code (the in-process form of
  the conftest forgery), but code that sets out to patch pytest or the grader can: to grade untrusted
  code, run this script inside a container or as a separate user, and read the code.

A test that fails because a function still raises NotImplementedError counts as "not implemented yet".
Exit status: 0 when every assignment was graded (whatever the points), 2 when the grader itself could
not run (no pytest, no such assignment, a folder it cannot read). This script does not import naslab.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import grade_run  # course/grade_run.py: one assignment in a fresh copy and a watched process
from grade_run import GraderError

HOMEWORK = grade_run.REPO / "homework"
TIME_LIMIT = 60  # seconds per test


@dataclass
class Score:
    """One assignment: each test's outcome ('passed', 'todo', 'failed', 'timeout', 'error': not graded)
    and its message."""

    name: str
    tests: dict[str, tuple[str, str]] = field(default_factory=dict)
    note: str = ""  # why the whole assignment scored 0 without running (a missing file, a symbolic link)

    def count(self, outcome: str) -> int:
        return sum(o == outcome for o, _ in self.tests.values())


def assignments(root: Path, hw: int | None) -> list[Path]:
    if not root.is_dir():
        raise GraderError(f"no homework folder {root}")
    found = sorted(p for p in root.glob("hw[0-9][0-9]*") if p.is_dir())
    if hw is not None:
        found = [p for p in found if int(re.match(r"hw(\d+)", p.name).group(1)) == hw]
        if not found:
            have = [int(re.match(r"hw(\d+)", p.name).group(1)) for p in sorted(root.glob("hw[0-9][0-9]*"))]
            raise GraderError(f"no homework {hw} in {root}; available: {have}")
    if not found:
        raise GraderError(f"no assignment folders (hwNN_*) in {root}")
    return found


# -- how many tests: read from the instructor's files, never from the run ----------------------------

def _multiplier(dec: ast.expr) -> int | None:
    """How many tests a decorator makes of one function: len(argvalues) for a literal parametrize, 1 for
    any other decorator, None when the count cannot be read without running the code."""
    if not (isinstance(dec, ast.Call) and ast.unparse(dec.func).endswith("mark.parametrize")):
        return 1
    values = dec.args[1] if len(dec.args) > 1 else next((k.value for k in dec.keywords if k.arg == "argvalues"), None)
    if isinstance(values, (ast.List, ast.Tuple, ast.Set)):
        return len(values.elts)
    if isinstance(values, ast.Call) and ast.unparse(values.func) == "range" and not values.keywords \
            and all(isinstance(a, ast.Constant) and type(a.value) is int for a in values.args):
        return len(range(*(a.value for a in values.args)))
    return None


def _product(decorators) -> int | None:
    n = 1
    for dec in decorators:
        m = _multiplier(dec)
        if m is None:
            return None
        n *= m
    return n


def expected_tests(folder: Path) -> dict[str, int | None]:
    """'hwNN_x/test_f.py::test_name' (or '::Class::test_name') -> number of tests (None: read from the run)."""
    found: dict[str, int | None] = {}
    for path in sorted(folder.rglob("test_*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = f"{folder.name}/{path.relative_to(folder).as_posix()}"
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as e:
            raise GraderError(f"the instructor's test file {path} does not parse: {e}") from e
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                found[f"{rel}::{node.name}"] = _product(node.decorator_list)
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                outer = _product(node.decorator_list)
                for f in node.body:
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name.startswith("test"):
                        inner = _product(f.decorator_list)
                        found[f"{rel}::{node.name}::{f.name}"] = None if None in (outer, inner) else outer * inner
    return found


def score(tests: Path, submission: Path, timeout: float = TIME_LIMIT, verbose: bool = False) -> Score:
    """Grade one assignment: the instructor's folder `tests` with the named files of `submission`."""
    s = Score(tests.name)
    expected = expected_tests(tests)
    s.note, results, errors, collected = grade_run.run(tests, submission, timeout, verbose)
    s.note = s.note or errors.get(grade_run.TAMPERED, "")  # a submission that reached into pytest: 0
    for key, n in expected.items():
        ran = [t for t in collected if t.split("[")[0] == key]
        n = n if n is not None else max(1, len(ran))
        passed = [] if s.note else [t for t in ran if results.get(t, ("",))[0] == "passed"][:n]
        rest = [t for t in ran if t not in passed] + [f"{key}#{i}" for i in range(n - len(ran))]
        why = s.note or errors.get(key.split("::")[0]) or errors.get(tests.name) or "did not run"
        for t in passed:
            s.tests[t] = results[t]
        for t in rest[:n - len(passed)]:
            s.tests[t] = ("error", s.note) if s.note else results.get(t) or ("error", why)
    return s


def print_row(s: Score, timeout: float) -> None:
    n, c = len(s.tests), {o: s.count(o) for o in ("passed", "todo", "failed", "timeout", "error")}
    notes = [f"{c['todo']} not implemented yet"] * bool(c["todo"]) + [f"{c['failed']} failed"] * bool(c["failed"]) \
        + [f"{c['timeout']} timed out (limit {timeout:g} s per test)"] * bool(c["timeout"]) \
        + [f"{c['error']} not graded"] * bool(c["error"])
    print(f"  {s.name:<24} {c['passed']:>3} / {n:<3}  {', '.join(notes)}".rstrip(), flush=True)
    for message in dict.fromkeys(m for o, m in s.tests.values() if o == "error"):
        print(f"      not graded: {message}")
    for test, (outcome, message) in s.tests.items():
        if outcome in ("failed", "timeout"):
            print(f"      {'timed out' if outcome == 'timeout' else 'failed'}: {test.split('::')[-1]}: {message}")


def grade(root: Path = HOMEWORK, hw: int | None = None, *, tests: Path = HOMEWORK, timeout: float = TIME_LIMIT,
          verbose: bool = False) -> dict[str, Score]:
    """Grade each assignment of `tests` with the files of `root`; print one line per assignment and a total."""
    if subprocess.run([sys.executable, "-c", "import pytest"], capture_output=True).returncode:
        raise GraderError(f"pytest is not installed for {sys.executable}: pip install pytest")
    folders = assignments(tests, hw)
    print(f"score per assignment (one point per test; hidden tests included where present; "
          f"time limit {timeout:g} s per test)", flush=True)
    scores = {}
    for folder in folders:
        scores[folder.name] = s = score(folder, root / folder.name, timeout, verbose)
        print_row(s, timeout)
    total_p = sum(s.count("passed") for s in scores.values())
    print(f"  {'total':<24} {total_p:>3} / {sum(len(s.tests) for s in scores.values())}")
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Grade the homework (one point per test).")
    ap.add_argument("--hw", type=int, default=None, help="grade only this assignment (e.g. 3)")
    ap.add_argument("--root", default=str(HOMEWORK), help="the submission: a homework folder (hwNN_*/my_*.py)")
    ap.add_argument("--tests", default=str(HOMEWORK), help="the instructor's homework folder whose tests run")
    ap.add_argument("--timeout", type=float, default=TIME_LIMIT, help=f"seconds per test (default {TIME_LIMIT})")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print pytest's output (tracebacks)")
    args = ap.parse_args(argv)
    if not 0 < args.timeout <= 600:
        ap.error(f"--timeout {args.timeout:g} must be in (0, 600] seconds")
    try:
        grade(Path(args.root).resolve(), args.hw, tests=Path(args.tests).resolve(), timeout=args.timeout,
              verbose=args.verbose)
    except GraderError as e:
        print(f"grade.py: the grader could not run: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
