"""Widget panels of notebook 05: the toy bilevel problem with a ξ slider, and an epoch scrubber for a search.

Both redraw from numbers that are cheap or already computed: the toy trajectories take a fraction of
a second (they run the same `unrolled_alpha_grad` as the real search), and the scrubber only reads the
per-epoch records of a finished `SearchResult`. `LiveAlpha` is the callback that redraws softmax(alpha)
per edge after every epoch of a running search. ipywidgets and IPython are imported lazily.

Taught in: notebooks/05_darts.ipynb (first panel, § a real search, § Explore).
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np

from naslab.darts.genotype import Genotype
from naslab.darts.plots import plot_alpha, plot_alpha_per_edge, plot_cell, plot_toy_bilevel
from naslab.darts.toy import bilevel_objective, fixed_point, toy_trajectory
from naslab.plots import PALETTE
from naslab.widgets import panel

__all__ = ["draw_toy", "toy_panel", "draw_epoch", "epoch_panel", "LiveAlpha"]


@lru_cache(maxsize=64)
def _path(xi: float, steps: int) -> np.ndarray:
    return toy_trajectory(round(float(xi), 4), steps=int(steps))


def draw_toy(fig, *, xi: float = 0.3, steps: int = 100) -> None:
    """Left: first- and second-order trajectories on the contours of L_val. Right: (α − 1)² over the steps."""
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.25, 1])
    paths = {"first order (ξ = 0)": _path(0.0, steps), f"second order (ξ = {xi:.2f})": _path(xi, steps)}
    plot_toy_bilevel(paths, ax=ax1, fixed_points={"first": fixed_point(0.0), "second": fixed_point(xi)})
    for i, (label, p) in enumerate(paths.items()):
        ax2.semilogy(np.maximum(bilevel_objective(p[:, 0]), 1e-12), color=PALETTE[i], lw=2, label=label)
    a_star = fixed_point(xi)[0]
    ax2.set(xlabel="iteration", ylabel=r"$L_{val}(w^*(\alpha),\alpha)=(\alpha-1)^2$", ylim=(1e-8, 20),
            title=f"fixed point α = 2/(1+2ξ) = {a_star:.3f}")
    ax2.legend(fontsize=8)


def toy_panel(*, xi: float = 0.3, steps: int = 100):
    """Slider for ξ (the virtual step of the one-step unroll) and the number of iterations."""
    import ipywidgets as W

    return panel(draw_toy, {
        "xi": W.FloatSlider(value=xi, min=0.0, max=1.0, step=0.05, description="ξ (virtual step)"),
        "steps": W.IntSlider(value=steps, min=20, max=300, step=20, description="iterations"),
    }, figsize=(11, 4.3), title="DARTS on the toy bilevel problem: first vs second order")


def draw_epoch(fig, result, *, epoch: int, kind: str = "normal") -> None:
    """softmax(α) of the `kind` cell at `epoch` (left) and the cell derived from it (right)."""
    h = result.history[min(max(int(epoch), 0), len(result.history) - 1)]
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.1])
    plot_alpha(h[f"weights_{kind}"], result.config.primitives, ax=ax1,
               title=f"epoch {h['epoch']}: softmax(α), {kind} cells")
    title = f"derived {kind} cell (skips: {Genotype.parse(h['genotype']).count('skip_connect', kind)})"
    plot_cell(Genotype.parse(h["genotype"]), kind, ax=ax2, title=title)


def epoch_panel(result):
    """Scrub through the epochs of a finished search; choose the normal or the reduction cell."""
    import ipywidgets as W

    last = len(result.history) - 1
    return panel(lambda fig, epoch, kind: draw_epoch(fig, result, epoch=epoch, kind=kind), {
        "epoch": W.IntSlider(value=last, min=0, max=last, description="epoch"),
        "kind": W.Dropdown(options=["normal", "reduce"], value="normal", description="cell"),
    }, figsize=(12, 4.2), title="the search, epoch by epoch")


class LiveAlpha:
    """A `run_darts(..., callback=LiveAlpha())` that redraws softmax(α) per edge over the epochs so far.

    Args:
        kind: "normal" or "reduce".
        enabled: False draws nothing (e.g. headless runs); `show()` then draws the final picture once.
    """

    def __init__(self, kind: str = "normal", *, enabled: bool = True):
        self.kind, self.enabled, self.handle, self.result = kind, enabled, None, None

    def _figure(self, result):
        fig = plt.figure(figsize=(9, 4.6), layout="constrained")
        h = result.history[-1]
        plot_alpha_per_edge(result.alpha_trace(self.kind), result.config.primitives, fig=fig,
                            title=f"{self.kind} cell, softmax(α) per edge: epoch {h['epoch']}, "
                                  f"supernet val acc {h['supernet_val_acc']:.3f}")
        return fig

    def __call__(self, result) -> None:
        self.result = result
        if not self.enabled:
            return
        from IPython.display import display

        fig = self._figure(result)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)

    def show(self, result=None):
        """Draw the final picture (use after a search run with `enabled=False`)."""
        fig = self._figure(result or self.result)
        plt.show()
        return fig
