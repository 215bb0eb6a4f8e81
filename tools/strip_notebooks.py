"""Strip outputs, execution counts, saved widget state and jupytext metadata from notebooks (before committing).

    python tools/strip_notebooks.py notebooks/*.ipynb
"""

import sys

import nbformat


def strip(path: str) -> bool:
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
            c.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("jupytext", None)  # the pairing lives in the repository (pyproject.toml, make notebooks)
    changed = nbformat.writes(nb) != before
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(("stripped " if strip(p) else "clean    ") + p)
