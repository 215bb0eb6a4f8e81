"""The controller's defaults keep exploring on unstructured random reward tables (issue 13, item 4).

The oracle: the table's best sequence is known, and uniform sampling finds it with probability
1 - (80/81)^400 = 0.993 in 400 samples. The old defaults (lr 0.05, β = 1e-3) lock in before finding it.
"""

import math

import pytest

import naslab
from naslab.controller.exploration import explore_table, random_reward_table, uniform_found_rate


def test_random_table_has_one_clearly_best_sequence():
    table, arm = random_reward_table(seed=0)
    assert table.shape == (3, 3, 3, 3) and table[arm] == table.max() == 0.9
    assert sorted(table.ravel())[-2] < 0.8
    assert uniform_found_rate(table.shape, 400) == pytest.approx(1 - (80 / 81) ** 400)


@pytest.mark.parametrize("seed", [0, 1])
def test_defaults_find_the_best_sequence_where_the_old_defaults_locked_in(seed):
    table, arm = random_reward_table(seed=seed)
    old = explore_table(naslab.ControllerConfig(lr=0.05, entropy_weight=1e-3), table, arm, 400, seed=seed)
    new = explore_table(naslab.ControllerConfig(), table, arm, 400, seed=seed)
    assert not old["found"] and old["p_best"] < 1e-9  # locked onto a lesser sequence
    assert new["found"] and new["p_best"] > 1e-7  # explored: sampled it, and it keeps real probability


def test_defaults_then_learn_the_best_sequence():
    table, arm = random_reward_table(seed=2)
    new = explore_table(naslab.ControllerConfig(), table, arm, 400, seed=2)
    assert new["found"] and new["p_best"] > 0.5


def test_tanh_bound_keeps_every_probability_away_from_zero():
    c = naslab.Controller([3, 3], tanh_constant=1.0, seed=0)
    with __import__("torch").no_grad():
        for p in c.heads[0].parameters():
            p.mul_(1000.0)  # huge logits
        probs = c(5).probs
    lowest = math.exp(-1.0) / (math.exp(-1.0) + 2 * math.exp(1.0))  # logits bounded in (-1, 1)
    assert all(float(p.min()) >= lowest - 1e-6 for p in probs)
