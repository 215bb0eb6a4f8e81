"""Plots of the bake-off: regret curves with bootstrap bands, the final ranking, one search's trace, DARTS
against the truth and its two orders side by side, the table's seed-vs-seed noise.

Pure functions: data in, a matplotlib `Axes` out (`ax=None` makes a new figure); no text under 8 pt.
Searchers keep the same colour and line style in every plot (`style(name)`), so the curves can be
told apart without colour too.

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""

from __future__ import annotations

import numpy as np

from naslab.plots import PALETTE, get_ax

__all__ = ["plot_regret_curves", "plot_final_ranking", "plot_search_trace", "plot_darts_vs_truth", "plot_order_gap",
           "plot_seed_vs_seed", "style"]

ORDER = ("random", "evolution", "local search", "REINFORCE", "successive halving", "hyperband")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))
FONT = 9


def style(name: str, names=ORDER) -> dict:
    """Colour and line style of a searcher (known names keep theirs; new ones take the next free slot)."""
    names = list(names) + ([name] if name not in names else [])
    i = names.index(name)
    return {"color": PALETTE[i % len(PALETTE)], "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def plot_regret_curves(times, bands: dict, *, ax=None, statistic: str = "IQM", percent: bool = True,
                       budget: float | None = None, title: str | None = None):
    """Test regret of the incumbent against simulated CPU seconds, one line and band per searcher.

    Args:
        times: (T,) simulated seconds.
        bands: name -> (center, lower, upper), each (T,) (from `naslab.bakeoff.stats.curve_bands`).
        statistic: the name of the center, for the y label.
        percent: show regret in percentage points (x 100).
        budget: draw a vertical line at this time (e.g. the widget's budget).
    """
    ax = get_ax(ax, figsize=(7, 4.2))
    k = 100.0 if percent else 1.0
    for name, (c, lo, hi) in bands.items():
        st = style(name)
        ax.plot(times, k * np.asarray(c), label=name, lw=2, **st)
        ax.fill_between(times, k * np.asarray(lo), k * np.asarray(hi), color=st["color"], alpha=0.15, lw=0)
    ax.set_xscale("log")
    ax.set_xlabel("simulated CPU seconds spent (log scale)", fontsize=FONT)
    unit = "percentage points" if percent else "accuracy"
    ax.set_ylabel(f"test regret of the incumbent ({unit})\n{statistic} over seeds, 95 % bootstrap band", fontsize=FONT)
    ax.set_ylim(bottom=0)
    if budget is not None:
        ax.axvline(budget, color="0.3", lw=1, ls=":")
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper right", frameon=True)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_final_ranking(rows, finals: dict | None = None, *, ax=None, statistic: str = "IQM", percent: bool = True,
                       title: str | None = None):
    """The final regret of each searcher: its statistic with the 95 % interval, best at the top, and
    (with `finals`: name -> (n_seeds,) final regrets) every seed as a small grey dot.

    Args:
        rows: `naslab.bakeoff.stats.Rank` rows, best first (from `final_ranking`).
    """
    ax = get_ax(ax, figsize=(6, 0.5 * len(rows) + 1.2))
    k = 100.0 if percent else 1.0
    rng = np.random.default_rng(0)
    for y, row in enumerate(rows):
        st = style(row.name)
        if finals is not None and row.name in finals:
            f = k * np.asarray(finals[row.name])
            ax.scatter(f, y + 0.25 * (rng.random(len(f)) - 0.5), s=8, color="0.6", zorder=1)
        ax.errorbar(k * row.value, y, xerr=[[k * (row.value - row.lo)], [k * (row.hi - row.value)]], fmt="o",
                    color=st["color"], ms=7, capsize=4, lw=2, zorder=3)
        ax.text(k * row.hi, y - 0.3, f" {k * row.value:.2f} [{k * row.lo:.2f}, {k * row.hi:.2f}]", fontsize=8,
                va="center", color="0.2")
    ax.set_yticks(range(len(rows)), [r.name for r in rows], fontsize=FONT)
    ax.invert_yaxis()  # best at the top
    unit = "percentage points" if percent else "accuracy"
    ax.set_xlabel(f"final test regret ({unit}): {statistic} and 95 % bootstrap interval; dots = seeds", fontsize=FONT)
    ax.set_xlim(left=min(0, ax.get_xlim()[0]))
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, axis="x")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_search_trace(traces: dict, *, best: float | None = None, ax=None, title: str | None = None):
    """What a few searchers evaluated, trial by trial: each trial's validation accuracy (dots) and the
    best so far (line), against the simulated seconds spent.

    Args:
        traces: name -> (seconds (n,), val_acc (n,)) of one run.
        best: draw the table's best validation accuracy as a labelled dotted line.
    """
    ax = get_ax(ax, figsize=(7, 4))
    for name, (sec, val) in traces.items():
        st = style(name)
        t, v = np.cumsum(sec), np.asarray(val, dtype=float)
        ax.scatter(t, v, s=10, color=st["color"], alpha=0.45, lw=0)
        ax.plot(t, np.fmax.accumulate(v), lw=2, label=f"{name}: best so far", **st)
    if best is not None:
        ax.axhline(best, color="0.3", ls=":", lw=1)
        ax.text(ax.get_xlim()[0], best, " best cell in the table", fontsize=8, va="bottom", color="0.3")
    ax.set_xlabel("simulated CPU seconds spent", fontsize=FONT)
    ax.set_ylabel("validation accuracy of each trial", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_darts_vs_truth(runs: dict, n_cells: int, *, reference: dict | None = None, ax=None, title: str | None = None):
    """Where DARTS's derived cell ranks in the ground truth after each search epoch (1 = the best cell).

    Args:
        runs: label -> the per-epoch records of a DARTS search (`DartsTableResult.history`: dicts with
            "epoch", "rank" and "n_parameter_free").
        n_cells: the number of distinct cells ranked (the worst possible rank).
        reference: label -> a rank to draw as a dotted horizontal line (e.g. a searcher's median).
    """
    ax = get_ax(ax, figsize=(7, 4))
    for i, (label, hist) in enumerate(runs.items()):
        ep = [h["epoch"] for h in hist]
        rank = [h["rank"] for h in hist]
        ax.plot(ep, rank, marker="o", ms=4, lw=1.5, color=PALETTE[i % len(PALETTE)],
                linestyle=LINESTYLES[i % len(LINESTYLES)], label=label)
        last = hist[-1]
        ax.annotate(f"{last['n_parameter_free']}/6 param.-free", (ep[-1], rank[-1]), textcoords="offset points",
                    xytext=(4, 0), fontsize=8, va="center", color=PALETTE[i % len(PALETTE)])
    for label, r in (reference or {}).items():
        ax.axhline(r, color="0.3", lw=1, ls=":")
        ax.text(ax.get_xlim()[0], r, f" {label}", fontsize=8, va="bottom", color="0.3")
    ax.set_yscale("log")
    ax.set_ylim(n_cells * 1.2, 0.8)  # best (rank 1) at the top
    return _finish(ax, "DARTS search epoch", f"true rank of the derived cell\n(1 = best of {n_cells:,}, log scale)",
                   title, "lower left", "both")


def _finish(ax, xlabel: str, ylabel: str, title: str | None, legend: str, grid: str = "major"):
    """Labels, ticks, grid, legend and title at the module's font sizes."""
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, which=grid)
    ax.legend(fontsize=8, loc=legend)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_order_gap(gaps: dict, margins: dict, differ: dict | None = None, *, ax=None, title: str | None = None):
    """First vs second order DARTS, epoch by epoch: how far apart their softmax(alpha) are, against how far
    apart the top two ops of an edge are (a cell changes only when the gap beats the margin).

    Args:
        gaps: label -> (E,) largest |softmax(alpha_first) - softmax(alpha_second)| after each epoch.
        margins: label -> (E,) median over edges of top-1 minus top-2 softmax weight (first order).
        differ: label -> (E,) bools, True where the two orders derive different cells (marked with x).
    """
    ax = get_ax(ax, figsize=(7, 3.5))
    for i, label in enumerate(gaps):
        c = PALETTE[i % len(PALETTE)]
        ep = np.arange(1, len(gaps[label]) + 1)
        ax.plot(ep, gaps[label], marker="o", ms=4, lw=1.5, color=c, label=f"{label}: gap between the orders")
        ax.plot(ep, margins[label], lw=1.5, ls="--", color=c, label=f"{label}: median top-2 margin")
        d = np.asarray((differ or {}).get(label, np.zeros(len(ep), bool)), bool)
        if d.any():
            ax.plot(ep[d], np.asarray(gaps[label])[d], "x", ms=9, mew=2, color="k")
    if differ and any(np.any(v) for v in differ.values()):
        ax.plot([], [], "x", ms=9, mew=2, color="k", label="the orders derive different cells")
    ax.set_yscale("log")
    return _finish(ax, "DARTS search epoch", "softmax(alpha) weight (log)", title, "best", "both")


def plot_seed_vs_seed(acc_a, acc_b, *, top: int = 50, labels=("seed 0", "seed 1"), ax=None, title: str | None = None):
    """Test accuracy of every distinct cell under one training seed against another (%), the diagonal, and
    the `top` cells by mean accuracy highlighted: how much one training run tells about another.

    Args:
        acc_a, acc_b: (n,) accuracies in [0, 1] of the same cells under two seeds.
    """
    a, b = 100 * np.asarray(acc_a, float), 100 * np.asarray(acc_b, float)
    ax = get_ax(ax, figsize=(5, 5))
    best = np.argsort(-(a + b))[:top]
    ax.scatter(a, b, s=4, color="0.6", alpha=0.5, lw=0, label="all distinct cells")
    ax.scatter(a[best], b[best], s=10, color=PALETTE[1], lw=0, label=f"the top {top} by mean")
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    ax.plot([lo, hi], [lo, hi], color="k", lw=1, ls=":", label="same accuracy")
    return _finish(ax, f"test accuracy, {labels[0]} (%)", f"test accuracy, {labels[1]} (%)", title, "upper left")
