"""naslab.darts.search and naslab.darts.checks: Algorithm 1 end to end on a tiny problem, collapse
monitoring, early stopping, interruption, memory measurement, retraining and the exercise checkers."""

import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from naslab.darts.architect import hvp_finite_difference
from naslab.darts.checks import check_derivation, check_hvp, check_new_op, check_search_with_op
from naslab.darts.genotype import Genotype, derive_cell, genotype_weights
from naslab.darts.ops import OPS, ReLUConvBN, register_op, unregister_op
from naslab.darts.profile import peak_memory_mb, profile_step
from naslab.darts.search import (
    SearchConfig,
    SearchResult,
    SkipCollapseWarning,
    build_search,
    discretised_accuracy,
    early_stopped,
    evaluate_genotype,
    run_darts,
)
from naslab.data import load_dataset
from naslab.train import evaluate

from .test_checks import conv_3x3, derive, my_hvp

TINY = {"C": 4, "steps": 2, "layers": 3, "batch_size": 32, "epochs": 1, "device": "cpu"}


@pytest.fixture(scope="module")
def data():
    return load_dataset("mnist1d", n_train=256)


@pytest.mark.parametrize("order", ["first", "second"])
def test_one_search_epoch_lowers_training_loss_and_moves_alpha(data, order):
    cfg = SearchConfig(**TINY, order=order)
    model0, _, _, ((Xw, yw), _) = build_search(data, cfg)  # the same seeded start as `search`
    loss_before = evaluate(model0, Xw, yw)[0]
    res = run_darts(data, cfg)
    loss_after = evaluate(res.model, Xw, yw)[0]
    assert loss_after < loss_before - 0.05
    moved = max((a - b).abs().max().item() for a, b in zip(res.model.alphas(), model0.alphas()))
    assert moved > 1e-3
    assert len(res.history) == 2 and len(res.step_seconds) == 4  # 128 examples per half / batch 32
    np.testing.assert_allclose(res.alpha_trace("normal").sum(-1), 1.0, rtol=1e-5)
    assert res.trial().status == "ok" and Genotype.parse(res.trial().config) == res.genotype


def test_the_two_halves_are_disjoint(data):
    _, _, _, ((Xw, _), (Xa, _)) = build_search(data, SearchConfig(**TINY))
    assert len(Xw) + len(Xa) == len(data.y_train)
    rows_w = {tuple(r.flatten().tolist()) for r in Xw}
    assert not any(tuple(r.flatten().tolist()) in rows_w for r in Xa)


def test_skip_warning_and_early_stopping(data):
    with pytest.warns(SkipCollapseWarning, match="skip connections"):
        # a supernet of skips only: every edge is a skip from the start, so epoch 1 breaks any cap below 4
        res = run_darts(data, SearchConfig(**{**TINY, "epochs": 3}), primitives=("skip_connect",), max_skip=0,
                        early_stop=True)
    assert res.stopped_epoch == 1 and len(res.history) == 2
    assert res.genotype == Genotype.parse(res.history[0]["genotype"])  # the last cell kept before the stop
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning while the cap holds
        run_darts(data, SearchConfig(**TINY), max_skip=99)


def test_default_cap_is_darts_plus_rule_two_skips_stop_the_search():
    # DARTS+ (Liang et al. 2019, §3.2) stops once the normal cell has 2 skip connections: with the default
    # max_skip the early-stopped cell is the last one with at most 1 skip, whatever the cell's size
    assert SearchConfig().max_skip == 1
    conv, skip = "sep_conv_3x3", "skip_connect"

    def cell(ops):  # a 4-node cell (8 edges, the paper's size) with the given ops in edge order
        return " | ".join(f"{ops[2 * m]}~0 + {ops[2 * m + 1]}~1" for m in range(4))

    red = cell([conv] * 8)
    history = [{"epoch": e, "skips": n, "genotype": f"normal: {cell([skip] * n + [conv] * (8 - n))} ; reduce: {red}"}
               for e, n in enumerate([0, 1, 1, 2, 3])]
    fake = SearchResult(SearchConfig(steps=4), model=None, history=history)
    epoch, g = early_stopped(fake)
    assert epoch == 2 and g.count("skip_connect") == 1  # epoch 3 has 2 skips of 8: DARTS+ stops there
    assert early_stopped(fake, max_skip=2)[0] == 3  # the old "a quarter of 8 edges" rule would keep epoch 3


def test_warmup_trains_w_only_then_alpha(data):
    cfg = SearchConfig(**{**TINY, "epochs": 2, "warmup_epochs": 1})
    model0, _, _, _ = build_search(data, cfg)
    res = run_darts(data, cfg)
    trace = res.alpha_trace("normal")
    np.testing.assert_array_equal(trace[1], trace[0])  # epoch 1: alpha frozen (P-DARTS / PC-DARTS warm-up)
    assert np.abs(trace[2] - trace[1]).max() > 1e-3  # epoch 2: alpha moves
    assert res.history[1]["train_loss"] < evaluate(model0, data.X_train, data.y_train)[0]  # w trained in epoch 1
    with pytest.raises(ValueError, match="warmup_epochs=-1"):
        SearchConfig(warmup_epochs=-1)


