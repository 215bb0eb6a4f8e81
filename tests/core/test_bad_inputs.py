"""Bad inputs across the public API: each gives a clear, early error of the right type whose message
names the argument, its value or what is allowed (issues 13 and 21, item 7), or the documented trial
status. Public names only (`naslab.NAME`, or the documented module path). Every public function and
class of `naslab._API` has at least one case (`test_every_public_name_has_a_bad_input_case`).

A case is (id, call, exception type, regex the message must match[, pending]). The id starts with the
public name it exercises. Pending cases (code being refactored elsewhere) are strict xfails, so the
suite stays green and the list of what is left stays visible.
"""

from __future__ import annotations

import functools
import math
import re
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import torch
from torch import nn

import naslab
from naslab.checking import CheckError
from naslab.train import train  # train() is a function of the core module naslab.train (not re-exported)

SPACE = {"x": naslab.Uniform(0.0, 1.0)}
PENDING = pytest.mark.xfail(strict=True, reason="issue 21 item 7: pending")


def L(*parts: str) -> str:
    """A regex matching the literal `parts` in this order (anything in between)."""
    return ".*".join(re.escape(p) for p in parts)


def _ok_objective(config):
    return {"val_acc": 0.5}


@functools.cache
def _digits():
    return naslab.load_dataset("digits", n_train=200)


@functools.cache
def _mnist1d():
    return naslab.load_dataset("mnist1d", n_train=200)


def _rs(**kw):
    return naslab.run_search(naslab.RandomSearch(SPACE, seed=0), _ok_objective, **kw)


def _fit(model, data=None, **kw):
    return train(model, data or _digits(), naslab.TrainConfig(epochs=1, max_steps=1, device="cpu"), **kw)


def _mlp():
    return naslab.make_mlp((1, 8, 8), 10, (16,))


def _trials():
    return [naslab.Trial(config={"x": 1}, metrics={"val_acc": 0.5}),
            naslab.Trial(config={"x": 2}, metrics={"val_acc": 0.7})]


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


def _supernet():
    return naslab.SuperNet(_macro(), (1, 40), 10)


def _empty_train():
    d = _digits()
    return naslab.Dataset("empty", d.X_train[:0], d.y_train[:0], d.X_val, d.y_val, d.X_test, d.y_test,
                          d.input_shape, d.num_classes)


def _exhausted_grid():
    grid = naslab.GridSearch({"a": naslab.Choice([1, 2])})
    naslab.run_search(grid, _ok_objective, 2)
    return naslab.run_search(grid, _ok_objective, 2)


def _huge_grid():  # 10^10 configurations: must not be materialised
    space = {f"p{i}": naslab.Choice(list(range(10))) for i in range(10)}
    grid = naslab.GridSearch(space)
    assert grid.ask() == {f"p{i}": 0 for i in range(10)}
    raise ValueError("GridSearch of 10000000000 configurations built lazily")  # the expected outcome


def _bad_op(C, stride, affine, dim):  # ignores the stride: never halves
    return nn.Identity()


def _bad_dim_op(C, stride, affine, dim):  # 1-D only
    return nn.Conv1d(C, C, 3, stride, 1)


def _c4_only_op(C, stride, affine, dim):  # works only at the check's C = 4
    return (nn.Conv1d if dim == 1 else nn.Conv2d)(4, 4, 3, stride, 1)


class _Size8Only(nn.Module):  # works only on the check's size-8 (and halved size-4) inputs
    def __init__(self, C, stride, dim):
        super().__init__()
        self.conv = (nn.Conv1d if dim == 1 else nn.Conv2d)(C, C, 3, stride, 1)

    def forward(self, x):
        if x.shape[-1] not in (8, 4):
            raise RuntimeError("only size 8")
        return self.conv(x)


def _size8_only_op(C, stride, affine, dim):
    return _Size8Only(C, stride, dim)


def _darts(**kw):
    return naslab.run_darts(_mnist1d(), epochs=1, C=4, layers=3, steps=1, batch_size=32, device="cpu", **kw)


def _alphas(value):
    return torch.full((2, len(naslab.PRIMITIVES)), value)


def _plots():
    import matplotlib
    matplotlib.use("Agg")
    import naslab.plots
    return naslab.plots


def _checks(topic: str):
    import importlib
    return importlib.import_module(f"naslab.{topic}.checks")  # the exercise checks of a notebook topic


T = torch.tensor
NAN, INF = float("nan"), float("inf")

