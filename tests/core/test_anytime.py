"""Anytime curves: best-so-far vs trials and vs seconds, and mean with a spread band over seeds."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naslab.anytime import (
    best_so_far,
    best_trial,
    best_vs_seconds,
    best_vs_trials,
    incumbents,
    last_finished,
    mean_and_spread,
)
from naslab.trial import Trial


def _oracle(scores, mode):  # brute force: best of each prefix, NaN until the first real score
    out = []
    for i in range(len(scores)):
        seen = [s for s in scores[: i + 1] if not math.isnan(s)]
        out.append((max(seen) if mode == "max" else min(seen)) if seen else math.nan)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(-5, 5), st.just(math.nan)), min_size=1, max_size=30),
       st.sampled_from(["max", "min"]))
def test_best_so_far_matches_a_brute_force_oracle(scores, mode):
    np.testing.assert_array_equal(best_so_far(scores, mode=mode), np.array(_oracle(scores, mode)))


def test_incumbents_on_a_hand_made_sequence():
    # oracle, by hand: trial 3's 0.9 at fidelity 1 never beats the 0.3 of trial 2 at fidelity 3; trial 5 ties
    # trial 3's score at a higher fidelity and wins; the NaN at fidelity 9 (failed) is skipped; -1 before any score
    s = [math.nan, 0.5, 0.3, 0.9, 0.2, 0.9, math.nan, 0.95]
    f = [1, 1, 3, 1, 3, 3, 9, 1]
    assert incumbents(s, f).tolist() == [-1, 1, 2, 2, 2, 5, 5, 5]
    assert incumbents(s).tolist() == [-1, 1, 1, 3, 3, 3, 3, 7]  # no fidelity: the tie 0.9 goes to the earlier
    assert incumbents(s, mode="min").tolist() == [-1, 1, 2, 2, 4, 4, 4, 4]
    assert incumbents([]).tolist() == [] and incumbents([math.nan]).tolist() == [-1]
    with pytest.raises(ValueError, match="fidelity has 2 entries for 3 scores"):
        incumbents([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"mode='best' is unknown; allowed: \['max', 'min'\]"):
        incumbents([1.0], mode="best")


def test_last_finished_is_the_index_of_the_last_trial_done_by_each_time():
    # trials finish at t = 1, 3, 4 (cumulative seconds); a time equal to a finish counts it as done
    assert last_finished([1.0, 2.0, 1.0], [0.5, 1.0, 2.9, 3.0, 10.0]).tolist() == [-1, 0, 0, 1, 2]


def _best_so_far_before_issue_20(scores, mode):  # the implementation incumbents() replaced, frozen
    s = np.asarray(scores, dtype=float)
    filled = np.where(np.isnan(s), -np.inf if mode == "max" else np.inf, s)
    best = np.maximum.accumulate(filled) if mode == "max" else np.minimum.accumulate(filled)
    return np.where(np.isinf(best), np.nan, best)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.floats(-5, 5), st.sampled_from([math.nan, math.inf, -math.inf])), max_size=30),
       st.sampled_from(["max", "min"]))
def test_best_so_far_gives_what_it_gave_before_the_incumbent_rule(scores, mode):
    np.testing.assert_array_equal(best_so_far(scores, mode=mode), _best_so_far_before_issue_20(scores, mode))


def test_best_so_far_reads_trials_and_skips_failed_ones():
    trials = [Trial(config=i, metrics={"val_acc": a}, status=s) for i, (a, s) in
              enumerate([(0.3, "ok"), (0.9, "failed"), (0.1, "diverged"), (0.6, "ok")])]
    np.testing.assert_allclose(best_so_far(trials), [0.3, 0.3, 0.3, 0.6])
    assert best_trial(trials).config == 3
    assert best_trial(trials, mode="min").config == 2
    with pytest.raises(ValueError, match="mode"):
        best_so_far(trials, mode="best")
    with pytest.raises(ValueError, match="no trial"):
        best_trial([Trial(config=0, status="failed")])


def test_best_vs_trials_pads_short_runs_with_their_last_incumbent():
    curves = best_vs_trials([[0.1, 0.5, 0.2], [0.4], [0.2, 0.3, 0.9, 0.1]], 4)
    np.testing.assert_allclose(curves, [[0.1, 0.5, 0.5, 0.5], [0.4] * 4, [0.2, 0.3, 0.9, 0.9]])
    assert best_vs_trials([[0.1, 0.5, 0.2]], 2).shape == (1, 2)


def test_best_vs_seconds_is_a_step_function_of_cumulative_cost():
    run = [Trial(config=i, metrics={"val_acc": a}, seconds=s) for i, (a, s) in
           enumerate([(0.2, 1.0), (0.7, 2.0), (0.5, 1.0)])]  # finish at t = 1, 3, 4
    got = best_vs_seconds([run], [0.5, 1.0, 2.9, 3.0, 10.0])
    np.testing.assert_allclose(got, [[np.nan, 0.2, 0.2, 0.7, 0.7]])


def test_mean_and_spread_against_numpy():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(20, 7))
    m, lo, hi = mean_and_spread(c)
    np.testing.assert_allclose(m, c.mean(0))
    np.testing.assert_allclose(hi - m, c.std(0))
    m, lo, hi = mean_and_spread(c, spread="sem")
    np.testing.assert_allclose(hi - m, c.std(0) / np.sqrt(20))
    _, lo, hi = mean_and_spread(c, spread="minmax")
    np.testing.assert_allclose([lo, hi], [c.min(0), c.max(0)])
    _, lo, hi = mean_and_spread(c, spread="quartiles")
    np.testing.assert_allclose([lo, hi], np.percentile(c, [25, 75], axis=0))
    c[:, 0] = np.nan  # no trial finished yet at this point: stays NaN, no warning
    assert np.isnan(mean_and_spread(c)[0][0])
    with pytest.raises(ValueError, match="spread"):
        mean_and_spread(c, spread="iqr")
