"""One source of truth for the score key between run_search and searchers that read rewards."""

import math

import pytest

import naslab


def _acc_objective(config):
    return {"acc": 0.5 + 0.1 * config["tokens"][0]}


def test_a_disagreeing_metric_is_a_clear_error_not_forty_nan_rewards():
    ctrl = naslab.ControllerSearcher([3, 2], seed=0)  # ControllerConfig's default metric: "val_acc"
    with pytest.raises(ValueError, match=r"metric='acc'.*disagrees.*metric='val_acc'"):
        naslab.run_search(ctrl, _acc_objective, 8, metric="acc")


def test_the_searchers_metric_is_used_when_run_search_is_not_told():
    ctrl = naslab.ControllerSearcher([3, 2], naslab.ControllerConfig(metric="acc", batch_size=4), seed=0)
    trials = naslab.run_search(ctrl, _acc_objective, 8)
    assert all(t.status == "ok" for t in trials)
    assert len(ctrl.history) == 2 and all(math.isfinite(h["reward"]) for h in ctrl.history)
    same = naslab.run_search(naslab.ControllerSearcher([3, 2], naslab.ControllerConfig(metric="acc"), seed=0),
                             _acc_objective, 8, metric="acc")  # agreeing is fine
    assert [t.config for t in same] == [t.config for t in trials]


def test_halving_and_plain_searchers_resolve_the_metric_too():
    sh = naslab.SuccessiveHalving([{"x": 0.1}, {"x": 0.2}, {"x": 0.3}], eta=3, r_min=1, r_max=3, metric="loss")
    with pytest.raises(ValueError, match="disagrees"):
        naslab.run_search(sh, lambda c, f=None: {"val_acc": 1.0}, 5, metric="val_acc")
    rs = naslab.RandomSearch({"x": naslab.Uniform(0, 1)})
    assert naslab.run_search(rs, lambda c: {"val_acc": c["x"]}, 2)[0].status == "ok"  # default "val_acc"
    with pytest.raises(TypeError, match="metric=3 must be a str"):
        naslab.run_search(rs, lambda c: {"val_acc": c["x"]}, 2, metric=3)