CORE = [
    # --- run modes and shared bits
    ("is_fast extra argument", lambda: naslab.is_fast(1), TypeError, L("is_fast() takes 0 positional arguments")),
    ("budget missing arguments", lambda: naslab.budget(), TypeError, L("'full' and 'fast'")),
    ("seed_everything -1", lambda: naslab.seed_everything(-1), ValueError, L("seed=-1", "int")),
    ("seed_everything 1.5", lambda: naslab.seed_everything(1.5), ValueError, L("seed", "1.5")),
    ("seed_everything 'abc'", lambda: naslab.seed_everything("abc"), ValueError, L("seed", "'abc'")),
    ("seed_everything True", lambda: naslab.seed_everything(True), ValueError, L("seed", "True")),
    ("seed_everything 2**40", lambda: naslab.seed_everything(2**40), ValueError, L("seed=1099511627776")),
    ("get_device 'gpu'", lambda: naslab.get_device("gpu"), ValueError, L("device='gpu' is unknown; allowed")),
    ("get_device 3", lambda: naslab.get_device(3), ValueError, L("device=3", "allowed")),
    ("get_device None", lambda: naslab.get_device(None), ValueError, L("device=None", "allowed")),
    ("count_params list", lambda: naslab.count_params([1]), TypeError, L("model must be", "list")),
    ("count_params None", lambda: naslab.count_params(None), TypeError, L("model must be", "NoneType")),
    ("Timer argument", lambda: naslab.Timer(3), TypeError, L("Timer() takes no arguments")),
    ("set_threads 0", lambda: naslab.set_threads(0), ValueError, L("n=0 is not a positive integer")),
    ("set_threads -1", lambda: naslab.set_threads(-1), ValueError, L("n=-1")),
    ("set_threads 1.5", lambda: naslab.set_threads(1.5), ValueError, L("n=1.5")),
    ("set_threads True", lambda: naslab.set_threads(True), ValueError, L("n=True")),
    ("set_threads '2'", lambda: naslab.set_threads("2"), ValueError, L("n='2'")),
    ("claim bad where", lambda: naslab.claim("w", "x", 0.5, 0, 1), ValueError, L("where='w' must look like '05 §7'")),
    ("claim low > high", lambda: naslab.claim("05 §7", "x", 0.5, 1.0, 0.0), ValueError, L("low=1.0", "high=0.0")),
    ("claim observed 'a'", lambda: naslab.claim("05 §7", "x", "a", 0, 1), ValueError, L("observed='a'")),
    # --- data
    ("load_dataset unknown", lambda: naslab.load_dataset("cifar"), ValueError, L("known datasets")),
    ("load_dataset name 3", lambda: naslab.load_dataset(3), ValueError, L("unknown dataset 3; known datasets")),
    ("load_dataset n_train 3", lambda: naslab.load_dataset("digits", n_train=3), ValueError,
     L("n_train=3 is too small")),
    ("load_dataset n_train 0", lambda: naslab.load_dataset("digits", n_train=0), ValueError, L("n_train=0")),
    ("load_dataset n_train -5", lambda: naslab.load_dataset("digits", n_train=-5), ValueError,
     L("n_train=-5 must be a positive int")),
    ("load_dataset n_train True", lambda: naslab.load_dataset("digits", n_train=True), ValueError, L("n_train=True")),
    ("load_dataset n_train '50'", lambda: naslab.load_dataset("digits", n_train="50"), ValueError, L("n_train='50'")),
    ("load_dataset n_train float", lambda: naslab.load_dataset("digits", n_train=50.5), ValueError, L("n_train=50.5")),
    ("load_dataset n_train huge", lambda: naslab.load_dataset("digits", n_train=10**6), ValueError, L("larger than")),
    ("load_dataset val_fraction 1", lambda: naslab.load_dataset("digits", val_fraction=1.0), ValueError,
     L("val_fraction=1.0 must lie strictly between 0 and 1")),
    ("load_dataset val_fraction 0", lambda: naslab.load_dataset("digits", val_fraction=0.0), ValueError,
     L("val_fraction=0.0")),
    ("load_dataset val_fraction nan", lambda: naslab.load_dataset("digits", val_fraction=NAN), ValueError,
     L("val_fraction=nan")),
    ("load_dataset val_fraction '0.2'", lambda: naslab.load_dataset("digits", val_fraction="0.2"), ValueError,
     L("val_fraction='0.2' must lie strictly between 0 and 1")),
    ("load_dataset val_fraction True", lambda: naslab.load_dataset("digits", val_fraction=True), ValueError,
     L("val_fraction=True")),
    ("load_dataset split_seed -1", lambda: naslab.load_dataset("digits", split_seed=-1), ValueError,
     L("split_seed=-1 must be an int in [0, 4294967295]")),
    ("load_dataset split_seed 1.5", lambda: naslab.load_dataset("digits", split_seed=1.5), ValueError,
     L("split_seed=1.5 must be an int")),
    ("load_dataset split_seed 'abc'", lambda: naslab.load_dataset("digits", split_seed="abc"), ValueError,
     L("split_seed='abc' must be an int")),
    ("load_dataset offline", lambda: naslab.load_dataset("fashion-mnist", root="/nonexistent/naslab"),
     FileNotFoundError, L("'fashion-mnist' is not in /nonexistent/naslab", "download=True")),
    ("available_datasets extra argument", lambda: naslab.available_datasets(1), TypeError,
     L("available_datasets() takes 0 positional arguments")),
    ("Dataset X and y lengths differ", lambda: naslab.Dataset("d", T([[1.0]]), T([0, 1]), T([[1.0]]), T([0]),
                                                              T([[1.0]]), T([0]), (1,), 2),
     ValueError, L("X_train and y_train must be tensors of equal length")),
    ("Dataset num_classes 0", lambda: naslab.Dataset("d", T([[1.0]]), T([0]), T([[1.0]]), T([0]), T([[1.0]]), T([0]),
                                                     (1,), 0), ValueError, L("Dataset.num_classes=0 must be an int")),
    ("Dataset y list", lambda: naslab.Dataset("d", T([[1.0]]), [0], T([[1.0]]), T([0]), T([[1.0]]), T([0]), (1,), 2),
     ValueError, L("X_train and y_train must be tensors")),
    # --- models
    ("make_mlp hidden (0,)", lambda: naslab.make_mlp((1, 8, 8), 10, (0,)), ValueError, L("hidden entry=0")),
    ("make_mlp hidden (2.5,)", lambda: naslab.make_mlp((1, 8, 8), 10, (2.5,)), ValueError,
     L("hidden entry=2.5 must be an int >= 1")),
    ("make_mlp hidden (True,)", lambda: naslab.make_mlp((1, 8, 8), 10, (True,)), ValueError, L("hidden entry=True")),
    ("make_mlp hidden int", lambda: naslab.make_mlp((1, 8, 8), 10, 64), ValueError, L("hidden=64")),
    ("make_mlp hidden 'abc'", lambda: naslab.make_mlp((1, 8, 8), 10, "abc"), ValueError,
     L("hidden='abc' must be a tuple of ints")),
    ("make_mlp num_classes 0", lambda: naslab.make_mlp((1, 8, 8), 0), ValueError, L("num_classes=0")),
    ("make_mlp num_classes True", lambda: naslab.make_mlp((1, 8, 8), True), ValueError, L("num_classes=True")),
    ("make_mlp num_classes 2.0", lambda: naslab.make_mlp((1, 8, 8), 2.0), ValueError, L("num_classes=2.0")),
    ("make_mlp input_shape int", lambda: naslab.make_mlp(64, 10), ValueError, L("input_shape=64")),
    ("make_mlp input_shape (0, 8)", lambda: naslab.make_mlp((0, 8), 10), ValueError,
     L("input_shape=(0, 8) must be (D,) or (C, L) or (C, H, W) with positive ints")),
    ("make_mlp input_shape 4-D", lambda: naslab.make_mlp((1, 2, 3, 4), 10), ValueError, L("input_shape=(1, 2, 3, 4)")),
    ("make_mlp wrong batch shape", lambda: naslab.make_mlp((1, 40), 10)(torch.randn(2, 64)), ValueError,
     L("built for inputs of shape (N, 1, 40), got (2, 64)")),
    ("make_cnn (C,) shape", lambda: naslab.make_cnn((40,), 10), ValueError, L("input_shape=(40,)")),
    ("make_cnn input_shape None", lambda: naslab.make_cnn(None, 10), ValueError, L("input_shape=None")),
    ("make_cnn channels (0,)", lambda: naslab.make_cnn((1, 40), 10, (0,)), ValueError, L("channels entry=0")),
    ("make_cnn channels int", lambda: naslab.make_cnn((1, 40), 10, 16), ValueError, L("channels=16")),
    ("make_cnn kernel_size 0", lambda: naslab.make_cnn((1, 40), 10, kernel_size=0), ValueError,
     L("kernel_size=0 must be an int >= 1")),
    ("make_cnn kernel_size 2.5", lambda: naslab.make_cnn((1, 40), 10, kernel_size=2.5), ValueError,
     L("kernel_size=2.5")),
    ("make_cnn num_classes -1", lambda: naslab.make_cnn((1, 40), -1), ValueError, L("num_classes=-1")),
    ("make_cnn wrong batch shape", lambda: naslab.make_cnn((1, 40), 10)(torch.randn(2, 1, 8, 8)), ValueError,
     L("(N, 1, 40), got (2, 1, 8, 8)")),
    # --- training
    ("TrainConfig lr inf", lambda: naslab.TrainConfig(lr=INF).validate(), ValueError, L("lr=inf")),
    ("TrainConfig lr 0", lambda: naslab.TrainConfig(lr=0).validate(), ValueError, L("lr=0")),
    ("TrainConfig lr nan", lambda: naslab.TrainConfig(lr=NAN).validate(), ValueError, L("lr=nan")),
    ("TrainConfig lr -0.1", lambda: naslab.TrainConfig(lr=-0.1).validate(), ValueError,
     L("lr=-0.1 must be a finite positive number")),
    ("TrainConfig lr True", lambda: naslab.TrainConfig(lr=True).validate(), ValueError, L("lr=True")),
    ("TrainConfig lr '0.1'", lambda: naslab.TrainConfig(lr="0.1").validate(), ValueError, L("lr='0.1'")),
    ("TrainConfig weight_decay -1", lambda: naslab.TrainConfig(weight_decay=-1).validate(), ValueError,
     L("weight_decay=-1")),
    ("TrainConfig weight_decay nan", lambda: naslab.TrainConfig(weight_decay=NAN).validate(), ValueError,
     L("weight_decay=nan must be a finite number >= 0")),
    ("TrainConfig weight_decay True", lambda: naslab.TrainConfig(weight_decay=True).validate(), ValueError,
     L("weight_decay=True")),
    ("TrainConfig momentum 1", lambda: naslab.TrainConfig(momentum=1.0).validate(), ValueError, L("momentum=1.0")),
    ("TrainConfig momentum -0.1", lambda: naslab.TrainConfig(momentum=-0.1).validate(), ValueError,
     L("momentum=-0.1 must lie in [0, 1)")),
    ("TrainConfig momentum True", lambda: naslab.TrainConfig(momentum=True).validate(), ValueError,
     L("momentum=True")),
    ("TrainConfig optimizer", lambda: naslab.TrainConfig(optimizer="rmsprop").validate(), ValueError,
     L("optimizer='rmsprop' is unknown; allowed: ['sgd', 'adam']")),
    ("TrainConfig optimizer 'SGD'", lambda: naslab.TrainConfig(optimizer="SGD").validate(), ValueError,
     L("optimizer='SGD'", "allowed")),
    ("TrainConfig epochs 0", lambda: naslab.TrainConfig(epochs=0).validate(), ValueError, L("epochs=0")),
    ("TrainConfig epochs 1.5", lambda: naslab.TrainConfig(epochs=1.5).validate(), ValueError,
     L("epochs=1.5 must be a positive int")),
    ("TrainConfig epochs True", lambda: naslab.TrainConfig(epochs=True).validate(), ValueError, L("epochs=True")),
    ("TrainConfig batch_size 0", lambda: naslab.TrainConfig(batch_size=0).validate(), ValueError,
     L("batch_size=0 must be a positive int")),
    ("TrainConfig batch_size 2.5", lambda: naslab.TrainConfig(batch_size=2.5).validate(), ValueError,
     L("batch_size=2.5")),
    ("TrainConfig max_steps 0", lambda: naslab.TrainConfig(max_steps=0).validate(), ValueError,
     L("max_steps=0 must be a positive int or None")),
    ("TrainConfig max_steps True", lambda: naslab.TrainConfig(max_steps=True).validate(), ValueError,
     L("max_steps=True")),
    ("TrainConfig blowup 1", lambda: naslab.TrainConfig(blowup=1).validate(), ValueError,
     L("blowup=1 must be a number > 1")),
    ("TrainConfig blowup 'x'", lambda: naslab.TrainConfig(blowup="x").validate(), ValueError, L("blowup='x'")),
    ("TrainConfig seed -1", lambda: naslab.TrainConfig(seed=-1).validate(), ValueError,
     L("seed=-1 must be an int in [0, 4294967295]")),
    ("TrainConfig seed 1.5", lambda: naslab.TrainConfig(seed=1.5).validate(), ValueError, L("seed=1.5 must be an int")),
    ("TrainConfig seed 'abc'", lambda: naslab.TrainConfig(seed="abc").validate(), ValueError, L("seed='abc'")),
    ("TrainConfig device 'tpu'", lambda: naslab.TrainConfig(device="tpu").validate(), ValueError,
     L("device='tpu' is unknown; allowed: ['auto', 'cpu', 'cuda', 'mps']")),
    ("TrainConfig device 3", lambda: naslab.TrainConfig(device=3).validate(), ValueError, L("device=3 is unknown")),
    ("TrainConfig progress 'yes'", lambda: naslab.TrainConfig(progress="yes").validate(), ValueError,
     L("progress='yes' must be True or False")),
    ("TrainResult missing fields", lambda: naslab.TrainResult(), TypeError,
     L("missing 2 required positional arguments: 'val_acc' and 'val_loss'")),
    ("train lr inf", lambda: _fit(_mlp(), lr=INF), ValueError, L("lr=inf")),
    ("train model for another dataset", lambda: _fit(naslab.make_mlp((1, 40), 10)), ValueError,
     L("does not accept 'digits' inputs")),
    ("train model with wrong classes", lambda: _fit(naslab.make_mlp((1, 8, 8), 3)), ValueError, L("num_classes=10")),
    ("train float64 model on float32 data", lambda: _fit(_mlp().double()), ValueError,
     L("parameters are ['torch.float64'] but the inputs of 'digits' are torch.float32", "model.float()")),
    ("train empty training split", lambda: _fit(naslab.make_mlp((1, 8, 8), 10), _empty_train()), ValueError,
     L("'empty' has 0 train inputs and 0 labels; training needs a non-empty train split")),
    ("train model None", lambda: _fit(None), TypeError, L("model must be a torch nn.Module, got NoneType")),
    ("train data 3", lambda: train(_mlp(), 3), TypeError, L("data must be a naslab Dataset", "got int")),
    ("train misspelt override", lambda: _fit(_mlp(), lrr=0.1), TypeError,
     L("unknown TrainConfig field(s) ['lrr']; allowed:", "'lr'")),
    ("train cfg dict", lambda: train(_mlp(), _digits(), {"lr": 0.1}), TypeError,
     L("cfg must be a TrainConfig (or None), got dict")),
    ("train callback 3", lambda: _fit(_mlp(), callback=3), TypeError, L("callback must be callable or None, got int")),
    ("train seed -1", lambda: _fit(_mlp(), seed=-1), ValueError, L("seed=-1 must be an int")),
    ("train seed 1.5", lambda: _fit(_mlp(), seed=1.5), ValueError, L("seed=1.5")),
    ("evaluate X and y lengths differ", lambda: naslab.evaluate(_mlp(), torch.randn(4, 1, 8, 8), torch.zeros(3).long()),
     ValueError, L("y of shape (N,) int64", "got X (4, 1, 8, 8) and y (3,)")),
    ("evaluate empty", lambda: naslab.evaluate(_mlp(), torch.randn(0, 1, 8, 8), torch.zeros(0).long()), ValueError,
     L("N >= 1", "got X (0, 1, 8, 8)")),
    ("evaluate float labels", lambda: naslab.evaluate(_mlp(), torch.randn(4, 1, 8, 8), torch.zeros(4)), ValueError,
     L("int64 class labels", "torch.float32")),
    ("evaluate batch_size 0", lambda: naslab.evaluate(_mlp(), torch.randn(4, 1, 8, 8), torch.zeros(4).long(),
                                                      batch_size=0), ValueError, L("batch_size=0 must be an int >= 1")),
    ("evaluate model 3", lambda: naslab.evaluate(3, torch.randn(4, 1, 8, 8), torch.zeros(4).long()), TypeError,
     L("model must be a torch nn.Module with parameters, got int")),
    ("evaluate X list", lambda: naslab.evaluate(_mlp(), [[1.0]], torch.zeros(1).long()), TypeError,
     L("X and y must be torch tensors, got list and Tensor")),
    # --- domains and spaces
    ("Choice 'relu'", lambda: naslab.Choice("relu"), TypeError,
     L("Choice(values='relu') needs a list of values, not a str; did you mean Choice(['relu'])?")),
    ("Choice 3", lambda: naslab.Choice(3), TypeError, L("Choice(values=3) needs a list or tuple")),
    ("Choice None", lambda: naslab.Choice(None), TypeError, L("Choice(values=None) needs a list or tuple")),
    ("Choice set", lambda: naslab.Choice({1, 2}), TypeError, L("not a set or dict")),
    ("Choice dict", lambda: naslab.Choice({"a": 1}), TypeError, L("Choice(values={'a': 1})", "not a set or dict")),
    ("Choice repeated value", lambda: naslab.Choice([1, 2, 1]), ValueError, L("Choice(values=(1, 2, 1)) repeats [1]")),
    ("Choice empty", lambda: naslab.Choice([]), ValueError, L("Choice(values=()) is empty")),
    ("Uniform low > high", lambda: naslab.Uniform(1.0, 0.0), ValueError, L("low must be <= high")),
    ("Uniform nan", lambda: naslab.Uniform(NAN, 1.0), ValueError, L("Uniform.low=nan must be a finite number")),
    ("Uniform inf", lambda: naslab.Uniform(0, INF), ValueError, L("Uniform.high=inf")),
    ("Uniform '0'", lambda: naslab.Uniform("0", 1), ValueError, L("Uniform.low='0'")),
    ("Uniform True", lambda: naslab.Uniform(True, 2), ValueError, L("Uniform.low=True")),
    ("Uniform None", lambda: naslab.Uniform(None, 1), ValueError, L("Uniform.low=None")),
    ("LogUniform low 0", lambda: naslab.LogUniform(0.0, 1.0), ValueError, L("both bounds must be > 0")),
    ("LogUniform negative", lambda: naslab.LogUniform(-1.0, 1.0), ValueError, L("LogUniform(low=-1.0")),
    ("LogUniform low > high", lambda: naslab.LogUniform(1.0, 0.1), ValueError, L("low must be <= high")),
    ("LogUniform inf", lambda: naslab.LogUniform(1e-3, INF), ValueError, L("LogUniform.high=inf")),
    ("LogUniform '1e-3'", lambda: naslab.LogUniform("1e-3", 1), ValueError, L("LogUniform.low='1e-3'")),
    ("IntRange float", lambda: naslab.IntRange(1.5, 3), ValueError, L("IntRange.low=1.5 must be an int")),
    ("IntRange high 5.0", lambda: naslab.IntRange(1, 5.0), ValueError, L("IntRange.high=5.0")),
    ("IntRange True", lambda: naslab.IntRange(True, 5), ValueError, L("IntRange.low=True")),
    ("IntRange low > high", lambda: naslab.IntRange(5, 1), ValueError, L("low must be <= high")),
    ("IntRange step 0", lambda: naslab.IntRange(1, 5, 0), ValueError, L("IntRange(step=0): step must be a positive")),
    ("IntRange step 1.5", lambda: naslab.IntRange(1, 5, 1.5), ValueError, L("IntRange.step=1.5")),
    ("grid points 0", lambda: naslab.grid(SPACE, points=0), ValueError, L("points=0", "must be a positive int")),
    ("grid points 2.5", lambda: naslab.grid(SPACE, points=2.5), ValueError, L("points=2.5")),
    ("grid points True", lambda: naslab.grid(SPACE, points=True), ValueError, L("points=True")),
    ("grid points '3'", lambda: naslab.grid(SPACE, points="3"), ValueError, L("points='3'")),
    ("grid points misspelt key", lambda: naslab.grid(SPACE, points={"y": 5}), ValueError,
     L("points has key(s) ['y'] that are not continuous axes of the space; allowed keys: ['x']")),
    ("grid points key of a Choice", lambda: naslab.grid({"a": naslab.Choice([1, 2])}, points={"a": 5}), ValueError,
     L("points has key(s) ['a']", "Choice and IntRange axes use all their values")),
    ("grid points dict value 0", lambda: naslab.grid(SPACE, points={"x": 0}), ValueError, L("points=0")),
    ("grid 10^10 configurations", lambda: naslab.grid({f"p{i}": naslab.Choice(list(range(10))) for i in range(10)}),
     ValueError, L("grid(space) has 10000000000 configurations", "use GridSearch")),
    ("grid list", lambda: naslab.grid([naslab.Uniform(0, 1)]), ValueError, L("non-empty dict name -> domain")),
    ("grid int key", lambda: naslab.grid({3: naslab.Choice([1])}), ValueError, L("space key 3 must be a str")),
    ("sample not a space", lambda: naslab.sample(3, np.random.default_rng(0)), (ValueError, TypeError), L("space")),
    ("sample rng -1", lambda: naslab.sample(SPACE, -1), ValueError,
     L("rng=-1 must be a numpy Generator or an int seed >= 0")),
    ("sample rng 1.5", lambda: naslab.sample(SPACE, 1.5), ValueError, L("rng=1.5")),
    ("sample rng 'abc'", lambda: naslab.sample(SPACE, "abc"), ValueError, L("rng='abc'")),
    ("sample rng True", lambda: naslab.sample(SPACE, True), ValueError, L("rng=True")),
    ("sample rng RandomState", lambda: naslab.sample(SPACE, np.random.RandomState(0)), ValueError,
     L("must be a numpy Generator")),
    ("sample list domain", lambda: naslab.sample({"a": [1, 2]}), ValueError,
     L("space['a']=[1, 2] is not a domain; allowed: ['Choice', 'Uniform', 'LogUniform', 'IntRange']")),
    ("validate_space None", lambda: naslab.validate_space(None), ValueError, L("got None")),
    ("validate_space empty", lambda: naslab.validate_space({}), ValueError, L("non-empty dict", "got {}")),
    ("validate_space domain class", lambda: naslab.validate_space({"a": naslab.Uniform}), ValueError,
     L("space['a']=<class", "is not a domain")),
    ("validate_space int key", lambda: naslab.validate_space({1: naslab.Choice([1])}), ValueError,
     L("space key 1 must be a str")),
    # --- core plots (`naslab.plots`, notebook 00)
    ("plots: plot_images 1-D", lambda: _plots().plot_images(np.zeros(5)), ValueError,
     L("X must be (N, C, H, W) or (N, H, W) images, got shape (5,)")),
    ("plots: plot_images ncols 0", lambda: _plots().plot_images(np.zeros((4, 8, 8)), ncols=0), ValueError,
     L("ncols=0 must be an int >= 1")),
    ("plots: plot_signals 1-D", lambda: _plots().plot_signals(np.zeros(40)), ValueError,
     L("X must be (N, 1, L) or (N, L) signals, got shape (40,)")),
    ("plots: plot_signals n 0", lambda: _plots().plot_signals(np.zeros((4, 40)), n=0), ValueError, L("n=0")),
    ("plots: plot_loss_curve smooth 1.5", lambda: _plots().plot_loss_curve([1, 2, 3], smooth=1.5), ValueError,
     L("smooth=1.5 must be an int >= 1")),
    ("plots: plot_loss_curve 'abc'", lambda: _plots().plot_loss_curve("abc"), ValueError,
     L("losses must be a sequence of numbers")),
    ("plots: plot_nas_framework highlight", lambda: _plots().plot_nas_framework(highlight="x"), ValueError,
     L("highlight='x' is unknown; allowed: ['space', 'strategy', 'estimation'] or None")),
    # --- searchers
    ("Searcher ask not implemented", lambda: naslab.Searcher().ask(), NotImplementedError,
     L("a Searcher must implement ask()")),
    ("Proposal parent -1", lambda: naslab.Proposal(config={}, parent=-1), ValueError, L("parent=-1")),
    ("Proposal parent 1.5", lambda: naslab.Proposal(config={}, parent=1.5), ValueError, L("parent=1.5")),
    ("Proposal info list", lambda: naslab.Proposal(config={}, info=[1]), TypeError, L("info must be a dict")),
    ("GridSearch empty choice", lambda: naslab.GridSearch({"a": naslab.Choice([])}), ValueError, L("Choice")),
    ("GridSearch space list", lambda: naslab.GridSearch([1]), ValueError, L("non-empty dict name -> domain")),
    ("GridSearch points 0", lambda: naslab.GridSearch(SPACE, points=0), ValueError, L("points=0")),
    ("GridSearch points misspelt key", lambda: naslab.GridSearch(SPACE, points={"y": 4}), ValueError,
     L("points has key(s) ['y']")),
    ("GridSearch seed -1", lambda: naslab.GridSearch(SPACE, seed=-1, shuffle=True), ValueError,
     L("seed=-1 must be an int")),
    ("GridSearch seed 1.5", lambda: naslab.GridSearch(SPACE, seed=1.5, shuffle=True), ValueError,
     L("seed=1.5 must be an int")),
    ("GridSearch shuffle 'yes'", lambda: naslab.GridSearch(SPACE, shuffle="yes"), ValueError,
     L("shuffle='yes' must be True or False")),
    ("GridSearch exhausted", _exhausted_grid, ValueError, L("GridSearch", "exhausted")),
    ("GridSearch 10^10 configurations lazily", _huge_grid, ValueError, L("built lazily")),
    ("RandomSearch max_trials -1", lambda: naslab.RandomSearch(SPACE, max_trials=-1), ValueError,
     L("max_trials=-1 must be an int >= 1 or None")),
    ("RandomSearch max_trials 2.5", lambda: naslab.RandomSearch(SPACE, max_trials=2.5), ValueError,
     L("max_trials=2.5")),
    ("RandomSearch max_trials 0", lambda: naslab.RandomSearch(SPACE, max_trials=0), ValueError,
     L("max_trials=0")),
    ("RandomSearch max_trials True", lambda: naslab.RandomSearch(SPACE, max_trials=True), ValueError,
     L("max_trials=True")),
    ("RandomSearch seed -1", lambda: naslab.RandomSearch(SPACE, seed=-1), ValueError,
     L("seed=-1 must be an int in [0, 4294967295]")),
    ("RandomSearch seed 1.5", lambda: naslab.RandomSearch(SPACE, seed=1.5), ValueError, L("seed=1.5")),
    ("RandomSearch seed 'abc'", lambda: naslab.RandomSearch(SPACE, seed="abc"), ValueError, L("seed='abc'")),
    ("RandomSearch seed True", lambda: naslab.RandomSearch(SPACE, seed=True), ValueError, L("seed=True")),
    ("RandomSearch space list", lambda: naslab.RandomSearch([1, 2]), ValueError, L("got [1, 2]")),
    ("RandomSearch space None", lambda: naslab.RandomSearch(None), ValueError, L("got None")),
    # --- run_search and the search loop
    ("run_search budget 0", lambda: _rs(budget=0), ValueError, L("budget=0")),
    ("run_search budget -1", lambda: _rs(budget=-1), ValueError, L("budget=-1 must be an int >= 1")),
    ("run_search budget 2.5", lambda: _rs(budget=2.5), ValueError, L("budget=2.5")),
    ("run_search budget True", lambda: _rs(budget=True), ValueError, L("budget=True")),
    ("run_search budget '5'", lambda: _rs(budget="5"), ValueError, L("budget='5'")),
    ("run_search budget nan", lambda: _rs(budget=NAN), ValueError, L("budget=nan")),
    ("run_search budget None", lambda: _rs(budget=None), ValueError, L("budget=None")),
    ("run_search max_seconds -1", lambda: _rs(budget=3, max_seconds=-1), ValueError, L("max_seconds=-1")),
    ("run_search max_seconds 0", lambda: _rs(budget=3, max_seconds=0), ValueError, L("must be a number > 0")),
    ("run_search max_seconds '5'", lambda: _rs(budget=3, max_seconds="5"), ValueError, L("max_seconds='5'")),
    ("run_search max_seconds nan", lambda: _rs(budget=3, max_seconds=NAN), ValueError, L("max_seconds=nan")),
    ("run_search max_seconds True", lambda: _rs(budget=3, max_seconds=True), ValueError, L("max_seconds=True")),
    ("run_search batch_size 0", lambda: _rs(budget=3, batch_size=0), ValueError, L("batch_size=0")),
    ("run_search batch_size 1.5", lambda: _rs(budget=3, batch_size=1.5), ValueError,
     L("batch_size=1.5 must be an int >= 1")),
    ("run_search max_workers 0", lambda: _rs(budget=2, max_workers=0), ValueError,
     L("max_workers=0 must be an int >= 1")),
    ("run_search metric 3", lambda: _rs(budget=3, metric=3), TypeError, L("metric=3 must be a str")),
    ("run_search metric ''", lambda: _rs(budget=2, metric=""), ValueError, L("metric=''")),
    ("run_search on_trial 3", lambda: _rs(budget=2, on_trial=3), TypeError, L("on_trial must be callable")),
    ("run_search executor object()", lambda: _rs(budget=2, executor=object()), TypeError,
     L("executor", "submit")),
    ("run_search path is a folder", lambda: _rs(budget=2, path="/tmp"), ValueError,
     L("/tmp is not a naslab trial log: it is a folder")),
    ("run_search path 3", lambda: _rs(budget=2, path=3), TypeError, L("path must be a str or PathLike", "got int 3")),
    ("run_search swapped args", lambda: naslab.run_search(_ok_objective, naslab.RandomSearch(SPACE), 3),
     TypeError, L("did you swap them")),
    ("run_search searcher None", lambda: naslab.run_search(None, _ok_objective, 2), TypeError,
     L("searcher must have ask() and tell(), got a NoneType")),
    ("run_search objective not callable", lambda: naslab.run_search(naslab.RandomSearch(SPACE), {"val_acc": 1}, 3),
     TypeError, L("objective must be callable")),
    ("run_search lambda on a process pool", _pool_lambda, TypeError, L("cannot be sent to a process pool")),
    ("run_search controller metric mismatch",
     lambda: naslab.run_search(naslab.ControllerSearcher([2, 2]), _ok_objective, 2, metric="acc"),
     ValueError, L("disagrees")),
    # --- Trial and JSONL
    ("Trial unknown status", lambda: naslab.Trial(config={}, status="done"), ValueError, L("allowed")),
    ("Trial status None", lambda: naslab.Trial(config={}, status=None), ValueError,
     L("status=None is unknown; allowed: ['ok', 'diverged', 'failed']")),
    ("Trial negative seconds", lambda: naslab.Trial(config={}, seconds=-1.0), ValueError, L("seconds=-1.0")),
    ("Trial nan seconds", lambda: naslab.Trial(config={}, seconds=NAN), ValueError, L("finite")),
    ("Trial seconds '1'", lambda: naslab.Trial(config={}, seconds="1"), TypeError, L("seconds='1' must be a number")),
    ("Trial set in config", lambda: naslab.Trial(config={"a": {1, 2}}), TypeError, L("config['a'] is a set")),
    ("Trial function in config", lambda: naslab.Trial(config={"a": len}), TypeError,
     L("config['a'] is a", "cannot be written to JSON")),
    ("Trial module metric", lambda: naslab.Trial(config={}, metrics={"m": nn.ReLU()}), TypeError, L("metric 'm'")),
    ("Trial metrics not a dict", lambda: naslab.Trial(config={}, metrics=[1]), TypeError, L("metrics must be a dict")),
    ("Trial seed -1", lambda: naslab.Trial(config={}, seed=-1), ValueError, L("seed=-1")),
    ("Trial seed 'abc'", lambda: naslab.Trial(config={}, seed="abc"), ValueError, L("seed='abc'")),
    ("Trial trial_id 1.5", lambda: naslab.Trial(config={}, trial_id=1.5), ValueError, L("trial_id=1.5")),
    ("Trial error 3", lambda: naslab.Trial(config={}, error=3), TypeError, L("error must be a str or None")),
    ("Trial info list", lambda: naslab.Trial(config={}, info=[1]), TypeError, L("info must be a dict")),
    ("append_jsonl dict", lambda: naslab.append_jsonl("/tmp/naslab_bad_inputs.jsonl", {"a": 1}), TypeError,
     L("trial must be a Trial, got dict")),
    ("append_jsonl path 3", lambda: naslab.append_jsonl(3, _trials()[0]), TypeError, L("path=3")),
    ("load_jsonl folder", lambda: naslab.load_jsonl("/tmp"), ValueError, L("/tmp", "folder")),
    ("save_jsonl one Trial", lambda: naslab.save_jsonl("/tmp/naslab_bad_inputs.jsonl", _trials()[0]), TypeError,
     L("trials must be a list of Trial")),
    ("save_jsonl dicts", lambda: naslab.save_jsonl("/tmp/naslab_bad_inputs.jsonl", [{"a": 1}]), TypeError,
     L("trials must be a list of Trial records", "{'a': 1}")),
    # --- anytime curves
    ("best_trial empty", lambda: naslab.best_trial([]), ValueError, L("no trial has a 'val_acc' score (0 trials")),
    ("best_trial bad mode", lambda: naslab.best_trial(_trials(), mode="up"), ValueError,
     L("mode='up' is unknown; allowed: ['max', 'min']")),
    ("best_trial missing metric", lambda: naslab.best_trial(_trials(), metric="acc"), ValueError,
     L("no trial has a 'acc' score (2 trials given)")),
    ("best_trial ints", lambda: naslab.best_trial([1, 2]), TypeError, L("trials must be Trial")),
    ("best_so_far bad mode", lambda: naslab.best_so_far([0.5], mode="best"), ValueError, L("allowed")),
    ("best_so_far 'abc'", lambda: naslab.best_so_far("abc"), ValueError, L("run='abc'")),
    ("best_vs_trials empty", lambda: naslab.best_vs_trials([]), ValueError, L("at least one non-empty run")),
    ("best_vs_trials empty runs", lambda: naslab.best_vs_trials([[], []]), ValueError, L("non-empty run")),
    ("best_vs_trials n=0", lambda: naslab.best_vs_trials([[0.5]], 0), ValueError, L("n=0")),
    ("best_vs_trials n=1.5", lambda: naslab.best_vs_trials([[0.5]], 1.5), ValueError,
     L("n=1.5 must be an int >= 1")),
    ("best_vs_trials bad mode", lambda: naslab.best_vs_trials([[0.5]], mode="x"), ValueError, L("mode='x'")),
    ("best_vs_seconds bad mode", lambda: naslab.best_vs_seconds([_trials()], [1.0], mode="x"), ValueError,
     L("mode='x' is unknown")),
    ("best_vs_seconds nan time", lambda: naslab.best_vs_seconds([_trials()], [NAN]), ValueError,
     L("times", "nan")),
    ("best_vs_seconds no runs", lambda: naslab.best_vs_seconds([], [1.0]), ValueError, L("runs")),
    ("mean_and_spread bad spread", lambda: naslab.mean_and_spread(np.ones((2, 3)), spread="var"), ValueError,
     L("spread='var' is unknown; allowed: ['std', 'sem', 'minmax', 'quartiles']")),
    ("mean_and_spread 1-D", lambda: naslab.mean_and_spread(np.ones(3)), ValueError,
     L("curves must be a (seeds, points) array, got shape (3,)")),
    ("mean_and_spread empty", lambda: naslab.mean_and_spread(np.ones((0, 3))), ValueError, L("got shape (0, 3)")),
    ("mean_and_spread ragged", lambda: naslab.mean_and_spread([[1, 2], [3]]), ValueError,
     L("curves must be a (seeds, points) array")),
    # --- scaling out
    ("RayExecutor num_cpus 0", lambda: naslab.RayExecutor(num_cpus=0), ValueError,
     L("num_cpus=0 must be a number > 0")),
    ("RayExecutor num_cpus -1", lambda: naslab.RayExecutor(num_cpus=-1), ValueError, L("num_cpus=-1")),
    ("RayExecutor max_workers 0", lambda: naslab.RayExecutor(max_workers=0), ValueError, L("max_workers=0")),
    ("RayExecutor address 3", lambda: naslab.RayExecutor(address=3), ValueError, L("address=3")),
    ("OptunaSearch sampler 'bayes'", lambda: naslab.OptunaSearch(SPACE, sampler="bayes"), ValueError,
     L("sampler='bayes' is unknown; allowed: ['tpe', 'random']")),
    ("OptunaSearch seed -1", lambda: naslab.OptunaSearch(SPACE, seed=-1), ValueError,
     L("seed=-1 must be an int in [0, 4294967295]")),
    ("OptunaSearch max_trials 0", lambda: naslab.OptunaSearch(SPACE, max_trials=0), ValueError,
     L("max_trials=0 must be an int >= 1 or None")),
    ("OptunaSearch n_startup_trials -1", lambda: naslab.OptunaSearch(SPACE, n_startup_trials=-1), ValueError,
     L("n_startup_trials=-1 must be an int >= 0")),
    ("OptunaSearch metric 3", lambda: naslab.OptunaSearch(SPACE, metric=3), ValueError,
     L("metric=3 must be a non-empty str")),
    ("OptunaSearch space list", lambda: naslab.OptunaSearch([1]), ValueError, L("non-empty dict name -> domain")),
    ("run_tune budget 0", lambda: naslab.run_tune(naslab.RandomSearch(SPACE), _ok_objective, 0), ValueError,
     L("budget=0 must be an int >= 1")),
    ("run_tune cpus_per_trial 0", lambda: naslab.run_tune(naslab.RandomSearch(SPACE), _ok_objective, 2,
                                                          cpus_per_trial=0), ValueError, L("cpus_per_trial=0")),
    ("run_tune searcher 3", lambda: naslab.run_tune(3, _ok_objective, 2), TypeError,
     L("searcher must have ask() and tell()")),
]

