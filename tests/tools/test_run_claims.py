"""`make claims` (tools/run_claims.py) on tiny notebooks: claims, silence watch, busy-loop load, and
parameter injection (tools/notebook_params.py: `--seeds`, `--param`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))  # tools/notebook_params.py, as run_claims.py imports it
from notebook_params import inject, parse_param, parse_seeds  # noqa: E402


def _notebook(tmp_path: Path, name: str, cells: list[str], expected: bool = True,
              parameters: int | None = None) -> Path:
    """A notebook of `cells` (code), after an "Expected result" cell; cell `parameters` of `cells` is tagged so."""
    nb = nbformat.v4.new_notebook()
    if expected:
        nb.cells.append(nbformat.v4.new_markdown_cell("**Expected result**: the answer is 42."))
    nb.cells += [nbformat.v4.new_code_cell(src) for src in cells]
    if parameters is not None:
        nb.cells[parameters + expected].metadata["tags"] = ["parameters"]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, str(ROOT / "tools" / "run_claims.py"), *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_claims_silence_and_load(tmp_path):
    good = _notebook(tmp_path, "01_good.ipynb", [
        "from naslab.claims import claim\nimport time",
        "for i in range(8):\n    time.sleep(0.25)\n    print('epoch', i)",       # 2 s, never silent for long
        "claim('01 §1', 'the answer is 42', 6 * 7, 41, 43)",
    ])
    out = _run(str(good), "--max-silence", "1.5", "--load", "1")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "holds  01 §1" in out.stdout and "1 other CPU-bound process(es)" in out.stdout
    assert "class mode: all claims hold; 0 problem(s)" in out.stdout

    silent = _notebook(tmp_path, "02_silent.ipynb", [
        "from naslab.claims import claim\nimport time",
        "time.sleep(2.5)",                                                        # silent for 2.5 s
        "claim('02 §1', 'the answer is 42', 41, 42, 43)",                         # fails
    ])
    none = _notebook(tmp_path, "03_noclaim.ipynb", ["x = 1"])
    out = _run(str(silent), str(none), "--max-silence", "1.5")
    assert out.returncode == 1
    assert "FAILS  02 §1" in out.stdout
    silence = r"PROBLEM 02_silent.ipynb cell 2 \(time.sleep\(2.5\)\) ran \d+ s with \d+ s of silence"
    assert re.search(silence, out.stdout), out.stdout
    assert "PROBLEM 03_noclaim.ipynb has an Expected result but recorded no claim" in out.stdout
    assert "1 claim(s) DO NOT HOLD; 2 problem(s)" in out.stdout


PARAMS = "SEED = 0\nSCALE = 10\nX = SEED * SCALE        # derived from SEED: must follow an injected SEED\nY = X + 1"


def test_injection_lands_right_after_the_parameters_cell(tmp_path):
    path = _notebook(tmp_path, "01_p.ipynb", ["import math", PARAMS, "print(X)"], parameters=1)
    nb = nbformat.read(path, as_version=4)
    out = inject(nb, {"SEED": "2"}, str(path))
    assert [c.source for c in out.cells[:3]] == [c.source for c in nb.cells[:3]]  # up to the parameters cell
    cell = out.cells[3]
    assert cell.metadata["tags"] == ["injected-parameters"]
    assert cell.source.splitlines()[1:] == ["SEED = 2", "# recomputed from the parameters cell, which uses them",
                                            "X = SEED * SCALE", "Y = X + 1"]
    assert out.cells[4].source == "print(X)" and len(out.cells) == len(nb.cells) + 1
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)  # nb itself unchanged
    again = inject(out, {"SEED": "1", "SCALE": "3"}, str(path))  # a cell injected earlier is replaced
    assert len(again.cells) == len(out.cells) and again.cells[3].source.splitlines()[1:3] == ["SEED = 1", "SCALE = 3"]
    env = {}
    for c in again.cells[2:4]:
        exec(c.source, env)
    assert (env["X"], env["Y"]) == (3, 4)  # the derived values follow the injected ones


def test_injection_rejects_unknown_names_and_bad_arguments(tmp_path):
    path = _notebook(tmp_path, "01_p.ipynb", [PARAMS], parameters=0)
    with pytest.raises(ValueError, match=r"01_p.ipynb: its parameters cell sets no EPOCHS; it sets \['SCALE', 'SEED'"):
        inject(nbformat.read(path, as_version=4), {"EPOCHS": "3"}, str(path))
    assert parse_param("DATASET='digits'") == ("DATASET", "'digits'") and parse_seeds("0, 1,2") == [0, 1, 2]
    with pytest.raises(ValueError, match="'SEED' must look like NAME=VALUE"):
        parse_param("SEED")
    with pytest.raises(ValueError, match="'digits digits' is not a Python expression"):
        parse_param("DATASET=digits digits")
    with pytest.raises(ValueError, match="--seeds '0,x' must be comma-separated integers"):
        parse_seeds("0,x")
    with pytest.raises(ValueError, match="repeats a seed"):
        parse_seeds("1,1")


def test_a_notebook_without_parameters_cell_is_named_and_nothing_runs(tmp_path):
    good = _notebook(tmp_path, "01_good.ipynb", [PARAMS], parameters=0)
    bare = _notebook(tmp_path, "02_bare.ipynb", ["SEED = 0"])
    out = _run(str(good), str(bare), "--seeds", "0,1")
    assert out.returncode == 2
    assert f"{bare} has no cell tagged 'parameters'" in out.stderr
    assert "## " not in out.stdout  # checked before any notebook runs
    out = _run(str(good), "--param", "EPOCHS=3")
    assert out.returncode == 2 and "no notebook's parameters cell sets EPOCHS" in out.stderr


@pytest.mark.slow
def test_seeds_report_every_claim_per_seed_with_its_range(tmp_path):
    nb = _notebook(tmp_path, "01_seeded.ipynb", [
        "from naslab.claims import claim",
        PARAMS,
        "claim('01 §1', 'x stays small', X, high=15)\nclaim('01 §2', 'always true', True)",
    ], parameters=1)
    once = _notebook(tmp_path, "02_once.ipynb", ["from naslab.claims import claim", "N = 1",
                                                 "claim('02 §1', 'the answer is 42', 6 * 7, 41, 43)"], parameters=1)
    out = _run(str(nb), str(once), "--seeds", "0,1,2")
    assert out.returncode == 1, out.stdout + out.stderr  # SEED 2 gives X = 20 > 15
    for seed, x in ((0, 0), (1, 10), (2, 20)):
        assert f"## 01_seeded.ipynb [SEED = {seed}]: 2 claims" in out.stdout
        word = "FAILS  " if x > 15 else "holds  "
        assert f"{word}01 §1 · x stays small: {'DOES NOT HOLD' if x > 15 else 'holds'} · observed {x} · bound <= 15" \
            in out.stdout
    assert "note: 02_once.ipynb sets no SEED: runs once" in out.stdout
    assert "## 02_once.ipynb: 1 claims" in out.stdout
    assert "## 01_seeded.ipynb, every claim over SEED = 0, 1, 2" in out.stdout
    assert ("FAILS  01 §1 · x stays small: held on 2 of 3 seeds · observed (SEED: value) 0: 0 / 1: 10 / 2: 20 · "
            "range 0..20 · bound <= 15") in out.stdout
    assert ("holds  01 §2 · always true: held on 3 of 3 seeds · observed (SEED: value) 0: True / 1: True / 2: True · "
            "range True..True · bound True") in out.stdout
    assert "class mode: 1 claim(s) DO NOT HOLD; 0 problem(s)" in out.stdout

    out = _run(str(nb), "--seeds", "0,1", "--param", "SCALE=1")  # every seed holds: exit 0
    assert out.returncode == 0, out.stdout + out.stderr
    assert "## 01_seeded.ipynb [SCALE = 1, SEED = 1]: 2 claims" in out.stdout
    assert "holds  01 §1 · x stays small: held on 2 of 2 seeds · observed (SEED: value) 0: 0 / 1: 1 · range 0..1" \
        in out.stdout
