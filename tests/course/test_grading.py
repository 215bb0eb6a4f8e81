"""course/grade.py cannot be forged and one broken submission costs only its own points.

Forgeries, each on the stubs of homework 01 (0 / 8 honestly): a conftest.py whose hook marks every test
passed (shown to forge a plain pytest run), overwritten test_*.py and hidden/, a pytest.ini, a
pyproject.toml and a sitecustomize.py, the same hook registered from my_searcher.py itself, a symbolic
link to the reference solution (the file or its folder), an import of it, a missing file. Breakage: a syntax
error in hw01 beside a correct hw03, a function that loops forever (even one that swallows every
exception), a module that hangs on import, a test that kills its process. Exit status: 0 when every
assignment was graded, 2 when the grader could not run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "course"))
import grade  # noqa: E402  (course/grade.py: a script folder, not a package)
import student  # noqa: E402

HW1 = ROOT / "homework" / "hw01_searcher"
FORGED_CONFTEST = """import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def _stubbed(src: Path, dest: Path) -> Path:
    """The student edition of one homework file (solutions replaced by NotImplementedError)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(student.strip_solutions(src.read_text(), lambda ls, i: student._homework_label(ls, i, src)))
    return dest


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


def _row(out: str, name: str) -> str:
    return re.search(rf"^\s+{name}\s+(\d+ / \d+.*)$", out, flags=re.M).group(1)


@pytest.fixture
def stub_hw01(tmp_path) -> Path:
    sub = tmp_path / "submission" / "hw01_searcher"
    _stubbed(HW1 / "my_searcher.py", sub / "my_searcher.py")
    return sub


def test_the_conftest_forgery_is_real_on_plain_pytest(stub_hw01, tmp_path):
    """The oracle for the next test: in a plain pytest run the 6-line conftest turns 0 into 8 passed."""
    for f in ["test_hw01.py"]:
        shutil.copy2(HW1 / f, stub_hw01 / f)
    shutil.copytree(HW1 / "hidden", stub_hw01 / "hidden")
    (stub_hw01 / "conftest.py").write_text(FORGED_CONFTEST)
    env = {**_env(), "PYTHONPATH": f"{stub_hw01}:{ROOT}", "NASLAB_FAST": "1"}
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(stub_hw01),
                        "-c", "/dev/null", str(stub_hw01)], capture_output=True, text=True, env=env, timeout=300)
    assert "8 passed" in r.stdout, r.stdout[-2000:]


def test_forged_conftest_config_and_tests_are_ignored(stub_hw01, tmp_path):
    (stub_hw01 / "conftest.py").write_text(FORGED_CONFTEST)
    (stub_hw01 / "test_hw01.py").write_text("".join(f"def test_free_{i}():\n    pass\n" for i in range(20)))
    (stub_hw01 / "hidden").mkdir()
    (stub_hw01 / "hidden" / "test_hw01_hidden.py").write_text("def test_every_choice_appears_within_two_rounds():"
                                                               "\n    pass\n")
    (stub_hw01 / "pytest.ini").write_text("[pytest]\naddopts = -p conftest\npython_files = *.py\n")
    (stub_hw01 / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-p conftest'\n")
    witness = tmp_path / "sitecustomize-ran"
    (stub_hw01 / "sitecustomize.py").write_text(f"open({str(witness)!r}, 'w').close()\n")
    s = grade.score(HW1, stub_hw01, timeout=60)
    names = sorted(t.split("::")[-1] for t in s.tests)
    assert (s.count("passed"), len(s.tests), s.count("todo")) == (0, 8, 8), s.tests
    assert "test_keys_types_and_bounds" in names and "test_every_int_gets_an_equal_share" in names
    assert not [n for n in names if n.startswith("test_free")] and not witness.exists()


def test_a_plugin_registered_from_the_submitted_code_scores_zero(stub_hw01):
    """The conftest forgery done from my_searcher.py itself, on the running pytest: the tripwire sees it."""
    with open(stub_hw01 / "my_searcher.py", "a") as f:
        f.write("\n\nimport gc\n\nimport pytest\n\n\nclass Forge:\n"
                "    @pytest.hookimpl(hookwrapper=True)\n    def pytest_runtest_makereport(self, item, call):\n"
                "        outcome = yield\n        outcome.get_result().outcome = 'passed'\n\n\n"
                "for o in gc.get_objects():\n    if type(o).__name__ == 'Config' and hasattr(o, 'pluginmanager'):\n"
                "        o.pluginmanager.register(Forge())\n        break\n")
    s = grade.score(HW1, stub_hw01)
    assert (s.count("passed"), len(s.tests)) == (0, 8), s.tests
    assert s.note.startswith("the submission registered pytest plugins: ['<my_searcher.Forge object"), s.note


def test_a_symlink_to_the_solution_or_a_missing_file_scores_zero(tmp_path):
    sub = tmp_path / "sub" / "hw01_searcher"
    sub.mkdir(parents=True)
    s = grade.score(HW1, sub)
    assert (s.count("passed"), len(s.tests)) == (0, 8) and "my_searcher.py is missing from the submission" in s.note
    (sub / "my_searcher.py").symlink_to(HW1 / "my_searcher.py")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "hw01_searcher").symlink_to(HW1)  # the whole assignment folder: a link to the instructor's
    for where in (sub, linked / "hw01_searcher"):
        s = grade.score(HW1, where)
        assert (s.count("passed"), len(s.tests)) == (0, 8) and s.note == \
            "my_searcher.py is a symbolic link (or in a linked folder): submit the file itself"
    (sub / "my_searcher.py").unlink()  # import the reference solution: only naslab is importable, not homework/
    (sub / "my_searcher.py").write_text("from homework.hw01_searcher.my_searcher import *  # noqa\n")
    s = grade.score(HW1, sub)
    assert (s.count("passed"), len(s.tests)) == (0, 8), s.tests
    assert {m for _, m in s.tests.values()} == \
        {"import failed: my_searcher.py line 1: ModuleNotFoundError: No module named 'homework'"}


def test_a_syntax_error_costs_only_its_own_assignment(tmp_path, capsys):
    sub = tmp_path / "homework"
    (sub / "hw01_searcher").mkdir(parents=True)
    (sub / "hw01_searcher" / "my_searcher.py").write_text("import numpy\n\ndef broken(:\n    pass\n")
    (sub / "hw03_proxy").mkdir()
    shutil.copy2(ROOT / "homework" / "hw03_proxy" / "my_proxy.py", sub / "hw03_proxy" / "my_proxy.py")
    code = grade.main(["--root", str(sub), "--tests", str(ROOT / "homework")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert _row(out, "hw01_searcher") == "0 / 8    8 not graded", out
    assert re.search(r"not graded: import failed: my_searcher.py line 3: SyntaxError: invalid syntax", out), out
    assert _row(out, "hw03_proxy") == "22 / 22", out
    assert "not graded: my_reinforce.py is missing from the submission" in out


@pytest.fixture
def loop_course(tmp_path) -> tuple[Path, Path]:
    """A one-assignment course: 4 tests of my_loop.py; the submission's `spin` never returns."""
    tests = tmp_path / "course" / "hw01_loop"
    tests.mkdir(parents=True)
    (tests / "my_loop.py").write_text("def spin():\n    return 1\n\ndef one():\n    return 1\n")
    (tests / "test_hw01.py").write_text(
        "import os\n\nfrom my_loop import one, spin\n\n\n"
        "def test_a():\n    assert one() == 1\n\n\n"
        "def test_spin():\n    assert spin() == 1\n\n\n"
        "def test_exit():\n    os._exit(7) if one() == 1 else None\n\n\n"
        "def test_z():\n    assert one() == 1\n")
    sub = tmp_path / "sub" / "hw01_loop"
    sub.mkdir(parents=True)
    return tests, sub


