"""The course tools cannot delete work and ship only what git tracks (course/student.py, course/book.py).

On a tiny git repository laid out like this one: `--out` the repository root, a source folder, a folder
holding a `.git`, or a non-empty folder that is no earlier output is refused and nothing is deleted; an
earlier output (it holds the marker) is rebuilt; untracked `my_searcher.py~` / `.bak` copies of a
solution do not ship; a tracked symbolic link to /etc/passwd is skipped with a message, never followed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "course"))
import book  # noqa: E402  (course/book.py)
import student  # noqa: E402  (course/student.py)

SOLUTION = "    return 'the secret answer'"
FILES = {
    "notebooks/00_welcome.py": "# %%\nx = 1\n",
    "homework/hw01_searcher/my_searcher.py": f"def f():\n    # BEGIN SOLUTION\n{SOLUTION}\n    # END SOLUTION\n",
    "homework/hw01_searcher/test_hw01.py": "def test_f():\n    pass\n",
    "naslab/__init__.py": "",
    "data/README.md": "data\n",
    "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests", "homework"]\ntimeout = 900\n',
    "course/README_student.md": "# handout\n",
    "course/Makefile.student": "grade:\n",
    "course/grade.py": "",
    "course/grade_run.py": "",
    "course/grade_plugin.py": "",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git checkout with the course's layout, a tracked link to /etc/passwd and untracked solution copies."""
    root = tmp_path / "repo"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "naslab" / "passwd").symlink_to("/etc/passwd")
    (root / "homework" / "hw01_searcher" / "notes.md").symlink_to("../../data/README.md")  # inside: read
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    for name in ("my_searcher.py~", "my_searcher.py.bak", "my_searcher_old.py"):  # untracked, with the solution
        (root / "homework" / "hw01_searcher" / name).write_text(f"def f():\n{SOLUTION}\n")
    (root / "naslab" / "scratch.py").write_text(f"{SOLUTION}\n")
    return root


def test_builds_from_tracked_files_only_and_never_follows_a_link_out(repo, tmp_path):
    said = []
    zip_path = student.build(tmp_path / "out", root=repo, log=said.append)
    out = tmp_path / "out"
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == [".naslab-build", "Makefile", "README.md", "course/grade.py", "course/grade_plugin.py",
                     "course/grade_run.py", "data/README.md", "homework/hw01_searcher/my_searcher.py",
                     "homework/hw01_searcher/notes.md", "homework/hw01_searcher/test_hw01.py", "naslab/__init__.py",
                     "notebooks/00_welcome.ipynb", "pyproject.toml"]
    assert said == [f"skipped naslab/passwd: a symbolic link to {Path('/etc/passwd').resolve()}, outside the "
                    "repository (not followed)"]
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "secret answer" not in everything and "root:" not in everything
    assert (out / "homework/hw01_searcher/notes.md").read_text() == "data\n"
    zipped = {n.split("/", 1)[1] for n in zipfile.ZipFile(zip_path).namelist()}
    assert zipped == set(names) - {".naslab-build"}
    assert 'testpaths = ["homework"]' in (out / "pyproject.toml").read_text()
    assert "timeout = 60\n" in (out / "pyproject.toml").read_text()


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path):
    (tmp_path / "src").mkdir()
    with pytest.raises(student.BuildError, match="is not a git checkout: the handout is built from the tracked"):
        student.build(tmp_path / "out", root=tmp_path / "src")


@pytest.mark.parametrize("where, says", [
    (".", "it is (or holds) the repository root"),
    ("..", "it is (or holds) the repository root"),
    ("notebooks", "it is, holds or lies inside the source folder notebooks/"),
    ("homework/hw01_searcher", "it is, holds or lies inside the source folder homework/"),
    ("data", "it is, holds or lies inside the source folder data/"),
    ("naslab", "it is, holds or lies inside the source folder naslab/"),
])
def test_out_must_not_be_the_root_or_a_source_folder(repo, where, says, capsys):
    before = sorted(p for p in repo.parent.rglob("*"))
    out = (repo / where).resolve()
    assert student.main(["--out", str(out), "--root", str(repo)]) == 2  # the CLI
    assert f"refusing to empty {out}: {says}" in capsys.readouterr().err
    with pytest.raises(student.BuildError, match=re.escape(f"refusing to empty {out}: {says}")):
        student.build(out, root=repo)
    assert sorted(p for p in repo.parent.rglob("*")) == before, "something was deleted"


def test_out_with_a_git_folder_or_foreign_files_is_refused(repo, tmp_path):
    other = tmp_path / "checkout"
    (other / ".git").mkdir(parents=True)
    (other / "work.txt").write_text("mine")
    with pytest.raises(student.BuildError, match=re.escape(f"refusing to empty {other}: it is not an earlier output")):
        student.build(other, root=repo)
    (other / student.MARKER).write_text("")  # even with the marker: a .git inside is never emptied
    with pytest.raises(student.BuildError, match=re.escape(f"refusing to empty {other}: {other} holds a .git")):
        student.build(other, root=repo)
    assert (other / "work.txt").read_text() == "mine" and (other / ".git").is_dir()


def test_an_earlier_output_is_rebuilt_and_book_uses_the_same_rule(repo, tmp_path):
    out = tmp_path / "out"
    student.build(out, root=repo)
    (out / "stale.txt").write_text("left from the last build")
    student.build(out, root=repo)
    assert not (out / "stale.txt").exists() and (out / student.MARKER).exists()
    src = tmp_path / "site-src"
    src.mkdir()
    (src / "thesis.tex").write_text("mine")
    with pytest.raises(student.BuildError, match="not an earlier output of course/book.py"):
        book.stage(src, None, "fast")
    assert (src / "thesis.tex").read_text() == "mine"
    with pytest.raises(student.BuildError, match="source folder notebooks/"):
        book.stage(ROOT / "notebooks", None, "fast")
