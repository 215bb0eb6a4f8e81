"""Package-level checks: a light, offline import; the declared dependencies; a clean lint."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_import_is_light_and_offline():
    code = (
        "import socket, sys\n"
        "def boom(*a, **k): raise SystemExit('network touched')\n"
        "socket.socket.connect = boom\n"
        "import naslab\n"
        "heavy = [m for m in ('torch', 'matplotlib', 'sklearn', 'mnist1d') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print(naslab.__version__)\n"
        "assert callable(naslab.load_dataset) and 'torch' in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr + out.stdout


def test_public_api_resolves():
    import naslab

    for name in naslab.__all__:
        assert getattr(naslab, name) is not None, name
    with pytest.raises(AttributeError):
        naslab.not_a_thing  # noqa: B018


def _names(specs):
    return sorted({re.split(r"[<>=!~;\[ ]", s.strip(), maxsplit=1)[0].lower().replace("_", "-") for s in specs})


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    import tomllib
    import yaml

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_names = _names([d for d in conda if not d.startswith(("python", "pip"))] + [p for p in pip if p != "-e ."])
    want = _names(project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra])
    assert env_names == want
    python = next(d for d in conda if d.startswith("python"))
    assert "3.10" in python or "3.11" in python


def test_ruff_is_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "naslab", "tests", "benchmarks", "tools", "notebooks"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
