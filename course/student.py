"""Build the student edition (the handout) from the instructor's sources: `make student`.

Solutions are marked in the sources with the markers otter-grader and nbgrader both use:

    # BEGIN SOLUTION
    ...solution lines...
    # END SOLUTION

Each marked region is replaced, at its own indentation, by

    # YOUR CODE HERE
    raise NotImplementedError("Exercise 1: <the exercise's title>")

where the message is the cell's `# Exercise N ...` heading in a notebook, and `HW<n> · <function>` (the
enclosing def or class) in a homework file. A heading's aside that speaks of the answer the build removes,
`# Exercise 1: mutation (worked answer)`, loses that aside in the handout (`# Exercise 1: mutation`): the
student's cell holds no worked answer. Regions are stripped from the notebook sources
(notebooks/NN_name.py, jupytext py:percent), which are then converted to .ipynb without outputs, and
from every .py of homework/; folders named `hidden/` (the instructor's extra tests) and files named
`*_reference*` are left out. The handout also carries the package, the data, a student README and a
Makefile with `install`, `lab` and `grade`, and is zipped beside the folder.

Safety: the handout is built from the git-tracked files only (`git ls-files`: an untracked
`my_searcher.py~` or `.bak` never ships); a tracked symbolic link that leads outside the repository is
skipped with a message, never followed. The output folder is emptied only if it is new, empty or an
earlier output (it holds the MARKER file every build writes); the repository root, a source folder
(SOURCE_DIRS) or a folder inside or above one, and a folder holding a `.git` are refused (course/safe_build.py:
`prepare_out` and `tracked_files`, also used by course/book.py).

Usage (from the repository root):  python course/student.py [--out build/student]

This script does not import naslab: it only reads and writes files (jupytext does the conversion).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import zipfile
from pathlib import Path

from safe_build import MARKER, SOURCE_DIRS, BuildError, prepare_out, tracked_files  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[1]
BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
EXERCISE = re.compile(r"^#\s*(Exercise\s+\d+)\b[^:]*:?\s*(.*)$")
DEF = re.compile(r"^\s*(?:def|class)\s+(\w+)")
HW = re.compile(r"hw(\d+)")
WORKED = re.compile(r"(?m)^(#\s*Exercise\s+\d+\b[^\n(]*?)\s*\([^()\n]*\bworked answer\b[^()\n]*\)[ \t]*$")
# what the handout carries besides notebooks and homework (copied as they are)
CARRY = ["naslab", "data/README.md", "data/bench", "pyproject.toml", "environment.yml", "course/grade.py",
         "course/grade_run.py", "course/grade_plugin.py"]
LEAVE_OUT = ("hidden", "__pycache__", ".ipynb_checkpoints", ".pytest_cache")
HANDOUT_TIMEOUT = 60  # seconds per test in the handout's pytest settings


class MarkerError(ValueError):
    """A BEGIN SOLUTION without its END (or the other way round), naming the file and line."""


def solution_regions(lines: list[str], where: str = "") -> list[tuple[int, int]]:
    """(begin, end) line indices of every marked region, markers included; MarkerError if unbalanced."""
    regions, start = [], None
    for i, line in enumerate(lines):
        if BEGIN.match(line):
            if start is not None:
                raise MarkerError(f"{where} line {i + 1}: BEGIN SOLUTION inside the region opened at line {start + 1}")
            start = i
        elif END.match(line):
            if start is None:
                raise MarkerError(f"{where} line {i + 1}: END SOLUTION without a BEGIN SOLUTION")
            regions.append((start, i))
            start = None
    if start is not None:
        raise MarkerError(f"{where} line {start + 1}: BEGIN SOLUTION is never closed by END SOLUTION")
    return regions


def _notebook_label(lines: list[str], i: int) -> str:
    """The `# Exercise N: title` heading of the cell holding line i (jupytext cells start with `# %%`)."""
    for j in range(i, -1, -1):
        m = EXERCISE.match(lines[j].strip())
        if m:
            title = re.sub(r"\s*\([^)]*\)\s*$", "", m.group(2)).strip()  # drop a trailing "(...)" aside
            return f"{m.group(1)}: {title}" if title else m.group(1)
        if lines[j].startswith("# %%"):
            break
    return "Exercise"


def _homework_label(lines: list[str], i: int, path: Path) -> str:
    m = HW.search(path.parent.name) or HW.search(path.name)
    label = f"HW{int(m.group(1))}" if m else path.stem
    names, indent = [], len(lines[i]) - len(lines[i].lstrip())
    for j in range(i, -1, -1):  # the enclosing def, then its class
        d = DEF.match(lines[j])
        if d and len(lines[j]) - len(lines[j].lstrip()) < indent:
            names.append(d.group(1))
            indent = len(lines[j]) - len(lines[j].lstrip())
    return f"{label} · {'.'.join(reversed(names)) or path.stem}"


def strip_solutions(text: str, label_of) -> str:
    """Replace each marked region of `text` by a stub raising NotImplementedError(label_of(lines, i))."""
    lines = text.splitlines()
    out, last = [], 0
    for b, e in solution_regions(lines):
        indent = BEGIN.match(lines[b]).group(1)
        out += lines[last:b]
        message = label_of(lines, b).replace("\\", "\\\\").replace('"', '\\"')
        out += [f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("{message}")']
        last = e + 1
    out += lines[last:]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def build_notebook(src: Path, dest_dir: Path, stem: str | None = None) -> Path:
    import jupytext

    text = strip_solutions(src.read_text(), _notebook_label)
    text = WORKED.sub(r"\1", text)  # the handout's cell holds the student's answer, not a worked one
    nb = jupytext.reads(text, fmt="py:percent")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("jupytext", None)
    dest = dest_dir / f"{stem or src.stem}.ipynb"
    jupytext.write(nb, dest, fmt="ipynb")
    return dest


def _ignored(path: Path) -> bool:
    return any(p in LEAVE_OUT for p in path.parts) or "_reference" in path.name or path.suffix == ".pyc"


def build_homework(files: dict[str, Path], dest_root: Path) -> list[Path]:
    """Write the tracked homework files (keys 'homework/...') into dest_root, solutions stripped."""
    written = []
    for rel, path in sorted(files.items()):
        sub = Path(rel).relative_to("homework")
        if _ignored(sub):
            continue
        dest = dest_root / sub
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.suffix == ".py":
            label = lambda ls, i, p=Path(rel): _homework_label(ls, i, p)  # noqa: E731
            dest.write_text(strip_solutions(path.read_text(), label))
        else:
            shutil.copyfile(path, dest)
        written.append(dest)
    return written


def handout_pyproject(text: str) -> str:
    """The handout's pyproject.toml: pytest runs the homework only, with a 60 s limit per test."""
    out, n = re.subn(r"(?m)^testpaths = .*$", 'testpaths = ["homework"]', text)
    out, m = re.subn(r"(?m)^timeout = \d+$", f"timeout = {HANDOUT_TIMEOUT}", out)
    if (n, m) != (1, 1):
        raise BuildError("pyproject.toml: expected one `testpaths = ...` and one `timeout = N` line in "
                         "[tool.pytest.ini_options] (the handout rewrites them)")
    return out


