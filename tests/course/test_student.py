"""The student edition (`make student`, course/student.py): it builds from the git-tracked files alone, no
solution line survives (line by line against the marked sources), hidden tests stay out, the
homework stubs grade to zero with "not implemented yet", and every student notebook runs top to
bottom in FAST mode, each unsolved exercise printing "Exercise N: not implemented yet".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "course"))
import student  # noqa: E402  (course/student.py: a script folder, not a package)

SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
HOMEWORK = sorted((ROOT / "homework").glob("hw[0-9][0-9]*/my_*.py"))


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    """Build from this checkout: course/student.py reads only the git-tracked files (what a fresh clone has)."""
    out = tmp_path_factory.mktemp("handout") / "student"
    zip_path = student.build(out, root=ROOT)
    assert zip_path == out.with_suffix(".zip") and zip_path.exists()
    return out


def _solution_lines(text: str) -> tuple[Counter, Counter]:
    """(lines inside solution regions, lines outside them), stripped, blank and marker lines dropped."""
    lines = text.splitlines()
    inside = set()
    for b, e in student.solution_regions(lines):
        inside.update(range(b + 1, e))
    sol = Counter(ln.strip() for i, ln in enumerate(lines) if i in inside and ln.strip())
    rest = Counter(ln.strip() for i, ln in enumerate(lines) if i not in inside and ln.strip())
    return sol, rest


def _assert_no_solution_survives(source: Path, student_lines: list[str]):
    sol, rest = _solution_lines(source.read_text())
    assert sol, f"{source.name} marks no solution (# BEGIN SOLUTION / # END SOLUTION)"
    have = Counter(ln.strip() for ln in student_lines if ln.strip())
    leaked = [ln for ln in sol if have[ln] > rest[ln]]  # more copies than the unmarked source holds
    assert not leaked, f"{source.name}: solution lines in the handout: {leaked[:5]}"


def test_handout_file_list(handout):
    names = {p.relative_to(handout).as_posix() for p in handout.rglob("*") if p.is_file()}
    for nb in SOURCES:
        assert f"notebooks/{nb.stem}.ipynb" in names
    for hw in HOMEWORK:
        assert hw.relative_to(ROOT).as_posix() in names
    for must in ("README.md", "Makefile", "course/grade.py", "course/grade_run.py", "course/grade_plugin.py",
                 "pyproject.toml", "naslab/__init__.py",
                 "homework/README.md", "data/bench/mnist1d_macro128.npz"):
        assert must in names, f"{must} missing from the handout"
    assert not [n for n in names if "/hidden/" in n or "_reference" in n], "hidden tests leaked"
    assert not [n for n in names if n.startswith(("tests/", "course/student.py", "build/"))]
    zipped = {n.split("/", 1)[1] for n in zipfile.ZipFile(handout.with_suffix(".zip")).namelist()}
    assert zipped == names - {student.MARKER}


def test_no_marker_and_no_solution_line_survives(handout):
    for src in SOURCES:
        nb = nbformat.read(handout / "notebooks" / f"{src.stem}.ipynb", as_version=4)
        lines = [ln for c in nb.cells for ln in c.source.splitlines()]
        assert not [ln for ln in lines if "BEGIN SOLUTION" in ln or "END SOLUTION" in ln]
        assert not [ln for ln in lines if ln.startswith("# Exercise") and "worked answer" in ln], \
            f"{src.stem}: the handout's exercise cell says it holds a worked answer"
        _assert_no_solution_survives(src, lines)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs in the handout"
    for src in HOMEWORK:
        text = (handout / src.relative_to(ROOT)).read_text()
        assert "BEGIN SOLUTION" not in text
        _assert_no_solution_survives(src, text.splitlines())


def test_stubs_name_their_exercise():
    text = "x = 1\n# %%\n# Exercise 4: widen a layer (worked answer)\ndef f(a):\n    # BEGIN SOLUTION\n" \
           "    return a\n    # END SOLUTION\n"
    out = student.strip_solutions(text, student._notebook_label)
    assert '    raise NotImplementedError("Exercise 4: widen a layer")' in out and "return a" not in out
    hw = student.strip_solutions("class S:\n    def ask(self):\n        # BEGIN SOLUTION\n        return 1\n"
                                 "        # END SOLUTION\n",
                                 lambda ls, i: student._homework_label(ls, i, Path("hw07_x/my_x.py")))
    assert 'raise NotImplementedError("HW7 · S.ask")' in hw


def test_the_handout_never_says_the_cell_holds_a_worked_answer():
    text = "# Exercise 1: mutation (worked answer)\n# Exercise 3: own (worked answer: random search)\n" \
           "# Exercise 2: keep (an aside)\n"
    want = "# Exercise 1: mutation\n# Exercise 3: own\n# Exercise 2: keep (an aside)\n"
    assert student.WORKED.sub(r"\1", text) == want


@pytest.mark.parametrize("text, where", [
    ("# BEGIN SOLUTION\nx = 1\n", "line 1: BEGIN SOLUTION is never closed"),
    ("x = 1\n# END SOLUTION\n", "line 2: END SOLUTION without a BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
     "line 2: BEGIN SOLUTION inside the region opened at line 1"),
])
def test_unbalanced_markers_are_refused_with_the_line(text, where):
    with pytest.raises(student.MarkerError, match=re.escape(where)):
        student.solution_regions(text.splitlines(), "f.py")


def test_untouched_stubs_grade_to_zero(handout):
    """`make grade` in the handout, as a student runs it (the venv's install step skipped: this python has
    the packages): every assignment 0 points, "not implemented yet", exit 0, no warning, no make error."""
    assert '"pytest-timeout>=2.2"' in (handout / "Makefile").read_text()  # the handout's pytest honours timeouts
    r = subprocess.run(["make", "-o", ".venv/.naslab-installed", "grade", f"PY={sys.executable}"],
                       capture_output=True, text=True, cwd=handout, env={**_env(), "NASLAB_FAST": "1"}, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Error" not in r.stderr and "Warning" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert "time limit 60 s per test" in r.stdout
    rows = dict(re.findall(r"^\s+(hw\d\d_\w+)\s+(\d+ / \d+.*)$", r.stdout, flags=re.M))
    assert sorted(rows) == sorted(p.parent.name for p in HOMEWORK), r.stdout
    for name, row in rows.items():
        passed, total = map(int, re.match(r"(\d+) / (\d+)", row).groups())
        assert passed == 0 and total > 0 and row.endswith(f"{total} not implemented yet"), f"{name}: {row}"


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def _exercise_count(source: Path) -> int:
    return len(set(re.findall(r"^# Exercise (\d+)\b", source.read_text(), flags=re.M)))


@pytest.fixture(scope="module")
def executed(handout, tmp_path_factory) -> Path:
    """Every student notebook executed once in FAST mode (nbclient), saved with its outputs; a notebook
    that raised is saved as far as it got, with the error in its outputs."""
    sys.path.insert(0, str(ROOT / "course"))
    import book

    out = tmp_path_factory.mktemp("executed")
    env = book.static_env(tmp_path_factory.mktemp("ipython"))  # as in the site build: no progress bars
    with pytest.MonkeyPatch.context() as mp:
        for k in ("IPYTHONDIR", "OMP_NUM_THREADS"):
            mp.setenv(k, env[k])
        mp.setenv("NASLAB_FAST", "1")  # the kernels inherit it
        for src in SOURCES:
            path = handout / "notebooks" / f"{src.stem}.ipynb"
            nb = nbformat.read(path, as_version=4)
            try:
                NotebookClient(nb, timeout=180, kernel_name="python3",
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            except Exception as e:  # CellExecutionError and timeouts: the test of that notebook reports it
                nb.metadata["naslab_error"] = f"{type(e).__name__}: {str(e)[-1500:]}"
            nbformat.write(nb, out / path.name)
    return out


@pytest.mark.timeout(900)
@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_student_notebook_runs_and_says_not_implemented(executed, src):
    nb = nbformat.read(executed / f"{src.stem}.ipynb", as_version=4)
    assert "naslab_error" not in nb.metadata, nb.metadata.get("naslab_error")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "a code cell did not run"
    assert all(o.output_type != "error" for c in code for o in c.outputs)
    text = "\n".join(o.get("text", "") if o.output_type == "stream" else json.dumps(o.get("data", {}))
                     for c in code for o in c.outputs)
    said = set(re.findall(r"Exercise (\d+)\b[^\n:]*: not implemented yet", text))
    assert said == {str(n) for n in range(1, _exercise_count(src) + 1)}, \
        f"{src.stem}: 'not implemented yet' printed for exercises {sorted(said)}"
    assert not re.search(r"exercise \d+ passed", text), "a stub passed its check"


# -- the course site, built from the executed student notebooks, opened in Chromium -----------------

@pytest.fixture(scope="module")
def site(executed, tmp_path_factory) -> Path:
    import book

    index = book.build(tmp_path_factory.mktemp("site") / "book", executed=executed)
    assert index.exists()
    return index.parent


def _figures(nb) -> tuple[int, int]:
    """(outputs showing a PNG, of which widget panels): what each page must show."""
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type in
            ("display_data", "execute_result")]
    pngs = [o for o in outs if "image/png" in o.get("data", {})]
    panels = [o for o in outs if "run the notebook to move its controls" in o.get("data", {}).get("text/plain", "")]
    assert all("image/png" in o["data"] for o in panels), "a widget panel has no static figure"
    return len(pngs), len(panels)


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_site_pages_show_their_figures(site, executed, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        for src in SOURCES:
            nb = nbformat.read(executed / f"{src.stem}.ipynb", as_version=4)
            n_png, n_panels = _figures(nb)
            assert n_png > 0 and (n_panels > 0 or src.stem.startswith("00")), f"{src.stem}: no figures to show"
            page.goto((site / "notebooks" / f"{src.stem}.html").as_uri())
            page.wait_for_load_state("load")
            shown = page.evaluate("""() => [...document.querySelectorAll('.cell_output img')]
                .map(i => i.complete && i.naturalWidth > 0)""")
            assert len(shown) == n_png and all(shown), \
                f"{src.stem}: {sum(shown)} of {n_png} figures shown ({len(shown)} <img> in the outputs)"
            text = page.inner_text("main")
            assert "VBox(children" not in text and "HBox(children" not in text, f"{src.stem}: a widget as text"
            assert not re.search(r"\b0%\|", text), f"{src.stem}: a stale progress bar"
            assert "not implemented yet" in text or not _exercise_count(src)
    finally:
        ctx.close()
