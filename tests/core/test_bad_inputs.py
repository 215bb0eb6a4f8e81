"""Bad inputs across the public API: each gives a clear, early error of the right type whose message
names the bad value or what is allowed (issue 13, item 7). Public names only (`naslab.NAME`)."""

from __future__ import annotations

import functools
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import torch
from torch import nn

import naslab

SPACE = {"x": naslab.Uniform(0.0, 1.0)}


def _ok_objective(config):
    return {"val_acc": 0.5}


@functools.cache
def _digits():
    return naslab.load_dataset("digits", n_train=200)


def _rs(**kw):
    return naslab.run_search(naslab.RandomSearch(SPACE, seed=0), _ok_objective, **kw)


def _fit(model, **kw):
    from naslab.train import train  # train() is a function of the core module naslab.train
    return train(model, _digits(), naslab.TrainConfig(epochs=1, max_steps=1, device="cpu"), **kw)


@functools.cache
def _genotype() -> str:
    g = torch.Generator().manual_seed(0)
    n_ops = len(naslab.PRIMITIVES)
    return str(naslab.derive_genotype(torch.randn(5, n_ops, generator=g), torch.randn(5, n_ops, generator=g)))


def _pool_lambda():
    with ProcessPoolExecutor(1) as ex:
        naslab.run_search(naslab.RandomSearch(SPACE), lambda c: {"val_acc": 1.0}, 2, executor=ex)


def _macro():
    return naslab.MacroSpace(n_layers=2, filters=(4, 8), kernels=(3, 5), strides=(1, 2))


def _bad_op(C, stride, affine, dim):  # ignores the stride: never halves
    return nn.Identity()


def _bad_dim_op(C, stride, affine, dim):  # 1-D only
    return nn.Conv1d(C, C, 3, stride, 1)