TOPICS = [
    # --- notebook 01: grid vs random
    ("course_grid extra argument", lambda: naslab.course_grid(1), TypeError, L("course_grid() takes 0 positional")),
    ("course_space extra argument", lambda: naslab.course_space(1), TypeError, L("course_space() takes 0 positional")),
    ("train_population empty", lambda: naslab.train_population(_digits(), []), ValueError,
     L("configs is empty: a population needs at least one member config")),
    ("train_population method 'gpu'", lambda: naslab.train_population(_digits(), [{"lr": 0.1}], method="gpu"),
     ValueError, L("method='gpu' is unknown; allowed: ['auto', 'bmm', 'vmap']")),
    ("train_population chunk_size 0", lambda: naslab.train_population(_digits(), [{"lr": 0.1}], chunk_size=0),
     ValueError, L("chunk_size=0 must be a positive int or None")),
    ("train_population misspelt key", lambda: naslab.train_population(_digits(), [{"lrr": 0.1}]), ValueError,
     L("keys among ['lr', 'weight_decay', 'momentum', 'seed'], got {'lrr': 0.1}")),
    ("train_population lr nan", lambda: naslab.train_population(_digits(), [{"lr": NAN}]), ValueError,
     L("lr=nan must be a finite positive number")),
    ("train_population hidden (0,)", lambda: naslab.train_population(_digits(), [{"lr": 0.1}], hidden=(0,)),
     ValueError, L("hidden entry=0")),
    ("train_population_tasks n_tasks 0", lambda: naslab.train_population_tasks(_digits(), [{"lr": 0.1}], None,
                                                                               n_tasks=0),
     ValueError, L("n_tasks=0 must be an int >= 1")),
    ("train_population_tasks executor object()", lambda: naslab.train_population_tasks(_digits(), [{"lr": 0.1}],
                                                                                       object()),
     TypeError, L("executor", "submit")),
    # --- notebook 02: the macro space and the controller
    ("MacroSpace n_layers 0", lambda: naslab.MacroSpace(n_layers=0), ValueError,
     L("n_layers=0 must be a positive int")),
    ("MacroSpace n_layers 2.5", lambda: naslab.MacroSpace(n_layers=2.5), ValueError, L("n_layers=2.5")),
    ("MacroSpace filters ()", lambda: naslab.MacroSpace(filters=()), ValueError,
     L("filters=() must be a non-empty tuple of positive ints")),
    ("MacroSpace filters (0, 8)", lambda: naslab.MacroSpace(filters=(0, 8)), ValueError, L("filters=(0, 8)")),
    ("MacroSpace filters (True, 8)", lambda: naslab.MacroSpace(filters=(True, 8)), ValueError, L("filters=(True, 8)")),
    ("MacroSpace filters 8", lambda: naslab.MacroSpace(filters=8), ValueError,
     L("filters=8 must be a non-empty tuple of positive ints")),
    ("MacroSpace kernels even", lambda: naslab.MacroSpace(kernels=(4,)), ValueError,
     L("kernels=(4,)", "odd kernel sizes only")),
    ("MacroSpace strides (0,)", lambda: naslab.MacroSpace(strides=(0,)), ValueError, L("strides=(0,)")),
    ("MacroSpace pools 'median'", lambda: naslab.MacroSpace(pools=("median",)), ValueError,
     L("pools=('median',) must be None or a non-empty tuple from ['none', 'max', 'avg']")),
    ("MacroSpace skips 'yes'", lambda: naslab.MacroSpace(skips="yes"), ValueError,
     L("skips='yes' must be True or False")),
    ("MacroSpace.sample rng -1", lambda: _macro().sample(-1), ValueError, L("rng=-1 must be an int seed >= 0")),
    ("MacroSpace.sample rng 1.5", lambda: _macro().sample(1.5), ValueError, L("rng=1.5")),
    ("MacroSpace.decode wrong length", lambda: _macro().decode([0]), ValueError, L("expected 6 tokens", "got 1")),
    ("MacroSpace.decode out of range", lambda: _macro().decode([99] * 6), ValueError,
     L("token 0 (L0.filters) = 99 is out of range; allowed: ints 0..1")),
    ("MacroSpace.build arch str", lambda: _macro().build("conv", (1, 40), 10), ValueError,
     L("arch must be an Architecture, got str")),
    ("MacroSpace.build wrong batch", lambda: _macro().build(_macro().sample(0), (1, 40), 10)(torch.randn(2, 64)),
     ValueError, L("built for inputs of shape (N, 1, 40)")),
    ("MacroSpace.build shape (40,)", lambda: _macro().build(_macro().sample(0), (40,), 10), ValueError,
     L("input_shape=(40,)")),
    ("MacroSpace.build 0 classes", lambda: _macro().build(_macro().sample(0), (1, 40), 0), ValueError,
     L("num_classes=0")),
    ("Architecture ops 3", lambda: naslab.Architecture(ops=3, inputs=()), TypeError,
     L("Architecture(ops=3, inputs=()): ops must be one tuple of (decision, value) pairs per layer")),
    ("Architecture lengths differ", lambda: naslab.Architecture(ops=((("filters", 8),),), inputs=()), TypeError,
     L("build it with MacroSpace.decode")),
    ("Controller no choices", lambda: naslab.Controller([]), ValueError, L("num_choices")),
    ("Controller zero choices", lambda: naslab.Controller([3, 0]), ValueError, L("num_choices")),
    ("Controller choices 3", lambda: naslab.Controller(3), ValueError, L("num_choices=3")),
    ("Controller choices [2.5]", lambda: naslab.Controller([2.5]), ValueError, L("num_choices=[2.5]")),
    ("Controller choices [True, 2]", lambda: naslab.Controller([True, 2]), ValueError, L("num_choices=[True, 2]")),
    ("Controller hidden 0", lambda: naslab.Controller([2, 2], hidden=0), ValueError, L("hidden=0 must be an int >= 1")),
    ("Controller hidden 2.5", lambda: naslab.Controller([2, 2], hidden=2.5), ValueError, L("hidden=2.5")),
    ("Controller num_layers -2", lambda: naslab.Controller([2, 2], num_layers=-2), ValueError,
     L("num_layers=-2 must be an int >= 1")),
    ("Controller temperature 0", lambda: naslab.Controller([2], temperature=0), ValueError, L("temperature=0")),
    ("Controller tanh_constant -1", lambda: naslab.Controller([2], tanh_constant=-1.0), ValueError,
     L("tanh_constant=-1.0")),
    ("Controller init_range nan", lambda: naslab.Controller([2], init_range=NAN), ValueError, L("init_range=nan")),
    ("Controller seed -1", lambda: naslab.Controller([2], seed=-1), ValueError, L("seed=-1 must be an int")),
    ("EMABaseline decay 1", lambda: naslab.EMABaseline(1.0), ValueError, L("decay=1.0")),
    ("EMABaseline decay -0.1", lambda: naslab.EMABaseline(-0.1), ValueError, L("decay=-0.1 must lie in [0, 1)")),
    ("EMABaseline decay nan", lambda: naslab.EMABaseline(NAN), ValueError, L("decay=nan")),
    ("EMABaseline decay '0.5'", lambda: naslab.EMABaseline("0.5"), ValueError, L("decay='0.5'")),
    ("EMABaseline decay True", lambda: naslab.EMABaseline(True), ValueError, L("decay=True")),
    ("EMABaseline.update 'abc'", lambda: naslab.EMABaseline(0.5).update("abc"), ValueError,
     L("reward='abc' must be a number")),
    ("reinforce_loss shapes", lambda: naslab.reinforce_loss(torch.zeros(3), [1.0, 2.0]), ValueError,
     L("reward has shape (2,)")),
    ("reinforce_loss baseline nan", lambda: naslab.reinforce_loss(torch.zeros(2), [1.0, 2.0], NAN), ValueError,
     L("baseline=nan must be a finite number")),
    ("reinforce_loss baseline inf", lambda: naslab.reinforce_loss(torch.zeros(2), [1.0, 2.0], INF), ValueError,
     L("baseline=inf")),
    ("reinforce_loss baseline '0'", lambda: naslab.reinforce_loss(torch.zeros(2), [1.0, 2.0], "0"), ValueError,
     L("baseline='0'")),
    ("reinforce_loss entropy_weight -1", lambda: naslab.reinforce_loss(torch.zeros(2), [1.0, 2.0],
                                                                       entropy=torch.ones(2), entropy_weight=-1),
     ValueError, L("entropy_weight=-1 must be a finite number >= 0")),
    ("reinforce_loss entropy_weight nan", lambda: naslab.reinforce_loss(torch.zeros(2), [1.0, 2.0],
                                                                        entropy=torch.ones(2), entropy_weight=NAN),
     ValueError, L("entropy_weight=nan")),
    ("reinforce_loss entropy_weight without entropy", lambda: naslab.reinforce_loss(torch.zeros(2), [1.0, 2.0],
                                                                                    entropy_weight=0.1),
     ValueError, L("entropy_weight=0.1 needs entropy of shape (2,), got None")),
    ("reinforce_loss log_prob list", lambda: naslab.reinforce_loss([0.0, 0.0], [1.0, 2.0]), TypeError,
     L("log_prob must be a torch tensor")),
    ("ControllerConfig reward", lambda: naslab.ControllerConfig(reward="square").validate(), ValueError, L("allowed")),
    ("ControllerConfig lr nan", lambda: naslab.ControllerConfig(lr=NAN).validate(), ValueError, L("lr=nan")),
    ("ControllerConfig decay 1", lambda: naslab.ControllerConfig(baseline_decay=1.0).validate(), ValueError,
     L("baseline_decay=1.0")),
    ("ControllerConfig tanh 0", lambda: naslab.ControllerConfig(tanh_constant=0).validate(), ValueError,
     L("tanh_constant=0")),
    ("ControllerConfig temperature 0", lambda: naslab.ControllerConfig(temperature=0).validate(), ValueError,
     L("temperature=0 must be a number > 0 or None")),
    ("ControllerConfig metric 3", lambda: naslab.ControllerConfig(metric=3).validate(), ValueError,
     L("metric=3 must be a str")),
    ("ControllerConfig entropy_weight -1", lambda: naslab.ControllerConfig(entropy_weight=-1).validate(), ValueError,
     L("entropy_weight=-1")),
    ("ControllerConfig hidden 0", lambda: naslab.ControllerConfig(hidden=0).validate(), ValueError, L("hidden=0")),
    ("ControllerConfig num_layers -2", lambda: naslab.ControllerConfig(num_layers=-2).validate(), ValueError,
     L("num_layers=-2")),
    ("ControllerConfig batch_size True", lambda: naslab.ControllerConfig(batch_size=True).validate(), ValueError,
     L("batch_size=True")),
    ("ControllerConfig baseline 'yes'", lambda: naslab.ControllerConfig(baseline="yes").validate(), ValueError,
     L("baseline='yes' must be True or False")),
    ("ControllerSearcher batch 0", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(batch_size=0)),
     ValueError, L("batch_size=0")),
    ("ControllerSearcher lr 0", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(lr=0)), ValueError,
     L("lr=0")),
    ("ControllerSearcher positional seed", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(), 3),
     TypeError, L("positional")),
    ("ControllerSearcher [2.5]", lambda: naslab.ControllerSearcher([2.5]), ValueError, L("2.5")),
    ("ControllerSearcher [True, 2]", lambda: naslab.ControllerSearcher([True, 2]), ValueError, L("True")),
    ("ControllerSearcher hidden 0", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(hidden=0)),
     ValueError, L("hidden=0")),
    ("ControllerSearcher num_layers -2", lambda: naslab.ControllerSearcher([2], naslab.ControllerConfig(num_layers=-2)),
     ValueError, L("num_layers=-2")),
    ("ControllerSearcher seed -1", lambda: naslab.ControllerSearcher([2], seed=-1), ValueError, L("seed=-1")),
    ("ControllerSearcher seed 1.5", lambda: naslab.ControllerSearcher([2], seed=1.5), ValueError, L("seed=1.5")),
    ("ControllerSearcher max_trials -1", lambda: naslab.ControllerSearcher([2], max_trials=-1), ValueError,
     L("max_trials=-1")),
    ("ControllerSearcher cfg dict", lambda: naslab.ControllerSearcher([2], {"lr": 0.1}), TypeError,
     L("cfg must be a ControllerConfig")),
    ("ControllerSearcher space 'abc'", lambda: naslab.ControllerSearcher("abc"), TypeError,
     L("space", "'abc'")),
    ("ChildConfig steps 0", lambda: naslab.ChildConfig(steps=0), ValueError, L("steps=0 must be an int >= 1")),
    ("ChildConfig lr -1", lambda: naslab.ChildConfig(lr=-1), ValueError, L("lr=-1 must be a finite number > 0")),
    ("ChildConfig batch_size 0", lambda: naslab.ChildConfig(batch_size=0), ValueError, L("batch_size=0")),
    ("ChildConfig dataset 'cifar'", lambda: naslab.ChildConfig(dataset="cifar"), ValueError,
     L("dataset='cifar' is unknown; allowed: ['digits', 'mnist1d'")),
    ("ChildConfig seed -1", lambda: naslab.ChildConfig(seed=-1), ValueError, L("seed=-1 must be an int in [0,")),
    ("ChildConfig cache 'yes'", lambda: naslab.ChildConfig(cache="yes"), ValueError,
     L("cache='yes' must be True or False")),
    ("ChildObjective space dict", lambda: naslab.ChildObjective({"a": 1}), TypeError,
     L("space must be a MacroSpace, got dict")),
    ("ChildObjective cfg dict", lambda: naslab.ChildObjective(_macro(), {"steps": 1}), TypeError,
     L("cfg must be a ChildConfig or NoneType, got dict")),
    ("ChildObjective config without tokens", lambda: naslab.ChildObjective(_macro(), naslab.ChildConfig(steps=1),
                                                                           data=_mnist1d())({"x": 1}),
     ValueError, L("config={'x': 1} must be a dict with the architecture's 'tokens'")),
    ("RandomArchSearch space dict", lambda: naslab.RandomArchSearch({"a": 1}), ValueError,
     L("RandomArchSearch needs a MacroSpace", "got dict")),
    ("RandomArchSearch max_trials -1", lambda: naslab.RandomArchSearch(_macro(), max_trials=-1), ValueError,
     L("max_trials=-1")),
    ("RandomArchSearch seed -1", lambda: naslab.RandomArchSearch(_macro(), seed=-1), ValueError, L("seed=-1")),
    # --- notebook 03: benchmark, proxies, supernet, halving
    ("BenchConfig epochs 0", lambda: naslab.BenchConfig(epochs=0), ValueError, L("epochs=0 must be an int >= 1")),
    ("BenchConfig seeds ()", lambda: naslab.BenchConfig(seeds=()), ValueError, L("seeds=() must be a non-empty tuple")),
    ("BenchConfig seeds repeated", lambda: naslab.BenchConfig(seeds=(0, 0)), ValueError,
     L("seeds=(0, 0)", "distinct")),
    ("BenchConfig seeds (-1,)", lambda: naslab.BenchConfig(seeds=(-1,)), ValueError,
     L("seeds entry=-1 must be an int")),
    ("BenchConfig optimizer 'rms'", lambda: naslab.BenchConfig(optimizer="rms"), ValueError,
     L("optimizer='rms' is unknown; allowed: ['sgd', 'adam']")),
    ("BenchConfig lr -1", lambda: naslab.BenchConfig(lr=-1), ValueError, L("lr=-1 must be a finite number > 0")),
    ("BenchConfig big_sample > proxy_sample", lambda: naslab.BenchConfig(proxy_sample=4, big_sample=5), ValueError,
     L("big_sample=5 must be an int in [0, 4]")),
    ("BenchConfig data_fractions (1.5,)", lambda: naslab.BenchConfig(data_fractions=(1.5,)), ValueError,
     L("data_fractions entry=1.5 must be a finite number in (0, 1]")),
    ("BenchConfig widths (0,)", lambda: naslab.BenchConfig(widths=(0,)), ValueError, L("widths entry=0")),
    ("Benchmark empty arrays", lambda: naslab.Benchmark({}, {}), naslab.BenchmarkError,
     L("needs a dict of arrays with 'tokens'", "Benchmark.load")),
    ("Benchmark.load a path", lambda: naslab.Benchmark.load("data/bench/mnist1d_macro128.npz"), ValueError,
     L("name='data/bench/mnist1d_macro128.npz' must be a benchmark name such as 'mnist1d_macro128', not a path")),
    ("BenchmarkError for a missing file", lambda: naslab.Benchmark.load("nope", root="/nonexistent/naslab"),
     naslab.BenchmarkError, L("/nonexistent/naslab/nope.npz")),
    ("Benchmark.lookup unknown architecture", lambda: naslab.Benchmark.load().lookup("x-y"), ValueError,
     L("'x-y' is not an architecture of the benchmark's space")),
    ("Benchmark.lookup fidelity 2.5", lambda: naslab.Benchmark.load().lookup(0, fidelity=2.5), ValueError,
     L("fidelity=2.5 is not available; available fidelities (epochs): [1, 2, 3, 4, 5, 6, 7, 8, 9]")),
    ("Benchmark.lookup fidelity True", lambda: naslab.Benchmark.load().lookup(0, fidelity=True), ValueError,
     L("fidelity=True is not available")),
    ("Benchmark.lookup seed True", lambda: naslab.Benchmark.load().lookup(0, seed=True), ValueError,
     L("seed=True is not in the benchmark; available seeds: [0, 1]")),
    ("Benchmark.lookup seed 1.0", lambda: naslab.Benchmark.load().lookup(0, seed=1.0), ValueError, L("seed=1.0")),
    ("Benchmark.lookup seed 5", lambda: naslab.Benchmark.load().lookup(0, seed=5), ValueError, L("seed=5")),
    ("Proxy data_fraction 0", lambda: naslab.Proxy(data_fraction=0), ValueError,
     L("data_fraction=0 must lie in (0, 1]")),
    ("Proxy data_fraction 1.5", lambda: naslab.Proxy(data_fraction=1.5), ValueError, L("data_fraction=1.5")),
    ("Proxy epochs 0", lambda: naslab.Proxy(epochs=0), ValueError, L("epochs=0")),
    ("Proxy width 0", lambda: naslab.Proxy(width=0), ValueError, L("width=0")),
    ("Proxy repeats 0", lambda: naslab.Proxy(repeats=0), ValueError, L("repeats=0")),
    ("Proxy max_steps 0", lambda: naslab.Proxy(max_steps=0), ValueError, L("max_steps=0")),
    ("Proxy depth 0", lambda: naslab.Proxy(depth=0), ValueError, L("depth=0")),
    ("run_proxy proxy 'full'", lambda: naslab.run_proxy(_macro(), _macro().sample(0), "full", _mnist1d()), TypeError,
     L("proxy must be a Proxy, got str")),
    ("rank_agreement lengths", lambda: naslab.rank_agreement([1, 2, 3], [1, 2]), ValueError,
     L("must have the same length, got (3,) and (2,)")),
    ("rank_agreement k 0", lambda: naslab.rank_agreement([1, 2, 3], [1, 2, 3], k=0), ValueError,
     L("k=0 must be an int in [1, 3]")),
    ("rank_agreement k 5", lambda: naslab.rank_agreement([1, 2, 3], [1, 2, 3], k=5), ValueError, L("k=5")),
    ("kendall_tau lengths", lambda: naslab.kendall_tau([1, 2, 3], [1, 2]), ValueError, L("same length")),
    ("kendall_tau 'abc'", lambda: naslab.kendall_tau("abc", "abd"), ValueError,
     L("proxy_scores='abc' must be a sequence of numbers")),
    ("spearman_rho lengths", lambda: naslab.spearman_rho([1, 2, 3], [1, 2]), ValueError, L("same length")),
    ("spearman_rho 'abc'", lambda: naslab.spearman_rho([1, 2], ["a", "b"]), ValueError,
     L("full_scores=['a', 'b'] must be a sequence of numbers")),
    ("top_k_overlap k 0", lambda: naslab.top_k_overlap([1, 2, 3], [1, 2, 3], 0), ValueError, L("k=0")),
    ("top_k_overlap k 4", lambda: naslab.top_k_overlap([1, 2, 3], [1, 2, 3], 4), ValueError,
     L("k=4 must be an int in [1, 3]")),
    ("top_k_overlap k 1.5", lambda: naslab.top_k_overlap([1, 2, 3], [1, 2, 3], 1.5), ValueError, L("k=1.5")),
    ("top_k_overlap lengths", lambda: naslab.top_k_overlap([1, 2, 3], [1, 2], 1), ValueError, L("same length")),
    ("SuperNet space dict", lambda: naslab.SuperNet({"a": 1}, (1, 40), 10), TypeError,
     L("space must be a MacroSpace, got dict")),
    ("SuperNet shape (40,)", lambda: naslab.SuperNet(_macro(), (40,), 10), ValueError,
     L("input_shape=(40,) must be (C, L) or (C, H, W)")),
    ("SuperNet num_classes 0", lambda: naslab.SuperNet(_macro(), (1, 40), 0), ValueError,
     L("num_classes=0 must be an int >= 1")),
    ("train_supernet epochs 0", lambda: naslab.train_supernet(_supernet(), _mnist1d(), epochs=0), ValueError,
     L("epochs=0 must be an int >= 1")),
    ("train_supernet lr -1", lambda: naslab.train_supernet(_supernet(), _mnist1d(), lr=-1), ValueError,
     L("lr=-1 must be a finite number > 0")),
    ("train_supernet batch_size 0", lambda: naslab.train_supernet(_supernet(), _mnist1d(), batch_size=0), ValueError,
     L("batch_size=0")),
    ("train_supernet seed -1", lambda: naslab.train_supernet(_supernet(), _mnist1d(), seed=-1), ValueError,
     L("seed=-1")),
    ("train_supernet other data", lambda: naslab.train_supernet(_supernet(), _digits(), epochs=1), ValueError,
     L("built for inputs of shape (N, 1, 40), got data 'digits' with X_train of shape (200, 1, 8, 8)")),
    ("train_supernet not a SuperNet", lambda: naslab.train_supernet(_mlp(), _digits()), TypeError,
     L("supernet must be a SuperNet, got Sequential")),
    ("SuccessiveHalving eta 1", lambda: naslab.SuccessiveHalving([1, 2], eta=1), ValueError,
     L("eta=1 must be an int >= 2")),
    ("SuccessiveHalving eta 2.5", lambda: naslab.SuccessiveHalving([1, 2], eta=2.5), ValueError, L("eta=2.5")),
    ("SuccessiveHalving r_min 0", lambda: naslab.SuccessiveHalving([1, 2], r_min=0), ValueError,
     L("r_min=0, r_max=9 must satisfy 0 < r_min <= r_max")),
    ("SuccessiveHalving r_min > r_max", lambda: naslab.SuccessiveHalving([1, 2], r_min=10, r_max=9), ValueError,
     L("r_min=10")),
    ("SuccessiveHalving no candidates", lambda: naslab.SuccessiveHalving([]), ValueError, L("n=0 must be a positive")),
    ("SuccessiveHalving nothing given", lambda: naslab.SuccessiveHalving(), ValueError,
     L("give either `candidates` or both `sample` and `n`")),
    ("SuccessiveHalving seed -1", lambda: naslab.SuccessiveHalving([1, 2], seed=-1), ValueError,
     L("seed=-1 must be an int in [0,")),
    # --- notebook 04: Net2Net and EAS
    ("widen_layer new_width 20.5", lambda: naslab.widen_layer(_mlp(), 0, 20.5), ValueError,
     L("new_width=20.5 must be an int")),
    ("widen_layer new_width True", lambda: naslab.widen_layer(_mlp(), 0, True), ValueError, L("new_width=True")),
    ("widen_layer narrower", lambda: naslab.widen_layer(_mlp(), 0, 8), ValueError, L("must be larger")),
    ("widen_layer negative noise", lambda: naslab.widen_layer(_mlp(), 0, 20, noise=-1.0), ValueError, L("noise=-1.0")),
    ("widen_layer noise inf", lambda: naslab.widen_layer(_mlp(), 0, 20, noise=INF), ValueError,
     L("noise=inf must be a finite number >= 0")),
    ("widen_layer noise nan", lambda: naslab.widen_layer(_mlp(), 0, 20, noise=NAN), ValueError, L("noise=nan")),
    ("widen_layer k 5", lambda: naslab.widen_layer(_mlp(), 5, 20), ValueError,
     L("layer k=5 cannot be grown; allowed: the hidden layers 0..0")),
    ("widen_layer init 'zeros'", lambda: naslab.widen_layer(_mlp(), 0, 20, init="zeros"), ValueError,
     L("init='zeros' is unknown; allowed: ['net2net', 'random']")),
    ("widen_layer not Sequential", lambda: naslab.widen_layer(nn.Linear(2, 2), 0, 4), ValueError,
     L("model must be an nn.Sequential", "got Linear")),
    ("deepen_layer noise inf", lambda: naslab.deepen_layer(_mlp(), 0, noise=INF), ValueError,
     L("noise=inf must be a finite number >= 0")),
    ("deepen_layer noise -1", lambda: naslab.deepen_layer(_mlp(), 0, noise=-1.0), ValueError, L("noise=-1.0")),
    ("deepen_layer noise nan", lambda: naslab.deepen_layer(_mlp(), 0, noise=NAN), ValueError, L("noise=nan")),
    ("deepen_layer seed -1", lambda: naslab.deepen_layer(_mlp(), 0, noise=0.1, seed=-1), ValueError,
     L("seed=-1")),
    ("deepen_layer k 5", lambda: naslab.deepen_layer(_mlp(), 5), ValueError, L("layer k=5 cannot be grown")),
    ("deepen_layer init 'zeros'", lambda: naslab.deepen_layer(_mlp(), 0, init="zeros"), ValueError,
     L("init='zeros' is unknown")),
    ("deepen_layer even kernel", lambda: naslab.deepen_layer(naslab.make_plain_net((1, 40), 10), 0, kernel_size=2),
     ValueError, L("kernel_size=2 cannot be an identity", "use an odd kernel_size")),
    ("make_plain_net bad token", lambda: naslab.make_plain_net((1, 40), 10, "conv-8 fc-16"), ValueError,
     L("unknown token")),
    ("make_plain_net wrong batch", lambda: naslab.make_plain_net((1, 40), 10)(torch.randn(2, 1, 30)), ValueError,
     L("make_plain_net was built for inputs of shape (N, 1, 40)")),
    ("make_plain_net num_classes 0", lambda: naslab.make_plain_net((1, 40), 0), ValueError, L("num_classes=0")),
    ("make_plain_net arch 3", lambda: naslab.make_plain_net((1, 40), 10, 3), ValueError,
     L("arch=3 must be a str of tokens")),
    ("make_plain_net too many pools", lambda: naslab.make_plain_net((1, 4), 10, "pool pool pool pool"), ValueError,
     L("pools a feature map that is already smaller than 2")),
    ("make_plain_net conv-0-3", lambda: naslab.make_plain_net((1, 40), 10, "conv-0-3"), ValueError,
     L("'conv-0-3'", "conv-C-K")),
    ("make_plain_net conv-8-0", lambda: naslab.make_plain_net((1, 40), 10, "conv-8-0"), ValueError,
     L("'conv-8-0'")),
    ("make_plain_net fc-0", lambda: naslab.make_plain_net((1, 40), 10, "fc-0"), ValueError, L("'fc-0'")),
    ("make_plain_net bn 'yes'", lambda: naslab.make_plain_net((1, 40), 10, bn="yes"), ValueError,
     L("bn='yes' must be True or False")),
    ("measure_preservation wrong X", lambda: naslab.measure_preservation(naslab.make_mlp((1, 40), 10),
                                                                      naslab.make_mlp((1, 40), 10),
                                                                      torch.randn(4, 64)),
     ValueError, L("teacher does not accept X of shape (4, 64)")),
    ("measure_preservation bad mode", lambda: naslab.measure_preservation(_mlp(), _mlp(), torch.randn(4, 1, 8, 8),
                                                                       modes=("test",)),
     ValueError, L("allowed")),
    ("measure_preservation X list", lambda: naslab.measure_preservation(_mlp(), _mlp(), [[1.0]]), ValueError,
     L("X must be a batch tensor of shape (B, *input_shape), got list")),
    ("measure_preservation modes 'eval'", lambda: naslab.measure_preservation(_mlp(), _mlp(), torch.randn(2, 1, 8, 8),
                                                                           modes="eval"),
     ValueError, L("modes='eval'")),
    ("measure_preservation teacher 3", lambda: naslab.measure_preservation(3, _mlp(), torch.randn(2, 1, 8, 8)),
     TypeError, L("teacher must be", "int")),
    ("Preservation missing fields", lambda: naslab.Preservation(), TypeError,
     L("missing 3 required positional arguments: 'max_abs', 'mean_abs', and 'explanation'")),
    ("EASConfig episodes 0", lambda: naslab.EASConfig(episodes=0).validate(), ValueError, L("episodes=0")),
    ("EASConfig children 0", lambda: naslab.EASConfig(children=0).validate(), ValueError, L("children=0")),
    ("EASConfig grow_from 'worst'", lambda: naslab.EASConfig(grow_from="worst").validate(), ValueError,
     L("grow_from='worst'", "allowed")),
    ("EASConfig start_arch conv-0-3", lambda: naslab.EASConfig(start_arch="conv-0-3").validate(), ValueError,
     L("'conv-0-3'")),
    ("run_eas policy 'greedy'", lambda: naslab.run_eas(_mnist1d(), policy="greedy"), ValueError,
     L("policy='greedy' is unknown; allowed: ['rl', 'random', 'none']")),
    # --- notebook 05: DARTS
    ("OPS unknown op", lambda: naslab.OPS["conv_9x9"], KeyError, L("'conv_9x9' is not registered; registered:",
                                                                        "'none', 'max_pool_3x3'")),
    ("register_op ignores stride", lambda: naslab.register_op("no_halving_bad", _bad_op), ValueError,
     L("fails the op check")),
    ("register_op 1-D only", lambda: naslab.register_op("one_d_only_bad", _bad_dim_op), ValueError,
     L("fails the op check")),
    ("register_op bad name", lambda: naslab.register_op("has space", _bad_op), ValueError, L("letters, digits")),
    ("register_op name 3", lambda: naslab.register_op(3, _bad_op), ValueError, L("op name 3 must be letters")),
    ("register_op built-in", lambda: naslab.register_op("skip_connect", _bad_op, replace=True), ValueError,
     L("built-in")),
    ("register_op builder 3", lambda: naslab.register_op("x_bad", 3), ValueError,
     L("builder for 'x_bad' must be callable as builder(C, stride, affine, dim)")),
    ("register_op works only at C=4", lambda: naslab.register_op("c4_only_bad", _c4_only_op), ValueError,
     L("fails the op check")),
    ("register_op works only at size 8", lambda: naslab.register_op("s8_only_bad", _size8_only_op), ValueError,
     L("fails the op check")),
    ("validate_op unknown", lambda: naslab.validate_op("conv_9x9_bad"), ValueError,
     L("unknown op 'conv_9x9_bad'; registered ops")),
    ("validate_op C 0", lambda: naslab.validate_op("skip_connect", C=0), ValueError, L("C=0 must be an int")),
    ("validate_op dims (3,)", lambda: naslab.validate_op("skip_connect", dims=(3,)), ValueError,
     L("dim=3 is not supported; allowed: [1, 2]")),
    ("check_op unknown", lambda: naslab.check_op("conv_9x9_bad"), CheckError, L("'conv_9x9_bad' is not registered")),
    ("check_op dict", lambda: naslab.check_op({"a": 1}), CheckError, L("{'a': 1}")),
    ("checks: check_new_op dict", lambda: _checks("darts").check_new_op({"a": 1}), CheckError,
     L("name should be your op's name (a str), got {'a': 1}")),
    ("checks: check_search_with_op 3", lambda: _checks("darts").check_search_with_op(3, "x"), TypeError,
     L("result should be what run_darts returned (a SearchResult), got 3")),
    ("checks: check_token_extension 3", lambda: _checks("controller").check_token_extension(3), CheckError,
     L("space should be an instance of your MacroSpace subclass, got 3")),
    ("MixedOp stride 3", lambda: naslab.MixedOp(4, 3), ValueError, L("stride=3 is not supported; allowed: [1, 2]")),
    ("MixedOp dim 3", lambda: naslab.MixedOp(4, 1, dim=3), ValueError, L("dim=3 is not supported")),
    ("MixedOp unknown primitive", lambda: naslab.MixedOp(4, 1, primitives=("conv_9x9_bad",)), ValueError,
     L("unknown op 'conv_9x9_bad'; registered ops")),
    ("MixedOp C 0", lambda: naslab.MixedOp(0, 1), ValueError, L("C=0 must be an int >= 1")),
    ("MixedOp weights shape", lambda: naslab.MixedOp(4, 1, dim=1)(torch.randn(2, 4, 8), torch.ones(3)), ValueError,
     L("weights", "(3,)")),
    ("SearchNetwork shape (40,)", lambda: naslab.SearchNetwork((40,), 10), ValueError, L("input_shape=(40,)")),
    ("SearchNetwork steps 0", lambda: naslab.SearchNetwork((1, 40), 10, steps=0), ValueError,
     L("steps=0 must be a positive int")),
    ("SearchNetwork unknown primitive", lambda: naslab.SearchNetwork((1, 40), 10, primitives=("conv_9x9_bad",)),
     ValueError, L("unknown op(s) ['conv_9x9_bad'] in primitives")),
    ("SearchNetwork C 0", lambda: naslab.SearchNetwork((1, 40), 10, C=0), ValueError, L("C=0")),
    ("SearchNetwork input reaches length 1", lambda: naslab.SearchNetwork((1, 4), 10, layers=3), ValueError,
     L("input_shape=(1, 4)", "too small")),
    ("Genotype.parse garbage", lambda: naslab.Genotype.parse("abc"), ValueError, L("malformed genotype 'abc'")),
    ("Genotype.count swapped", lambda: naslab.Genotype.parse(_genotype()).count("normal", "skip_connect"),
     ValueError, L("the order is count(ops, kind)")),
    ("Genotype.count bad kind", lambda: naslab.Genotype.parse(_genotype()).count("skip_connect", "both"),
     ValueError, L("kind='both'")),
    ("Genotype bad edge", lambda: naslab.Genotype(normal=(("conv_9x9", 0),), reduce=()), ValueError,
     L("normal")),
    ("derive_genotype weights shape", lambda: naslab.derive_genotype(torch.randn(5, 7), torch.randn(5, 8)),
     ValueError, L("weights of shape (5, 7) do not match the 8 primitives")),
    ("derive_genotype k 0", lambda: naslab.derive_genotype(torch.randn(5, 8), torch.randn(5, 8), k=0), ValueError,
     L("k=0 must be a positive int")),
    ("derive_genotype all NaN", lambda: naslab.derive_genotype(_alphas(NAN), _alphas(NAN)), ValueError,
     L("NaN")),
    ("derive_genotype inf", lambda: naslab.derive_genotype(_alphas(INF), _alphas(0.0)), ValueError, L("inf")),
    ("DiscreteNetwork wrong batch", lambda: naslab.DiscreteNetwork(_genotype(), (1, 40), 10)(torch.randn(2, 1, 8, 8)),
     ValueError, L("DiscreteNetwork was built for inputs of shape (N, 1, 40)")),
    ("DiscreteNetwork shape (40,)", lambda: naslab.DiscreteNetwork(_genotype(), (40,), 10), ValueError,
     L("input_shape=(40,)")),
    ("DiscreteNetwork num_classes 0", lambda: naslab.DiscreteNetwork(_genotype(), (1, 40), 0), ValueError,
     L("num_classes=0 must be an int >= 1")),
    ("DiscreteNetwork genotype 'abc'", lambda: naslab.DiscreteNetwork("abc", (1, 40), 10), ValueError,
     L("malformed genotype 'abc'")),
    ("DiscreteNetwork C 0", lambda: naslab.DiscreteNetwork(_genotype(), (1, 40), 10, C=0), ValueError, L("C=0")),
    ("Architect order 'third'", lambda: naslab.Architect(naslab.SearchNetwork((1, 40), 10), order="third"),
     ValueError, L("order='third' is unknown; allowed: ['first', 'second']")),
    ("Architect hvp 'exact2'", lambda: naslab.Architect(naslab.SearchNetwork((1, 40), 10), hvp="exact2"),
     ValueError, L("hvp='exact2' is unknown; allowed: ['finite', 'exact']")),
    ("Architect not a SearchNetwork", lambda: naslab.Architect(_mlp()), TypeError,
     L("model must be a SearchNetwork", "Sequential")),
    ("Architect alpha_lr 0", lambda: naslab.Architect(naslab.SearchNetwork((1, 40), 10), alpha_lr=0), ValueError,
     L("alpha_lr=0")),
    ("Architect r 0", lambda: naslab.Architect(naslab.SearchNetwork((1, 40), 10), r=0), ValueError, L("r=0")),
    ("SearchConfig epochs 0", lambda: naslab.SearchConfig(epochs=0), ValueError, L("epochs=0")),
    ("SearchConfig epochs True", lambda: naslab.SearchConfig(epochs=True), ValueError, L("epochs=True must be an int")),
    ("SearchConfig order", lambda: naslab.SearchConfig(order="third"), ValueError, L("order='third'")),
    ("SearchConfig alpha_lr inf", lambda: naslab.SearchConfig(alpha_lr=INF), ValueError, L("alpha_lr=inf")),
    ("SearchConfig w_lr 0", lambda: naslab.SearchConfig(w_lr=0), ValueError, L("w_lr=0 must be a finite number > 0")),
    ("SearchConfig C 0", lambda: naslab.SearchConfig(C=0), ValueError, L("C=0")),
    ("SearchConfig batch_size 0", lambda: naslab.SearchConfig(batch_size=0), ValueError, L("batch_size=0")),
    ("SearchConfig xi -1", lambda: naslab.SearchConfig(xi=-1), ValueError, L("xi=-1")),
    ("SearchConfig warmup_epochs >= epochs", lambda: naslab.SearchConfig(warmup_epochs=5, epochs=1), ValueError,
     L("warmup_epochs=5", "epochs=1")),
    ("SearchConfig step_order 'x'", lambda: naslab.SearchConfig(step_order="x"), ValueError,
     L("step_order='x' is unknown")),
    ("SearchConfig primitives unknown", lambda: naslab.SearchConfig(primitives=("conv_9x9_bad",)), ValueError,
     L("conv_9x9_bad")),
    ("SearchConfig seed -1", lambda: naslab.SearchConfig(seed=-1), ValueError, L("seed=-1")),
    ("SearchResult missing fields", lambda: naslab.SearchResult(), TypeError,
     L("missing 2 required positional arguments: 'config' and 'model'")),
    ("run_darts misspelt override", lambda: naslab.run_darts(_mnist1d(), epochz=1), TypeError, L("'epochz'")),
    ("run_darts data None", lambda: naslab.run_darts(None, epochs=1), TypeError, L("data must be")),
    ("run_darts warmup_epochs 5 epochs 1", lambda: _darts(warmup_epochs=5), ValueError, L("warmup_epochs=5")),
    ("evaluate_genotype epochs 0", lambda: naslab.evaluate_genotype(_genotype(), _mnist1d(), epochs=0), ValueError,
     L("epochs=0 must be a positive int")),
    ("evaluate_genotype lr 0", lambda: naslab.evaluate_genotype(_genotype(), _mnist1d(), lr=0), ValueError, L("lr=0")),
    ("evaluate_genotype optimizer 'rms'", lambda: naslab.evaluate_genotype(_genotype(), _mnist1d(), optimizer="rms"),
     ValueError, L("optimizer='rms' is unknown")),
    ("evaluate_genotype genotype 'abc'", lambda: naslab.evaluate_genotype("abc", _mnist1d()), ValueError,
     L("malformed genotype 'abc'")),
]

