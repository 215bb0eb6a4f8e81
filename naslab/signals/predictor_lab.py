"""The predictor lab: how well does a performance predictor rank unseen cells, against how many it saw?

A predictor f maps a cell's features x (the path encoding of BANANAS, White et al. AAAI 2021,
`naslab.signals.encoding`, optionally with proxy columns such as log #params and log FLOPs or zero-cost
scores appended) to its accuracy. Trained on n cells and evaluated on held-out cells T, it is judged by
Kendall's rank correlation (White et al., "How Powerful are Performance Predictors in NAS?",
NeurIPS 2021, use the same measure):

    tau = (concordant - discordant) / (|T| (|T| - 1) / 2)  over pairs of T,    (scipy's tau-b with ties)

for n in (10, 20, 50, 100, 200), several seeds (each seed draws its own test set and training cells),
and three predictors: the BANANAS MLP ensemble (mean of the members), scikit-learn's
RandomForestRegressor and GaussianProcessRegressor (RBF + white-noise kernel) as baselines. Proxy
features are standardised with the training cells' mean and standard deviation.

Taught in: notebooks/07_cheap_signals.ipynb §3.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import kendalltau

from naslab.signals.bananas import MLPEnsemble
from naslab.signals.encoding import path_encoding

MODELS = ("BANANAS", "random forest", "GP")
SIZES = (10, 20, 50, 100, 200)


def fit_predict(model: str, X_train, y_train, X_test, seed: int = 0) -> np.ndarray:
    """(n_test,) predictions of `model` (one of MODELS) trained on (X_train, y_train)."""
    if model == "BANANAS":
        return MLPEnsemble(5, 32, steps=200, seed=seed).fit(X_train, y_train).predict(X_test).mean(0)
    if model == "random forest":
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(n_estimators=100, random_state=seed).fit(X_train, y_train).predict(X_test)
    if model == "GP":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, WhiteKernel

        kernel = RBF(3.0, length_scale_bounds=(0.3, 100.0)) + WhiteKernel(0.1, noise_level_bounds=(1e-3, 10.0))
        gp = GaussianProcessRegressor(kernel, normalize_y=True, random_state=seed)
        with warnings.catch_warnings():  # a hyperparameter at its bound is a fit, not an error, for this table
            warnings.simplefilter("ignore", ConvergenceWarning)
            return gp.fit(X_train, y_train).predict(X_test)
    raise ValueError(f"model={model!r} is unknown; allowed: {list(MODELS)}")


def _features(X, F, train, test):
    """(X[train] | F[train] standardised, X[test] | F[test]) with the training cells' mean and std."""
    if F is None:
        return X[train], X[test]
    mu, sd = F[train].mean(0), F[train].std(0)
    Z = (F - mu) / np.where(sd > 0, sd, 1.0)  # (n_cells, k)
    return np.hstack([X[train], Z[train]]), np.hstack([X[test], Z[test]])


def tau_curve(X, y, *, features=None, sizes=SIZES, seeds=range(3), n_test: int = 500, models=MODELS) -> dict:
    """Kendall tau on held-out cells against the number of training cells, with and without `features`.

    Args:
        X: (n_cells, d) encoding of every cell (e.g. `path_encoding(table.unique_cells())`).
        y: (n_cells,) the target (e.g. the table's seed-mean test accuracy).
        features: None or (n_cells, k) proxy columns; when given, each model is also fit on [X | features].
        sizes: training-set sizes; seeds: each draws a test set of `n_test` cells and the training cells.

    Returns:
        {"sizes", "models", "feature_sets" (["encoding"] or ["encoding", "encoding + proxies"]), "seeds",
         "tau": (n_models, n_feature_sets, n_sizes, n_seeds), "rows": a list of dicts, one per number}.
    """
    X, y = np.asarray(X, dtype=np.float32), np.asarray(y, dtype=float)
    F = None if features is None else np.asarray(features, dtype=np.float32)
    seeds, sizes = [int(s) for s in seeds], [int(n) for n in sizes]
    if X.ndim != 2 or y.shape != (len(X),) or (F is not None and (F.ndim != 2 or len(F) != len(X))):
        raise ValueError(f"X {X.shape}, y {y.shape} and features {None if F is None else F.shape} must be "
                         f"(n_cells, d), (n_cells,) and (n_cells, k)")
    if min(sizes) < 2 or max(sizes) + n_test > len(X):
        raise ValueError(f"sizes={sizes} plus n_test={n_test} need between 2 and {len(X)} cells")
    bad = [m for m in models if m not in MODELS]
    if bad:
        raise ValueError(f"models {bad} are unknown; allowed: {list(MODELS)}")
    sets = ["encoding"] if F is None else ["encoding", "encoding + proxies"]
    tau = np.zeros((len(models), len(sets), len(sizes), len(seeds)))
    rows = []
    for k, seed in enumerate(seeds):
        perm = np.random.default_rng([seed, 23]).permutation(len(X))
        test, pool = perm[:n_test], perm[n_test:]
        for j, n in enumerate(sizes):
            for f, fs in enumerate(sets):
                A, B = _features(X, F if f else None, pool[:n], test)
                for i, m in enumerate(models):
                    t = kendalltau(fit_predict(m, A, y[pool[:n]], B, seed=seed), y[test]).statistic
                    tau[i, f, j, k] = 0.0 if np.isnan(t) else t  # a constant prediction ranks nothing
                    rows.append({"model": m, "features": fs, "n_train": n, "seed": seed, "tau": float(tau[i, f, j, k])})
    return {"sizes": sizes, "models": list(models), "feature_sets": sets, "seeds": seeds, "tau": tau, "rows": rows}


def table_data(table) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """(cells, X path encoding, y seed-mean test accuracy, features [log #params, log FLOPs]) of a cell table."""
    cells = [tuple(c) for c in table.unique_cells()]
    y = np.array([table.test_acc(c) for c in cells])  # (n_cells,)
    F = np.log1p(np.array([[table.params(c), table.flops(c)] for c in cells], dtype=float))  # (n_cells, 2)
    return cells, path_encoding(cells, table.n_ops if hasattr(table, "n_ops") else 5), y, F


def format_taus(out: dict) -> str:
    """Mean tau (over seeds) per model and feature set, one column per training size."""
    lines = [f"{'model':<16}{'features':<22}" + "".join(f"{n:>8}" for n in out["sizes"])]
    for i, m in enumerate(out["models"]):
        for f, fs in enumerate(out["feature_sets"]):
            lines.append(f"{m:<16}{fs:<22}" + "".join(f"{v:>8.3f}" for v in out["tau"][i, f].mean(-1)))
    return "\n".join(lines)


__all__ = ["MODELS", "SIZES", "fit_predict", "tau_curve", "table_data", "format_taus"]