CASES = [
    # --- run_search and the search loop
    ("run_search budget 0", lambda: _rs(budget=0), ValueError, "budget=0"),
    ("run_search budget 2.5", lambda: _rs(budget=2.5), ValueError, "budget=2.5"),
    ("run_search budget True", lambda: _rs(budget=True), ValueError, "budget=True"),
    ("run_search budget '5'", lambda: _rs(budget="5"), ValueError, "budget='5'"),
    ("run_search max_seconds -1", lambda: _rs(budget=3, max_seconds=-1), ValueError, "max_seconds=-1"),
    ("run_search max_seconds 0", lambda: _rs(budget=3, max_seconds=0), ValueError, "must be a number > 0"),
    ("run_search max_seconds '5'", lambda: _rs(budget=3, max_seconds="5"), ValueError, "max_seconds='5'"),
    ("run_search batch_size 0", lambda: _rs(budget=3, batch_size=0), ValueError, "batch_size=0"),
    ("run_search metric 3", lambda: _rs(budget=3, metric=3), TypeError, "metric=3 must be a str"),
    ("run_search swapped args", lambda: naslab.run_search(_ok_objective, naslab.RandomSearch(SPACE), 3),
     TypeError, "did you swap them"),
    ("run_search objective not callable", lambda: naslab.run_search(naslab.RandomSearch(SPACE), {"val_acc": 1}, 3),
     TypeError, "objective must be callable"),
    ("run_search lambda on a process pool", _pool_lambda, TypeError, "cannot be sent to a process pool"),
    ("run_search controller metric mismatch",
     lambda: naslab.run_search(naslab.ControllerSearcher([2, 2]), _ok_objective, 2, metric="acc"),
     ValueError, "disagrees"),
    ("GridSearch empty choice", lambda: naslab.GridSearch({"a": naslab.Choice([])}), ValueError, "Choice"),
    # --- domains
    ("Uniform low > high", lambda: naslab.Uniform(1.0, 0.0), ValueError, "low"),
    ("Uniform nan", lambda: naslab.Uniform(float("nan"), 1.0), ValueError, "nan"),
    ("LogUniform low 0", lambda: naslab.LogUniform(0.0, 1.0), ValueError, "low"),
    ("LogUniform negative", lambda: naslab.LogUniform(-1.0, 1.0), ValueError, "low"),
    ("IntRange float", lambda: naslab.IntRange(1.5, 3), ValueError, "1.5"),
    ("IntRange low > high", lambda: naslab.IntRange(5, 1), ValueError, "low"),
    ("Choice empty", lambda: naslab.Choice([]), ValueError, "Choice"),
    ("sample not a space", lambda: naslab.sample(3, np.random.default_rng(0)), (ValueError, TypeError), "space"),
    # --- Trial and JSONL
    ("Trial unknown status", lambda: naslab.Trial(config={}, status="done"), ValueError, "allowed"),
    ("Trial negative seconds", lambda: naslab.Trial(config={}, seconds=-1.0), ValueError, "seconds=-1.0"),
    ("Trial nan seconds", lambda: naslab.Trial(config={}, seconds=float("nan")), ValueError, "finite"),
    ("Trial set in config", lambda: naslab.Trial(config={"a": {1, 2}}), TypeError, "config['a'] is a set"),
    ("Trial module metric", lambda: naslab.Trial(config={}, metrics={"m": nn.ReLU()}), TypeError, "metric 'm'"),
    ("Trial metrics not a dict", lambda: naslab.Trial(config={}, metrics=[1]), TypeError, "metrics must be a dict"),
    # --- anytime curves
    ("best_vs_trials empty", lambda: naslab.best_vs_trials([]), ValueError, "at least one non-empty run"),
    ("best_vs_trials empty runs", lambda: naslab.best_vs_trials([[], []]), ValueError, "non-empty run"),
    ("best_vs_trials n=0", lambda: naslab.best_vs_trials([[0.5]], 0), ValueError, "n=0"),
    ("best_so_far bad mode", lambda: naslab.best_so_far([0.5], mode="best"), ValueError, "allowed"),
    # --- data
    ("load_dataset unknown", lambda: naslab.load_dataset("cifar"), ValueError, "known datasets"),
    ("load_dataset n_train 3", lambda: naslab.load_dataset("digits", n_train=3), ValueError, "n_train=3 is too small"),
    ("load_dataset n_train 0", lambda: naslab.load_dataset("digits", n_train=0), ValueError, "n_train=0"),
    ("load_dataset n_train float", lambda: naslab.load_dataset("digits", n_train=50.5), ValueError, "n_train=50.5"),
    ("load_dataset n_train huge", lambda: naslab.load_dataset("digits", n_train=10**6), ValueError, "larger than"),
    ("load_dataset val_fraction 1", lambda: naslab.load_dataset("digits", val_fraction=1.0), ValueError,
     "val_fraction"),
    # --- models
    ("make_mlp hidden (0,)", lambda: naslab.make_mlp((1, 8, 8), 10, (0,)), ValueError, "hidden entry=0"),
    ("make_mlp hidden int", lambda: naslab.make_mlp((1, 8, 8), 10, 64), ValueError, "hidden=64"),
    ("make_mlp num_classes 0", lambda: naslab.make_mlp((1, 8, 8), 0), ValueError, "num_classes=0"),
    ("make_mlp input_shape int", lambda: naslab.make_mlp(64, 10), ValueError, "input_shape=64"),
    ("make_mlp wrong batch shape", lambda: naslab.make_mlp((1, 40), 10)(torch.randn(2, 64)), ValueError,
     "built for inputs of shape (N, 1, 40), got (2, 64)"),
    ("make_cnn (C,) shape", lambda: naslab.make_cnn((40,), 10), ValueError, "input_shape=(40,)"),
    ("make_cnn channels (0,)", lambda: naslab.make_cnn((1, 40), 10, (0,)), ValueError, "channels entry=0"),
    ("make_cnn wrong batch shape", lambda: naslab.make_cnn((1, 40), 10)(torch.randn(2, 1, 8, 8)), ValueError,
     "(N, 1, 40), got (2, 1, 8, 8)"),
    ("make_plain_net bad token", lambda: naslab.make_plain_net((1, 40), 10, "conv-8 fc-16"), ValueError,
     "unknown token"),
    ("make_plain_net wrong batch", lambda: naslab.make_plain_net((1, 40), 10)(torch.randn(2, 1, 30)), ValueError,
     "make_plain_net was built for inputs of shape (N, 1, 40)"),
    ("make_plain_net num_classes 0", lambda: naslab.make_plain_net((1, 40), 0), ValueError, "num_classes=0"),
    # --- training
    ("TrainConfig lr inf", lambda: naslab.TrainConfig(lr=float("inf")).validate(), ValueError, "lr=inf"),
    ("TrainConfig lr 0", lambda: naslab.TrainConfig(lr=0).validate(), ValueError, "lr=0"),
    ("TrainConfig lr nan", lambda: naslab.TrainConfig(lr=float("nan")).validate(), ValueError, "lr=nan"),
    ("TrainConfig weight_decay -1", lambda: naslab.TrainConfig(weight_decay=-1).validate(), ValueError,
     "weight_decay=-1"),
    ("TrainConfig momentum 1", lambda: naslab.TrainConfig(momentum=1.0).validate(), ValueError, "momentum=1.0"),
    ("TrainConfig optimizer", lambda: naslab.TrainConfig(optimizer="rmsprop").validate(), ValueError, "allowed"),
    ("TrainConfig epochs 0", lambda: naslab.TrainConfig(epochs=0).validate(), ValueError, "epochs=0"),
    ("train lr inf", lambda: _fit(naslab.make_mlp((1, 8, 8), 10), lr=float("inf")), ValueError, "lr=inf"),
    ("train model for another dataset", lambda: _fit(naslab.make_mlp((1, 40), 10)), ValueError,
     "does not accept 'digits' inputs"),
    ("train model with wrong classes", lambda: _fit(naslab.make_mlp((1, 8, 8), 3)), ValueError,
     "num_classes=10"),
    # --- controller (notebook 02)
    ("ControllerConfig reward", lambda: naslab.ControllerConfig(reward="square").validate(), ValueError, "allowed"),
    ("ControllerConfig batch 0", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(batch_size=0)),
     ValueError, "batch_size=0"),
    ("ControllerConfig lr 0", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(lr=0)), ValueError,
     "lr=0"),
    ("ControllerConfig lr nan", lambda: naslab.ControllerConfig(lr=float("nan")).validate(), ValueError, "lr=nan"),
    ("ControllerConfig decay 1", lambda: naslab.ControllerConfig(baseline_decay=1.0).validate(), ValueError,
     "baseline_decay=1.0"),
    ("ControllerConfig tanh 0", lambda: naslab.ControllerConfig(tanh_constant=0).validate(), ValueError,
     "tanh_constant=0"),
    ("ControllerSearcher positional seed", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(), 3),
     TypeError, "positional"),
    ("Controller no choices", lambda: naslab.Controller([]), ValueError, "num_choices"),
    ("Controller zero choices", lambda: naslab.Controller([3, 0]), ValueError, "num_choices"),
    ("EMABaseline decay 1", lambda: naslab.EMABaseline(1.0), ValueError, "decay=1.0"),
    ("reinforce_loss shapes", lambda: naslab.reinforce_loss(torch.zeros(3), [1.0, 2.0]), ValueError,
     "reward has shape (2,)"),
    ("MacroSpace.build wrong batch", lambda: _macro().build(_macro().sample(0), (1, 40), 10)(torch.randn(2, 64)),
     ValueError, "built for inputs of shape (N, 1, 40)"),
    ("MacroSpace.build shape (40,)", lambda: _macro().build(_macro().sample(0), (40,), 10), ValueError,
     "input_shape=(40,)"),
    ("MacroSpace.build 0 classes", lambda: _macro().build(_macro().sample(0), (1, 40), 0), ValueError,
     "num_classes=0"),
    # --- net2net (notebook 04)
    ("widen_layer new_width 20.5", lambda: naslab.widen_layer(naslab.make_mlp((1, 8, 8), 10, (16,)), 0, 20.5),
     ValueError, "new_width=20.5 must be an int"),
    ("widen_layer narrower", lambda: naslab.widen_layer(naslab.make_mlp((1, 8, 8), 10, (16,)), 0, 8), ValueError,
     "must be larger"),
    ("widen_layer negative noise", lambda: naslab.widen_layer(naslab.make_mlp((1, 8, 8), 10, (16,)), 0, 20,
                                                              noise=-1.0), ValueError, "noise=-1.0"),
    ("measure_preservation wrong X", lambda: naslab.measure_preservation(naslab.make_mlp((1, 40), 10),
                                                                      naslab.make_mlp((1, 40), 10),
                                                                      torch.randn(4, 64)),
     ValueError, "teacher does not accept X of shape (4, 64)"),
    ("measure_preservation bad mode", lambda: naslab.measure_preservation(naslab.make_mlp((1, 40), 10),
                                                                       naslab.make_mlp((1, 40), 10),
                                                                       torch.randn(4, 1, 40), modes=("test",)),
     ValueError, "allowed"),
    # --- DARTS (notebook 05)
    ("SearchConfig epochs 0", lambda: naslab.SearchConfig(epochs=0), ValueError, "epochs=0"),
    ("SearchConfig order", lambda: naslab.SearchConfig(order="third"), ValueError, "order='third'"),
    ("SearchConfig alpha_lr inf", lambda: naslab.SearchConfig(alpha_lr=float("inf")), ValueError, "alpha_lr=inf"),
    ("SearchConfig C 0", lambda: naslab.SearchConfig(C=0), ValueError, "C=0"),
    ("Genotype.count swapped", lambda: naslab.Genotype.parse(_genotype()).count("normal", "skip_connect"),
     ValueError, "the order is count(ops, kind)"),
    ("Genotype.count bad kind", lambda: naslab.Genotype.parse(_genotype()).count("skip_connect", "both"),
     ValueError, "kind='both'"),
    ("DiscreteNetwork wrong batch", lambda: naslab.DiscreteNetwork(_genotype(), (1, 40), 10)(torch.randn(2, 1, 8, 8)),
     ValueError, "DiscreteNetwork was built for inputs of shape (N, 1, 40)"),
    ("DiscreteNetwork shape (40,)", lambda: naslab.DiscreteNetwork(_genotype(), (40,), 10), ValueError,
     "input_shape=(40,)"),
    ("register_op ignores stride", lambda: naslab.register_op("no_halving_bad", _bad_op), ValueError,
     "fails the op check"),
    ("register_op 1-D only", lambda: naslab.register_op("one_d_only_bad", _bad_dim_op), ValueError,
     "fails the op check"),
    ("register_op bad name", lambda: naslab.register_op("has space", _bad_op), ValueError, "letters, digits"),
    ("register_op built-in", lambda: naslab.register_op("skip_connect", _bad_op, replace=True), ValueError,
     "built-in"),
]


