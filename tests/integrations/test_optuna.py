"""naslab.integrations.optuna: Optuna's TPE behind ask/tell finds a known optimum and is seeded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from naslab.domains import Choice, IntRange, LogUniform, Uniform
from naslab.search import run_search
from naslab.searchers import RandomSearch

pytest.importorskip("optuna", reason="Optuna is an optional extra: pip install -e '.[bench]'")
from naslab.integrations.optuna import OptunaSearch  # noqa: E402

SPACE = {"lr": LogUniform(1e-4, 10), "depth": IntRange(1, 8, 3), "act": Choice(["relu", "tanh"]),
         "shape": Choice([(1, 2), (3, 4)]), "dropout": Uniform(0.0, 0.5)}


def objective(config):
    """Known optimum: lr = 1e-2 (a peak in log10 lr), act = relu; depth and the rest barely matter."""
    if config["dropout"] > 0.45:
        raise RuntimeError("this region crashes")
    return {"val_acc": 1 - (np.log10(config["lr"]) + 2) ** 2 / 9 - 0.1 * (config["act"] == "tanh")}


def test_configs_are_in_the_domains_and_seeded():
    runs = [run_search(OptunaSearch(SPACE, seed=s), objective, 15) for s in (0, 0, 1)]
    cfg = [[t.config for t in r] for r in runs]
    assert cfg[0] == cfg[1] != cfg[2]
    for c in cfg[0]:
        assert 1e-4 <= c["lr"] <= 10 and c["depth"] in (1, 4, 7) and c["act"] in ("relu", "tanh")
        assert tuple(c["shape"]) in ((1, 2), (3, 4)) and 0 <= c["dropout"] <= 0.5  # a Trial stores JSON: a list
    assert len(run_search(OptunaSearch(SPACE, max_trials=4), objective, 20)) == 4


def test_tpe_finds_the_known_optimum_better_than_random_search():
    def regret(trials):  # distance in decades from the optimum lr of the best trial
        best = max((t for t in trials if t.status == "ok"), key=lambda t: t.score())
        return abs(np.log10(best.config["lr"]) + 2)

    tpe = [run_search(OptunaSearch(SPACE, seed=s), objective, 40) for s in range(5)]
    rnd = [run_search(RandomSearch(SPACE, seed=s), objective, 40) for s in range(5)]
    assert sum(t.status == "failed" for r in tpe for t in r) > 0  # told as FAIL; the search goes on
    assert max(regret(r) for r in tpe) < 0.1  # within 0.1 decade of lr = 1e-2 on every seed
    assert np.mean([regret(r) for r in tpe]) < np.mean([regret(r) for r in rnd])
    assert all(max(t.score() for t in r if t.status == "ok") > 0.99 for r in tpe)


def test_same_trials_on_an_executor_and_clear_errors():
    seq = run_search(OptunaSearch(SPACE, seed=3), objective, 12)
    with ThreadPoolExecutor(2) as pool:
        par = run_search(OptunaSearch(SPACE, seed=3), objective, 12, executor=pool)
    assert [(t.config, t.metrics, t.status) for t in par] == [(t.config, t.metrics, t.status) for t in seq]
    with pytest.raises(ValueError, match="sampler='cmaes'.*allowed"):
        OptunaSearch(SPACE, sampler="cmaes")
    with pytest.raises(ValueError, match="not a domain"):
        OptunaSearch({"lr": [0.1, 1.0]})
