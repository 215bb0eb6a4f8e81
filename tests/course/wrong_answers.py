"""What the homework wrong-answer tests share: loading a homework's test modules, and the three checks.

- `homework`: a homework folder with its public and hidden test modules, imported as the assignment imports them;

- `rejects`: a public check rejects a wrong answer with a message naming the slip;
- `hidden_only_rejects`: the public checks accept a wrong answer that a hidden test rejects by name;
- `hidden_tests_covered`: every hidden test function has such a wrong answer for each answer it grades, and
  the grader counts it as that many tests.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def homework(folder: str):
    """(folder path, public test module, hidden test module) of homework/<folder>, e.g. "hw07_signals".

    The folder and its hidden/ go on sys.path first: the tests import the student's module by its bare name
    (my_zico, ...) and the hidden file imports the public one, as they do when a student runs them."""
    hw = ROOT / "homework" / folder
    for p in (hw, hw / "hidden"):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
    n = folder[2:4]
    return hw, importlib.import_module(f"test_hw{n}"), importlib.import_module(f"test_hw{n}_hidden")


def rejects(check, wrong, says: str) -> None:
    with pytest.raises(AssertionError, match=re.escape(says)):
        check(wrong)


def hidden_only_rejects(public_checks, run_hidden, wrong, says: str) -> None:
    """`public_checks` (callables of the answer) accept `wrong`; `run_hidden()` rejects it with `says`."""
    for public_check in public_checks:
        public_check(wrong)  # accepted: the public tests do not see this slip
    with pytest.raises(AssertionError, match=re.escape(says)):
        run_hidden()


def hidden_tests_covered(hw: Path, hidden_file: str, hidden_tests: dict, hidden_only: list) -> None:
    """hidden_tests: {test function: (check it calls, [answer names])}; hidden_only: rows
    (label, name, wrong, check, says) of wrong answers only the hidden checks reject."""
    src = (hw / "hidden" / hidden_file).read_text()
    assert set(re.findall(r"^def (test_\w+)", src, flags=re.M)) == set(hidden_tests)
    sys.path.insert(0, str(ROOT / "course"))
    import grade  # course/grade.py: how many tests each hidden test function is

    counts = {k.split("::")[-1]: n for k, n in grade.expected_tests(hw).items() if "/hidden/" in k}
    for test, (check, names) in hidden_tests.items():
        assert counts[test] == len(names), (test, counts[test])
        assert f"{check}(" in src.split(f"def {test}(", 1)[1].split("\ndef ", 1)[0], (test, check)
        covered = {n for _, n, _, c, _ in hidden_only if c == check}
        assert covered == set(names), f"{test}: no hidden-only wrong answer for {set(names) - covered}"
