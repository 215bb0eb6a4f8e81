"""Judging proxies against synthetic truths with known answers (and scipy as the oracle of the statistics)."""

import math

import numpy as np
import pytest
from scipy import stats

from naslab.signals.judge import (
    VOTE,
    format_rows,
    judge,
    judge_one,
    mean_ceiling,
    precision_at_top,
    signed_rank,
    single_runs,
    top_band,
    vote,
)

rng = np.random.default_rng(0)
TRUTH = rng.random(200)


def test_a_perfect_proxy_and_a_reversed_one():
    for proxy in (TRUTH, np.exp(5 * TRUTH)):  # any increasing function of the truth is perfect
        r = judge_one("p", proxy, TRUTH, n_boot=200)
        for key in ("rho", "tau", "prec_top5", "rho_top10", "tau_top10", "rho_lo", "rho_hi"):  # resamples too
            assert r[key] == pytest.approx(1.0), key
    r = judge_one("p", -TRUTH, TRUTH, n_boot=200)
    assert r["rho"] == pytest.approx(-1.0) and r["tau"] == pytest.approx(-1.0)  # signed: pointing the wrong way
    assert r["prec_top5"] == 0.0


def test_statistics_equal_scipy_and_the_interval_covers_the_estimate():
    proxy = TRUTH + rng.normal(0, 0.3, len(TRUTH))
    r = signed_rank(proxy, TRUTH, n_boot=500, seed=1)
    assert r["rho"] == pytest.approx(stats.spearmanr(proxy, TRUTH).statistic, abs=1e-12)
    assert r["tau"] == pytest.approx(stats.kendalltau(proxy, TRUTH).statistic, abs=1e-12)
    assert r["rho_lo"] < r["rho"] < r["rho_hi"] and r["tau_lo"] < r["tau"] < r["tau_hi"]
    assert 0.05 < r["rho_hi"] - r["rho_lo"] < 0.4  # n = 200: an interval of about ± 2 / sqrt(n)
    again = signed_rank(proxy, TRUTH, n_boot=500, seed=1)
    assert again == r  # seeded
    assert math.isnan(signed_rank(proxy, TRUTH, n_boot=0)["rho_lo"])


def test_minus_infinity_ranks_lowest_and_nan_is_refused():
    assert signed_rank([-math.inf, 1, 2, 3], [0, 1, 2, 3], n_boot=0)["rho"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="must not contain NaN"):
        signed_rank([math.nan, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match=r"the same length, got \(3,\) and \(4,\)"):
        signed_rank([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="need at least 3 cells"):
        signed_rank([1, 2], [1, 2])


def test_precision_and_the_top_band_by_hand():
    truth = np.arange(20.0)  # the top 25 % (k = 5) are cells 15..19
    scores = truth.copy()
    scores[[15, 16]] = -1  # two of the true top five drop out of the proxy's top five
    assert precision_at_top(scores, truth, frac=0.25) == pytest.approx(3 / 5)
    assert sorted(top_band(truth, 0.10)) == [17, 18, 19]  # ceil(2) -> at least 3
    # a proxy that is right inside the top 10 % and reversed outside it
    t = np.arange(100.0)
    p = np.where(t >= 90, t, -t)
    r = judge_one("p", p, t, n_boot=0)
    assert r["rho_top10"] == pytest.approx(1.0) and r["tau_top10"] == pytest.approx(1.0) and r["rho"] < 0
    with pytest.raises(ValueError, match=r"frac=0 must be in \(0, 1\]"):
        precision_at_top(p, t, frac=0)


def test_vote_is_the_mean_rank():
    s = {"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0], "c": [1.0, 1.0, 5.0]}
    np.testing.assert_allclose(vote(s, ("a", "b", "c")), [(1 + 3 + 1.5) / 3, (2 + 2 + 1.5) / 3, (3 + 1 + 3) / 3])
    with pytest.raises(ValueError, match=r"missing \['d'\]"):
        vote(s, ("a", "d"))


class FakeTable:
    proxies = ("synflow", "jacob_cov", "snip", "params")

    def __init__(self, truth):
        self.s = {"synflow": truth, "jacob_cov": truth ** 2, "snip": -truth, "params": np.ones_like(truth)}

    def rows_of(self, cells):
        return np.arange(len(cells))[::-1]  # the proxy table lists the cells in reverse

    def scores(self, name):
        return self.s[name][::-1]


class FakeBench:
    seeds, n_seeds = (0, 1), 2

    def unique_cells(self):
        return [(i,) for i in range(len(TRUTH))]

    def accuracies(self, metric="test", epoch=None, seed=None):
        noise = {None: 0, 0: 0.01, 1: -0.01}[seed] * np.sin(np.arange(len(TRUTH)))
        return TRUTH + noise


def test_judge_aligns_rows_and_adds_the_vote_and_the_ceiling():
    rows = judge(FakeTable(TRUTH), FakeBench(), n_boot=100)
    by = {r["name"]: r for r in rows}
    vote_name = "vote(" + ",".join(VOTE) + ")"
    assert list(by) == ["synflow", "jacob_cov", "snip", "params", vote_name, "ceiling: seed 0 vs 1",
                        "ceiling vs the 2-seed mean"]
    assert by["synflow"]["rho"] == pytest.approx(1.0) and by["snip"]["rho"] == pytest.approx(-1.0)
    assert math.isnan(by["params"]["rho"])  # a constant proxy has no rank correlation
    ceiling = signed_rank(FakeBench().accuracies(seed=0), FakeBench().accuracies(seed=1), n_boot=0)
    assert by["ceiling: seed 0 vs 1"]["rho"] == pytest.approx(ceiling["rho"])
    r = by["ceiling: seed 0 vs 1"]["rho"]
    assert by["ceiling vs the 2-seed mean"]["rho"] == pytest.approx(math.sqrt(2 * r / (1 + r)))
    assert by["synflow"]["anchor_rho"] == 0.74 and by["params"]["anchor_tau"] == 0.53
    text = format_rows(rows, "test accuracy")
    assert "synflow" in text and "0.74" in text and text.startswith("test accuracy")


def test_mean_ceiling_by_simulation():
    # oracle: a latent quality q, two noisy runs with reliability r = 0.5; the mean of the runs correlates
    # with q at about sqrt(2r / (1 + r)) = 0.816 (Pearson, large n)
    g = np.random.default_rng(3)
    q = g.normal(size=200_000)
    runs = q[:, None] + g.normal(size=(200_000, 2))  # var(q) = var(noise): r = 0.5
    r = np.corrcoef(runs[:, 0], runs[:, 1])[0, 1]
    assert np.corrcoef(q, runs.mean(1))[0, 1] == pytest.approx(mean_ceiling(r, 2), abs=0.005)
    assert mean_ceiling(0.5, 2) == pytest.approx(math.sqrt(2 / 3)) and math.isnan(mean_ceiling(-0.1, 2))


def test_single_runs_score_each_seed_and_batch():
    class Table:
        seeds, n_batches = (0, 1), 2

        def rows_of(self, cells):
            return np.arange(len(cells))

        def scores(self, name, seed=None, batch=None):
            return TRUTH if (seed, batch) != (1, 1) else -TRUTH  # one evaluation points the wrong way

    r = single_runs(Table(), FakeBench(), "p")
    np.testing.assert_allclose(r, [1, 1, 1, -1])