CASES = CORE + TOPICS


def _param(case):
    name, call, exc, pattern, *pending = case
    return pytest.param(call, exc, pattern, id=name, marks=[PENDING] if pending and pending[0] else [])


@pytest.mark.parametrize("call, exc, pattern", [_param(c) for c in CASES])
def test_bad_input_gives_a_clear_early_error(call, exc, pattern):
    with pytest.raises(exc) as info:
        call()
    assert re.search(pattern, str(info.value), re.S), f"message {str(info.value)!r} does not match {pattern!r}"


def test_every_public_name_has_a_bad_input_case():
    ids = [c[0] for c in CASES]
    names = [n for n in naslab._API if callable(getattr(naslab, n)) and not isinstance(getattr(naslab, n), dict)]
    missing = [n for n in names if not any(i == n or i.startswith((n + " ", n + ".")) for i in ids)]
    assert not missing, f"public names without a bad-input case: {missing}"
    assert len({c[0] for c in CASES}) == len(CASES), "case ids must be unique"


def test_at_least_three_hundred_cases_and_rejected_ops_are_not_registered():
    assert len(CASES) + len(STATUS) >= 300
    for name in ("no_halving_bad", "one_d_only_bad", "x_bad"):
        assert name not in naslab.OPS


# --- the documented status of a trial whose objective returned something odd (the status rule, `naslab.Trial`)