def test_an_infinite_loop_is_timed_out_and_the_other_tests_run(loop_course, capsys):
    tests, sub = loop_course
    # the loop even swallows the exception a signal-based timeout would raise
    (sub / "my_loop.py").write_text("def spin():\n    while True:\n        try:\n            pass\n"
                                    "        except BaseException:\n            pass\n\n\ndef one():\n    return 1\n")
    assert grade.main(["--root", str(sub.parent), "--tests", str(tests.parent), "--timeout", "3"]) == 0
    out = capsys.readouterr().out
    assert _row(out, "hw01_loop") == "2 / 4    1 failed, 1 timed out (limit 3 s per test)", out
    assert "timed out: test_spin: timed out after 3 s" in out
    assert "failed: test_exit: the test process ended during this test (exit code 7)" in out


def test_a_module_that_hangs_on_import_scores_zero(loop_course, capsys):
    tests, sub = loop_course
    (sub / "my_loop.py").write_text("while True:\n    pass\n")
    assert grade.main(["--root", str(sub.parent), "--tests", str(tests.parent), "--timeout", "3"]) == 0
    out = capsys.readouterr().out
    assert _row(out, "hw01_loop") == "0 / 4    4 not graded", out
    assert "not graded: timed out after 3 s while importing the assignment's files" in out


def test_expected_tests_are_read_from_the_instructors_files():
    found = grade.expected_tests(ROOT / "homework" / "hw03_proxy")
    assert found == {
        "hw03_proxy/test_hw03.py::test_ntk_of_a_linear_model_is_the_closed_form": 3,
        "hw03_proxy/test_hw03.py::test_condition_number_of_a_linear_model": 3,
        "hw03_proxy/test_hw03.py::test_plain_against_the_hand_derived_gradient": 3,
        "hw03_proxy/test_hw03.py::test_model_left_as_found": 3,
        "hw03_proxy/test_hw03.py::test_condition_needs_two_examples": 1,
        "hw03_proxy/hidden/test_hw03_hidden.py::test_mlp_against_torch_func": 2,
        "hw03_proxy/hidden/test_hw03_hidden.py::test_run_in_the_models_own_mode": 3,
        "hw03_proxy/hidden/test_hw03_hidden.py::test_unused_parameters_count_zero": 3,
        "hw03_proxy/hidden/test_hw03_hidden.py::test_a_singular_kernel_has_infinite_condition_number": 1,
    }
    assert sum(grade.expected_tests(ROOT / "homework" / "hw05_darts").values()) == 17  # parametrised cases counted


@pytest.mark.parametrize("args, says", [
    (["--hw", "99"], "no homework 99 in"),
    (["--tests", "/nonexistent/homework"], "no homework folder /nonexistent/homework"),
    (["--timeout", "0"], "--timeout 0 must be in (0, 600] seconds"),
])
def test_exit_status_2_when_the_grader_cannot_run(args, says, capsys):
    try:
        code = grade.main(args)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    assert code == 2 and says in capsys.readouterr().err
