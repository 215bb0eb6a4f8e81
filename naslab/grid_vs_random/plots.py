"""Plots of notebook 01: grid vs random trials with axis projections, the lr x wd heatmap, anytime curves.

* `plot_trials_with_projections`: Bergstra & Bengio's Fig. 1. Trials on a 2-D landscape, with each
  axis' projection beside the plot: the marginal effect g(x) on top, h(y) on the right, and a tick
  for every distinct value the trials tried. A 3x3 grid tries 3 values of x; 9 random trials try 9.
* `plot_landscape_heatmap`: validation accuracy of the 6x6 grid on log axes (one cell per decade),
  diverged cells crossed out; `plot_points_on_landscape` overlays other trials (random search).
* `plot_anytime`: best-so-far against trials or seconds, median (or mean) line and spread band per searcher.
* `plot_hit_probability`: P(at least one of n trials in the top q) = 1 - (1 - q)^n.

Pure functions: data in, `Axes` out. Taught in: notebooks/01_grid_vs_random_search.ipynb.
"""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np

from naslab.plots import PALETTE, get_ax

__all__ = ["plot_trials_with_projections", "plot_landscape_heatmap", "plot_points_on_landscape", "plot_anytime",
           "plot_hit_probability", "SEARCH_COLORS"]

SEARCH_COLORS = {"grid": PALETTE[0], "random": PALETTE[1]}