def test_offline_early_stopping_matches_the_online_one(data):
    cfg = SearchConfig(**{**TINY, "epochs": 2, "alpha_lr": 0.5, "batch_size": 64})
    full = run_darts(data, cfg)
    cap = full.history[1]["skips"]  # epoch 1 is within the cap; epoch 2 breaks it if it has more skips
    epoch, g = early_stopped(full, max_skip=cap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipCollapseWarning)
        online = run_darts(data, cfg, max_skip=cap, early_stop=True)
    assert g == online.genotype
    assert epoch == (online.stopped_epoch - 1 if online.stopped_epoch else 2)
    assert early_stopped(full, max_skip=99) == (2, full.genotype)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match=f"max_skip={bad!r} must be an int >= 0"):
            early_stopped(full, max_skip=bad)
        with pytest.raises(ValueError, match=f"max_skip={bad!r} must be an int >= 0"):
            SearchConfig(max_skip=bad)


def test_interrupt_keeps_finished_epochs(data):
    def stop(result):
        raise KeyboardInterrupt

    res = run_darts(data, SearchConfig(**{**TINY, "epochs": 3}), callback=stop)
    assert res.interrupted and len(res.history) == 2
    assert str(res.genotype) == res.history[-1]["genotype"]


def test_divergence_is_a_result_not_a_crash(data):
    bad = type(data)(**{**data.__dict__, "X_train": data.X_train * float("nan")})
    res = run_darts(bad, SearchConfig(**TINY))
    assert res.diverged and res.trial().status == "diverged" and len(res.history) == 1


def test_discretised_accuracy_equals_the_supernet_with_hard_alpha(data):
    res = run_darts(data, SearchConfig(**TINY))
    g = res.genotype
    with torch.no_grad():
        for a, nodes in ((res.model.alpha_normal, g.normal), (res.model.alpha_reduce, g.reduce)):
            w = genotype_weights(nodes, res.config.primitives)
            a.copy_(torch.where(w > 0, 60.0, 0.0))
            a[w.sum(1) == 0, 0] = 60.0  # edges that are not kept: `none`
    hard = discretised_accuracy(res.model, g, data.X_val, data.y_val)
    assert hard == pytest.approx(evaluate(res.model, data.X_val, data.y_val)[1], abs=2e-3)


def test_peak_memory_of_a_known_allocation():
    def fn():
        a = torch.ones(1_000_000)  # 3.81 MiB
        b = a * 2  # + 3.81 MiB live at once
        del a
        c = b + 1  # b and c live: still 7.63 MiB
        return c.sum()

    assert peak_memory_mb(fn, "cpu") == pytest.approx(2 * 4e6 / 2**20, rel=0.02)


def test_profile_step_exact_hvp_holds_more_memory(data):
    cfg = SearchConfig(**TINY)
    finite = profile_step(data, cfg, n_steps=1, order="second")
    exact = profile_step(data, cfg, n_steps=1, order="second", hvp="exact")
    assert 0 < finite["peak_mb"] < exact["peak_mb"]  # double backward keeps a graph of the gradient alive
    assert all(p["seconds_per_step"] > 0 and p["order"] == "second" for p in (finite, exact))


def test_retraining_a_genotype_learns(data):
    g = "normal: sep_conv_3x3~0 + skip_connect~1 | dil_conv_3x3~2 + max_pool_3x3~0 ; " \
        "reduce: max_pool_3x3~0 + sep_conv_3x3~1 | avg_pool_3x3~2 + skip_connect~1"
    t = evaluate_genotype(g, data, C=4, epochs=4, batch_size=32, seed=0, device="cpu")
    assert t.status == "ok" and Genotype.parse(t.config) == Genotype.parse(g) and t.metrics["params"] > 0
    assert t.metrics["val_acc"] > 0.2  # chance is 0.1


