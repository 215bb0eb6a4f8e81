"""Words a student reads per notebook, the longest markdown cell, the reading time the title must state,
and the lines a student writes.

    python tools/notebook_words.py                 # every notebook: a table for the README
    python tools/notebook_words.py notebooks/05_darts.ipynb

A word is a run of letters or digits (LaTeX commands and inline code count as the words they show);
reading time is `ceil(words / WPM)` minutes at WPM = 200, a careful reading speed for technical prose.
A line a student writes is a non-blank, non-comment code line between `# BEGIN SOLUTION` and `# END SOLUTION`
(the lines the student edition removes).
tests/course/test_student_text.py holds every notebook to its stated reading time and to MAX_CELL_WORDS.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WPM = 200  # words per minute of careful reading
MAX_CELL_WORDS = 250
WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
TIME_LINE = re.compile(r"\*\*Time\*\*: reading ≈ (\d+) min · class mode ≈ [0-9.]+(?:–[0-9.]+)? min on a 2-core CPU"
                       r" · FAST ≈ \d+(?:–\d+)? s\.")


def markdown_cells(path: Path) -> list[str]:
    """The markdown cells of a notebook (.ipynb), as text."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def code_cells(path: Path) -> list[str]:
    """The code cells of a notebook (.ipynb), as text."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def solution_lines(text: str) -> int:
    """Non-blank, non-comment lines between the solution markers of `text` (a cell or a whole source)."""
    n, inside = 0, False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("# BEGIN SOLUTION"):
            inside = True
        elif s.startswith("# END SOLUTION"):
            inside = False
        elif inside and s and not s.startswith("#"):
            n += 1
    return n


def words(text: str) -> int:
    """Words of prose in `text`: each formula counts as one word."""
    n_math = len(MATH.findall(text))
    return len(WORD.findall(MATH.sub(" ", text))) + n_math


def reading_minutes(n_words: int) -> int:
    return max(1, math.ceil(n_words / WPM))


def summary(path: Path) -> dict:
    """Words, longest cell (words and index among markdown cells), reading minutes and the stated ones."""
    cells = markdown_cells(path)
    counts = [words(c) for c in cells]
    stated = TIME_LINE.search(cells[0]) if cells else None
    longest = max(range(len(counts)), key=counts.__getitem__) if counts else -1
    return {"notebook": Path(path).name, "words": sum(counts), "longest_cell": counts[longest] if counts else 0,
            "longest_at": longest, "reading_min": reading_minutes(sum(counts)),
            "stated_min": int(stated.group(1)) if stated else None,
            "student_lines": sum(solution_lines(c) for c in code_cells(path))}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", type=Path)
    args = p.parse_args()
    paths = args.paths or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    print("| notebook | words | longest markdown cell | reading (min) | stated | lines students write |")
    print("|---|---|---|---|---|---|")
    total, lines = 0, 0
    for path in paths:
        s = summary(path)
        total, lines = total + s["words"], lines + s["student_lines"]
        print(f"| {s['notebook']} | {s['words']:,} | {s['longest_cell']} | {s['reading_min']} | {s['stated_min']} "
              f"| {s['student_lines']} |")
    print(f"| all | {total:,} | | {reading_minutes(total)} | | {lines} |")


if __name__ == "__main__":
    main()