def _raises(config):
    raise RuntimeError("the objective broke")


STATUS = [
    ("val_acc 10**400", lambda c: {"val_acc": 10**400}, "failed", L("'val_acc'", "float")),
    ("val_acc -10**400", lambda c: {"val_acc": -(10**400)}, "failed", L("'val_acc'", "float")),
    ("seconds 10**400", lambda c: {"val_acc": 0.5, "seconds": 10**400}, "failed", L("'seconds'")),
    ("val_acc nan", lambda c: {"val_acc": NAN}, "diverged", None),
    ("val_acc inf", lambda c: {"val_acc": INF}, "diverged", None),
    ("val_acc numpy nan", lambda c: {"val_acc": np.float64("nan")}, "diverged", None),
    ("val_acc torch inf", lambda c: {"val_acc": torch.tensor(INF)}, "diverged", None),
    ("val_acc None", lambda c: {"val_acc": None}, "diverged", None),
    ("diverged True", lambda c: {"val_acc": 0.1, "diverged": True}, "diverged", None),
    ("val_acc '0.9'", lambda c: {"val_acc": "0.9"}, "failed", L("metric 'val_acc' must be a real number, got str")),
    ("val_acc True", lambda c: {"val_acc": True}, "failed", L("metric 'val_acc' must be a real number, got bool")),
    ("val_acc list", lambda c: {"val_acc": [0.5]}, "failed", L("metric 'val_acc' must be a real number")),
    ("no val_acc", lambda c: {"acc": 0.5}, "failed", L("objective returned no 'val_acc'; its keys: ['acc']")),
    ("a float, not a dict", lambda c: 0.5, "failed", L("objective must return a dict of metrics, got float")),
    ("None", lambda c: None, "failed", L("objective must return a dict of metrics, got NoneType")),
    ("a TrainResult", lambda c: naslab.TrainResult(0.5, 0.1), "failed", L("return result.metrics")),
    ("diverged 'yes'", lambda c: {"val_acc": 0.5, "diverged": "yes"}, "failed", L("metric 'diverged' must be a bool")),
    ("seconds -1", lambda c: {"val_acc": 0.5, "seconds": -1}, "failed", L("metric 'seconds' must be a finite number")),
    ("a module metric", lambda c: {"val_acc": 0.5, "net": nn.ReLU()}, "failed", L("metric 'net'")),
    ("raises", _raises, "failed", L("the objective broke")),
]


