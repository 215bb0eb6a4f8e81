"""Parameter injection for `make claims` (tools/run_claims.py), the way papermill does it.

A notebook declares its parameters in one code cell tagged `parameters` (jupytext: `# %% tags=["parameters"]`).
To run it with other values, a new code cell tagged `injected-parameters` goes right after that cell and
assigns them (`SEED = 1`); a cell injected earlier is replaced. Unlike papermill, the injected cell also
repeats the lines of the parameters cell that *use* an injected name (05's `SEARCH = dict(..., seed=SEED)`,
02's `seed_everything(SEED)`), and the lines using what those define, so that a derived parameter follows
the injected value instead of keeping the default's.

    parse_param("SEED=1")                 # ("SEED", "1"): VALUE is a Python expression
    parse_seeds("0,1,2")                  # [0, 1, 2]
    inject(nb, {"SEED": "1"}, path)       # a copy of nb with the injected cell
"""

from __future__ import annotations

import ast
import copy
import re

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_param(text: str) -> tuple[str, str]:
    """`NAME=VALUE` -> (NAME, VALUE); VALUE must be one Python expression (`3`, `'digits'`, `[0, 1]`).

    Raises:
        ValueError: naming `text` when there is no `=`, NAME is not an identifier or VALUE is not an expression.
    """
    name, sep, value = str(text).partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not NAME.match(name):
        raise ValueError(f"--param {text!r} must look like NAME=VALUE with NAME a Python identifier (e.g. SEED=1)")
    try:
        ast.parse(value, mode="eval")
    except SyntaxError:
        raise ValueError(f"--param {text!r}: {value!r} is not a Python expression "
                         "(quote strings: NAME='text')") from None
    return name, value


def parse_seeds(text: str) -> list[int]:
    """`"0,1,2"` -> [0, 1, 2].

    Raises:
        ValueError: naming `text` when an entry is not an integer >= 0, or a seed repeats.
    """
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise ValueError(f"--seeds {text!r} must be comma-separated integers >= 0, e.g. 0,1,2")
    seeds = [int(p) for p in parts]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds {text!r} repeats a seed")
    return seeds


def parameters_index(nb, where: str) -> int:
    """Index of the cell tagged `parameters` in `nb`.

    Raises:
        ValueError: naming `where` (the notebook's path) when no cell, or more than one, is tagged `parameters`.
    """
    found = [i for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(found) != 1:
        what = "no cell" if not found else f"{len(found)} cells (cells {found})"
        raise ValueError(f"{where} has {what} tagged '{PARAMETERS_TAG}'; parameters can only be injected after "
                         f"exactly one such cell (jupytext: `# %% tags=[\"{PARAMETERS_TAG}\"]`)")
    return found[0]


def _statements(source: str, where: str) -> list[ast.stmt]:
    try:
        return ast.parse(source).body
    except SyntaxError as e:
        raise ValueError(f"{where}: the parameters cell is not plain Python ({e.msg}, line {e.lineno})") from None


def _stores(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _loads(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def assigned_names(source: str, where: str = "the parameters cell") -> set[str]:
    """Names that the top-level statements of `source` assign (the parameters a cell declares)."""
    return set().union(*(_stores(s) for s in _statements(source, where)))


def dependent_lines(source: str, names, where: str = "the parameters cell") -> list[str]:
    """The statements of `source`, in order, that use one of `names` or a name such a statement defines."""
    dirty, out = set(names), []
    for stmt in _statements(source, where):
        stores = _stores(stmt)
        if stores & set(names):  # the default's own assignment: replaced by the injected value
            continue
        if _loads(stmt) & dirty:
            out.append(ast.get_source_segment(source, stmt))
            dirty |= stores
    return out


def injected_source(params: dict[str, str], recomputed: list[str]) -> str:
    """The injected cell's text: one assignment per parameter, then the recomputed lines."""
    lines = ["# Parameters (injected by tools/run_claims.py)", *(f"{k} = {v}" for k, v in params.items())]
    if recomputed:
        lines += ["# recomputed from the parameters cell, which uses them", *recomputed]
    return "\n".join(lines)


def inject(nb, params: dict[str, str], where: str):
    """A copy of `nb` with `params` injected in a new cell right after its `parameters` cell.

    Args:
        nb: an nbformat v4 notebook (left unchanged).
        params: NAME -> VALUE (Python source), in the order to assign them.
        where: the notebook's path or name, for error messages.

    Raises:
        ValueError: naming `where` when the notebook has no (or several) `parameters` cells, or when its
            parameters cell does not assign one of `params` (the allowed names are listed).
    """
    import nbformat

    i = parameters_index(nb, where)
    source = nb.cells[i].source
    unknown = [k for k in params if k not in assigned_names(source, where)]
    if unknown:
        raise ValueError(f"{where}: its parameters cell sets no {', '.join(unknown)}; "
                         f"it sets {sorted(assigned_names(source, where))}")
    out = copy.deepcopy(nb)
    if i + 1 < len(out.cells) and INJECTED_TAG in out.cells[i + 1].get("metadata", {}).get("tags", []):
        del out.cells[i + 1]  # papermill's rule: a cell injected earlier is replaced
    cell = nbformat.v4.new_code_cell(injected_source(params, dependent_lines(source, params, where)))
    cell.metadata["tags"] = [INJECTED_TAG]
    out.cells.insert(i + 1, cell)
    return out
