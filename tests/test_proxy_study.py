"""naslab.proxies.study (rows of the ladder), naslab.proxies.checks, naslab.proxies.plots and the proxy widget."""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
from scipy import stats

from naslab.proxies.benchmark import Benchmark
from naslab.proxies.checks import check_kendall_tau, check_new_proxy, check_sh_budget
from naslab.proxies.halving import compare_on_benchmark, incumbent_curve
from naslab.proxies.study import TRUTH_SEED, proxy_row, proxy_scores, standard_rows, truth
from naslab.trial import Trial


@pytest.fixture(scope="module")
def bench():
    return Benchmark.load()


def test_rows_are_rank_agreements_against_the_truth_seed(bench):
    rows = standard_rows(bench)
    full = bench.arrays["val_acc"][:, :, -1]  # (n, seeds)
    s1 = bench.seeds.index(TRUTH_SEED)
    assert rows[0]["tau"] == pytest.approx(stats.kendalltau(full[:, 0], full[:, s1]).statistic)
    r3 = proxy_row(bench, "epochs", 3)
    assert r3["tau"] == pytest.approx(stats.kendalltau(bench.arrays["val_acc"][:, 0, 2], full[:, s1]).statistic)
    assert r3["fraction"] == pytest.approx(3 / 9, rel=1e-5)  # e * (median epoch cost): exactly a third
    d = proxy_scores(bench, "data", 1 / 9)
    assert len(d["index"]) == len(d["scores"]) == 48 and np.all(d["seconds"] < bench.cost(9)[d["index"]])
    with pytest.raises(ValueError, match="available"):
        proxy_scores(bench, "data", 0.5)
    with pytest.raises(ValueError, match="allowed"):
        proxy_scores(bench, "depth", 2)


def _pairs_tau(a, b):
    n = len(a)
    s = sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j]) for i, j in itertools.combinations(range(n), 2))
    return s / (n * (n - 1) / 2)


def test_check_kendall_tau_accepts_right_rejects_wrong():
    assert check_kendall_tau(_pairs_tau).startswith("✓")
    with pytest.raises(AssertionError):
        check_kendall_tau(lambda a, b: stats.spearmanr(a, b).statistic)  # a different statistic
    with pytest.raises(AssertionError):
        check_kendall_tau(lambda a, b: -_pairs_tau(a, b))


def test_check_new_proxy_accepts_right_rejects_wrong(bench):
    index = np.arange(10)
    p = proxy_scores(bench, "epochs", 2)
    ok = {"index": index, "scores": p["scores"][index], "seconds": p["seconds"][index],
          "tau": stats.kendalltau(p["scores"][index], truth(bench, index)).statistic}
    assert check_new_proxy(ok, bench).startswith("✓")
    with pytest.raises(AssertionError, match="tau"):
        check_new_proxy({**ok, "tau": ok["tau"] + 0.2}, bench)
    with pytest.raises(AssertionError, match="more than full training"):
        check_new_proxy({**ok, "seconds": ok["seconds"] * 100}, bench)
    with pytest.raises(AssertionError, match="index"):
        check_new_proxy({"scores": ok["scores"]}, bench)


def test_check_sh_budget_accepts_right_rejects_wrong():
    def right(n, eta, r_min, r_max):
        total, i = 0, 0
        while True:
            n_i, r_i = n // eta**i, min(r_min * eta**i, r_max)
            total += n_i * r_i
            if n_i // eta < 1 or r_i >= r_max:
                return total
            i += 1

    assert check_sh_budget(right).startswith("✓")
    with pytest.raises(AssertionError):
        check_sh_budget(lambda n, eta, r_min, r_max: n * r_max)  # everyone fully trained


def test_incumbent_curve_uses_the_most_trained_and_time():
    mk = [Trial("a", fidelity=1, metrics={"val_acc": 0.9}, seconds=1.0),
          Trial("b", fidelity=3, metrics={"val_acc": 0.5}, seconds=3.0),
          Trial("c", fidelity=3, metrics={"val_acc": 0.7}, seconds=3.0)]
    true = {"a": 0.1, "b": 0.2, "c": 0.3}
    got = incumbent_curve(mk, [0.5, 1.0, 4.0, 7.0], true.get)
    assert np.isnan(got[0]) and got[1:].tolist() == [0.1, 0.2, 0.3]  # a (only one) -> b (rung 1 wins) -> c


def test_compare_on_benchmark_shapes_and_budgets(bench):
    out = compare_on_benchmark(bench, range(3), n=9, eta=3, r_min=1, r_max=9)
    sh, rs = out["curves"]["successive halving"], out["curves"]["random search"]
    assert sh.shape == rs.shape == (3, len(out["times"]))
    assert all(len(t) == 9 + 3 + 1 for t in out["trials"]["successive halving"])
    final = sh[:, -1]
    assert np.all((final >= truth(bench).min()) & (final <= truth(bench).max()))


def test_plots_and_widget_draw(bench):
    matplotlib.use("Agg")
    from matplotlib.axes import Axes

    from naslab.proxies import plots as P
    from naslab.proxies.widgets import PROXIES, proxy_explorer

    rows = standard_rows(bench)
    axes = [P.plot_learning_curves(bench.arrays["val_acc"][:4, 0], labels=list("abcd")),
            P.plot_ladder(rows), P.plot_cost_vs_rank(rows, highlight=rows[1]["name"], ceiling=0.6),
            P.plot_proxy_scatter(np.arange(10.0), np.arange(10.0) ** 2, name="x"),
            P.plot_scaling([0.5, 0.6, 0.7], [0.6, 0.8, 0.7]), P.plot_sharing_cost({"alone": 100.0, "shared": 5.0})]
    assert all(isinstance(a, Axes) for a in axes)
    assert "τ = 1.00" in axes[3].get_title()
    box = proxy_explorer(bench)
    dropdown, slider = box.children[1].children
    assert dropdown.options == tuple(PROXIES) and "naslab-probe" in dropdown._dom_classes
    dropdown.value = list(PROXIES)[2]  # a change redraws without error
    slider.value = 1
