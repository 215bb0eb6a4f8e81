"""The predictor lab on a synthetic target that is a linear function of the path encoding."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.cells import unique_cells
from naslab.bakeoff.toy import ToyTable
from naslab.signals.encoding import path_encoding
from naslab.signals.predictor_lab import format_taus, table_data, tau_curve


@pytest.fixture(scope="module")
def linear():
    X = path_encoding(unique_cells())
    w = np.random.default_rng(0).standard_normal(X.shape[1])
    return X, X @ w + 1e-3 * np.arange(len(X)) / len(X)  # tiny tie-breaker: distinct targets


def test_tau_rises_with_training_size_and_passes_0_9(linear):
    X, y = linear
    out = tau_curve(X, y, sizes=(10, 50, 200), seeds=range(2), n_test=300, models=("BANANAS",))
    tau = out["tau"][0, 0].mean(-1)  # (3,) mean over seeds
    assert out["tau"].shape == (1, 1, 3, 2) and out["feature_sets"] == ["encoding"]
    assert tau[0] < tau[1] < tau[2] and tau[2] > 0.9, tau
    assert len(out["rows"]) == 6 and {"model", "features", "n_train", "seed", "tau"} == set(out["rows"][0])


def test_baselines_and_proxy_features(linear):
    X, y = linear
    F = y[:, None] + np.random.default_rng(1).standard_normal((len(y), 1))  # a noisy proxy of the target
    out = tau_curve(X, y, features=F, sizes=(20,), seeds=[0], n_test=200, models=("random forest", "GP"))
    assert out["feature_sets"] == ["encoding", "encoding + proxies"] and out["tau"].shape == (2, 2, 1, 1)
    assert np.all(out["tau"][:, 1] > out["tau"][:, 0])  # with 20 cells, an informative proxy column helps
    assert "random forest" in format_taus(out)


def test_table_data_and_bad_input():
    cells, X, y, F = table_data(ToyTable(seed=0))
    assert X.shape == (15625, 100) and y.shape == (15625,) and F.shape == (15625, 2)
    with pytest.raises(ValueError, match="allowed"):
        tau_curve(X[:300], y[:300], sizes=(10,), n_test=50, models=("svm",))
    with pytest.raises(ValueError, match="need between 2 and 300 cells"):
        tau_curve(X[:300], y[:300], sizes=(290,), n_test=50)
