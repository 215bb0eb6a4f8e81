"""naslab.darts.collapse: the cells of 05 §7's collapse-cost test and `skip_cost`, which retrains them."""

import numpy as np
import pytest

from naslab.darts.collapse import NORMAL_CELLS, skip_cells, skip_cost
from naslab.darts.genotype import Genotype
from naslab.darts.network import DiscreteNetwork
from naslab.darts.search import evaluate_genotype
from naslab.data import load_dataset
from naslab.train import TrainConfig, train
from naslab.utils import seed_everything


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", n_train=128)


def test_the_cells_differ_only_in_the_normal_cells_skips():
    for reduce, reduce_skips in (("conv", 0), ("skip", 4)):
        cells = skip_cells(reduce)
        assert {k: g.count("skip_connect") for k, g in cells.items()} == {
            "0 skips (all conv)": 0, "2 skips": 2, "4 skips (all skip)": 4}
        assert {g.count("skip_connect", "reduce") for g in cells.values()} == {reduce_skips}


def test_the_cells_are_the_ones_notebook_05_wrote_out():
    # oracle: 05 §7's last cell before it called skip_cost (its retrained scores are cached by str(genotype))
    conv4 = (("sep_conv_3x3", 0), ("sep_conv_3x3", 1)), (("sep_conv_3x3", 0), ("sep_conv_3x3", 1))
    written = {"0 skips (all conv)": conv4,
               "2 skips": ((("skip_connect", 0), ("sep_conv_3x3", 1)), (("sep_conv_3x3", 0), ("skip_connect", 1))),
               "4 skips (all skip)": ((("skip_connect", 0), ("skip_connect", 1)),
                                      (("skip_connect", 0), ("skip_connect", 1)))}
    expected = {k: str(Genotype(n, conv4)) for k, n in written.items()}
    assert {k: str(g) for k, g in skip_cells("conv").items()} == expected


def test_skip_cost_averages_score_over_seeds_cell_by_cell():
    calls = []

    def score(g, seed, label):  # a fake retraining: 0.9 minus 0.01 per skip, plus the seed / 100
        calls.append((label, seed))
        return 0.9 - 0.01 * g.count("skip_connect") + seed / 100

    cost = skip_cost(score, 3)
    assert calls == [(label, s) for label in NORMAL_CELLS for s in range(3)]  # the notebook's order of trainings
    assert cost == pytest.approx({"0 skips (all conv)": 0.91, "2 skips": 0.89, "4 skips (all skip)": 0.87})
    assert isinstance(cost["2 skips"], float) and cost["2 skips"] == np.mean([0.88, 0.89, 0.90])


@pytest.mark.parametrize("kwargs, message", [
    (dict(seeds=0), "seeds=0 must be an int >= 1"),
    (dict(seeds=2.0), "seeds=2.0 must be an int >= 1"),
    (dict(seeds=True), "seeds=True must be an int >= 1"),
    (dict(seeds=1, reduce="pool"), r"reduce='pool'; allowed: \['conv', 'skip'\]"),
])
def test_bad_arguments_name_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        skip_cost(lambda g, s, label: 0.0, **kwargs)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_evaluate_genotype_trains_with_the_optimizer_it_is_given(digits, optimizer):
    # oracle: the same network trained by hand with naslab.train and that optimizer
    g = skip_cells("conv")["2 skips"]
    kw = dict(lr=3e-3 if optimizer == "adam" else 0.05, batch_size=32, epochs=1)
    seed_everything(1)
    net = DiscreteNetwork(g, digits.input_shape, digits.num_classes, C=8, layers=5)
    by_hand = train(net, digits, TrainConfig(optimizer=optimizer, weight_decay=3e-4, seed=1, device="cpu", **kw))
    got = evaluate_genotype(g, digits, seed=1, C=8, layers=5, optimizer=optimizer, device="cpu", **kw).score()
    assert got == by_hand.metrics["val_acc"]


def test_an_unknown_optimizer_names_the_allowed_ones(digits):
    with pytest.raises(ValueError, match=r"optimizer='lbfgs' is unknown; allowed: \['sgd', 'adam'\]"):
        evaluate_genotype(skip_cells("conv")["0 skips (all conv)"], digits, optimizer="lbfgs", epochs=1, device="cpu")
