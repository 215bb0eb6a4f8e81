"""The controller's defaults keep exploring on random reward tables (issue 13, item 4; issue 21, item 8).

The oracle: the table's best sequence is known, and uniform sampling finds it with probability
1 - (80/81)^400 = 0.993 in 400 samples. The old defaults (lr 0.05, β = 1e-3) lock in before finding it;
on unstructured tables lr 5e-3 still did in 1 run of 5, where a factorised REINFORCE (one softmax per
decision, same lr, m, baseline and entropy bonus) kept sampling until it found the best.
"""

import math

import pytest
import torch

import naslab
from naslab.controller.exploration import (
    FactorisedSearcher,
    explore_table,
    random_reward_table,
    uniform_found,
    uniform_found_rate,
)
from naslab.controller.searcher import ControllerConfig


def test_random_table_has_one_clearly_best_sequence():
    table, arm = random_reward_table(seed=0)
    assert table.shape == (3, 3, 3, 3) and table[arm] == table.max() == 0.9
    assert sorted(table.ravel())[-2] < 0.8
    assert uniform_found_rate(table.shape, 400) == pytest.approx(1 - (80 / 81) ** 400)


def test_unstructured_table_is_uniform_and_its_best_is_the_argmax():
    table, arm = random_reward_table(seed=3, low=0.0, high=1.0, best=None)
    assert table[arm] == table.max() and 0.0 <= table.min() and table.max() < 1.0
    assert (table == table.max()).sum() == 1
    hits = [uniform_found(table.shape, arm, 400, seed=s) for s in range(200)]
    assert abs(sum(hits) / 200 - uniform_found_rate(table.shape, 400)) < 0.03


def test_factorised_policy_is_a_product_of_softmaxes_and_learns_its_marginals():
    f = FactorisedSearcher([2, 3], ControllerConfig(lr=0.1, batch_size=8, entropy_weight=0.0), seed=0)
    with torch.no_grad():
        f.logits[0].copy_(torch.tensor([0.3, -0.2]))
        f.logits[1].copy_(torch.tensor([1.0, 0.0, -1.0]))
        lp, ent = f.log_prob(torch.tensor([[1, 2]]))
    p0, p1 = torch.softmax(torch.tensor([0.3, -0.2]), 0), torch.softmax(torch.tensor([1.0, 0.0, -1.0]), 0)
    assert lp.item() == pytest.approx(math.log(p0[1] * p1[2]), abs=1e-6)
    assert ent.item() == pytest.approx(float(-(p0 * p0.log()).sum() - (p1 * p1.log()).sum()), abs=1e-6)
    for _ in range(60):  # reward = 1 for token 0 at decision 0, else 0: its marginal must rise
        f.step(lambda t: float(t[0] == 0))
    assert torch.softmax(f.logits[0], 0)[0] > 0.9 and f.favourite()[0] == 0
    with pytest.raises(ValueError, match="policy"):
        explore_table(None, *random_reward_table(seed=0), 4, policy="lstm2")


@pytest.mark.parametrize("seed", [0, 1])
def test_defaults_find_the_best_sequence_where_the_old_defaults_locked_in(seed):
    table, arm = random_reward_table(seed=seed)
    old = explore_table(naslab.ControllerConfig(lr=0.05, entropy_weight=1e-3), table, arm, 400, seed=seed)
    new = explore_table(naslab.ControllerConfig(), table, arm, 400, seed=seed)
    assert not old["found"] and old["p_best"] < 1e-9  # locked onto a lesser sequence
    assert new["found"] and new["p_best"] > 1e-7  # explored: sampled it, and it keeps real probability


def test_defaults_then_learn_a_clearly_best_sequence():
    table, arm = random_reward_table(seed=2)
    new = explore_table(naslab.ControllerConfig(), table, arm, 400, seed=2)
    assert new["found"] and new["kept"] and new["p_best"] > 20 / 81  # 20x its uniform probability


def test_defaults_find_and_keep_the_best_as_often_as_a_factorised_reinforce():
    # issue 21: unstructured tables 0 and 2 (where lr 5e-3 missed the best in 2 of 10 runs), seeds 0-4;
    # the full comparison (10 tables) is `tools/experiments/controller_exploration.py --unstructured`
    runs = {"lstm": [], "factorised": []}
    for t in (0, 2):
        table, arm = random_reward_table(seed=t, low=0.0, high=1.0, best=None)
        for policy, out in runs.items():
            out += [explore_table(None, table, arm, 400, seed=s, policy=policy) for s in range(5)]
    for key in ("found", "kept"):
        assert sum(r[key] for r in runs["lstm"]) >= sum(r[key] for r in runs["factorised"]), key
    assert sum(r["found"] for r in runs["lstm"]) == 10


def test_tanh_bound_keeps_every_probability_away_from_zero():
    c = naslab.Controller([3, 3], tanh_constant=1.0, seed=0)
    with torch.no_grad():
        for p in c.heads[0].parameters():
            p.mul_(1000.0)  # huge logits
        probs = c(5).probs
    lowest = math.exp(-1.0) / (math.exp(-1.0) + 2 * math.exp(1.0))  # logits bounded in (-1, 1)
    assert all(float(p.min()) >= lowest - 1e-6 for p in probs)
