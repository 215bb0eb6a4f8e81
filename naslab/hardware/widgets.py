"""Widget of notebook 08: a latency budget slider over the exact front and what each searcher deploys.

Everything is computed before the panel opens (the exact front, each searcher's observed front from one
run), so a redraw only looks up the best cell under the budget (`naslab.hardware.deploy`).

Taught in: notebooks/08_hardware_aware.ipynb ("Explore").
"""

from __future__ import annotations

import numpy as np


def budget_panel(error, cost, front, fronts: dict, *, to_row=None, figsize=(8.5, 4.6)):
    """Slider (latency budget, ms) -> the exact front, the best cell under the budget, each searcher's pick.

    Args:
        error, cost: (n,) test error and latency (s) of every distinct cell; front: indices of the exact front.
        fronts: searcher name -> `naslab.hardware.deploy.deployed(trials)` of one run (cell ids).
        to_row: cell id -> index into error/cost (default: the identity).
    """
    import ipywidgets as W

    from naslab.hardware.deploy import pick_under_budget
    from naslab.hardware.plots import plot_budget
    from naslab.widgets import panel

    to_row = to_row or (lambda i: i)
    c = np.asarray(cost, dtype=float)

    def draw(fig, budget_ms, searchers):
        ax = fig.subplots()
        b = budget_ms / 1e3
        picks = {}
        for name in searchers:
            cid = pick_under_budget(fronts[name], b)
            picks[name] = None if cid is None else to_row(cid)
        plot_budget(error, cost, front, b, picks, ax=ax, title=f"latency budget {budget_ms:.3f} ms: the best cell "
                    "(star) and what each searcher would deploy")

    lo, hi = float(1e3 * c.min()), float(1e3 * np.quantile(c, 0.99))
    names = tuple(fronts)
    controls = {
        "budget_ms": W.FloatSlider(value=float(1e3 * np.median(c)), min=lo, max=hi, step=(hi - lo) / 100,
                                   description="budget (ms)", readout_format=".3f"),
        "searchers": W.SelectMultiple(options=names, value=names, rows=len(names), description="searchers"),
    }
    return panel(draw, controls, figsize=figsize,
                 title="The best cell under a latency budget, and what each searcher found (ctrl/shift-click)")


__all__ = ["budget_panel"]
