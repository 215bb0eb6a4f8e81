"""benchmarks/collapse_cost.py retrains cells with the notebook's evaluate_genotype: its seeds extend 05 §7's claim."""

import importlib.util
from pathlib import Path

import pytest

from naslab.darts.genotype import Genotype
from naslab.darts.network import DiscreteNetwork
from naslab.darts.search import evaluate_genotype
from naslab.data import load_dataset
from naslab.train import TrainConfig, train
from naslab.utils import seed_everything

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "collapse_cost.py"
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


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_evaluate_genotype_trains_with_the_optimizer_it_is_given(digits, optimizer):
    # oracle: the same network trained by hand with naslab.train and that optimizer (the MNIST-1D rows use Adam)
    g = Genotype(cc.NORMAL["2 skips (collapsed)"], cc.REDUCE["conv"])
    kw = dict(lr=3e-3 if optimizer == "adam" else 0.05, batch_size=32, epochs=1)
    seed_everything(1)
    net = DiscreteNetwork(g, digits.input_shape, digits.num_classes, C=8, layers=5)
    by_hand = train(net, digits, TrainConfig(optimizer=optimizer, weight_decay=3e-4, seed=1, device="cpu", **kw))
    assert cc.retrain(g, digits, 1, optimizer=optimizer, device="cpu", **kw) == by_hand.metrics["val_acc"]


def test_an_unknown_optimizer_names_the_allowed_ones(digits):
    g = Genotype(cc.NORMAL["0 skips (all conv)"], cc.REDUCE["conv"])
    with pytest.raises(ValueError, match=r"optimizer='lbfgs' is unknown; allowed: \['sgd', 'adam'\]"):
        evaluate_genotype(g, digits, optimizer="lbfgs", epochs=1, device="cpu")
