"""naslab.hardware.models: the fitted predictor recovers an additive latency, the lookup table sums what it is given."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.cells import unique_cells
from naslab.bakeoff.network import NetConfig, macs, n_params
from naslab.hardware.latency import CellTimer, TimingSpec
from naslab.hardware.models import (
    compare_models,
    fit_affine,
    fit_predictor,
    lut_predict,
    measure_lut,
    op_features,
    score,
)

_PICK = np.random.default_rng(0).permutation(len(unique_cells()))[:700]
CELLS = [unique_cells()[i] for i in sorted(_PICK)]  # 700 distinct cells, a seeded random sample


def synthetic(cells, seed=0):
    """An exact linear function of the op on each edge position, plus a constant (seconds-sized)."""
    w = np.random.default_rng(seed).uniform(1e-6, 1e-4, 24)
    return 2e-4 + op_features(cells) @ w


def test_op_features_one_hot():
    X = op_features([(0, 1, 2, 3, 4, 0)])
    assert X.shape == (1, 24) and X.sum() == 4
    assert [int(i) for i in np.flatnonzero(X[0])] == [4 * 1 + 0, 4 * 2 + 1, 4 * 3 + 2, 4 * 4 + 3]


def test_score_by_hand():
    s = score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    assert s["spearman"] == 1.0 and s["mape"] == pytest.approx(0.25 / 3)
    with pytest.raises(ValueError, match="> 0"):
        score([1, 2], [0, 1])


def test_fitted_predictor_recovers_an_additive_latency():
    kind = "linear"
    y = synthetic(CELLS)
    train = np.random.default_rng(1).permutation(len(CELLS))[:300]  # a random half: every feature is seen
    test = np.setdiff1d(np.arange(len(CELLS)), train)
    predict = fit_predictor([CELLS[i] for i in train], y[train], kind)
    s = score(predict([CELLS[i] for i in test]), y[test])
    assert s["mape"] < 1e-9 and s["spearman"] == pytest.approx(1.0)


def test_boosting_fits_and_bad_kind():
    y = synthetic(CELLS)  # additive, so trees approximate it: ranked well, but not exactly
    s = score(fit_predictor(CELLS[:400], y[:400], "boosting")(CELLS[400:]), y[400:])
    assert s["spearman"] > 0.9 and s["mape"] < 0.1
    with pytest.raises(ValueError, match="kind='cubic' is unknown; allowed"):
        fit_predictor(CELLS, y, "cubic")


def test_lookup_table_sums_exactly_what_it_was_given():
    lut = {(0, "skip_connect"): 1.0, (0, "conv_1"): 10.0, (0, "conv_3"): 100.0, (0, "avg_pool_3"): 1000.0}
    lut |= {(1, op): 2 * v for (_, op), v in list(lut.items())}
    cell = (3, 1, 0, 2, 4, 3)  # stage 0: 100 + 1 + 0 + 10 + 1000 + 100 = 1211; stage 1: twice that
    assert lut_predict([cell], lut, 7.0).tolist() == [7.0 + 1211 + 2422]
    assert lut_predict([cell], lut, 0.0, NetConfig(C=8, stem_stride=2, cells_per_stage=2)).tolist() == [2 * 3633]
    assert lut_predict([(0,) * 6], lut, 5.0).tolist() == [5.0]
    with pytest.raises(ValueError, match=r"no entry \(stage 1, 'conv_3'\)"):
        lut_predict([cell], {k: v for k, v in lut.items() if k != (1, "conv_3")}, 0.0)


def test_compare_models_on_synthetic_latencies():
    lut = {(s, op): 0.0 for s in (0, 1) for op in ("skip_connect", "conv_1", "conv_3", "avg_pool_3")}
    lut[(0, "conv_3")] = lut[(1, "conv_3")] = 1e-5
    y = lut_predict(CELLS, lut, 1e-4)  # a latency the lookup table explains exactly
    cfg = NetConfig(C=8, stem_stride=2)
    out = compare_models(CELLS, y, macs=[macs(c, cfg) for c in CELLS], params=[n_params(c, cfg) for c in CELLS],
                         lut=(lut, 1e-4))
    assert set(out) == {"FLOPs", "#params", "lookup table", "lookup table, calibrated", "fitted (linear)",
                        "fitted (boosting)"}
    assert out["lookup table"]["mape"] < 1e-12 and out["fitted (linear)"]["mape"] < 1e-9
    # a lookup table measured on a machine twice as fast, with an overhead missing: calibration repairs both
    off = compare_models(CELLS, 2 * y + 3e-4, macs=y, params=y, lut=(lut, 1e-4))
    assert off["lookup table"]["mape"] > 0.4 and off["lookup table, calibrated"]["mape"] < 1e-9
    assert out["lookup table"]["spearman"] == pytest.approx(1.0)
    assert fit_affine([1, 2, 3], [3, 5, 7])([10]).tolist() == pytest.approx([21.0])
    with pytest.raises(ValueError, match="train_fraction=1.5"):
        compare_models(CELLS, y, macs=y, params=y, train_fraction=1.5)


def test_measure_lut_structure():
    lut, const = measure_lut(64, CellTimer(spec=TimingSpec(batch_sizes=(64,), runs=5, warmup=1)))
    assert set(lut) == {(s, op) for s in (0, 1) for op in ("skip_connect", "conv_1", "conv_3", "avg_pool_3")}
    assert const > 0 and all(v >= 0 for v in lut.values())
    assert lut[(1, "conv_3")] > lut[(1, "skip_connect")]
    with pytest.raises(ValueError, match="batch=1 is not one the timer measures"):
        measure_lut(1, CellTimer(spec=TimingSpec(batch_sizes=(64,), runs=1, warmup=0)))
