"""Plots of notebook 08: timing runs, a live sample against the shipped table, latency models, the exact
Pareto front with its hypervolume, the searchers' share of it, and the best cell under a latency budget.

Pure functions: data in, a matplotlib `Axes` out (`ax=None` makes a new figure); no text under 8 pt.
Latencies arrive in seconds and are drawn in milliseconds; errors arrive as fractions and are drawn in %.

Taught in: notebooks/08_hardware_aware.ipynb.
"""

from __future__ import annotations

import numpy as np

from naslab.plots import PALETTE, get_ax

FONT = 9
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _finish(ax, xlabel: str, ylabel: str, title: str | None, legend: bool = True):
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3, which="both")
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, frameon=True)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_run_times(runs: dict, *, warmup: int = 0, ax=None, title: str | None = None):
    """Each timed run in order (ms, log scale), one series per label; the first `warmup` runs hollow, the
    median of the rest as a line and its interquartile range as a band."""
    ax = get_ax(ax, figsize=(7, 3.6))
    for i, (label, t) in enumerate(runs.items()):
        t = 1e3 * np.asarray(t, dtype=float)
        c, x = PALETTE[i % len(PALETTE)], np.arange(1, len(t) + 1)
        rest = t[warmup:]
        q25, med, q75 = np.percentile(rest, [25, 50, 75])
        ax.plot(x[warmup:], rest, MARKERS[i % len(MARKERS)], color=c, ms=4, label=f"{label}: median {med:.3g} ms")
        if warmup:
            ax.plot(x[:warmup], t[:warmup], MARKERS[i % len(MARKERS)], mfc="none", color=c, ms=6)
        ax.axhline(med, color=c, lw=1)
        ax.axhspan(q25, q75, xmin=0, xmax=1, color=c, alpha=0.15, lw=0)
    if warmup:
        ax.axvline(warmup + 0.5, color="0.4", ls=":", lw=1)
        ax.text(warmup + 0.7, ax.get_ylim()[1], "warm-up ends", fontsize=8, va="top", color="0.3")
    ax.set_yscale("log")
    return _finish(ax, "run number", "milliseconds per forward pass (log)", title)


def plot_live_vs_shipped(shipped, measured, *, ax=None, title: str | None = None):
    """Latency measured now against the shipped table's (ms, log-log): y = x dashed, the median ratio dotted."""
    ax = get_ax(ax, figsize=(5, 4.2))
    a, b = 1e3 * np.asarray(shipped, dtype=float), 1e3 * np.asarray(measured, dtype=float)
    ratio = float(np.median(b / a))
    ax.plot(a, b, "o", ms=3, alpha=0.6, color=PALETTE[0], label=f"{len(a)} cells timed now")
    lim = np.array([min(a.min(), b.min()) * 0.8, max(a.max(), b.max()) * 1.25])
    ax.plot(lim, lim, "--", color="0.3", lw=1, label="same as the table")
    ax.plot(lim, ratio * lim, ":", color=PALETTE[3], lw=1.5, label=f"median ratio {ratio:.2f}")
    ax.set(xscale="log", yscale="log", xlim=lim, ylim=lim)
    return _finish(ax, "shipped table (ms, batch 1)", "this machine, now (ms, batch 1)", title)


def plot_models(preds: dict, y, *, ax=None, title: str | None = None):
    """Predicted against measured latency (ms, log-log) on held-out cells, one marker per model."""
    ax = get_ax(ax, figsize=(5.5, 4.4))
    t = 1e3 * np.asarray(y, dtype=float)
    for i, (name, p) in enumerate(preds.items()):
        ax.plot(t, 1e3 * np.asarray(p, dtype=float), MARKERS[i % len(MARKERS)], ms=3, alpha=0.45,
                color=PALETTE[i % len(PALETTE)], label=name)
    lim = np.array([t.min() * 0.8, t.max() * 1.25])
    ax.plot(lim, lim, "--", color="0.2", lw=1, label="perfect")
    ax.set(xscale="log", yscale="log", xlim=lim)
    return _finish(ax, "measured latency (ms)", "predicted latency (ms)", title)


