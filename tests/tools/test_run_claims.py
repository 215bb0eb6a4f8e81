"""`make claims` (tools/run_claims.py) on tiny notebooks: claims, silence watch, busy-loop load."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _notebook(tmp_path: Path, name: str, cells: list[str], expected: bool = True) -> Path:
    nb = nbformat.v4.new_notebook()
    if expected:
        nb.cells.append(nbformat.v4.new_markdown_cell("**Expected result**: the answer is 42."))
    nb.cells += [nbformat.v4.new_code_cell(src) for src in cells]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_claims.py"), *args],
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
