"""Widget of notebook 06: choose the simulated budget and the searchers, see the race up to there.

Everything comes from a finished `RaceResult` (the curves are stored on a time grid), so moving the
budget only slices the curves and bootstraps one column: a redraw takes well under a second.

Taught in: notebooks/06_nas_bakeoff.ipynb ("Explore").
"""

from __future__ import annotations

import numpy as np


def bakeoff_panel(result, *, statistic: str = "iqm", figsize=(12, 4.4)):
    """Slider (the simulated budget, log scale) + list (the searchers) -> regret curves up to the
    budget and the ranking at the budget, with 95 % bootstrap intervals.

    Args:
        result: a `naslab.bakeoff.race.RaceResult`.
        statistic: "iqm", "median" or "mean".
    """
    import ipywidgets as W

    from naslab.bakeoff.plots import plot_final_ranking, plot_regret_curves
    from naslab.bakeoff.stats import Rank, bootstrap_band, curve_bands
    from naslab.widgets import panel

    times = result.times
    bands = curve_bands(result, statistic=statistic, n_resamples=500)
    cache: dict = {}

    def ranking(k: int, names) -> list:
        rows = []
        for name in names:
            if (name, k) not in cache:
                r = result.regret[name][:, k]
                v, lo, hi = bootstrap_band(r, statistic=statistic, n_resamples=1000)
                cache[(name, k)] = Rank(name, float(v), float(lo), float(hi), float(np.mean(r <= 1e-12)))
            rows.append(cache[(name, k)])
        return sorted(rows, key=lambda row: (row.value, row.hi))

    def draw(fig, budget, searchers):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.3, 1])
        k = max(0, int(np.searchsorted(times, budget, side="right")) - 1)  # last grid point within the budget
        names = [n for n in result.names if n in searchers] or result.names[:1]
        sl = slice(0, max(k + 1, 2))  # at least two points to draw a line
        plot_regret_curves(times[sl], {n: tuple(b[sl] for b in bands[n]) for n in names}, ax=ax1,
                           statistic=statistic.upper(), title=f"budget {times[k]:,.0f} simulated CPU s")
        title = f"ranking at {times[k]:,.0f} s, {len(result.seeds)} seeds"
        plot_final_ranking(ranking(k, names), {n: result.regret[n][:, k] for n in names}, ax=ax2,
                           statistic=statistic.upper(), title=title)

    lo, hi = float(np.log10(times[0])), float(np.log10(times[-1]))
    controls = {
        "budget": W.FloatLogSlider(value=times[-1], base=10, min=lo, max=hi, step=(hi - lo) / 40,
                                   description="budget (simulated CPU s)", readout_format=",.0f"),
        "searchers": W.SelectMultiple(options=result.names, value=tuple(result.names), rows=len(result.names),
                                      description="searchers"),
    }
    return panel(draw, controls, figsize=figsize,
                 title="How far can each searcher get for a given budget? (ctrl/shift-click to pick searchers)")
