"""Grade the homework: run each assignment's tests against the files in homework/ and print a score.

    python course/grade.py            # every assignment (homework/hw*/)
    python course/grade.py --hw 3     # only homework 3
    make grade  /  make grade HW=3    # the same, from the Makefile

One point per test. An assignment's tests are its `test_*.py` files plus, where the folder exists, the
instructor's hidden tests in `hidden/` (left out of the student edition). A test that fails because a
function still raises NotImplementedError counts as "not implemented yet". Runs pytest in this process,
once for all assignments; exit status 0 only when every test passed.

This script does not import naslab (the tests do).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

HOMEWORK = Path(__file__).resolve().parents[1] / "homework"


class Tally:
    """A pytest plugin counting passed / failed / not-implemented tests per assignment folder."""

    def __init__(self, root: Path):
        self.root = root
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: {"passed": 0, "failed": 0, "todo": 0})
        self.failures: dict[str, list[str]] = defaultdict(list)

    def pytest_runtest_logreport(self, report):
        if report.when != "call" and not (report.failed or report.skipped):
            return
        if report.when != "call" and report.passed:
            return
        hw = report.nodeid.split("/")[0]
        c = self.counts[hw]
        if report.passed:
            c["passed"] += 1
        elif report.skipped and report.when == "call":
            c["failed"] += 1  # a skipped test earns no point
        elif report.failed:
            text = str(report.longrepr)
            if "NotImplementedError" in text:
                c["todo"] += 1
            else:
                c["failed"] += 1
                last = [ln for ln in text.splitlines() if ln.startswith("E ")][-1:] or [text.splitlines()[-1]]
                self.failures[hw].append(f"{report.nodeid.split('::')[-1]}: {last[0][2:].strip()[:160]}")


def assignments(root: Path, hw: int | None) -> list[Path]:
    found = sorted(p for p in root.glob("hw[0-9][0-9]*") if p.is_dir())
    if hw is not None:
        found = [p for p in found if int(re.match(r"hw(\d+)", p.name).group(1)) == hw]
        if not found:
            have = [int(re.match(r"hw(\d+)", p.name).group(1)) for p in sorted(root.glob("hw[0-9][0-9]*"))]
            raise SystemExit(f"no homework {hw} in {root}; available: {have}")
    return found


def grade(root: Path = HOMEWORK, hw: int | None = None, *, verbose: bool = False) -> dict[str, dict[str, int]]:
    """Run the tests, print one line per assignment and a total, and return the counts per folder."""
    folders = assignments(root, hw)
    tally = Tally(root)
    os.environ.setdefault("NASLAB_FAST", "1")
    args = [str(p) for p in folders] + ["-q", "-p", "no:cacheprovider", "--rootdir", str(root),
                                        "-o", "addopts=", "--no-header", "-o", "console_output_style=classic"]
    if not verbose:
        args += ["--tb=no", "-qq", "-rN"]
    pytest.main(args, plugins=[tally])
    total_p = total_n = 0
    print("\nscore per assignment (one point per test; hidden tests included where present)")
    for p in folders:
        c = tally.counts[p.name]
        n = c["passed"] + c["failed"] + c["todo"]
        total_p, total_n = total_p + c["passed"], total_n + n
        notes = [f"{c['todo']} not implemented yet"] * bool(c["todo"]) + [f"{c['failed']} failed"] * bool(c["failed"])
        print(f"  {p.name:<24} {c['passed']:>3} / {n:<3}  {', '.join(notes)}".rstrip())
        for f in tally.failures[p.name]:
            print(f"      failed: {f}")
    print(f"  {'total':<24} {total_p:>3} / {total_n}")
    return dict(tally.counts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Grade the homework (one point per test).")
    ap.add_argument("--hw", type=int, default=None, help="grade only this assignment (e.g. 3)")
    ap.add_argument("--root", default=str(HOMEWORK), help="the homework folder to grade")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the failing tests' tracebacks")
    args = ap.parse_args(argv)
    counts = grade(Path(args.root).resolve(), args.hw, verbose=args.verbose)
    return 0 if all(c["failed"] == 0 and c["todo"] == 0 for c in counts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
