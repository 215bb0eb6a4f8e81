"""Latency models against measurement: FLOPs, #params, an op-level lookup table, and fitted predictors.

A hardware-aware search cannot time every candidate, so it predicts latency. Four models of the
measured latency y(c) of cell c, each scored on held-out cells by Spearman's rho and the mean absolute
percentage error MAPE = mean_c |ŷ(c) - y(c)| / y(c):

* **FLOPs** and **#params**, calibrated: ŷ = a + b * MACs(c) (or params), a and b by least squares on
  the training cells (a proxy needs a scale before its error in seconds means anything);
* **the op-level lookup table** of ProxylessNAS (Cai, Zhu, Han, ICLR 2019) and Once-for-All (Cai et al.,
  ICLR 2020): each op timed *alone* at its input shape, summed along the network, plus a constant for
  everything outside the cells (stem, reductions, head: the network with the all-`none` cell),

      ŷ(c) = T(none-cell) + sum_{stage s} cells_per_stage * sum_{edge e} LUT[s, op_e(c)],   LUT[s, none] = 0

  It ignores what the cell adds between ops (the node sums, Python dispatch), so it is biased low when
  such overheads matter: the notebook shows how much. "Calibrated", ŷ = a + b * LUT(c) with a, b fitted
  on the training cells, keeps the ranking and removes a constant overhead and a machine-state scale;
* **a fitted predictor** on the op per edge position (one-hot, 6 edges x 4 non-`none` ops = 24 features):
  least squares ŷ = w_0 + sum_{e, o} w_{e,o} [op_e = o] (exact when latency is additive over edges),
  or scikit-learn's gradient boosting on the same features (for interactions between edges). nn-Meter
  (Zhang et al., MobiSys 2021) fits predictors per fused kernel and reports 99 % of predictions within
  ±10 % on a mobile CPU; HW-NAS-Bench (Li et al., ICLR 2021) measures instead of predicting.

Taught in: notebooks/08_hardware_aware.ipynb (future).
"""

from __future__ import annotations

import numpy as np

from naslab.bakeoff.cells import EDGES, OPS, check_cell
from naslab.bakeoff.network import NetConfig
from naslab.hardware.latency import BENCH_NET, CellTimer
from naslab.proxies.ranking import spearman_rho

KINDS = ("linear", "boosting")
LIVE_OPS = OPS[1:]  # every op but "none" gets a feature


def op_features(cells) -> np.ndarray:
    """(n, 6 * 4) one-hot: X[i, 4 e + o - 1] = 1 when edge e of cell i carries op o (o = 1..4; none = all 0)."""
    cells = [check_cell(c) for c in cells]
    X = np.zeros((len(cells), len(EDGES) * len(LIVE_OPS)))
    for i, c in enumerate(cells):
        for e, o in enumerate(c):
            if o:
                X[i, e * len(LIVE_OPS) + o - 1] = 1.0
    return X


def score(pred, y) -> dict:
    """{"spearman": rho(pred, y), "mape": mean |pred - y| / y} of predictions against measured latencies."""
    p, t = np.asarray(pred, dtype=float), np.asarray(y, dtype=float)
    if p.shape != t.shape or p.ndim != 1 or len(t) < 2:
        raise ValueError(f"pred {p.shape} and y {t.shape} must be 1-D of the same length >= 2")
    if not np.all(t > 0):
        raise ValueError("measured latencies y must be > 0 (MAPE divides by them)")
    return {"spearman": spearman_rho(p, t), "mape": float(np.mean(np.abs(p - t) / t))}


def fit_affine(x_train, y_train):
    """ŷ(x) = a + b x by least squares: the calibration of a proxy such as MACs or #params."""
    x = np.asarray(x_train, dtype=float)
    A = np.stack([np.ones_like(x), x], 1)  # (n, 2)
    (a, b), *_ = np.linalg.lstsq(A, np.asarray(y_train, dtype=float), rcond=None)
    return lambda xs: a + b * np.asarray(xs, dtype=float)


