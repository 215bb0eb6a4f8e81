"""naslab.proxies.halving: the rung schedule and the promotion rule (exactly the top 1/eta of every rung)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from naslab.proxies.halving import SuccessiveHalving, rung_schedule, top_k
from naslab.search import run_search


def test_rung_schedule_matches_the_hyperband_table():
    # Li et al., "Hyperband" (arXiv:1603.06560), Table 1: bracket s=4 of R=81, eta=3 is 81@1, 27@3, 9@9, 3@27, 1@81
    assert rung_schedule(81, 3, 1, 81) == [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]
    assert rung_schedule(27, 3, 1, 9) == [(27, 1), (9, 3), (3, 9)]  # stops at r_max with 3 left
    assert rung_schedule(10, 3, 1, 81) == [(10, 1), (3, 3), (1, 9)]  # stops with one left
    assert rung_schedule(16, 2, 1, 100) == [(16, 1), (8, 2), (4, 4), (2, 8), (1, 16)]
    for bad in [dict(n=0), dict(eta=1), dict(r_min=0), dict(r_min=10, r_max=9)]:
        with pytest.raises(ValueError):
            rung_schedule(**{"n": 9, "eta": 3, "r_min": 1, "r_max": 9, **bad})


def test_top_k_nan_last_ties_first():
    assert top_k([0.5, np.nan, 0.9, 0.5], 3) == [2, 0, 3]


def _objective(config, fidelity):
    """A score that depends on the budget but ranks candidates in a scrambled, known order."""
    quality = (config * 37) % 101 / 101  # distinct for 0..100
    return {"val_acc": quality * (1 - 0.5 / fidelity)}


@pytest.mark.parametrize("n,eta", [(27, 3), (30, 3), (16, 2), (50, 4)])
def test_promotes_exactly_the_top_fraction_at_every_rung(n, eta):
    sh = SuccessiveHalving(list(range(n)), eta=eta, r_min=1, r_max=eta**3)
    trials = run_search(sh, _objective, budget=10_000)
    assert sh.done and len(trials) == sum(n_i for n_i, _ in sh.schedule)
    for i, rung in enumerate(sh.history):
        cands = [c for c, _ in rung]
        assert len(cands) == sh.schedule[i][0]
        assert all(t.fidelity == sh.schedule[i][1] for t in trials if t.info["rung"] == i)
        if i + 1 < len(sh.history):
            k = len(cands) // eta
            oracle = sorted(cands, key=lambda c: -_objective(c, sh.schedule[i][1])["val_acc"])[:k]
            promoted = [c for c, _ in sh.history[i + 1]]
            assert sorted(promoted) == sorted(oracle) and len(promoted) == k
    best, _ = sh.best()  # the ranking does not depend on the budget here, so the best survives every rung
    assert best == max(range(n), key=lambda c: _objective(c, 1)["val_acc"])


def test_same_result_with_an_executor_and_failed_trials_rank_last():
    def flaky(config, fidelity):
        if config == 5:
            raise RuntimeError("boom")
        return _objective(config, fidelity)

    a = run_search(SuccessiveHalving(list(range(9)), eta=3, r_min=1, r_max=9), flaky, budget=100)
    with ThreadPoolExecutor(2) as ex:
        sh = SuccessiveHalving(list(range(9)), eta=3, r_min=1, r_max=9)
        b = run_search(sh, flaky, budget=100, executor=ex)
    assert [(t.config, t.fidelity) for t in a] == [(t.config, t.fidelity) for t in b]
    assert any(t.status == "failed" for t in a)
    assert 5 not in [c for c, _ in sh.history[1]]


def test_sampled_candidates_and_budget_accounting():
    sh = SuccessiveHalving(n=9, sample=lambda rng: int(rng.integers(1000)), seed=3, eta=3, r_min=1, r_max=9)
    trials = run_search(sh, _objective, budget=100)
    assert sh.total_budget() == 9 * 1 + 3 * 3 + 1 * 9 == sum(t.fidelity for t in trials)
    with pytest.raises(ValueError, match="candidates"):
        SuccessiveHalving(n=9)