@pytest.mark.parametrize("objective, status, pattern", [
    pytest.param(*c[1:4], id=c[0], marks=[PENDING] if len(c) > 4 and c[4] else []) for c in STATUS])
def test_an_odd_objective_output_gives_the_documented_status(objective, status, pattern):
    (trial,) = naslab.run_search(naslab.RandomSearch(SPACE, seed=0), objective, 1)
    assert trial.status == status, (trial.status, trial.error)
    if pattern is None:  # diverged: no error; the score is NaN unless it is finite (training's chance accuracy)
        assert trial.error is None and (math.isnan(trial.score()) or trial.metrics.get("diverged") is True)
    else:
        assert re.search(pattern, trial.error or "", re.S), trial.error


# --- behaviours that are not one call: the recorded config, infrastructure failures, a full disk

def _editing_objective(config):
    config["x"] = 99.0  # edits the dict it was given
    return {"val_acc": 0.5}


def test_an_objective_that_edits_its_config_does_not_change_what_is_recorded(tmp_path):
    trials = naslab.run_search(naslab.RandomSearch(SPACE, seed=0), _editing_objective, 2, path=tmp_path / "log.jsonl")
    asked = [naslab.sample(SPACE, 0)]  # RandomSearch(seed=0) draws the same first config
    assert trials[0].config == asked[0] and trials[0].config["x"] != 99.0
    assert [t.config for t in naslab.load_jsonl(tmp_path / "log.jsonl")] == [t.config for t in trials]


