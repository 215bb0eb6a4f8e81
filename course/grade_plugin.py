"""The pytest plugin of course/grade.py: it runs inside the test process of one assignment and appends
one JSON line per event to the file named by NASLAB_GRADE_LOG (a path in the grader's own temporary
folder, outside the submission), flushed at once, so the grader sees every result even when a test
hangs and the process is killed:

    {"event": "start"}                                    pytest is running (the grader itself works)
    {"event": "collected", "ids": [...]}                  the tests found
    {"event": "collect_error", "path": ..., "text": ...}  a test file that did not import
    {"event": "begin", "id": ...}                         a test starts (the watchdog times it)
    {"event": "result", "id": ..., "outcome": ..., "text": ...}

Loaded with `-p naslab_grade_plugin` from a copy the grader writes; never from the submission.
"""

from __future__ import annotations

import json
import os

_LOG = os.environ.get("NASLAB_GRADE_LOG")


def _write(**record) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


_BEFORE: set[int] = set()  # the plugins registered before any test module (and so any submitted code) ran
_CONFIG = []


def pytest_configure(config):
    _CONFIG.append(config)


def pytest_sessionstart(session):
    _write(event="start")


def pytest_collection(session):
    _BEFORE.update(id(p) for p in session.config.pluginmanager.get_plugins())


def _added_plugins() -> list[str]:
    """Plugins registered since collection began, the conftest.py modules of the instructor's copy aside:
    a submission reaching into the running pytest (a tripwire, not a sandbox)."""
    return [repr(p)[:80] for p in _CONFIG[0].pluginmanager.get_plugins() if id(p) not in _BEFORE and
            not (getattr(p, "__file__", None) or "").endswith("conftest.py")]


def pytest_collectreport(report):
    if report.failed:
        _write(event="collect_error", path=report.nodeid, text=str(report.longrepr)[-4000:])


def pytest_collection_finish(session):
    _write(event="collected", ids=[item.nodeid for item in session.items])


def pytest_runtest_logstart(nodeid, location):
    _write(event="begin", id=nodeid)


def pytest_runtest_logfinish(nodeid, location):
    added = _added_plugins()
    if added:
        _write(event="tampered", id=nodeid, text=f"the submission registered pytest plugins: {added}")


def pytest_runtest_logreport(report):
    if report.when == "call" or report.failed or (report.skipped and report.when == "setup"):
        outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
        text = "" if report.passed else str(report.longrepr)[-4000:]
        _write(event="result", id=report.nodeid, when=report.when, outcome=outcome, text=text)
