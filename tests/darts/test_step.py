"""naslab.darts.step and naslab.darts.config: one DARTS step and schedule for `run_darts`, `profile_step` and the
table's DARTS (`darts_on_table`), one validated config; both loops reproduce what they computed before the
step was shared (golden_darts.npz, recorded from the code before the refactor)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import naslab.darts.search as search_mod
from naslab.bakeoff.network import NetConfig
from naslab.bakeoff.oneshot import darts_on_table
from naslab.darts.config import LR_PERIODS, STEP_ORDERS, SearchConfig
from naslab.darts.profile import profile_step
from naslab.darts.search import build_search, run_darts, search_step
from naslab.darts.step import WSchedule, darts_step
from naslab.data import load_dataset

GOLDEN = Path(__file__).with_name("golden_darts.npz")
TINY = {"C": 4, "steps": 2, "layers": 3, "batch_size": 32, "epochs": 1, "device": "cpu"}


@pytest.fixture(scope="module")
def data():
    return load_dataset("mnist1d")


@pytest.fixture(scope="module")
def small():
    return load_dataset("mnist1d", n_train=128)


def _wsum(named) -> np.ndarray:
    """sum |p| of every tensor, in name order (the golden file's checksum of the final weights)."""
    return np.array([np.abs(p.detach().cpu().numpy().astype(np.float64)).sum() for _, p in sorted(named)])


def _close(got, want):  # bitwise equal on the machine that recorded it; float rounding of other CPUs' kernels
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("order", ["first", "second"])
def test_table_darts_reproduces_its_numbers_from_before_the_shared_step(data, order, seed):
    g = np.load(GOLDEN)
    r = darts_on_table(None, order, epochs=2, seed=seed, data=data, n_train=128, batch_size=32,
                       net=NetConfig(C=4, stem_stride=2), device="cpu")
    key = f"table_{order}_{seed}"
    _close(r.alpha, g[f"{key}_alpha"])
    np.testing.assert_array_equal([h["cell"] for h in r.history], g[f"{key}_cells"])
    _close(_wsum(r.params.items()), g[f"{key}_wsum"])


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("order", ["first", "second"])
@pytest.mark.parametrize("step_order", STEP_ORDERS)
def test_run_darts_reproduces_its_numbers_from_before_the_shared_step(small, order, step_order, seed):
    g = np.load(GOLDEN)
    r = run_darts(small, SearchConfig(C=4, layers=3, steps=2, batch_size=32, alpha_lr=0.05, epochs=2, order=order,
                                      step_order=step_order, seed=seed, warmup_epochs=seed, device="cpu"))
    key = f"search_{order}_{step_order}_{seed}"
    _close(r.alpha_trace("normal"), g[f"{key}_an"])
    _close(r.alpha_trace("reduce"), g[f"{key}_ar"])
    _close(np.array(r.column("train_loss")), g[f"{key}_loss"])
    np.testing.assert_array_equal(r.column("supernet_val_acc"), g[f"{key}_acc"])
    _close(_wsum(r.model.state_dict().items()), g[f"{key}_wsum"])


def test_darts_step_runs_the_updates_in_step_order_and_skips_alpha_in_warmup():
    def run(**kw):
        calls = []
        loss = darts_step(lambda: calls.append("alpha"), lambda: calls.append("w") or 1.5, **kw)
        return calls, loss

    assert run(step_order="alpha_first") == (["alpha", "w"], 1.5)
    assert run(step_order="w_first") == (["w", "alpha"], 1.5)
    assert run(step_order="w_first", update_alpha=False) == (["w"], 1.5)
    with pytest.raises(ValueError, match=r"step_order='beta_first' is unknown; allowed: \['alpha_first', 'w_first'\]"):
        run(step_order="beta_first")


def test_search_step_with_an_unknown_step_order_is_a_value_error(small):
    model, architect, w_opt, ((Xw, yw), (Xa, ya)) = build_search(small, SearchConfig(**TINY))
    with pytest.raises(ValueError, match=r"step_order='sideways' is unknown; allowed: \['alpha_first', 'w_first'\]"):
        search_step(model, architect, w_opt, (Xw[:8], yw[:8]), (Xa[:8], ya[:8]), xi=0.0, step_order="sideways")


@pytest.mark.parametrize("key, bad, allowed", [
    ("order", "third", "['first', 'second']"),
    ("step_order", "beta_first", "['alpha_first', 'w_first']"),
    ("hvp", "fd", "['finite', 'exact']"),
    ("lr_period", "batch", "['epoch', 'step']"),
    ("device", "tpu", "['auto', 'cpu', 'cuda', 'mps']"),
    ("order", 2, "['first', 'second']"),
])
def test_every_enum_field_is_checked_where_the_config_is_built(key, bad, allowed):
    with pytest.raises(ValueError, match=f"{key}={bad!r} is unknown; allowed: {allowed}".replace("[", r"\[")
                       .replace("]", r"\]")):
        SearchConfig(**{key: bad})


@pytest.mark.parametrize("kw, message", [
    ({"alpha_betas": (0.5, 1.5)}, "alpha_betas=(0.5, 1.5) must be two numbers in [0, 1)"),
    ({"xi": -0.1}, "xi=-0.1 must be a finite number >= 0"),
    ({"grad_clip": float("nan")}, "grad_clip=nan must be a finite number >= 0"),
])
def test_numbers_are_checked_too(kw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        SearchConfig(**kw)


@pytest.mark.parametrize("period", LR_PERIODS)
def test_schedule_is_the_cosine_per_epoch_or_per_step_with_xi_and_warmup(period):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.025)
    cfg = SearchConfig(epochs=3, w_lr=0.025, w_lr_min=0.001, lr_period=period, warmup_epochs=1)
    sched, per_epoch, seen = WSchedule(opt, cfg, 4), 4, []
    for epoch in range(1, 4):
        sched.start_epoch(epoch)
        for _ in range(per_epoch):
            seen.append((sched.lr, sched.xi))
            opt.step()
            sched.after_step()
    T, t = (3, [s // per_epoch for s in range(12)]) if period == "epoch" else (12, list(range(12)))
    want = [0.001 + 0.5 * 0.024 * (1 + math.cos(math.pi * ti / T)) for ti in t]
    np.testing.assert_allclose([lr for lr, _ in seen], want, rtol=1e-12)
    assert [xi for _, xi in seen] == [lr for lr, _ in seen]  # xi = None: the current w learning rate
    assert [sched.updates_alpha(e) for e in (1, 2, 3)] == [False, True, True]
    fixed = WSchedule(opt, SearchConfig(xi=0.01, lr_period=period), 4)
    assert fixed.xi == 0.01


@pytest.mark.parametrize("step_order", STEP_ORDERS)
def test_profile_step_takes_the_step_run_darts_takes(small, step_order, monkeypatch):
    """profile_step honours every search setting: replaying its batches with search_step and the settings
    run_darts passes in epoch 1 (xi = lr = w_lr, cfg's clip and step order) gives the same weights and alpha."""
    cfg = SearchConfig(**{**TINY, "order": "second", "batch_size": 8, "grad_clip": 0.01, "step_order": step_order})
    seen, real = [], search_mod.search_step

    def spy(model, architect, w_opt, batch_w, batch_a, **kw):
        loss = real(model, architect, w_opt, batch_w, batch_a, **kw)
        seen.append((batch_w, batch_a, [p.detach().clone() for p in model.parameters()]))
        return loss

    monkeypatch.setattr(search_mod, "search_step", spy)
    profile_step(small, cfg, n_steps=1)
    monkeypatch.undo()
    model, architect, w_opt, _ = build_search(small, cfg)
    assert len(seen) == 3  # warm-up, timed, memory-profiled
    for batch_w, batch_a, after in seen:
        search_step(model, architect, w_opt, batch_w, batch_a, xi=cfg.w_lr, grad_clip=cfg.grad_clip,
                    step_order=cfg.step_order, update_alpha=True)
        for p, q in zip(model.parameters(), after):
            torch.testing.assert_close(p.detach(), q, rtol=0, atol=0)


def test_table_darts_honours_warmup_and_step_order(data):
    kw = dict(epochs=2, seed=0, data=data, n_train=64, batch_size=32, net=NetConfig(C=4, stem_stride=2), device="cpu")
    warm = darts_on_table(None, "first", warmup_epochs=1, **kw)
    base = darts_on_table(None, "first", **kw)
    w_first = darts_on_table(None, "first", step_order="w_first", **kw)
    init = torch.softmax(1e-3 * torch.randn(6, 5, generator=torch.Generator().manual_seed(0)), -1).numpy()
    np.testing.assert_array_equal(warm.alpha[0], init)  # epoch 1: alpha frozen at its init
    assert np.abs(warm.alpha[1] - warm.alpha[0]).max() > 1e-4  # epoch 2: alpha moves
    assert not np.array_equal(base.alpha, w_first.alpha)
    assert warm.config.search.warmup_epochs == 1 and w_first.config.search.step_order == "w_first"
