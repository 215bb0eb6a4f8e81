"""Plots and widget draw functions of notebook 01 (Agg backend, headless)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from naslab.grid_vs_random.landscape import build_landscape  # noqa: E402
from naslab.grid_vs_random.plots import (  # noqa: E402
    plot_anytime,
    plot_hit_probability,
    plot_landscape_heatmap,
    plot_points_on_landscape,
    plot_trials_with_projections,
)
from naslab.grid_vs_random.spaces import COURSE_VALUES, synthetic_g, synthetic_h, synthetic_score  # noqa: E402
from naslab.grid_vs_random.widgets import draw_landscape, draw_synthetic, synthetic_trials  # noqa: E402


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_projection_plot_counts_distinct_values():
    x, y = np.repeat([0.2, 0.5, 0.8], 3), np.tile([0.2, 0.5, 0.8], 3)
    ax = plot_trials_with_projections(x, y, f=synthetic_score, g=synthetic_g, h=synthetic_h)
    assert isinstance(ax, Axes)
    texts = [t.get_text() for t in ax.figure.findobj(matplotlib.text.Text)]  # insets included
    assert "3 distinct x" in texts and "3 distinct y" in texts
    pts = synthetic_trials(9, seed=0)
    assert len(np.unique(pts["grid"][0])) == 3 and len(np.unique(pts["random"][0])) == 9


def test_heatmap_marks_exactly_the_diverged_cells():
    acc = np.linspace(0.1, 0.9, 36).reshape(6, 6)
    div = np.zeros((6, 6), bool)
    div[5] = True
    div[4, 5] = True
    ax = plot_landscape_heatmap(acc, COURSE_VALUES, COURSE_VALUES, diverged=div)
    assert sum(t.get_text() == "div" for t in ax.texts) == div.sum() == 7
    assert sum(t.get_text() not in ("div",) for t in ax.texts) == 36 - 7  # the others are annotated
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    plot_points_on_landscape([0.1, 0.01], [1e-3, 1e-2], acc=[0.5, 0.9], ax=ax)
    assert any("best: 0.900" in t.get_label() for t in ax.collections)
    ax.figure.canvas.draw()  # the legend sits above the heatmap, not over its cells
    assert ax.get_legend().get_window_extent().y0 >= ax.get_window_extent().y1


def test_anytime_and_hit_probability_plots():
    curves = {"grid": np.random.default_rng(0).random((5, 10)), "random": np.random.default_rng(1).random((5, 10))}
    ax = plot_anytime(curves, show_runs=True)
    assert [line.get_label().split(":")[0] for line in ax.get_legend().get_lines()] == ["grid", "random"]
    ax.figure.canvas.draw()  # the legend sits beside the axes, off the curves
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1
    diverged = np.array([[0.1, 0.1, 0.1], [0.8, 0.9, 0.9], [0.85, 0.8, 0.9], [0.9, 0.9, 0.9], [0.8, 0.85, 0.95]])
    ax = plot_anytime({"grid": diverged}, spread="quartiles", reference={"best in the space": 0.95})
    median, mean = ax.get_lines()[0].get_ydata(), diverged.mean(0)
    np.testing.assert_allclose(median, np.median(diverged, 0))  # the median lies inside its 25-75 % band,
    assert np.all(mean < np.percentile(diverged, 25, 0))  # seed 0 diverged: the mean falls out of the band
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "median of 5 seeds" in labels[0] and "25–75 %" in labels[0] and labels[1] == "best in the space (0.950)"
    assert ax.get_lines()[1].get_linestyle() == ":" and ax.get_lines()[1].get_ydata()[0] == 0.95
    assert "mean of 5" in plot_anytime({"grid": diverged}, spread="sem").get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="median"):
        plot_anytime({"grid": diverged}, center="mode")
    ax = plot_anytime({"grid": diverged}, legend="below")
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0
    with pytest.raises(ValueError, match="below"):
        plot_anytime({"grid": diverged}, legend="inside")
    ax = plot_hit_probability((0.05,), n_max=100)
    assert any(t.get_text() == "n = 59" for t in ax.texts)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), 1 - 0.95 ** line.get_xdata())


def test_synthetic_draw_changes_with_its_controls():
    imgs = []
    for kw in ({"budget": 9}, {"budget": 16}, {"budget": 9, "importance": 0.8}):
        fig = plt.figure(figsize=(8, 4))
        draw_synthetic(fig, seed=0, **kw)
        imgs.append(_pixels(fig))
    assert not np.array_equal(imgs[0], imgs[1]) and not np.array_equal(imgs[0], imgs[2])


@pytest.fixture(scope="module")
def tiny_landscapes():
    return {"digits": build_landscape("digits", epochs=1, n_seeds=2, n_trials=4)}


def test_landscape_draw_changes_with_budget_and_seed(tiny_landscapes):
    cache, imgs = {}, []
    for kw in ({"budget": 2, "seed": 0}, {"budget": 4, "seed": 0}, {"budget": 2, "seed": 1}):
        fig = plt.figure(figsize=(9, 4))
        draw_landscape(fig, tiny_landscapes, _cache=cache, **kw)
        imgs.append(_pixels(fig))
    assert not np.array_equal(imgs[0], imgs[1]) and not np.array_equal(imgs[0], imgs[2])
    assert set(cache["digits"]) == {"grid", "random"} and cache["digits"]["random"].shape == (2, 4)


def test_panels_build_with_a_slider_first(tiny_landscapes):
    import ipywidgets as W

    from naslab.grid_vs_random.widgets import landscape_panel, synthetic_panel

    for box in (synthetic_panel(), landscape_panel(tiny_landscapes)):
        controls = box.children[1].children
        assert isinstance(controls[0], W.IntSlider) and "naslab-probe" in controls[0]._dom_classes
