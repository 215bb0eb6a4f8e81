"""naslab.controller.lstm and naslab.controller.toy: baseline, loss, LSTM policy, REINFORCE vs autograd, toy search."""

import itertools
import json
import math

import numpy as np
import pytest
import torch

from naslab.controller.lstm import Controller
from naslab.controller.macro_space import MacroSpace
from naslab.controller.reinforce import REWARDS, EMABaseline, reinforce_loss
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.controller.toy import (
    best_arm_probability,
    exact_gradient,
    gradient_variance,
    reinforce_estimate,
    reinforce_samples,
    run_toy,
    toy_rewards,
)
from naslab.search import run_search

# ---------------------------------------------------------------------------------------------
# EMA baseline and loss


def test_ema_baseline_follows_its_formula_and_ignores_nan():
    b = EMABaseline(decay=0.9)
    assert b.value is None and b.get(0.5) == 0.5
    assert b.update(0.4) == pytest.approx(0.4)  # the first finite reward initialises b
    assert b.update(1.0) == pytest.approx(0.9 * 0.4 + 0.1 * 1.0)
    before = b.value
    for bad in (float("nan"), float("inf")):
        assert b.update(bad) == before  # recorded, never averaged in
    assert b.update(0.0) == pytest.approx(0.9 * before)
    assert len(b.history) == 5 and math.isnan(b.history[2])
    fresh = EMABaseline(0.5)
    fresh.update(float("nan"))
    assert fresh.value is None and fresh.update(0.7) == pytest.approx(0.7)
    for bad in (1.0, -0.1, "0.9"):
        with pytest.raises(ValueError, match="decay"):
            EMABaseline(bad)


def test_reinforce_loss_gradient_matches_the_formula():
    theta = torch.tensor([0.2, -0.4, 0.1], requires_grad=True)
    logp = torch.stack([theta[0] * 2, theta[1] - theta[2], theta.sum()])  # any differentiable log-probs
    R, b = torch.tensor([0.9, 0.3, float("nan")]), 0.5
    reinforce_loss(logp, R, b).backward()
    # -(1/m') Σ_k (R_k - b) ∇ logp_k over the m' = 2 finite rewards
    want = -((0.9 - b) * torch.tensor([2.0, 0, 0]) + (0.3 - b) * torch.tensor([0.0, 1, -1])) / 2
    assert torch.allclose(theta.grad, want)


