"""tools/device_check.py covers every heavy path of issue 25 and its pieces run (FAST mode): on this machine
"auto" and "cpu" give the same numbers (bit for bit on a CPU-only machine), all finite."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from naslab.utils import get_device

ROOT = Path(__file__).resolve().parents[2]
ON_CPU = get_device("auto").type == "cpu"


@pytest.fixture(scope="module")
def device_check():
    spec = importlib.util.spec_from_file_location("device_check", ROOT / "tools" / "device_check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_heavy_path_has_a_piece(device_check):
    # table builds (06 and 03, and the truer table), the bake-off trainer, DARTS on the table, retraining,
    # population training, DARTS itself, the core trainer
    assert set(device_check.PIECES) == {"train", "train_population", "run_darts", "evaluate_genotype", "train_batched",
                                        "train_single", "nb201_build", "truer_build", "proxies_build",
                                        "supernet_ranking", "darts_on_table"}


def _numbers(out) -> list[float]:
    out = out[1] if isinstance(out, tuple) else out
    return [float(x) for x in (out if isinstance(out, list) else [out])]


@pytest.mark.parametrize("piece", ["train", "train_population", "run_darts", "evaluate_genotype", "train_batched",
                                   "train_single", "nb201_build", "truer_build", "proxies_build", "supernet_ranking",
                                   "darts_on_table"])
def test_piece_agrees_between_auto_and_cpu(device_check, piece, monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "1")
    fn = device_check.PIECES[piece]
    cpu, auto = fn("cpu"), fn("auto")
    a, b = _numbers(cpu), _numbers(auto)
    assert a and len(a) == len(b) and all(math.isfinite(x) and 0 <= x <= 1 for x in a + b)
    if ON_CPU:
        assert cpu == auto
    else:
        assert max(abs(x - y) for x, y in zip(a, b)) <= 0.05
