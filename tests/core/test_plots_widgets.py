import matplotlib
import numpy as np
import pytest
import torch

from naslab import plots as P


def test_every_core_plot_returns_axes_with_content():
    X = torch.randn(12, 1, 8, 8)
    y = torch.arange(12) % 10
    ax = P.plot_images(X, y, ncols=5)
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.images) == 1 and len(ax.texts) == 12
    ax = P.plot_signals(torch.randn(8, 1, 40), y[:8], n=4)
    assert len(ax.lines) == 4
    ax = P.plot_sample(X[0], 3)
    assert ax.get_title() == "label = 3"
    ax = P.plot_sample(torch.randn(1, 40), 7)
    assert len(ax.lines) == 1
    ax = P.plot_nas_framework(highlight="strategy")
    assert {"Search strategy"} <= {t.get_text() for t in ax.texts}


def test_loss_curve_smooths_and_marks_divergence():
    ax = P.plot_loss_curve([4.0, 2.0, 0.0, 2.0, float("nan")], smooth=2)
    xs, ys = ax.lines[0].get_data()
    assert list(xs[:3]) == [2, 3, 4] and list(ys[:3]) == [3.0, 1.0, 1.0]
    assert len(ax.lines) == 2  # the x on the last finite point
    assert ax.lines[1].get_data()[0][0] == 4


def test_plots_draw_into_a_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert P.plot_signals(np.zeros((2, 40)), ax=ax) is ax


def test_panel_wires_controls_to_the_draw_function():
    W = pytest.importorskip("ipywidgets")
    from naslab.widgets import OUTPUT_CLASS, PROBE_CLASS, panel

    calls = []

    def draw(fig, n, kind):
        calls.append((n, kind))
        P.plot_signals(np.zeros((n, 40)), ax=fig.add_subplot())

    slider, dd = W.IntSlider(value=2, min=1, max=5), W.Dropdown(options=["a", "b"])
    box = panel(draw, {"n": slider, "kind": dd}, title="demo")
    assert PROBE_CLASS in slider._dom_classes and PROBE_CLASS not in dd._dom_classes
    assert OUTPUT_CLASS in box.children[-1]._dom_classes
    assert slider.continuous_update is False
    slider.value = 4
    dd.value = "b"
    assert calls[-2:] == [(4, "a"), (4, "b")]
    with pytest.raises(ValueError, match="at least one control"):
        panel(draw, {})


def test_panel_display_carries_its_first_figure_for_readers_without_a_kernel():
    W = pytest.importorskip("ipywidgets")
    import base64

    from naslab.widgets import panel

    def draw(fig, n):
        P.plot_signals(np.zeros((n, 40)), ax=fig.add_subplot())

    slider = W.IntSlider(value=2, min=1, max=5)
    box = panel(draw, {"n": slider}, title="demo")
    data = box._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # a live kernel still gets the widget
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "VBox" not in data["text/plain"] and "demo" in data["text/plain"]
    first = data["image/png"]
    slider.value = 5
    assert box._repr_mimebundle_()["image/png"] == first, "the fallback is the first figure"
