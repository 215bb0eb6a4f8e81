"""naslab.controller.plots and naslab.controller.widgets on the Agg backend, with small fixture data."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from naslab.controller import plots as P  # noqa: E402
from naslab.controller.children import Comparison  # noqa: E402
from naslab.controller.macro_space import MacroSpace  # noqa: E402
from naslab.controller.toy import TOY_DECISIONS, exact_gradient, reinforce_samples, run_toy  # noqa: E402
from naslab.controller.widgets import draw_microscope, draw_search, microscope_panel, search_panel  # noqa: E402
from naslab.trial import Trial  # noqa: E402

SPACE = MacroSpace(n_layers=3, filters=(4, 8), kernels=(3, 5), strides=(1, 2))


def _comparison(n=6, seeds=2):
    rng = np.random.default_rng(0)
    trials = {}
    for m in ("controller", "random"):
        trials[m] = [[Trial(config={"tokens": SPACE.encode(SPACE.sample(rng))}, metrics={"val_acc": float(a)})
                      for a in rng.uniform(0.5, 0.9, n)] for _ in range(seeds)]
    return Comparison(trials=trials)


def test_gradient_plots_draw_the_data():
    logits, R = torch.tensor([0.1, 0.2, -0.3]), torch.tensor([0.2, 0.5, 0.9])
    _, g = reinforce_samples(logits, R, 500)
    ax = P.plot_gradient_check(exact_gradient(logits, R), g)
    assert len(ax.patches) == 3 and ax.get_legend() is not None
    ax = P.plot_running_estimate({"b = 0": g, "b = 0.5": reinforce_samples(logits, R, 500, baseline=0.5)[1]},
                                 exact_gradient(logits, R), coord=2)
    assert len(ax.lines) == 3 and np.allclose(ax.lines[0].get_ydata()[-1], g[:, 2].mean())
    plt.close("all")


def test_microscope_and_search_plots():
    hist = run_toy(updates=5)
    axes = P.plot_microscope(hist, TOY_DECISIONS)
    assert len(axes) == len(TOY_DECISIONS) + 1
    assert len(axes[-1].lines) >= 3
    cmp = _comparison()
    from naslab.anytime import best_vs_trials

    ax = P.plot_best_so_far_curves({m: best_vs_trials(r) for m, r in cmp.trials.items()})
    assert len(ax.lines) == 2 and (np.diff(ax.lines[0].get_ydata()) >= 0).all()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "min–max over seeds" in " ".join(legend) and "mean of" in legend[0]  # the band is explained
    assert ax.get_ylabel() == "best validation accuracy so far"  # words, not `val_acc`
    ax = P.plot_sampled_accuracies(cmp.trials)
    dots = [c for c in ax.collections if c.get_offsets().size]
    assert len(dots) >= 2 and len({tuple(c.get_paths()[0].vertices.round(3).ravel()) for c in dots}) == len(dots)
    assert "val_acc" not in ax.get_ylabel()
    plt.close("all")


@pytest.mark.parametrize("skips", [True, False])
def test_plot_architecture_draws_one_box_per_layer_and_skip_arcs(skips):
    space = MacroSpace(n_layers=4, skips=skips, pools=("none", "max"))
    key = "8-3-2-max|8-3-1-none|16-5-2-none+0|32-7-1-max+0,1"
    arch = space.parse(key if skips else key.replace("max", "none").replace("+0,1", "").replace("+0", ""))
    ax = P.plot_architecture(arch, shapes=space.shapes(arch, (1, 40)))
    boxes = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]
    arcs = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(boxes) == 4 + 2 and len(arcs) == (3 if skips else 0)
    assert any("max" in t.get_text() for t in ax.texts) == skips
    plt.close("all")


def test_widgets_build_and_draw():
    fig = plt.figure()
    draw_microscope(fig, lr=0.03, baseline=False, entropy_weight=0.01, updates=4)
    assert len(fig.axes) >= 4 and "baseline off" in fig._suptitle.get_text()
    fig = plt.figure()
    cmp = _comparison()
    draw_search(fig, cmp, SPACE, n=3, seed_index=1)
    assert len(fig.axes) == 3
    microscope_panel(updates=4)
    box = search_panel(cmp, SPACE)
    assert box.children
    plt.close("all")
