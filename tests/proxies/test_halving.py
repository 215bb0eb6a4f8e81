"""naslab.proxies.halving: the rung schedule and the promotion rule (exactly the top 1/eta of every rung)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from naslab.proxies.halving import SuccessiveHalving, incumbent_curve, rung_schedule, top_k
from naslab.search import run_search
from naslab.trial import Trial


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


def _incumbent_curve_before_issue_20(trials, times, truth):  # the implementation anytime.incumbents replaced
    done = np.cumsum([t.seconds for t in trials])
    fid = np.array([np.inf if t.fidelity is None else float(t.fidelity) for t in trials])
    score = np.array([t.score() for t in trials], dtype=float)
    out = np.full(len(times), np.nan)
    for i, t in enumerate(np.asarray(times, float)):
        k = int(np.searchsorted(done, t, side="right"))
        if k == 0:
            continue
        top = fid[:k] == fid[:k].max()
        s = np.where(top & ~np.isnan(score[:k]), score[:k], -np.inf)
        out[i] = truth(trials[int(np.argmax(s))].config)
    return out


def test_incumbent_curve_gives_what_it_gave_before_the_incumbent_rule():
    # oracle 1, by hand: a (0.9 at r=1) -> b (0.5 at r=3 beats it) -> c ties b's fidelity with a better score;
    # d at r=None ("full") beats everything, e ties d and loses (the earlier wins)
    hand = [Trial("a", fidelity=1, metrics={"val_acc": 0.9}, seconds=1.0),
            Trial("b", fidelity=3, metrics={"val_acc": 0.5}, seconds=3.0),
            Trial("c", fidelity=3, metrics={"val_acc": 0.7}, seconds=3.0),
            Trial("d", fidelity=None, metrics={"val_acc": 0.6}, seconds=1.0),
            Trial("e", fidelity=None, metrics={"val_acc": 0.6}, seconds=1.0)]
    truth = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4, "e": 0.5}.get
    times = [0.5, 1.0, 4.0, 7.0, 8.0, 9.0, 20.0]
    got = incumbent_curve(hand, times, truth)
    np.testing.assert_array_equal(got, [np.nan, 0.1, 0.2, 0.3, 0.4, 0.4, 0.4])
    np.testing.assert_array_equal(got, _incumbent_curve_before_issue_20(hand, times, truth))
    # oracle 2: the old implementation on random halving-like runs (fidelities 1, 3, 9, ties in the scores)
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(1, 25))
        run = [Trial(int(rng.integers(10)), fidelity=int(rng.choice([1, 3, 9])),
                     metrics={"val_acc": float(rng.integers(5)) / 4}, seconds=float(rng.random())) for _ in range(n)]
        grid = np.linspace(0, 13, 40)
        np.testing.assert_array_equal(incumbent_curve(run, grid, lambda c: c / 10),
                                      _incumbent_curve_before_issue_20(run, grid, lambda c: c / 10))


def test_incumbent_curve_skips_trials_without_a_score():
    # the one change of issue 20: a failed trial (NaN score) neither becomes the incumbent nor raises the
    # fidelity bar (before, a lone failed trial at the top fidelity made trials[0] the incumbent, whatever it was)
    run = [Trial("a", fidelity=1, status="failed", seconds=1.0), Trial("b", fidelity=1, metrics={"val_acc": 0.4},
                                                                     seconds=1.0),
           Trial("c", fidelity=3, status="failed", seconds=1.0)]
    got = incumbent_curve(run, [1.0, 2.0, 3.0], {"a": 0.1, "b": 0.2, "c": 0.3}.get)
    np.testing.assert_array_equal(got, [np.nan, 0.2, 0.2])
    np.testing.assert_array_equal(_incumbent_curve_before_issue_20(run, [1.0, 2.0, 3.0], {"a": 0.1, "b": 0.2,
                                                                                          "c": 0.3}.get),
                                  [0.1, 0.2, 0.1])
