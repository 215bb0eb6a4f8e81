"""naslab.proxies.proxy: rank agreement against scipy and a pair-counting oracle, scaled models, cost accounting."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy import stats

from naslab.controller.macro_space import MacroSpace
from naslab.data import load_dataset
from naslab.proxies.proxy import Proxy, cost_summary, data_subset, live_objective, run_proxy, scaled_build
from naslab.proxies.ranking import kendall_tau, rank_agreement, spearman_rho, top_k_overlap
from naslab.utils import count_params, seed_everything

# fixed data with ties on both sides
P = [0.61, 0.70, 0.55, 0.70, 0.82, 0.40, 0.66, 0.91, 0.55, 0.73]
Q = [0.80, 0.85, 0.79, 0.90, 0.93, 0.70, 0.79, 0.95, 0.81, 0.88]


def _tau_b_by_pairs(a, b):
    """Kendall tau-b by counting every pair: (C - D) / sqrt((n0 - n1)(n0 - n2))."""
    c = d = ties_a = ties_b = 0
    for i, j in itertools.combinations(range(len(a)), 2):
        sa, sb = np.sign(a[i] - a[j]), np.sign(b[i] - b[j])
        ties_a += sa == 0
        ties_b += sb == 0
        c += sa * sb > 0
        d += sa * sb < 0
    n0 = len(a) * (len(a) - 1) / 2
    return (c - d) / math.sqrt((n0 - ties_a) * (n0 - ties_b))


def _rho_by_ranks(a, b):
    ra, rb = stats.rankdata(a), stats.rankdata(b)  # average ranks for ties
    return float(np.corrcoef(ra, rb)[0, 1])


def test_rank_metrics_agree_with_scipy_and_pair_counting():
    assert kendall_tau(P, Q) == pytest.approx(stats.kendalltau(P, Q).statistic, abs=1e-12)
    assert kendall_tau(P, Q) == pytest.approx(_tau_b_by_pairs(P, Q), abs=1e-12)
    assert spearman_rho(P, Q) == pytest.approx(stats.spearmanr(P, Q).statistic, abs=1e-12)
    assert spearman_rho(P, Q) == pytest.approx(_rho_by_ranks(P, Q), abs=1e-12)


def test_rank_metrics_extremes_and_nan_pairs_dropped():
    x = np.arange(8.0)
    assert kendall_tau(x, 2 * x + 1) == pytest.approx(1.0)
    assert spearman_rho(x, -x) == pytest.approx(-1.0)
    a, b = np.array(P), np.array(Q)
    a_nan = a.copy()
    a_nan[3] = np.nan  # a diverged run: its pair is dropped, not ranked
    keep = np.arange(len(a)) != 3
    assert kendall_tau(a_nan, b) == pytest.approx(stats.kendalltau(a[keep], b[keep]).statistic)
    assert math.isnan(kendall_tau([1.0], [2.0]))


def test_top_k_overlap_by_hand():
    # top-3 of P: indices 7, 4, 9; top-3 of Q: 7, 4, 3 -> overlap 2/3
    assert top_k_overlap(P, Q, 3) == pytest.approx(2 / 3)
    assert top_k_overlap(P, P, 4) == 1.0
    r = rank_agreement(P, Q, k=3)
    assert r["top_k"] == pytest.approx(2 / 3) and r["n"] == 10
    with pytest.raises(ValueError, match="k=0"):
        top_k_overlap(P, Q, 0)
    with pytest.raises(ValueError, match="same length"):
        kendall_tau(P, Q[:-1])


def test_cost_summary():
    c = cost_summary([1.0, 2.0, 3.0], [10.0, 20.0, 30.0])
    assert c["speedup"] == pytest.approx(10.0) and c["fraction"] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="positive"):
        cost_summary([0.0], [1.0])


SPACE = MacroSpace(n_layers=3, filters=(8, 32), kernels=(3, 7), strides=(1, 2), skips=True)


@pytest.mark.parametrize("shape", [(1, 40), (1, 8, 8)])
def test_scaled_build_defaults_equal_space_build(shape):
    arch = SPACE.sample(3)
    x = torch.randn(4, *shape)
    seed_everything(0)
    a = SPACE.build(arch, shape, 10).eval()
    seed_everything(0)
    b = scaled_build(SPACE, arch, shape, 10).eval()
    assert count_params(a) == count_params(b)
    assert torch.allclose(a(x), b(x))


def test_scaled_build_knobs_change_size_not_shape():
    arch = SPACE.parse("8-3-1|32-7-2|32-3-2+0")
    base = count_params(scaled_build(SPACE, arch, (1, 40), 10))
    small = scaled_build(SPACE, arch, (1, 40), 10, width=0.25)
    big = scaled_build(SPACE, arch, (1, 40), 10, width=2.0, repeats=2)
    shallow = scaled_build(SPACE, arch, (1, 40), 10, depth=1)
    assert count_params(small) < base < count_params(big)
    assert count_params(shallow) < base
    x = torch.randn(2, 1, 40)
    for net in (small, big, shallow):
        assert net(x).shape == (2, 10)
    assert big.layers[1][1][0].stride == (1,)  # the extra repeat runs at stride 1
    with pytest.raises(ValueError, match="repeats"):
        scaled_build(SPACE, arch, (1, 40), 10, repeats=0)
    with pytest.raises(ValueError, match="depth"):
        scaled_build(SPACE, arch, (1, 40), 10, depth=4)


def test_data_subset_and_run_proxy_accounting():
    data = load_dataset("mnist1d")
    sub = data_subset(data, 0.25, seed=1)
    assert len(sub.y_train) == round(0.25 * len(data.y_train)) and len(sub.y_val) == len(data.y_val)
    arch = SPACE.sample(0)
    out = run_proxy(SPACE, arch, Proxy(epochs=2, data_fraction=0.1), data, seed=0)
    assert len(out["curve"]) == 2 and len(out["cpu_curve"]) == 2
    assert 0 < out["cpu_curve"][0] <= out["cpu_curve"][1] == out["cpu_seconds"]
    again = run_proxy(SPACE, arch, Proxy(epochs=2, data_fraction=0.1), data, seed=0)
    assert again["curve"] == out["curve"]  # deterministic for a seed
    obj = live_objective(SPACE, data_subset(data, 0.1), seed=0)
    m = obj(arch.key, 1)
    assert set(m) >= {"val_acc", "seconds"} and 0 <= m["val_acc"] <= 1
    with pytest.raises(ValueError, match="data_fraction"):
        Proxy(data_fraction=0.0)
