"""Widget of notebook 07: pick a proxy and a band of cells (accuracy quantiles), see the scatter and the correlation.

Everything comes from the shipped proxy table and the ground truth, aligned once, so a redraw only ranks
the band's cells (well under a second). The drawing is `naslab.signals.plots.plot_proxy_scatter`.

Taught in: notebooks/07_cheap_signals.ipynb ("Explore").
"""

from __future__ import annotations

import numpy as np


def draw_proxy(fig, scores: dict, truth, proxy: str, band) -> None:
    """The panel's drawing: `plot_proxy_scatter` of `proxy` with the band given in percentiles (lo, hi), 0..100."""
    from naslab.signals.plots import plot_proxy_scatter

    lo, hi = band
    plot_proxy_scatter(scores[proxy], truth, name=proxy, band=(lo / 100, hi / 100), ax=fig.add_subplot(),
                       title=f"{proxy}: the cells between the {lo}th and {hi}th accuracy percentile")


def proxy_panel(scores: dict, truth, *, figsize=(7.5, 4.6)):
    """Dropdown (the proxy) + range slider (the band of cells by test-accuracy quantile) -> the scatter of the
    proxy against the truth with Spearman ρ and Kendall τ inside the band.

    Args:
        scores: proxy name -> (n_cells,) scores (higher = predicted better), aligned with `truth`.
        truth: (n_cells,) test accuracy of every cell.
    """
    import ipywidgets as W

    from naslab.widgets import panel

    if not scores:
        raise ValueError("proxy_panel needs at least one proxy's scores")
    truth = np.asarray(truth, dtype=float)
    bad = [n for n, s in scores.items() if np.shape(s) != truth.shape]
    if bad:
        raise ValueError(f"scores of {bad} do not have the shape {truth.shape} of the truth")

    def draw(fig, proxy, band):
        draw_proxy(fig, scores, truth, proxy, band)

    controls = {
        "proxy": W.Dropdown(options=list(scores), value=next(iter(scores)), description="proxy"),
        "band": W.IntRangeSlider(value=(0, 100), min=0, max=100, step=5, description="accuracy percentiles"),
    }
    return panel(draw, controls, figsize=figsize,
                 title="Does the proxy still rank the cells inside a band of accuracy? (try the top 10 %: 90-100)")


__all__ = ["draw_proxy", "proxy_panel"]
