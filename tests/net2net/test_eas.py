"""EAS-style search: growth tree as Trials, inherited weights, REINFORCE direction, random baseline."""

from __future__ import annotations

import math

import pytest
import torch

from naslab.controller.reinforce import reinforce_loss
from naslab.data import load_dataset
from naslab.net2net.eas import EASConfig, EASSearcher, run_eas, scratch_baseline
from naslab.net2net.meta_controller import Grids, MetaController, layer_tokens, next_width, transform
from naslab.net2net.network import describe, make_plain_net
from naslab.net2net.preservation import measure_preservation
from naslab.train import evaluate


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", n_train=256)


def tiny(**kw) -> EASConfig:
    base = dict(start_arch="conv-4-3 pool fc-8", episodes=2, children=2, root_steps=8, child_steps=4)
    return EASConfig(**{**base, **kw})


def test_growth_tree_is_recorded_as_trials(digits):
    trials, searcher = run_eas(digits, tiny(), seed=0)
    assert len(trials) == 1 + 2 * 2
    assert trials[0].parent is None and trials[0].config["arch"] == "conv-4-3 pool fc-8"
    ids = [t.trial_id for t in trials]
    assert ids == list(range(5))
    steps = {t.trial_id: t.metrics["lineage_steps"] for t in trials}
    assert steps[0] == 8
    for t in trials[1:]:
        assert t.parent in ids[: t.trial_id]  # a child grows from an earlier network
        assert steps[t.trial_id] == steps[t.parent] + 4  # it inherits all its ancestors' training
        assert t.config["actions"] and t.info["policy"] == "rl" and t.status == "ok"
        assert describe(make_plain_net(digits.input_shape, 10, t.config["arch"], bn=True)) == t.config["arch"]
    assert 0.0 <= trials[-1].score() <= 1.0 and math.isfinite(trials[-1].metrics["reward"])
    assert len(searcher.history) == 2 and "loss" in searcher.history[0]


def test_search_is_deterministic_and_random_baseline_never_learns(digits):
    a, _ = run_eas(digits, tiny(), seed=3)
    b, _ = run_eas(digits, tiny(), seed=3)
    assert [t.config for t in a] == [t.config for t in b]
    assert [t.score() for t in a] == [t.score() for t in b]
    r, s = run_eas(digits, tiny(), policy="random", seed=3)
    assert s.controller is None and all("loss" not in h for h in s.history)
    assert all(t.info["policy"] == "random" for t in r)


def test_grow_from_root_keeps_the_start_network_as_every_parent(digits):
    trials, _ = run_eas(digits, tiny(grow_from="root"), seed=0)
    assert all(t.parent == 0 for t in trials[1:])


def test_children_start_with_the_parents_function():
    torch.manual_seed(0)
    parent = make_plain_net((1, 40), 10, "conv-4-3 pool conv-4-3 pool fc-8", bn=True).eval()
    X = torch.randn(32, 1, 40)
    for seed in range(4):
        child, actions, logp, _ = transform(parent, MetaController(seed=seed), Grids(), wider_steps=2,
                                            deeper_steps=2, X=X, wider_noise=0.0, deeper_noise=0.0, seed=seed)
        assert actions and logp.requires_grad
        assert measure_preservation(parent, child, X, modes=("eval",)).max_abs["eval"] < 1e-5


def test_reinforce_teaches_the_meta_controller_to_widen():
    """Reward = number of widen actions: after a few updates the widen probability must rise."""
    torch.manual_seed(0)
    net = make_plain_net((1, 8, 8), 10, "conv-4-3 pool fc-8 fc-8")
    mc = MetaController(seed=0)
    opt = torch.optim.Adam(mc.parameters(), lr=0.05)
    gen = torch.Generator().manual_seed(0)

    def p_widen():
        with torch.no_grad():
            return torch.sigmoid(mc.logits(layer_tokens(net))[0]).mean().item()

    before = p_widen()
    for _ in range(15):
        logps, R = [], []
        for _ in range(4):
            _, actions, logp, _ = transform(net, mc, Grids(), wider_steps=1, deeper_steps=0, generator=gen)
            logps.append(logp)
            R.append(float(sum(a.startswith("widen") for a in actions)))
        loss = reinforce_loss(torch.stack(logps), R, sum(R) / len(R))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert p_widen() > before + 0.2


def test_action_space_respects_the_grids():
    g = Grids(filters=(4, 8), units=(8, 16), max_layers=3)
    assert next_width("conv", 4, g) == 8 and next_width("conv", 8, g) is None and next_width("fc", 9, g) == 16
    net = make_plain_net((1, 8, 8), 10, "conv-8-3 pool fc-16 fc-16")  # at the top of both grids, 3 layers
    child, actions, _, _ = transform(net, None, g, wider_steps=1, deeper_steps=1)
    assert actions == [] and describe(child) == describe(net)


def test_scratch_baseline_trains_each_child_for_its_lineage(digits):
    cfg = tiny()
    trials, _ = run_eas(digits, cfg, seed=0)
    out = scratch_baseline(trials, digits, cfg, ids=[1, 4])
    assert sorted(out) == [1, 4]
    for i, r in out.items():
        assert r["steps"] == trials[i].metrics["lineage_steps"] and 0 <= r["val_acc"] <= 1


def test_bad_settings_are_refused(digits):
    with pytest.raises(ValueError, match="policy"):
        EASSearcher(digits, tiny(), policy="greedy")
    with pytest.raises(ValueError, match="grow_from"):
        EASSearcher(digits, tiny(grow_from="leaf"))
    with pytest.raises(ValueError, match="episodes"):
        EASSearcher(digits, tiny(episodes=0))


def test_a_trained_start_network_is_evaluated_not_retrained(digits):
    torch.manual_seed(0)
    start = make_plain_net(digits.input_shape, 10, "conv-4-3 pool fc-8", bn=True)
    before = {k: v.clone() for k, v in start.state_dict().items()}
    trials, _ = run_eas(digits, tiny(root_steps=123), seed=0, start=start)
    assert trials[0].metrics["steps"] == 0 and trials[0].metrics["lineage_steps"] == 123
    assert trials[0].score() == pytest.approx(evaluate(start, digits.X_val, digits.y_val)[1])
    assert all(torch.equal(v, start.state_dict()[k]) for k, v in before.items())  # the caller's model is untouched
    assert all(t.metrics["lineage_steps"] > 123 for t in trials[1:])


def test_no_growth_control_only_trains_on(digits):
    trials, _ = run_eas(digits, tiny(), policy="none", seed=0)
    assert all(t.config["arch"] == "conv-4-3 pool fc-8" and t.config["actions"] == [] for t in trials)
    assert [t.metrics["lineage_steps"] for t in trials] == [8, 12, 12, 16, 16]
