"""benchmarks/collapse_cost.py retrains cells exactly as notebook 05 §7 does: its seeds extend the notebook's claim."""

import importlib.util
from pathlib import Path

import pytest

from naslab.darts.genotype import Genotype
from naslab.darts.search import evaluate_genotype
from naslab.data import load_dataset

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "collapse_cost.py"
SPEC = importlib.util.spec_from_file_location("collapse_cost", SCRIPT)
cc = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(cc)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", n_train=128)


def test_the_variants_differ_only_in_the_normal_cells_skips():
    counts = {name: Genotype(normal, cc.REDUCE["conv"]).count("skip_connect") for name, normal in cc.NORMAL.items()}
    assert counts == {"0 skips (all conv)": 0, "2 skips (collapsed)": 2, "4 skips (all skip)": 4}
    assert Genotype(cc.NORMAL["0 skips (all conv)"], cc.REDUCE["skip"]).count("skip_connect", "reduce") == 4


@pytest.mark.parametrize("name", ["0 skips (all conv)", "4 skips (all skip)"])
def test_retrain_matches_the_notebooks_evaluate_genotype(digits, name):
    g = Genotype(cc.NORMAL[name], cc.REDUCE["conv"])
    kw = dict(lr=0.05, batch_size=32, epochs=1)  # §7's recipe, one epoch
    ours = cc.retrain(g, digits, 1, device="cpu", **kw)
    notebook = evaluate_genotype(g, digits, seed=1, C=8, layers=5, device="cpu", **kw).score()
    assert ours == notebook