# -- exercise checkers --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::naslab.darts.search.SkipCollapseWarning")
def test_check_new_op_and_search_with_it(data):
    with pytest.raises(AssertionError, match="not registered"):
        check_new_op("conv_3x3_ex")
    with pytest.raises(AssertionError, match="built-in"):
        check_new_op("sep_conv_3x3")
    register_op("conv_3x3_ex", lambda C, stride, affine, dim: ReLUConvBN(C, C, 3, stride, 1, affine, dim))
    try:
        with pytest.raises(AssertionError, match="built from naslab's ReLUConvBN"):  # write it yourself
            check_new_op("conv_3x3_ex")
    finally:
        unregister_op("conv_3x3_ex")
    register_op("conv_3x3_ex", conv_3x3)
    try:
        assert "conv_3x3_ex" in check_new_op("conv_3x3_ex")
        res = run_darts(data, SearchConfig(**TINY), primitives=("none", "skip_connect", "conv_3x3_ex"))
        msg = check_search_with_op(res, "conv_3x3_ex")
        assert "conv_3x3_ex" in msg and not re.search(r"\d\.\d{4,}", msg)  # weights rounded, no float32 noise
        other = run_darts(data, SearchConfig(**TINY), primitives=("none", "skip_connect", "sep_conv_3x3"))
        with pytest.raises(AssertionError, match="search space"):
            check_search_with_op(other, "conv_3x3_ex")
    finally:
        unregister_op("conv_3x3_ex")
    register_op("broken_ex", lambda C, stride, affine, dim: nn.Identity(), check=False)  # never halves
    try:
        with pytest.raises(AssertionError, match="stride=2"):
            check_new_op("broken_ex")
    finally:
        unregister_op("broken_ex")
    assert "conv_3x3_ex" not in OPS


def test_check_derivation_accepts_right_and_rejects_wrong():
    assert "matches" in check_derivation(derive)
    with pytest.raises(AssertionError, match="called naslab's naslab.darts.genotype.derive_cell"):
        check_derivation(lambda w, p, k: derive_cell(w, p, k=k))

    def keeps_none(w, p, k):  # ranks and picks with `none` included
        return derive(w, p, k, with_none=True)

    def ranks_by_sum(w, p, k):  # scores edges by the sum of their non-none weights (always 1 - w_none)
        out, row = [], 0
        for m in range({5: 2, 9: 3, 14: 4}[len(w)]):
            rows = w[row: row + 2 + m]
            keep = sorted(torch.argsort(-rows[:, 1:].sum(1), stable=True)[:k].tolist())
            out.append(tuple((p[1 + int(rows[j, 1:].argmax())], j) for j in keep))
            row += 2 + m
        return tuple(out)

    for wrong, why in ((keeps_none, "kept a `none` edge"), (ranks_by_sum, r"k=\d: node \d")):
        with pytest.raises(AssertionError, match=why):
            check_derivation(wrong)


def test_check_hvp_accepts_eq8_and_rejects_the_slip():
    assert "matches" in check_hvp(my_hvp)
    with pytest.raises(AssertionError, match="called naslab's naslab.darts.architect.hvp_finite_difference"):
        check_hvp(hvp_finite_difference)

    def slipped(loss, w, alpha, v):  # (g+ − g−) / 2 · ε instead of / (2ε)
        return my_hvp(loss, w, alpha, v, combine=lambda gp, gm, eps: (gp - gm) / 2 * eps)

    with pytest.raises(AssertionError, match="divide by 2ε"):
        check_hvp(slipped)


def test_both_orders_of_algorithm_1_run_and_reach_similar_cells(data):
    """Alg. 1 with the α step first (the paper, the default) or the w step first (the course slide): both run, they
    differ (the option does something), and their final softmax(α) differ much less than two seeds' do."""
    from naslab.darts.genotype import shared_edges

    cfg = SearchConfig(**{**TINY, "epochs": 2})
    assert cfg.step_order == "alpha_first"
    runs = {(s, o): run_darts(data, cfg, seed=s, step_order=o)
            for s, o in [(0, "alpha_first"), (0, "w_first"), (1, "alpha_first")]}

    def alpha(r):
        return np.concatenate([r.alpha_trace(k)[-1].ravel() for k in ("normal", "reduce")])

    by_order = np.abs(alpha(runs[0, "alpha_first"]) - alpha(runs[0, "w_first"])).max()
    by_seed = np.abs(alpha(runs[0, "alpha_first"]) - alpha(runs[1, "alpha_first"])).max()
    assert 0 < by_order < 0.5 * by_seed
    assert all(len(r.history) == 3 and not r.diverged for r in runs.values())
    a = Genotype.parse("normal: sep_conv_3x3~0 + max_pool_3x3~1 | skip_connect~0 + sep_conv_5x5~2 ; "
                       "reduce: max_pool_3x3~0 + max_pool_3x3~1 | max_pool_3x3~0 + avg_pool_3x3~2")
    b = Genotype.parse(str(a).replace("sep_conv_5x5~2", "dil_conv_3x3~2"))
    assert shared_edges(a, a) == 1.0 and shared_edges(a, b) == 7 / 8  # one of the 8 kept edges differs
    assert 0 <= shared_edges(runs[0, "alpha_first"].genotype, runs[0, "w_first"].genotype) <= 1
    with pytest.raises(ValueError, match="alpha_first"):
        run_darts(data, cfg, step_order="beta_first")
