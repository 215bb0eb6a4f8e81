"""naslab.darts.plots and naslab.darts.widgets: pure plots return their axes with the data drawn; the toy panel's
figure changes with ξ; the epoch scrubber and the live callback work on a real (tiny) search."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from naslab.darts.genotype import Genotype, random_genotype  # noqa: E402
from naslab.darts.ops import PRIMITIVES  # noqa: E402
from naslab.darts.plots import (  # noqa: E402
    _SHORT,
    op_style,
    plot_alpha,
    plot_alpha_per_edge,
    plot_cell,
    plot_retrain_comparison,
    plot_search_curves,
    plot_skip_counts,
    plot_step_costs,
    plot_toy_bilevel,
)
from naslab.darts.search import SearchConfig, run_darts  # noqa: E402
from naslab.darts.toy import toy_trajectory  # noqa: E402
from naslab.darts.widgets import LiveAlpha, draw_epoch, draw_toy, epoch_panel, toy_panel  # noqa: E402
from naslab.data import load_dataset  # noqa: E402


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture(scope="module")
def result():
    data = load_dataset("mnist1d", n_train=128)
    return run_darts(data, SearchConfig(C=4, steps=2, layers=3, batch_size=32, epochs=2, device="cpu"))


def test_plot_cell_draws_one_arrow_per_edge_plus_outputs():
    g = random_genotype(3, seed=0)
    ax = plot_cell(g, "normal")
    assert len(ax.patches) == 6 + 3  # 2 edges per node, and each node into the output
    edge_names = sorted(t.get_text() for t in ax.texts if t.get_text() in _SHORT.values())
    assert edge_names == sorted(_SHORT[op] for node in g.normal for op, _ in node)  # every edge names its op
    plt.close(ax.figure)


def test_cell_ops_differ_by_line_style_not_colour_alone():
    pools, convs = ("max_pool_3x3", "avg_pool_3x3"), ("sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")
    families = {op_style(p) for p in pools} | {op_style(c) for c in convs} | {op_style("skip_connect")}
    assert len(families) == 3 and op_style("max_pool_3x3") != op_style("sep_conv_3x3") != op_style("skip_connect")
    g = Genotype(normal=[[("avg_pool_3x3", 0), ("sep_conv_3x3", 1)], [("skip_connect", 0), ("max_pool_3x3", 2)]],
                 reduce=[[("max_pool_3x3", 0), ("max_pool_3x3", 1)]] * 2)
    ax = plot_cell(g, "normal")
    edges = [p for p in ax.patches if p.get_zorder() == 1]  # the 4 op edges, in genotype order
    assert [p.get_linestyle() for p in edges] == ["dashed", "solid", "dotted", "dashed"]  # avg3, sep3, skip, max3
    plt.close(ax.figure)


def test_alpha_plots(result):
    trace = result.alpha_trace("normal")
    axes = plot_alpha_per_edge(trace, PRIMITIVES, epoch=1)
    assert len(axes) == 5 and axes[0].images[0].get_array().shape == (8, 3)  # ops x epochs
    assert all(ax.get_xlabel() == "epoch" for ax in axes)  # one x label per panel
    assert all(t.get_fontsize() >= 8 for ax in axes for t in ax.get_yticklabels() + ax.get_xticklabels())
    plt.close(axes[0].figure)
    ax = plot_alpha(trace[-1], PRIMITIVES)
    np.testing.assert_allclose(ax.images[0].get_array(), trace[-1])
    assert len(ax.texts) == trace[-1].size
    plt.close(ax.figure)


def test_curves_and_bars(result):
    ax = plot_skip_counts(result.history, max_skip=1, kept_epoch=1)
    assert list(ax.lines[0].get_xdata()) == [1, 2]  # epoch 0 (untrained alpha) is left out
    assert not ax.patches  # no warm-up, no shading
    ax = plot_skip_counts(result.history, max_skip=1, warmup_epochs=1)
    (span,) = ax.patches  # epochs 1..warmup shaded, from 0.5 to warmup + 0.5
    xs = [float(x) for x, _ in span.get_path().transformed(span.get_patch_transform()).vertices]
    assert (min(xs), max(xs)) == (0.5, 1.5) and "warm-up" in ax.get_legend_handles_labels()[1][0]
    ax = plot_search_curves(result.history, retrained={"retrained": 0.5})
    assert list(ax.lines[0].get_ydata()) == result.column("supernet_val_acc")
    ax = plot_retrain_comparison({"a": [0.5, 0.6], "b": [0.4]})
    assert len(ax.collections) >= 2
    costs = [{"label": "first", "seconds_per_step": 1.0, "cpu_seconds_per_step": 2.0},
             {"label": "second", "seconds_per_step": 2.5, "cpu_seconds_per_step": 6.0}]
    ax = plot_step_costs(costs)  # CPU seconds by default: the ratio the notebook quotes
    assert [p.get_height() for p in ax.patches] == [2.0, 6.0] and ax.get_ylabel() == "CPU seconds per search step"
    assert "(3.0x)" in " ".join(t.get_text() for t in ax.texts)
    ax = plot_step_costs(costs, key="seconds_per_step")
    assert [p.get_height() for p in ax.patches] == [1.0, 2.5] and ax.get_ylabel().startswith("wall")
    ax = plot_toy_bilevel({"first": toy_trajectory(0.0, steps=5)})
    assert ax.lines[1].get_xdata()[0] == 2.0  # the path starts at α = 2
    plt.close("all")


def test_toy_figure_changes_with_xi():
    images = []
    for xi in (0.3, 0.35):
        fig = plt.figure(figsize=(8, 3))
        draw_toy(fig, xi=xi, steps=40)
        images.append(png(fig))
    assert images[0] != images[1]


def test_widgets_build_and_draw(result):
    assert toy_panel(xi=0.2, steps=40).children  # a VBox: title, controls, output
    assert epoch_panel(result).children
    fig = plt.figure(figsize=(8, 3))
    draw_epoch(fig, result, epoch=1, kind="reduce")
    assert len(fig.axes) >= 2
    plt.close(fig)
    live = LiveAlpha(enabled=False)
    live(result)
    assert live.result is result and live.handle is None
