"""BANANAS: the batched MLP ensemble learns, and the searcher is deterministic under a seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau

from naslab.bakeoff.race import Lookup, TableObjective
from naslab.bakeoff.toy import ToyTable
from naslab.search import run_search
from naslab.signals.bananas import Bananas, MLPEnsemble, one_thread


def test_ensemble_fits_a_linear_target_and_members_differ():
    rng = np.random.default_rng(0)
    X = (rng.random((200, 20)) < 0.3).astype(np.float32)
    y = X @ rng.standard_normal(20)
    m = MLPEnsemble(5, 32, steps=300, seed=1).fit(X, y)
    P = m.predict(X)
    assert P.shape == (5, 200)
    assert kendalltau(P.mean(0), y).statistic > 0.9
    assert np.abs(P[0] - P[1]).max() > 1e-4  # different initialisations -> different members


def test_one_thread_restores_the_setting():
    n = torch.get_num_threads()
    with one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == n


def _trials(seed):
    lk = Lookup.from_table(ToyTable(seed=3))
    return [t.config for t in run_search(Bananas(seed=seed, n_init=5, batch=5), TableObjective(lk, seed), budget=30)]


def test_same_seed_same_trials():
    a, b, c = _trials(0), _trials(0), _trials(1)
    assert a == b and a != c and len(a) == 30
    assert len(set(map(tuple, a))) == 30  # never asks a told cell again


@pytest.mark.parametrize("kw,msg", [({"acquisition": "ei"}, "acquisition='ei' is unknown"),
                                    ({"batch": 0}, "batch=0 must be an int >= 1")])
def test_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Bananas(**kw)


def test_predict_before_fit():
    with pytest.raises(RuntimeError, match="fit the ensemble"):
        MLPEnsemble().predict(np.zeros((1, 3)))