class _DyingPool:
    """An executor whose worker dies on the 2nd task (a killed process pool's future raises BrokenProcessPool)."""

    def __init__(self):
        self.n = 0

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool
        self.n += 1
        future = Future()
        if self.n == 2:
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future

    def shutdown(self, wait=True, **kw):
        pass


class _Counting:
    def __init__(self, fail_on=()):
        self.calls, self.fail_on = [], set(fail_on)

    def __call__(self, config):
        self.calls.append(config)
        if len(self.calls) in self.fail_on:
            raise RuntimeError("objective failure")
        return {"val_acc": 0.5}


def test_infrastructure_failures_are_retried_on_resume_objective_failures_are_not(tmp_path):
    log = tmp_path / "log.jsonl"
    try:
        naslab.run_search(naslab.RandomSearch(SPACE, seed=0), _Counting(), 3, path=log, executor=_DyingPool())
    except Exception:  # noqa: BLE001 (stopping at a dead pool is fine too)
        pass
    assert len(naslab.load_jsonl(log)) >= 1  # the first trial was done and kept
    resumed = _Counting()
    trials = naslab.run_search(naslab.RandomSearch(SPACE, seed=0), resumed, 3, path=log)
    assert [t.status for t in trials] == ["ok"] * 3  # the dead worker's trial was run again
    assert naslab.sample(SPACE, np.random.default_rng(0)) not in resumed.calls  # the done one was not
    log2 = tmp_path / "log2.jsonl"
    first = _Counting(fail_on={2})
    naslab.run_search(naslab.RandomSearch(SPACE, seed=0), first, 3, path=log2)
    again = _Counting()
    trials = naslab.run_search(naslab.RandomSearch(SPACE, seed=0), again, 3, path=log2)
    assert again.calls == [] and [t.status for t in trials] == ["ok", "failed", "ok"]  # nothing re-run