def build(out: Path, root: Path = ROOT, log=None) -> Path:
    """Write the handout into `out` (emptied first, see prepare_out) and `out`.zip beside it, from the
    git-tracked files of `root` only; return the zip's path."""
    root = Path(root).resolve()
    files = tracked_files(root, log)
    out = prepare_out(out, root)
    (out / "notebooks").mkdir()
    for rel, src in sorted(files.items()):
        if re.fullmatch(r"notebooks/[0-9][0-9]_[^/]*\.py", rel):
            build_notebook(src, out / "notebooks", stem=Path(rel).stem)
    build_homework({r: p for r, p in files.items() if r.startswith("homework/")}, out / "homework")
    for rel, src in sorted(files.items()):
        if any(rel == c or rel.startswith(c + "/") for c in CARRY) and not _ignored(Path(rel)):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out / rel)
    if (out / "pyproject.toml").exists():
        (out / "pyproject.toml").write_text(handout_pyproject((out / "pyproject.toml").read_text()))
    for rel, name in (("course/README_student.md", "README.md"), ("course/Makefile.student", "Makefile")):
        shutil.copyfile(files[rel], out / name)
    zip_path = out.parent / f"{out.name}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(out.rglob("*")):
            if f.is_file() and f.name != MARKER:
                z.write(f, Path(out.name) / f.relative_to(out))
    return zip_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "build" / "student"),
                    help=f"handout folder: new, empty, or an earlier output (with its {MARKER} file), emptied first")
    ap.add_argument("--root", default=str(ROOT), help="the repository (a git checkout) to build from")
    args = ap.parse_args(argv)
    try:
        zip_path = build(Path(args.out), root=Path(args.root))
    except BuildError as e:
        print(f"student.py: {e}", file=sys.stderr)
        return 2
    files = [f for f in Path(args.out).rglob("*") if f.is_file()]
    print(f"student edition: {args.out} ({len(files)} files), {zip_path} ({zip_path.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
