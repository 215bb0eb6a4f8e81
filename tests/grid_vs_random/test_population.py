"""Population training reproduces one-by-one training member by member, and isolates divergence."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from naslab.data import load_dataset
from naslab.grid_vs_random.population import train_member, train_population
from naslab.models import make_cnn
from naslab.train import TrainConfig

CFG = TrainConfig(epochs=2, batch_size=32, device="cpu")


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", n_train=256)


def _twins(data, configs, cfg, **kw):
    return [train_member(data, c, cfg, **kw) for c in configs]


def _assert_same(pop, twins, data, *, atol_loss=1e-4):
    n_val = len(data.y_val)
    for k, r in enumerate(twins):
        assert bool(pop.diverged[k]) == r.diverged
        assert int(pop.steps[k]) == r.steps
        assert abs(pop.val_acc[k] - r.val_acc) <= 1.0 / n_val + 1e-9  # at most one example differs
        if not r.diverged:
            assert pop.val_loss[k] == pytest.approx(r.val_loss, abs=atol_loss)
            np.testing.assert_allclose(pop.train_loss[k, : r.steps], r.train_loss, atol=atol_loss)
            np.testing.assert_allclose(pop.val_acc_curve[k], r.val_acc_curve, atol=1.0 / n_val + 1e-9)


CONFIGS = [{"lr": 0.1, "weight_decay": 1e-4}, {"lr": 0.01, "weight_decay": 1e-2},
           {"lr": 0.3, "weight_decay": 0.0, "momentum": 0.5}, {"lr": 0.05, "weight_decay": 0.1, "seed": 3}]


@pytest.mark.parametrize("method", ["bmm", "vmap"])
def test_population_equals_one_by_one_sgd(digits, method):
    pop = train_population(digits, CONFIGS, CFG, method=method)
    _assert_same(pop, _twins(digits, CONFIGS, CFG), digits)


def test_population_equals_one_by_one_with_a_shared_data_order_and_two_hidden_layers(digits):
    configs = [{"lr": lr, "weight_decay": wd} for lr in (0.02, 0.2) for wd in (1e-4, 1e-2)]  # all seed 0
    pop = train_population(digits, configs, CFG, hidden=(16, 8))
    _assert_same(pop, _twins(digits, configs, CFG, hidden=(16, 8)), digits)


def test_population_equals_one_by_one_adam(digits):
    configs = [{"lr": 1e-3, "weight_decay": 0.0}, {"lr": 3e-3, "weight_decay": 1e-3, "seed": 2}]
    cfg = TrainConfig(optimizer="adam", epochs=2, batch_size=32, device="cpu")
    pop = train_population(digits, configs, cfg)
    _assert_same(pop, _twins(digits, configs, cfg), digits)


def test_population_of_cnns_through_vmap(digits):
    def model_fn():
        return make_cnn((1, 8, 8), 10, channels=(4,))

    configs = [{"lr": 0.05, "weight_decay": 1e-4}, {"lr": 0.1, "weight_decay": 0.0, "seed": 1}]
    cfg = TrainConfig(epochs=1, batch_size=64, device="cpu")
    pop = train_population(digits, configs, cfg, model_fn=model_fn)  # "auto" picks vmap for a CNN
    _assert_same(pop, _twins(digits, configs, cfg, model_fn=model_fn), digits)


def test_diverging_members_are_recorded_without_spoiling_the_others(digits):
    good = [{"lr": 0.1, "weight_decay": 1e-4}, {"lr": 0.01, "weight_decay": 1e-3}]
    bad = [{"lr": 10.0, "weight_decay": 1e-4}, {"lr": 10.0, "weight_decay": 10.0}]
    mixed = train_population(digits, [bad[0], good[0], bad[1], good[1]], CFG)
    alone = train_population(digits, good, CFG)
    twins = _twins(digits, bad, CFG)
    assert list(mixed.diverged) == [True, False, True, False]
    assert all(t.diverged for t in twins)
    assert list(mixed.steps[[0, 2]]) == [t.steps for t in twins]  # stopped at the same update as alone
    assert np.all(mixed.val_acc[[0, 2]] == 1 / 10) and np.all(np.isnan(mixed.val_loss[[0, 2]]))
    np.testing.assert_allclose(mixed.val_acc[[1, 3]], alone.val_acc, atol=1e-12)
    np.testing.assert_allclose(mixed.val_loss[[1, 3]], alone.val_loss, rtol=1e-5)
    trials = mixed.trials()
    assert [t.status for t in trials] == ["diverged", "ok", "diverged", "ok"]
    assert sum(t.seconds for t in trials) == pytest.approx(mixed.seconds)
    assert math.isnan(trials[0].metrics["val_loss"]) and trials[1].metrics["val_acc"] == mixed.val_acc[1]


def test_chunks_give_the_same_results_as_one_stack(digits):
    configs = [{"lr": 10.0 ** -e, "weight_decay": 1e-4, "seed": e} for e in range(5)]
    one = train_population(digits, configs, CFG, chunk_size=None)
    parts = train_population(digits, configs, CFG, chunk_size=2)
    np.testing.assert_allclose(parts.val_acc, one.val_acc, atol=1e-12)
    np.testing.assert_allclose(parts.train_loss, one.train_loss, rtol=1e-5, equal_nan=True)
    assert parts.configs == configs and len(parts) == 5


def test_max_steps_and_bad_input(digits):
    pop = train_population(digits, [{"lr": 0.1}], CFG, max_steps=5)
    assert pop.steps.tolist() == [5] and pop.train_loss.shape == (1, 5)
    with pytest.raises(ValueError, match="empty"):
        train_population(digits, [], CFG)
    with pytest.raises(ValueError, match="keys among"):
        train_population(digits, [{"learning_rate": 0.1}], CFG)
    with pytest.raises(ValueError, match="lr"):
        train_population(digits, [{"lr": -1.0}], CFG)
    with pytest.raises(ValueError, match="method"):
        train_population(digits, [{"lr": 0.1}], CFG, method="jit")
    with pytest.raises(ValueError, match="chunk_size"):
        train_population(digits, [{"lr": 0.1}], CFG, chunk_size=0)
    with pytest.raises(ValueError, match="bmm"):
        train_population(digits, [{"lr": 0.1}], CFG, method="bmm", model_fn=lambda: make_cnn((1, 8, 8), 10, (4,)))



@pytest.mark.parametrize("shared", [True, False])
def test_stacked_backward_matches_autograd(shared):
    from naslab.grid_vs_random.batched import member_losses, mlp_backward, mlp_forward, mlp_plan
    from naslab.models import make_mlp

    torch.manual_seed(0)
    K, B, D = 3, 5, 12
    model = make_mlp((1, D), 4, hidden=(6, 7))
    plan = mlp_plan(model)
    params = {n: torch.randn(K, *p.shape, dtype=torch.float64) for n, p in model.named_parameters()}
    x = torch.randn(B, D, dtype=torch.float64) if shared else torch.randn(K, B, D, dtype=torch.float64)
    y = torch.randint(0, 4, (B,) if shared else (K, B))
    xT = x.T if shared else x.transpose(1, 2)
    acts = []
    losses, dz = member_losses(mlp_forward(plan, params, xT, acts), y, grad=True)
    grads = mlp_backward(plan, params, xT, acts, dz)
    leaves = {n: p.clone().requires_grad_() for n, p in params.items()}
    auto = torch.autograd.grad(member_losses(mlp_forward(plan, leaves, xT), y).sum(), list(leaves.values()))
    for (n, g_auto) in zip(leaves, auto):
        torch.testing.assert_close(grads[n], g_auto)
    assert mlp_plan(nn.Sequential(nn.Linear(3, 2))) is None  # no Flatten first: use vmap


def test_population_per_task_equals_one_population():
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from naslab.grid_vs_random.population_tasks import train_population_tasks

    data = load_dataset("digits")
    configs = [{"lr": lr, "seed": s} for lr in (0.01, 0.3, 50.0) for s in (0, 1)]  # lr=50 diverges
    one = train_population(data, configs, epochs=1, hidden=(8,))
    with ProcessPoolExecutor(2) as pool:  # processes: threads would share torch's global seed
        split = train_population_tasks(data, configs, pool, n_tasks=4, epochs=1, hidden=(8,))  # chunks of 2, 1, 1, 2
    assert split.configs == one.configs and one.diverged.sum() == 2
    for k in ("val_acc", "val_loss", "val_acc_curve", "train_loss", "steps", "diverged"):
        np.testing.assert_array_equal(getattr(split, k), getattr(one, k), err_msg=k)
    with pytest.raises(ValueError, match="n_tasks"):
        train_population_tasks(data, configs, ThreadPoolExecutor(1), n_tasks=0)