@pytest.mark.parametrize("call, exc, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_a_clear_early_error(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value), f"message {str(info.value)!r} lacks {fragment!r}"


def test_at_least_sixty_bad_inputs_and_rejected_ops_are_not_registered():
    assert len(CASES) >= 60
    assert "no_halving_bad" not in naslab.OPS and "one_d_only_bad" not in naslab.OPS


def test_net2net_noise_on_a_one_element_weight_stays_finite():
    deep = naslab.deepen_layer(nn.Sequential(nn.Linear(3, 1), nn.ReLU(), nn.Linear(1, 2)), 0, noise=1e-2)
    assert all(torch.isfinite(p).all() for p in deep.parameters())
    for kw in ({"noise": 1e-2}, {"init": "random"}):
        wide = naslab.widen_layer(nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1)), 0, 3, **kw)
        assert all(torch.isfinite(p).all() for p in wide.parameters()), kw
        assert wide[0].weight.shape == (3, 1)


def test_re_registering_the_same_op_builder_is_allowed_as_a_re_run_notebook_cell_does():
    src = ("def conv_again(C, stride, affine, dim):\n"
           "    conv = nn.Conv1d if dim == 1 else nn.Conv2d\n"
           "    return conv(C, C, 3, stride, 1)\n")
    try:
        for _ in range(2):  # the same cell run twice defines a new function object with the same code
            ns = {"nn": nn}
            exec(src, ns)
            naslab.register_op("conv_again_test", ns["conv_again"])
        with pytest.raises(ValueError, match="different builder"):
            naslab.register_op("conv_again_test", _bad_dim_op, check=False)
        naslab.register_op("conv_again_test", ns["conv_again"], replace=True)
    finally:
        naslab.OPS.pop("conv_again_test", None)