def test_a_full_disk_names_the_path_and_keeps_the_trials_already_returned(tmp_path, monkeypatch):
    import errno
    import os

    log, real_write, writes = tmp_path / "log.jsonl", os.write, []

    def full_after_two(fd, data):  # the third trial record finds the disk full
        writes.extend([fd] if b'"config"' in bytes(data) else [])
        if len(writes) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    naslab.run_search(naslab.RandomSearch(SPACE, seed=0), _ok_objective, 1, path=tmp_path / "warm.jsonl")
    monkeypatch.setattr(os, "write", full_after_two)
    with pytest.raises(OSError) as info:
        naslab.run_search(naslab.RandomSearch(SPACE, seed=0), _ok_objective, 5, path=log)
    monkeypatch.setattr(os, "write", real_write)
    assert info.value.errno == errno.ENOSPC and str(log) in str(info.value)
    assert len(naslab.load_jsonl(log)) == 2  # what was written stays
    assert len(info.value.trials) == 3  # the trials evaluated so far come back with the error


# --- earlier checks kept from issue 13

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


def test_darts_with_a_huge_weight_learning_rate_reports_diverged():
    result = _darts(w_lr=1e6)
    assert result.diverged is True


def test_darts_on_inputs_that_reach_length_one_is_refused_before_training():
    from dataclasses import replace

    d = _mnist1d()  # signals cut to length 4: two reduction cells would leave length 1 (BatchNorm fails there)
    short = replace(d, X_train=d.X_train[..., :4], X_val=d.X_val[..., :4], X_test=d.X_test[..., :4], input_shape=(1, 4))
    with pytest.raises(ValueError, match=L("input_shape=(1, 4) is too small for 2 reduction cells")):
        naslab.run_darts(short, epochs=1, C=4, layers=3, steps=1, batch_size=32, device="cpu")
