"""naslab.proxies.study (rows of the ladder), naslab.proxies.checks, naslab.proxies.plots and the proxy widget."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from scipy import stats

from naslab.proxies.benchmark import Benchmark
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
    ladder = axes[1]  # bar lengths proportional to cost: a linear axis from 0, ending just past the dearest
    top = max(r["seconds"] for r in rows)
    assert ladder.get_xscale() == "linear" and ladder.get_xlim()[0] == 0 and top < ladder.get_xlim()[1] <= 1.5 * top
    assert sorted(p.get_width() for p in ladder.patches) == sorted(r["seconds"] for r in rows)
    box = proxy_explorer(bench)
    dropdown, slider = box.children[1].children
    assert dropdown.options == tuple(PROXIES) and "naslab-probe" in dropdown._dom_classes
    dropdown.value = list(PROXIES)[2]  # a change redraws without error
    slider.value = 1