def plot_trials_with_projections(x, y, *, f=None, g=None, h=None, ax=None, color=PALETTE[0], title=None,
                                 best=True):
    """Trials (x_i, y_i) on [0, 1]^2 over the landscape f, with the projections onto each axis.

    Args:
        x, y: (n,) trial coordinates in [0, 1].
        f: f(X, Y) on a mesh, drawn as filled contours (optional).
        g, h: the marginal effects g(x) and h(y), drawn above and to the right (optional).
        best: star the trial with the highest f (needs f).
    Returns:
        the main Axes; `ax` (if given) becomes an invisible frame holding it and the two projections.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    box = get_ax(ax, figsize=(4.8, 4.8))
    box.set_axis_off()  # the given Axes becomes a frame holding the plot and its two projections
    ax = box.inset_axes([0.0, 0.0, 0.74, 0.72])
    top = box.inset_axes([0.0, 0.76, 0.74, 0.2], sharex=ax)
    right = box.inset_axes([0.78, 0.0, 0.2, 0.72], sharey=ax)
    t = np.linspace(0, 1, 201)
    if f is not None:
        XX, YY = np.meshgrid(t, t)
        ax.contourf(XX, YY, f(XX, YY), levels=14, cmap="Greys", alpha=0.55)
    ax.scatter(x, y, s=60, color=color, edgecolor="white", linewidth=1.2, zorder=3)
    if best and f is not None and len(x):
        i = int(np.argmax(f(x, y)))
        ax.scatter(x[i], y[i], s=260, marker="*", color=PALETTE[3], edgecolor="white", zorder=4, label="best trial")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x  (important)", ylabel="y  (unimportant)")
    if g is not None:
        top.plot(t, g(t), color="0.3", lw=1.5)
    if h is not None:
        right.plot(h(t), t, color="0.3", lw=1.5)
    if g is not None and h is not None:  # one scale for both effects, so their sizes compare
        lo = min(0.0, float(np.min(g(t))), float(np.min(h(t))))
        hi = max(float(np.max(g(t))), float(np.max(h(t)))) * 1.08
        top.set_ylim(lo, hi)
        right.set_xlim(lo, hi)
    for xi in np.unique(x):
        top.axvline(xi, color=color, lw=1.5, alpha=0.8)
    for yi in np.unique(y):
        right.axhline(yi, color=color, lw=1.5, alpha=0.8)
    top.set_title(title or "", fontsize=11, loc="left")
    top.text(0.99, 0.92, f"{len(np.unique(x))} distinct x", transform=top.transAxes, ha="right", va="top",
             fontsize=9, color=color, fontweight="bold")
    right.set_title(f"{len(np.unique(y))} distinct y", fontsize=9, color=color, fontweight="bold")
    for a in (top, right):
        a.tick_params(labelbottom=False, labelleft=False, bottom=False, left=False)
        for side in ("top", "right"):
            a.spines[side].set_visible(False)
    return ax


def _edges(values):
    """Cell edges half a decade either side of log-spaced values."""
    e = np.log10(np.asarray(values, float))
    step = np.diff(e).mean() if len(e) > 1 else 1.0
    return 10.0 ** np.concatenate([e - step / 2, [e[-1] + step / 2]])


def plot_landscape_heatmap(acc, lr_values, wd_values, *, diverged=None, ax=None, annotate=True, vmin=None,
                           vmax=None, cmap="viridis", colorbar=True, title=None):
    """Validation accuracy of an lr x weight-decay grid on log axes; diverged cells crossed out.

    Args:
        acc: (n_lr, n_wd) accuracies, rows = learning rate, columns = weight decay.
        lr_values, wd_values: the grid values (log-spaced, ascending).
        diverged: (n_lr, n_wd) bool, marked with a cross and "div".
    """
    acc = np.asarray(acc, float)
    ax = get_ax(ax, figsize=(5.5, 4.5))
    mesh = ax.pcolormesh(_edges(wd_values), _edges(lr_values), acc, cmap=cmap, vmin=vmin, vmax=vmax,
                         shading="flat", edgecolors="white", linewidth=0.6)
    ax.set(xscale="log", yscale="log", xlabel="weight decay", ylabel="learning rate")
    ax.set_xticks(wd_values, [f"{v:g}" for v in wd_values])
    ax.set_yticks(lr_values, [f"{v:g}" for v in lr_values])
    ax.minorticks_off()
    lo, hi = np.nanmin(acc), np.nanmax(acc)
    for i, lr in enumerate(lr_values):
        for j, wd in enumerate(wd_values):
            if diverged is not None and np.asarray(diverged)[i, j]:
                ax.scatter(wd, lr, marker="x", s=120, color="white", linewidth=2.2, zorder=3)
                ax.text(wd, lr * 1.8, "div", ha="center", va="center", fontsize=8, color="white")
            elif annotate:
                dark = (acc[i, j] - lo) < 0.5 * (hi - lo + 1e-12)
                ax.text(wd, lr, f"{acc[i, j]:.2f}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    if colorbar:
        plt.colorbar(mesh, ax=ax, label="validation accuracy", shrink=0.9)
    if title:
        ax.set_title(title)
    return ax


def plot_points_on_landscape(lr, wd, *, acc=None, ax=None, color=SEARCH_COLORS["random"], label="random trials",
                             best=True, marker="o", size=46):
    """Overlay trials (lr_i, wd_i) on a heatmap's log axes; star the most accurate one.

    The legend goes above the axes (the colour bar holds the right side), off the heatmap's cells.
    """
    lr, wd = np.asarray(lr, float), np.asarray(wd, float)
    ax = get_ax(ax)
    ax.scatter(wd, lr, s=size, color=color, edgecolor="black", linewidth=0.8, marker=marker, zorder=4, label=label)
    if best and acc is not None and len(lr) and np.isfinite(np.asarray(acc, float)).any():
        i = int(np.nanargmax(np.asarray(acc, float)))
        ax.scatter(wd[i], lr[i], s=300, marker="*", color=PALETTE[3], edgecolor="white", linewidth=1.0, zorder=5,
                   label=f"best: {np.asarray(acc)[i]:.3f}")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=2, fontsize=9, frameon=False, borderaxespad=0)
    return ax


def plot_anytime(curves: dict, *, x=None, ax=None, spread: str = "std", center: str | None = None,
                 xlabel="number of trials", ylabel="best validation accuracy so far", colors=None,
                 show_runs: bool = False, ylim=None, reference: dict | None = None, xscale: str = "linear",
                 legend: str = "right"):
    """Best-so-far curve (median or mean over seeds) with a band per searcher; the legend sits beside the axes.

    Args:
        curves: name -> (seeds, points) array of best-so-far values (e.g. from `best_vs_trials`).
        x: the x values of the points (default 1, 2, ..., points).
        spread: the band: "std", "sem", "minmax" or "quartiles" (see `naslab.anytime.mean_and_spread`).
        center: the line, "median" or "mean". Default: the median with the quartile / min-max bands (a
            diverged seed drags the mean out of its own 25-75 % band), the mean with std / sem.
        show_runs: also draw every seed's curve, thin.
        reference: {label: y} horizontal dotted lines with their label in the legend (e.g. the best in the space).
        legend: "right" (beside the axes) or "below" (under the x label); never over the curves.
    """
    if legend not in ("right", "below"):
        raise ValueError(f"legend={legend!r} is unknown; allowed: ['right', 'below']")
    from naslab.anytime import mean_and_spread

    center = center or ("median" if spread in ("quartiles", "minmax") else "mean")
    if center not in ("median", "mean"):
        raise ValueError(f"center={center!r} is unknown; allowed: ['median', 'mean']")
    ax = get_ax(ax, figsize=(8.5, 4))  # wide: the legend sits beside the axes
    colors = colors or {}
    for i, (name, c) in enumerate(curves.items()):
        c = np.asarray(c, float)
        xs = np.arange(1, c.shape[1] + 1) if x is None else np.asarray(x)
        col = colors.get(name, SEARCH_COLORS.get(name, PALETTE[i % len(PALETTE)]))
        mid, lo, hi = mean_and_spread(c, spread=spread)
        if center == "median":
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (no trial yet) stay NaN
                mid = np.nanmedian(c, axis=0)
        if show_runs:
            ax.plot(xs, c.T, color=col, lw=0.6, alpha=0.25)
        ax.fill_between(xs, lo, hi, color=col, alpha=0.2, lw=0)
        band = {"std": "± std", "sem": "± sem", "minmax": "min–max", "quartiles": "25–75 %"}.get(spread, spread)
        ax.plot(xs, mid, color=col, lw=2.2, label=f"{name}: {center} of {c.shape[0]} seeds,\nband {band}")
    for j, (label, yv) in enumerate((reference or {}).items()):
        ax.axhline(yv, color="0.35", ls=(":", "-.", "--")[j % 3], lw=1.2, label=f"{label} ({yv:.3f})")
    ax.set(xlabel=xlabel, ylabel=ylabel, xscale=xscale)
    if xscale == "log":  # 1, 10, 100 rather than 10^0, 10^1, 10^2
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(alpha=0.3)
    if legend == "right":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=8, frameon=False)
    return ax


def plot_hit_probability(qs=(0.01, 0.05, 0.1), *, n_max: int = 100, target: float = 0.95, ax=None):
    """P(at least one of n random trials lands in the top q) = 1 - (1 - q)^n, for each q.

    Marks the smallest n reaching `target` for each q: n* = ceil(log(1 - target) / log(1 - q)).
    """
    ax = get_ax(ax)
    n = np.arange(0, n_max + 1)
    for i, q in enumerate(qs):
        col = PALETTE[i % len(PALETTE)]
        ax.plot(n, 1 - (1 - q) ** n, color=col, lw=2, label=f"top {q:.0%}")
        n_star = math.ceil(math.log(1 - target) / math.log(1 - q))
        if n_star <= n_max:
            ax.plot([n_star], [1 - (1 - q) ** n_star], "o", color=col)
            ax.annotate(f"n = {n_star}", (n_star, 1 - (1 - q) ** n_star), xytext=(0, -16), textcoords="offset points",
                        ha="center", color=col, fontsize=9, fontweight="bold")
    ax.axhline(target, color="0.4", ls="--", lw=1)
    ax.text(1, target + 0.01, f"{target:.0%}", color="0.3", fontsize=9, va="bottom")
    ax.set(xlabel="number of random trials n", ylabel="P(at least one trial in the top q)", ylim=(0, 1.02),
           xlim=(0, n_max))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return ax
