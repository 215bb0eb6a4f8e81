"""Every notebook is a pair: `notebooks/NN_name.py` (jupytext py:percent, the source a maintainer edits and a
reviewer reads) and `notebooks/NN_name.ipynb` (built from it by `make notebooks`, what students open).

The test reads both files with jupytext and fails when a pair is out of sync: a different number of
cells, or any cell whose type, source or tags differ. The fix is `make notebooks` (after editing the .py).
"""

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="jupytext is in the dev extra: pip install -e '.[dev]'")

NB_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
SOURCES = sorted(NB_DIR.glob("[0-9]*.py"))


def _cells(nb) -> list[tuple[str, str, list]]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    assert NOTEBOOKS, "no notebooks found"
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_pair_is_in_sync(path):
    ipynb = _cells(jupytext.read(path))
    py = _cells(jupytext.read(path.with_suffix(".py"), fmt="py:percent"))
    hint = f"{path.name} and {path.stem}.py differ: edit the .py, then run `make notebooks`"
    assert len(ipynb) == len(py), f"{hint} ({len(ipynb)} vs {len(py)} cells)"
    for i, (a, b) in enumerate(zip(ipynb, py)):
        if a != b:
            lines = [(x, y) for x, y in zip(a[1].splitlines() + [""] * 999, b[1].splitlines() + [""] * 999) if x != y]
            where = f".ipynb {lines[0][0]!r} vs .py {lines[0][1]!r}" if lines else f"{a[0]}/{a[2]} vs {b[0]}/{b[2]}"
            pytest.fail(f"{hint} (cell {i}: {where})")


def test_the_sync_check_catches_a_one_line_change(tmp_path):
    # oracle: the same comparison on a copy whose .py differs by one character in one markdown cell
    src = NOTEBOOKS[0]
    py = src.with_suffix(".py").read_text()
    changed = py.replace("# #", "# # X", 1)
    assert changed != py
    (tmp_path / src.name).write_bytes(src.read_bytes())
    (tmp_path / f"{src.stem}.py").write_text(changed)
    a = _cells(jupytext.read(tmp_path / src.name))
    b = _cells(jupytext.read(tmp_path / f"{src.stem}.py", fmt="py:percent"))
    assert a != b and sum(x != y for x, y in zip(a, b)) == 1


def test_notebook_cells_have_stable_ids():
    # ids are what keep a one-line change a one-cell diff: every cell has one and none repeats
    nbformat = pytest.importorskip("nbformat")
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        ids = [c.get("id") for c in nb.cells]
        assert all(ids) and len(set(ids)) == len(ids), f"{path.name}: missing or repeated cell ids"