def plot_front(error, cost, front, *, ref=None, cost_label: str = "latency (ms, batch 1)", cost_scale: float = 1e3,
               highlight: dict | None = None, ax=None, title: str | None = None):
    """Every cell (grey), the exact front as a staircase, the dominated area against `ref` shaded.

    Args:
        error, cost: (n,) test error (fraction) and cost of every cell; front: indices of the front.
        cost_scale: multiply the cost for display (1e3: seconds -> ms; 1 for #params).
        highlight: label -> index of a cell to mark (e.g. the best cell under a budget).
    """
    ax = get_ax(ax, figsize=(7, 4.4))
    e, c = 100 * np.asarray(error, dtype=float), cost_scale * np.asarray(cost, dtype=float)
    f = np.asarray(front)[np.argsort(c[front], kind="stable")]
    ax.plot(c, e, ".", color="0.75", ms=3, label=f"{len(e):,} cells")
    ax.step(c[f], e[f], where="post", color=PALETTE[0], lw=1.5)
    ax.plot(c[f], e[f], "o", color=PALETTE[0], ms=5, label=f"exact front ({len(f)} cells)")
    if ref is not None:
        r1, r2 = 100 * ref[0], cost_scale * ref[1]
        xs = np.concatenate([c[f], [r2]])
        ax.fill_between(xs, np.concatenate([e[f], [e[f][-1]]]), r1, step="post", color=PALETTE[0], alpha=0.15,
                        label="hypervolume (dominated area)")
        ax.plot([r2], [r1], "x", color="k", ms=8, mew=2, label="reference point")
    for i, (label, j) in enumerate((highlight or {}).items()):
        if j is not None:
            ax.plot(c[j], e[j], MARKERS[(i + 1) % len(MARKERS)], color=PALETTE[(i + 3) % len(PALETTE)], ms=9,
                    mfc="none", mew=2, label=label)
    return _finish(ax, cost_label, "test error (%)", title)


def plot_hv_fraction(rows, *, ceiling: float | None = None, ax=None, title: str | None = None):
    """IQM share of the exact front's hypervolume against trainings, with 95 % bootstrap intervals.

    Args:
        rows: `MORaceResult.summary()` (dicts with "searcher", "trainings", "iqm", "lo", "hi").
        ceiling: the noise ceiling (median share of a run that trains every cell once), drawn dotted.
    """
    ax = get_ax(ax, figsize=(7, 4.2))
    names = list(dict.fromkeys(r["searcher"] for r in rows))
    for i, name in enumerate(names):
        rs = sorted((r for r in rows if r["searcher"] == name), key=lambda r: r["trainings"])
        n = np.array([r["trainings"] for r in rs]) * (1 + 0.03 * (i - len(names) / 2))  # dodge the intervals
        v, lo, hi = (np.array([r[k] for r in rs]) for k in ("iqm", "lo", "hi"))
        ax.errorbar(n, v, yerr=[v - lo, hi - v], fmt=MARKERS[i % len(MARKERS)] + "-", color=PALETTE[i % len(PALETTE)],
                    capsize=3, ms=5, label=name)
    if ceiling is not None:
        ax.axhline(ceiling, color="0.3", ls=":", lw=1.2, label=f"noise ceiling {ceiling:.2f}")
    ax.set_xscale("log")
    ax.set_xticks(sorted({r["trainings"] for r in rows}), [str(t) for t in sorted({r["trainings"] for r in rows})])
    return _finish(ax, "trainings (table lookups)", "share of the exact front's hypervolume\nIQM, 95 % interval",
                   title)


def plot_budget(error, cost, front, budget: float, picks: dict, *, ax=None, title: str | None = None):
    """The exact front of (test error, latency), a latency budget, the best cell under it and each searcher's pick.

    Args:
        picks: searcher name -> index (into error/cost) of the cell it deploys under the budget, or None.
    """
    from naslab.hardware.deploy import best_under_budget

    ax = get_ax(ax, figsize=(7.5, 4.4))
    e, c = 100 * np.asarray(error, dtype=float), 1e3 * np.asarray(cost, dtype=float)
    f = np.asarray(front)[np.argsort(c[front], kind="stable")]
    ax.plot(c, e, ".", color="0.8", ms=3)
    ax.step(c[f], e[f], where="post", color="0.4", lw=1.2, label="exact front")
    ax.axvspan(1e3 * budget, c.max() * 1.05, color="0.85", alpha=0.5, lw=0)
    ax.axvline(1e3 * budget, color="k", lw=1.2)
    best = best_under_budget(error, cost, budget)
    if best is not None:
        ax.plot(c[best], e[best], "*", color="k", ms=14, label=f"best under budget: {e[best]:.1f} %")
    for i, (name, j) in enumerate(picks.items()):
        if j is not None:
            ax.plot(c[j], e[j], MARKERS[i % len(MARKERS)], color=PALETTE[i % len(PALETTE)], ms=8, mfc="none", mew=2,
                    label=f"{name}: {e[j]:.1f} %")
    ax.set_xlim(c.min() * 0.95, c.max() * 1.05)
    return _finish(ax, "latency (ms, batch 1)", "test error (%)", title)


__all__ = ["plot_run_times", "plot_live_vs_shipped", "plot_models", "plot_front", "plot_hv_fraction", "plot_budget"]
