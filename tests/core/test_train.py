import math

import pytest
import torch

from naslab.data import load_dataset
from naslab.models import make_mlp
from naslab.train import TrainConfig, batch_order, evaluate, train
from naslab.utils import seed_everything


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", n_train=400)


def _fresh(d, seed=0):
    seed_everything(seed)
    return make_mlp(d.input_shape, d.num_classes, hidden=(32,))


def test_training_learns_digits(digits):
    r = train(_fresh(digits), digits, TrainConfig(epochs=8, lr=0.1))
    assert r.val_acc > 0.85 and not r.diverged
    assert r.steps == 8 * math.ceil(400 / 64) and len(r.train_loss) == r.steps
    assert len(r.val_acc_curve) == 8 and r.seconds > 0
    assert r.train_loss[-1] < r.train_loss[0]


def test_same_seed_same_numbers_on_cpu(digits):
    a = train(_fresh(digits), digits, TrainConfig(epochs=2, seed=5))
    b = train(_fresh(digits), digits, TrainConfig(epochs=2, seed=5))
    c = train(_fresh(digits), digits, TrainConfig(epochs=2, seed=6))
    assert a.train_loss == b.train_loss and a.val_acc == b.val_acc
    assert a.train_loss != c.train_loss  # the data order follows the seed


def test_adam_and_max_steps(digits):
    r = train(_fresh(digits), digits, optimizer="adam", lr=1e-2, epochs=50, max_steps=7)
    assert r.steps == 7 and len(r.val_acc_curve) == 1


@pytest.mark.parametrize("lr, wd", [(10.0, 1e-4), (10.0, 1.0), (10.0, 10.0)])
def test_divergence_is_a_result_not_a_crash(digits, lr, wd):
    r = train(_fresh(digits), digits, TrainConfig(epochs=3, lr=lr, weight_decay=wd))
    assert r.diverged and math.isnan(r.val_loss) and r.val_acc == pytest.approx(0.1)
    assert math.isnan(r.train_loss[-1]) and r.steps < 3 * math.ceil(400 / 64)


def test_nan_inputs_diverge_at_the_first_step(digits):
    bad = type(digits)(**{**digits.__dict__, "X_train": digits.X_train * float("nan")})
    r = train(_fresh(digits), bad, epochs=1)
    assert r.diverged and r.steps == 0 and r.val_acc == pytest.approx(0.1)


def test_a_learning_run_is_not_called_diverged(digits):
    r = train(_fresh(digits), digits, TrainConfig(epochs=3, lr=1.0))  # bumpy but finite
    assert not r.diverged


def test_evaluate_matches_a_hand_computation(digits):
    m = _fresh(digits)
    loss, acc = evaluate(m, digits.X_val, digits.y_val, batch_size=50)
    with torch.no_grad():
        logits = m(digits.X_val)
    assert loss == pytest.approx(torch.nn.functional.cross_entropy(logits, digits.y_val).item(), rel=1e-5)
    assert acc == pytest.approx((logits.argmax(1) == digits.y_val).float().mean().item())


def test_batch_order_covers_every_example_once_per_epoch():
    batches = batch_order(10, 4, epochs=2, seed=0)
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    assert sorted(torch.cat(batches[:3]).tolist()) == list(range(10))
    assert torch.equal(torch.cat(batch_order(10, 4, 2, 0)), torch.cat(batches))
    cut = batch_order(10, 4, epochs=10**9, seed=0, max_steps=4)  # only the epochs needed are drawn
    assert len(cut) == 4 and all(torch.equal(a, b) for a, b in zip(cut, batches[:4]))


@pytest.mark.parametrize("bad, match", [
    ({"lr": -0.1}, "lr=-0.1"), ({"lr": 0}, "lr=0"), ({"batch_size": 0}, "batch_size=0"),
    ({"optimizer": "rmsprop"}, "allowed: \\['sgd', 'adam'\\]"), ({"weight_decay": -1}, "weight_decay"),
    ({"epochs": 0}, "epochs"), ({"device": "tpu"}, "tpu"),
])
def test_bad_hyper_parameters_are_named(digits, bad, match):
    with pytest.raises(ValueError, match=match):
        train(_fresh(digits), digits, **bad)


def test_progress_bar_runs(digits, capsys):
    r = train(_fresh(digits), digits, epochs=1, progress=True)
    assert r.steps > 0
