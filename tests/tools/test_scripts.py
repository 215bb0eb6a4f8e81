"""Every script under benchmarks/ and tools/ sets its threads with `naslab.utils.script_threads`, never by hand."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import torch

from naslab.utils import script_threads

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted([*(ROOT / "benchmarks").glob("*.py"), *(ROOT / "tools").rglob("*.py")])
THREAD_VARS = {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"}  # (NASLAB_THREADS: the kernels' knob)
THREAD_CALLS = {"set_num_threads", "set_num_interop_threads", "set_threads"}


def thread_problems(source: str) -> list[str]:
    """Lines of `source` that set threads by hand: a call of torch's (or naslab's) thread setters, or code
    naming a thread environment variable (docstrings and comments may mention them)."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in THREAD_CALLS:
                problems.append((node.lineno, f"{name}(...)"))
            problems += [(node.lineno, f"{k.arg}=...") for k in node.keywords if k.arg in THREAD_VARS]
        elif isinstance(node, ast.Constant) and node.value in THREAD_VARS:
            problems.append((node.lineno, repr(node.value)))
    return [f"line {n}: {what}" for n, what in sorted(problems)]


def needs_threads(tree: ast.Module) -> bool:
    """A script (it has a `__main__` block) that imports torch or naslab beyond `naslab.claims`."""
    main = any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in tree.body)
    mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    mods |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return main and any(m.split(".")[0] in {"torch", "naslab"} and m != "naslab.claims" for m in mods)


def calls_script_threads(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "script_threads" for n in ast.walk(tree))


def test_the_checker_finds_hand_written_thread_set_up():
    planted = ('"""Run with OMP_NUM_THREADS=1."""\nimport os\nimport torch\n# OMP_NUM_THREADS in a comment is fine\n'
               'os.environ.setdefault("OMP_NUM_THREADS", "1")\ntorch.set_num_threads(2)\n'
               'os.environ.update(MKL_NUM_THREADS="1")\nos.environ["OPENBLAS_NUM_THREADS"] = "1"\n')
    assert thread_problems(planted) == ["line 5: 'OMP_NUM_THREADS'", "line 6: set_num_threads(...)",
                                        "line 7: MKL_NUM_THREADS=...", "line 8: 'OPENBLAS_NUM_THREADS'"]
    tree = ast.parse("import torch\n\ndef main():\n    pass\n\nif __name__ == '__main__':\n    main()\n")
    assert needs_threads(tree) and not calls_script_threads(tree)
    assert not needs_threads(ast.parse("from naslab.claims import claim\nif __name__ == '__main__':\n    pass\n"))


def test_scripts_exist_in_both_folders():
    names = {p.relative_to(ROOT).as_posix() for p in SCRIPTS}
    assert {"benchmarks/grid_speed.py", "tools/run_claims.py", "tools/build/build_nb201.py"} <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_script_sets_threads_itself(path):
    source = path.read_text(encoding="utf-8")
    assert not thread_problems(source), f"{path.name}: call naslab.utils.script_threads() instead"
    tree = ast.parse(source)
    if needs_threads(tree):
        assert calls_script_threads(tree), f"{path.name} uses torch or naslab but never calls script_threads()"


def test_script_threads_sets_torch_and_the_worker_environment(monkeypatch):
    before = torch.get_num_threads()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(var, "7")
    monkeypatch.setenv("NASLAB_THREADS", "2")
    try:
        assert script_threads() == 2 and torch.get_num_threads() == 2
        assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "2"
        assert script_threads(1) == 1 and torch.get_num_threads() == 1 and os.environ["OMP_NUM_THREADS"] == "1"
        with pytest.raises(ValueError, match="n=0 is not a positive integer number of threads"):
            script_threads(0)
    finally:
        torch.set_num_threads(before)
