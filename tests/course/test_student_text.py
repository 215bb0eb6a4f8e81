"""What a student reads: no maintainer text, short cells, a stated reading time that is true, terms defined
where first used and listed in the glossary page of the site."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
GLOSSARY = ROOT / "course" / "book" / "glossary.md"

_spec = importlib.util.spec_from_file_location("notebook_words", ROOT / "tools" / "notebook_words.py")
words_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(words_tool)

# Maintainer text: it belongs in code comments or the README, never in what a student reads.
MAINTAINER = {
    "a maintainer command": re.compile(r"\bmake (claims|test|book|student|grade|notebooks|extras)\b|"
                                       r"\bpython (tools|benchmarks)/|\bpytest\b|NASLAB_CLAIMS"),
    "a file name or path": re.compile(r"\b(tools|benchmarks|tests|course|data)/[\w./-]*|"
                                      r"\b[\w-]+\.(py|md|json|jsonl|npz|yml|yaml|toml)\b"),
    "a per-seed figure": re.compile(r"\bSEEDs?\s*=?\s*\d"),
    "development history": re.compile(r"\b(old claim|a bug\b|we fixed|the tests\b|test file|used to fail)",
                                      re.I),
}


def maintainer_text(text: str) -> list[str]:
    """'kind: match' for every piece of maintainer text in one markdown cell."""
    return [f"{kind}: {m.group(0)!r}" for kind, rx in MAINTAINER.items() for m in rx.finditer(text)]


def test_the_maintainer_text_rule_catches_each_kind_and_spares_student_text():
    bad = ("Rebuild it with `python tools/build/build_nb201.py` (see data/README.md); "
           "on SEED 1 the old claim failed, a bug? the tests rule it out; run make claims.")
    kinds = {hit.split(":")[0] for hit in maintainer_text(bad)}
    assert kinds == set(MAINTAINER)
    good = ("Run `make lab`, open [05 · DARTS](05_darts.ipynb) and set `SEED` in the parameters cell; "
            "$\\nabla_\\alpha \\mathcal{L}$ is one formula. The seeds disagree by 0.3 points.")
    assert maintainer_text(good) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_markdown_is_student_text(path):
    hits = [f"markdown cell {i}: {h}" for i, cell in enumerate(words_tool.markdown_cells(path))
            for h in maintainer_text(cell)]
    assert not hits, f"{path.name} shows maintainer text to students:\n" + "\n".join(hits)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_markdown_cell_is_over_the_word_limit(path):
    long = [(i, n) for i, c in enumerate(words_tool.markdown_cells(path))
            if (n := words_tool.words(c)) > words_tool.MAX_CELL_WORDS]
    assert not long, f"{path.name}: markdown cells over {words_tool.MAX_CELL_WORDS} words (index, words): {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_title_states_a_true_reading_time_beside_the_compute_time(path):
    s = words_tool.summary(path)
    assert s["stated_min"] is not None, (
        f"{path.name}: the title cell must state '**Time**: reading ≈ N min · class mode ≈ A–B min on a 2-core "
        "CPU · FAST ≈ C s.'")
    assert abs(s["stated_min"] - s["reading_min"]) <= 1, (
        f"{path.name} states {s['stated_min']} min of reading; its {s['words']} words take {s['reading_min']} min "
        f"at {words_tool.WPM} words per minute")


def test_word_counting_and_the_time_line():
    assert words_tool.words("A one-shot model's $\\alpha_{ij}$ and $$x^2$$ go.") == 7
    line = "**Time**: reading ≈ 12 min · class mode ≈ 2–3 min on a 2-core CPU · FAST ≈ 25 s."
    assert words_tool.TIME_LINE.search(line).group(1) == "12"
    assert words_tool.TIME_LINE.search(line.replace("reading ≈ 12 min · ", "")) is None


def glossary_terms() -> dict[str, str]:
    """term -> the notebook (two digits) where the glossary says it is first defined."""
    rows = re.findall(r"^\| \*\*(.+?)\*\* \| .+? \| (\d\d) ", GLOSSARY.read_text(encoding="utf-8"), re.M)
    return dict(rows)


PREVIEW = re.compile(r"^#+ (Learning goals|Further reading)|^Where each notebook of the course sits", re.M)
RECAP = re.compile(r"^#+ Recap", re.M)


def first_use(term: str) -> tuple[str, str] | None:
    """(notebook number, markdown cell) where `term` first appears in course order, or None. The title cell, the
    learning goals, the recap and 00's course map only preview what a notebook teaches, and further reading
    lists papers: those are not uses."""
    rx = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.I)
    for path in NOTEBOOKS:
        for cell in words_tool.markdown_cells(path):
            if PREVIEW.search(cell):
                continue
            if RECAP.search(cell):  # the recap's bullets look back; its closing lines introduce today's notebook
                cell = cell[cell.rfind("\n- "):].split("\n\n", 1)[-1] if "\n\n" in cell[cell.rfind("\n- "):] else ""
            if rx.search(cell):
                return path.name[:2], cell
    return None


def test_the_glossary_is_a_page_of_the_site_and_names_the_terms_students_met_undefined():
    assert "glossary" in (ROOT / "course" / "book" / "_toc.yml").read_text(encoding="utf-8")
    terms = {t.lower() for t in glossary_terms()}
    for term in ("genotype", "one-shot", "fidelity", "edge of stability", "factorised reduction", "τ-b", "anytime",
                 "supernet", "regret", "IQM", "Pareto front", "hypervolume", "zero-cost proxy"):
        assert term.lower() in terms, f"the glossary lacks {term!r}"


@pytest.mark.parametrize("term", sorted(glossary_terms()) if GLOSSARY.exists() else [])
def test_each_glossary_term_is_defined_where_it_is_first_used(term):
    said = glossary_terms()[term]
    hit = first_use(term)
    assert hit is not None, f"{term!r} is in the glossary but in no notebook's text"
    nb, cell = hit
    assert nb == said, f"{term!r} is first used in notebook {nb}, the glossary says {said}"
    t = re.escape(term)
    assert re.search(rf"\*\*[^*]*{t}[^*]*\*\*|\*\*[^*]+\*\*\s*\({t}[),;]", cell, re.I), (
        f"{term!r} is first used in notebook {nb} without being defined there (bold it where the text defines it): "
        f"{cell[:300]}")


def test_solution_lines_counts_only_code_between_the_markers():
    cell = ("def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n\n    # a comment\n    return y\n    # END SOLUTION\n"
            "print(f(1))\n")
    assert words_tool.solution_lines(cell) == 2
    assert words_tool.solution_lines("x = 1\n") == 0


def test_students_write_at_least_200_lines_in_notebooks_00_to_06():
    # issue 22 item 1: the student writes each method's core before using naslab's version
    per = {p.name: words_tool.summary(p)["student_lines"] for p in NOTEBOOKS if p.name[:2] <= "06"}
    assert sum(per.values()) >= 200, f"students write {sum(per.values())} lines in 00-06: {per}"