def test_entropy_bonus_pushes_towards_higher_entropy():
    logits = torch.tensor([2.0, 0.0, -1.0], requires_grad=True)
    p = torch.softmax(logits, 0)
    H = -(p * p.log()).sum()
    loss = reinforce_loss(torch.zeros(1) + 0 * logits.sum(), [0.5], 0.5, entropy=H[None], entropy_weight=0.1)
    loss.backward()
    stepped = logits - 0.5 * logits.grad
    p2 = torch.softmax(stepped, 0)
    assert -(p2 * p2.log()).sum() > H
    with pytest.raises(ValueError, match="shape"):
        reinforce_loss(torch.zeros(3), [1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# the LSTM controller


def test_controller_probabilities_sum_to_one_over_all_sequences():
    ctrl = Controller([2, 3, 2], hidden=8, seed=1)
    seqs = torch.tensor(list(itertools.product(range(2), range(3), range(2))))
    s = ctrl(tokens=seqs)
    assert s.log_prob.exp().sum().item() == pytest.approx(1.0, abs=1e-5)
    for p in s.probs:
        assert torch.allclose(p.sum(-1), torch.ones(len(seqs)))


def test_sampled_log_prob_and_entropy_match_teacher_forcing():
    ctrl = Controller([3, 4, 2, 5], seed=0)
    g = torch.Generator().manual_seed(0)
    s = ctrl(16, generator=g)
    assert s.tokens.shape == (16, 4)
    assert all((s.tokens[:, t] < k).all() for t, k in enumerate([3, 4, 2, 5]))
    again = ctrl(tokens=s.tokens)
    assert torch.allclose(s.log_prob, again.log_prob) and torch.allclose(s.entropy, again.entropy)
    by_hand = sum(p.gather(1, s.tokens[:, [t]]).squeeze(1).log() for t, p in enumerate(s.probs))
    assert torch.allclose(s.log_prob, by_hand, atol=1e-5)
    H = sum(-(p * p.log()).sum(-1) for p in s.probs)
    assert torch.allclose(s.entropy, H, atol=1e-5)
    same = ctrl(16, generator=torch.Generator().manual_seed(0))
    assert torch.equal(same.tokens, s.tokens)
    for p in ctrl.parameters():
        assert p.abs().max() <= 0.08  # Zoph & Le's uniform init range


def test_reinforce_through_the_controller_matches_the_exact_gradient():
    ctrl = Controller([3, 2], hidden=6, seed=4)
    R = torch.tensor([[0.1, 0.5], [0.9, 0.3], [0.2, 0.7]])  # reward of every (a_1, a_2)
    seqs = torch.tensor(list(itertools.product(range(3), range(2))))
    exact = torch.autograd.grad((ctrl(tokens=seqs).log_prob.exp() * R[seqs[:, 0], seqs[:, 1]]).sum(),
                                list(ctrl.parameters()))
    s = ctrl(20000, generator=torch.Generator().manual_seed(0))
    r = R[s.tokens[:, 0], s.tokens[:, 1]]
    est = torch.autograd.grad(-reinforce_loss(s.log_prob, r, 0.45), list(ctrl.parameters()))
    num = sum((e - x).square().sum() for e, x in zip(est, exact)).sqrt()
    den = sum(x.square().sum() for x in exact).sqrt()
    assert num / den < 0.15


# ---------------------------------------------------------------------------------------------
# the log-derivative trick on a tiny categorical policy


@pytest.mark.parametrize("baseline", [0.0, 0.5])
def test_reinforce_estimate_matches_autograd_exact_gradient(baseline):
    logits, rewards = torch.tensor([0.3, -0.2, 0.5, 0.0]), torch.tensor([0.2, 0.9, 0.4, 0.6])
    exact = exact_gradient(logits, rewards)
    _, g = reinforce_samples(logits, rewards, 40000, baseline=baseline, seed=1)
    se = g.std(0) / math.sqrt(len(g))  # standard error of the mean, per coordinate
    assert ((g.mean(0) - exact).abs() < 4 * se + 1e-9).all()
    assert torch.allclose(reinforce_estimate(logits, rewards, 40000, baseline=baseline, seed=1), g.mean(0))


def test_baseline_reduces_gradient_variance_and_sign_is_right():
    logits, rewards = torch.zeros(4), torch.tensor([0.80, 0.85, 0.90, 0.95])
    assert gradient_variance(logits, rewards, 5000, baseline=0.875) < 0.05 * gradient_variance(logits, rewards, 5000)
    est = reinforce_estimate(logits, rewards, 5000, baseline=0.875)
    assert est.argmax() == 3 and est.argmin() == 0  # push up the best arm, down the worst


# ---------------------------------------------------------------------------------------------
# the toy: a known best arm


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_toy_controller_finds_the_best_arm(seed):
    table = toy_rewards()
    best = np.unravel_index(table.argmax(), table.shape)
    assert tuple(best) == (2, 1, 1)
    hist = run_toy(lr=0.03, updates=40, seed=seed)
    p = best_arm_probability(hist, arm=best)
    assert p[-1] > 0.9
    assert all(k in hist[-1] for k in ("reward", "baseline", "advantage", "entropy", "loss"))
    assert hist[-1]["reward"] > hist[0]["reward"]


# ---------------------------------------------------------------------------------------------
# the searcher on the ask/tell interface


def _objective(config):  # reward = share of tokens equal to 0 (the all-zero child is best)
    tokens = config["tokens"]
    if tokens[0] == 1 and tokens[1] == 1:
        raise RuntimeError("this child crashes")  # a failed trial -> NaN reward
    return {"val_acc": float(np.mean(np.array(tokens) == 0))}


def test_controller_searcher_learns_with_run_search_and_survives_failures():
    space = MacroSpace(n_layers=2, filters=(4, 8), kernels=(1, 3), strides=(1, 2))
    cfg = ControllerConfig(lr=0.05, batch_size=4)
    s = ControllerSearcher(space, cfg, seed=0)
    trials = run_search(s, _objective, 160)
    assert len(trials) == 160 and len(s.history) == 40
    assert any(t.status == "failed" for t in trials)
    assert any(math.isnan(r) for r in s.baseline.history) and math.isfinite(s.baseline.value)
    first = np.nanmean([t.score() for t in trials[:20]])
    last = np.nanmean([t.score() for t in trials[-20:]])
    assert last > first + 0.2
    json.dumps(trials[0].config)
    assert space.decode(trials[0].config["tokens"]).key == trials[0].config["arch"]
    again = run_search(ControllerSearcher(space, cfg, seed=0), _objective, 8)
    assert [t.config for t in again] == [t.config for t in trials[:8]]  # seeded
    assert s.seconds > 0


def test_searcher_max_trials_and_bad_config():
    s = ControllerSearcher([2, 2], ControllerConfig(batch_size=2), seed=0, max_trials=3)
    assert [s.ask() is not None for _ in range(4)] == [True, True, True, False]
    for kw, match in (({"reward": "square"}, "reward"), ({"batch_size": 0}, "batch_size"), ({"lr": 0}, "lr")):
        with pytest.raises(ValueError, match=match):
            ControllerSearcher([2], ControllerConfig(**kw))


def test_plain_reinforce_without_baseline_uses_zero():
    s = ControllerSearcher([2, 2], ControllerConfig(batch_size=2, baseline=False), seed=0)
    rec = s.step(lambda t: 0.7)
    assert rec["baseline"] == 0.0 and rec["advantage"] == pytest.approx(0.7)


def test_reward_shapings_and_exercise_checkers():
    assert REWARDS["cube"](0.9) == pytest.approx(0.729)
    assert REWARDS["tan"](0.5) == pytest.approx(1.0)


def test_controller_search_resumes_from_its_jsonl_file(tmp_path):
    space = MacroSpace(n_layers=2, filters=(4, 8), kernels=(1, 3), strides=(1, 2))
    cfg = ControllerConfig(batch_size=3)
    straight = run_search(ControllerSearcher(space, cfg, seed=5), _objective, 12)
    path = tmp_path / "ctrl.jsonl"
    run_search(ControllerSearcher(space, cfg, seed=5), _objective, 7, path=path)  # "interrupted" after 7
    resumed = run_search(ControllerSearcher(space, cfg, seed=5), _objective, 12, path=path)
    assert [t.config for t in resumed] == [t.config for t in straight]
    assert [bool(t.info.get("resumed")) for t in resumed] == [True] * 7 + [False] * 5
