"""Build the student edition (the handout) from the instructor's sources: `make student`.

Solutions are marked in the sources with the markers otter-grader and nbgrader both use:

    # BEGIN SOLUTION
    ...solution lines...
    # END SOLUTION

Each marked region is replaced, at its own indentation, by

    # YOUR CODE HERE
    raise NotImplementedError("Exercise 1: <the exercise's title>")

where the message is the cell's `# Exercise N ...` heading in a notebook, and `HW<n> · <function>` (the
enclosing def or class) in a homework file. Regions are stripped from the notebook sources
(notebooks/NN_name.py, jupytext py:percent), which are then converted to .ipynb without outputs, and
from every .py of homework/; folders named `hidden/` (the instructor's extra tests) and files named
`*_reference*` are left out. The handout also carries the package, the data, a student README and a
Makefile with `install`, `lab` and `grade`, and is zipped beside the folder.

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

ROOT = Path(__file__).resolve().parents[1]
BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
EXERCISE = re.compile(r"^#\s*(Exercise\s+\d+)\b[^:]*:?\s*(.*)$")
DEF = re.compile(r"^\s*(?:def|class)\s+(\w+)")
HW = re.compile(r"hw(\d+)")
# what the handout carries besides notebooks and homework (copied as they are)
CARRY = ["naslab", "data/README.md", "data/bench", "pyproject.toml", "environment.yml", "course/grade.py"]
LEAVE_OUT = ("hidden", "__pycache__", ".ipynb_checkpoints", ".pytest_cache")


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


def build_notebook(src: Path, dest_dir: Path) -> Path:
    import jupytext

    text = strip_solutions(src.read_text(), _notebook_label)
    nb = jupytext.reads(text, fmt="py:percent")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("jupytext", None)
    dest = dest_dir / f"{src.stem}.ipynb"
    jupytext.write(nb, dest, fmt="ipynb")
    return dest


def _ignored(path: Path) -> bool:
    return any(p in LEAVE_OUT for p in path.parts) or "_reference" in path.name or path.suffix == ".pyc"


def build_homework(src_root: Path, dest_root: Path) -> list[Path]:
    written = []
    for path in sorted(src_root.rglob("*")):
        rel = path.relative_to(src_root)
        if path.is_dir() or _ignored(rel):
            continue
        dest = dest_root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            dest.write_text(strip_solutions(path.read_text(), lambda ls, i, p=path: _homework_label(ls, i, p)))
        else:
            shutil.copy2(path, dest)
        written.append(dest)
    return written


def build(out: Path, root: Path = ROOT) -> Path:
    """Write the handout into `out` (emptied first) and `out`.zip beside it; return the zip's path."""
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    for src in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")):
        build_notebook(src, out / "notebooks")
    build_homework(root / "homework", out / "homework")
    for name in CARRY:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=shutil.ignore_patterns(*LEAVE_OUT, "*.pyc", "*.egg-info", "*.tmp"))
        elif src.exists():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out / name)
    shutil.copy2(root / "course" / "README_student.md", out / "README.md")
    shutil.copy2(root / "course" / "Makefile.student", out / "Makefile")
    zip_path = out.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(out.rglob("*")):
            if f.is_file():
                z.write(f, Path(out.name) / f.relative_to(out))
    return zip_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "build" / "student"), help="handout folder (emptied first)")
    args = ap.parse_args(argv)
    zip_path = build(Path(args.out))
    files = [f for f in Path(args.out).rglob("*") if f.is_file()]
    print(f"student edition: {args.out} ({len(files)} files), {zip_path} ({zip_path.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