def fit_predictor(cells, y, kind: str = "linear", seed: int = 0):
    """A predictor cells -> latency fitted to (cells, y): "linear" least squares on `op_features`, or
    "boosting" (scikit-learn's GradientBoostingRegressor on the same features)."""
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is unknown; allowed: {list(KINDS)}")
    X, t = op_features(cells), np.asarray(y, dtype=float)
    if len(X) != len(t):
        raise ValueError(f"{len(X)} cells but {len(t)} latencies")
    if kind == "linear":
        A = np.hstack([np.ones((len(X), 1)), X])  # (n, 1 + 24): intercept + one-hot
        w, *_ = np.linalg.lstsq(A, t, rcond=None)
        return lambda cs: np.hstack([np.ones((len(cs), 1)), op_features(cs)]) @ w
    from sklearn.ensemble import GradientBoostingRegressor

    model = GradientBoostingRegressor(random_state=seed).fit(X, t)
    return lambda cs: model.predict(op_features(cs))


def lut_predict(cells, lut: dict, constant: float, cfg: NetConfig = BENCH_NET) -> np.ndarray:
    """(n,) the lookup-table latency: constant + sum over stages and cells of LUT[(stage, op name)] per edge."""
    out = []
    for c in (check_cell(c) for c in cells):
        t = float(constant)
        for s in range(cfg.n_stages):
            for o in c:
                if OPS[o] != "none":
                    if (s, OPS[o]) not in lut:
                        raise ValueError(f"the lookup table has no entry (stage {s}, {OPS[o]!r}); "
                                         f"it holds {sorted(lut)}")
                    t += cfg.cells_per_stage * float(lut[(s, OPS[o])])
        out.append(t)
    return np.array(out)


def measure_lut(batch: int = 1, timer: CellTimer | None = None) -> tuple[dict, float]:
    """(LUT, constant) measured on this machine: every live op alone at every stage's shape, and the
    network with the all-`none` cell as the constant (median seconds at batch size `batch`)."""
    timer = timer or CellTimer()
    if batch not in timer.spec.batch_sizes:
        raise ValueError(f"batch={batch!r} is not one the timer measures: {list(timer.spec.batch_sizes)}")
    lut = {(s, op): timer.op(op, s)[batch]["median"] for s in range(timer.cfg.n_stages) for op in LIVE_OPS}
    return lut, timer.cell((0,) * len(EDGES))[batch]["median"]


def compare_models(cells, y, *, macs, params, lut=None, train_fraction: float = 0.5, seed: int = 0) -> dict:
    """name -> {"spearman", "mape"} on the held-out cells, for every latency model.

    Args:
        cells, y: the cells and their measured latencies (seconds); a seeded random `train_fraction` of them
            fits the calibrated and fitted models, the rest scores every model.
        macs, params: (n,) MACs and parameter counts of the same cells.
        lut: (LUT, constant) from `measure_lut` (optional: the lookup-table model needs no fitting).
    """
    cells, y = [check_cell(c) for c in cells], np.asarray(y, dtype=float)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction={train_fraction!r} must be in (0, 1)")
    perm = np.random.default_rng(seed).permutation(len(cells))
    k = int(round(train_fraction * len(cells)))
    tr, te = perm[:k], perm[k:]
    if len(tr) < 2 or len(te) < 2:
        raise ValueError(f"{len(cells)} cells are too few to split {train_fraction:.0%} / the rest (>= 2 each)")
    pick = lambda idx: [cells[i] for i in idx]  # noqa: E731
    out = {}
    for name, x in (("FLOPs", np.asarray(macs, dtype=float)), ("#params", np.asarray(params, dtype=float))):
        out[name] = score(fit_affine(x[tr], y[tr])(x[te]), y[te])
    if lut is not None:  # as measured, and with its scale and overhead refitted on the training cells
        out["lookup table"] = score(lut_predict(pick(te), *lut), y[te])
        out["lookup table, calibrated"] = score(fit_affine(lut_predict(pick(tr), *lut), y[tr])(
            lut_predict(pick(te), *lut)), y[te])
    for kind in KINDS:
        out[f"fitted ({kind})"] = score(fit_predictor(pick(tr), y[tr], kind, seed)(pick(te)), y[te])
    return out


__all__ = ["KINDS", "op_features", "score", "fit_affine", "fit_predictor", "lut_predict", "measure_lut",
           "compare_models"]
