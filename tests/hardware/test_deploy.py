"""`naslab.hardware.deploy`: the best cell under a budget, and what a search deploys (its observed front)."""

import numpy as np
import pytest

from naslab.bakeoff.race import cell_id
from naslab.hardware.deploy import best_under_budget, deployed, pick_under_budget
from naslab.trial import Trial


def test_best_under_budget_is_the_lowest_error_that_fits_and_lies_on_the_front():
    err, cost = np.array([0.5, 0.3, 0.3, 0.2, 0.9]), np.array([1.0, 3.0, 2.0, 5.0, 0.5])
    assert best_under_budget(err, cost, 10) == 3
    assert best_under_budget(err, cost, 3.0) == 2  # a tie in error: the cheaper one
    assert best_under_budget(err, cost, 1.5) == 0
    assert best_under_budget(err, cost, 0.1) is None
    with pytest.raises(ValueError, match="same length"):
        best_under_budget(err, cost[:3], 1)


def test_deployed_keeps_the_observed_front_and_picks_by_observed_error():
    cells = [(1, 2, 3, 4, 0, 1), (2, 2, 2, 2, 2, 2), (0, 0, 0, 0, 0, 1), (3, 3, 3, 3, 3, 3)]
    obs = [(0.8, 2.0), (0.9, 3.0), (0.5, 1.0), (0.85, 2.5)]  # (val acc, latency): cell 1 dominates none
    trials = [Trial(config=c, metrics={"val_acc": a, "latency": t}, trial_id=i) for i, (c, (a, t)) in
              enumerate(zip(cells, obs))]
    trials.append(Trial(config=(4,) * 6, metrics={}, trial_id=9, status="failed"))
    dep = deployed(trials)
    assert sorted(dep["ids"]) == sorted(cell_id(c, 5) for c in cells)  # all four are non-dominated
    assert pick_under_budget(dep, 2.6) == cell_id(cells[3], 5)
    assert pick_under_budget(dep, 0.5) is None
    assert len(deployed([])["ids"]) == 0
