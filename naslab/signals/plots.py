"""Plots of notebook 07: a proxy against the truth (any band of cells), the judge's table as intervals beside
the paper's anchors, the predictor lab's tau curves, the race at 50/150/300 trainings and its PI matrix.

Pure functions: data in, a matplotlib `Axes` out (`ax=None` makes a new figure); no text under 8 pt.

Taught in: notebooks/07_cheap_signals.ipynb.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from naslab.plots import PALETTE, get_ax

FONT = 9
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")

__all__ = ["band_rank", "plot_proxy_scatter", "plot_judge", "plot_tau_curves", "plot_race_iqm", "plot_pi_matrix"]


def band_rank(scores, truth, band=(0.0, 1.0)) -> dict:
    """{"index", "rho", "tau", "n"}: the cells whose truth lies between the `band` quantiles (0..1) and the
    signed Spearman ρ / Kendall τ of the scores against the truth inside it (NaN when fewer than 3 cells)."""
    s, t = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    lo, hi = float(band[0]), float(band[1])
    if not 0.0 <= lo < hi <= 1.0:
        raise ValueError(f"band={band!r} must be two quantiles 0 <= low < high <= 1")
    a, b = np.quantile(t, [lo, hi])
    idx = np.flatnonzero((t >= a) & (t <= b))
    if len(idx) < 3:
        return {"index": idx, "rho": math.nan, "tau": math.nan, "n": len(idx)}
    rs, rt = stats.rankdata(s[idx]), stats.rankdata(t[idx])
    return {"index": idx, "rho": float(stats.spearmanr(rs, rt).statistic),
            "tau": float(stats.kendalltau(rs, rt).statistic), "n": len(idx)}


def plot_proxy_scatter(scores, truth, *, name: str = "proxy", band=(0.0, 1.0), ax=None, title: str | None = None):
    """Every cell: the proxy's score as a percentile rank (x) against its test accuracy in % (y); the cells in
    the accuracy `band` (quantiles) are drawn dark, the others light, and ρ, τ inside the band are printed."""
    ax = get_ax(ax, figsize=(6, 4))
    s, t = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    x = 100 * (stats.rankdata(s) - 0.5) / len(s)  # percentile rank: -inf ranks lowest, ties share a rank
    r = band_rank(s, t, band)
    inside = np.zeros(len(t), bool)
    inside[r["index"]] = True
    ax.scatter(x[~inside], 100 * t[~inside], s=4, color="0.8", rasterized=True, label="other cells")
    ax.scatter(x[inside], 100 * t[inside], s=5, color=PALETTE[0], rasterized=True,
               label=f"band {band[0]:.0%}–{band[1]:.0%} of accuracy ({r['n']:,} cells)")
    ax.text(0.02, 0.97, f"inside the band: Spearman ρ {r['rho']:+.2f}, Kendall τ {r['tau']:+.2f}",
            transform=ax.transAxes, va="top", fontsize=FONT, bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
    ax.set_xlabel(f"{name}: percentile rank of the score (higher = predicted better)", fontsize=FONT)
    ax.set_ylabel("test accuracy (%, mean over training seeds)", fontsize=FONT)
    ax.legend(fontsize=FONT, loc="lower right")
    ax.tick_params(labelsize=FONT)
    ax.set_title(title or f"{name} against the truth", fontsize=FONT + 1)
    return ax


def plot_judge(rows: list, *, key: str = "rho", ax=None, title: str | None = None):
    """One row per proxy: the signed correlation `key` ("rho" or "tau") with its 95 % bootstrap interval, the
    paper's anchor (×) where there is one, and the noise ceiling (dashed) when `rows` holds it."""
    ax = get_ax(ax, figsize=(7, 4.5))
    rows = [r for r in rows if math.isfinite(r[key])]
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows):
        color = "0.5" if r["name"].startswith("ceiling") else PALETTE[0]
        lo, hi = r.get(f"{key}_lo", math.nan), r.get(f"{key}_hi", math.nan)
        if math.isfinite(lo):
            ax.plot([lo, hi], [yi, yi], color=color, lw=2)
        ax.plot(r[key], yi, "o", color=color)
        anchor = r.get("anchor_rho" if key == "rho" else "anchor_tau", math.nan)
        if math.isfinite(anchor):
            ax.plot(anchor, yi, "x", color=PALETTE[1], ms=8, mew=2)
    ax.plot([], [], "x", color=PALETTE[1], ms=8, mew=2, label="paper (NAS-Bench-201)")
    ax.plot([], [], "o-", color=PALETTE[0], label="here, 95 % bootstrap interval")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, [r["name"] for r in rows], fontsize=FONT)
    ax.set_xlabel(f"signed {'Spearman ρ' if key == 'rho' else 'Kendall τ'} with test accuracy", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=FONT, loc="lower right")
    ax.set_title(title or "Zero-cost proxies judged against every cell", fontsize=FONT + 1)
    return ax


def plot_tau_curves(out: dict, *, ax=None, title: str | None = None):
    """Kendall τ on held-out cells against the number of training cells (log x): one line per predictor and
    feature set (mean over seeds, the seeds' range as a band), from `naslab.signals.predictor_lab.tau_curve`."""
    ax = get_ax(ax, figsize=(6.5, 4))
    sizes = np.asarray(out["sizes"], dtype=float)
    for i, m in enumerate(out["models"]):
        for f, fs in enumerate(out["feature_sets"]):
            tau = out["tau"][i, f]  # (n_sizes, n_seeds)
            ls = "-" if f == 0 else "--"
            ax.plot(sizes, tau.mean(-1), ls, marker=MARKERS[i], color=PALETTE[i], label=f"{m}, {fs}")
            ax.fill_between(sizes, tau.min(-1), tau.max(-1), color=PALETTE[i], alpha=0.12)
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(int(n)) for n in sizes])
    ax.set_xlabel("training cells (evaluated architectures the predictor saw)", fontsize=FONT)
    ax.set_ylabel("Kendall τ on held-out cells", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=8, ncol=2 if len(out["feature_sets"]) > 1 else 1)
    ax.set_title(title or "How many evaluated cells does a predictor need?", fontsize=FONT + 1)
    return ax


def plot_race_iqm(out: dict, *, ax=None, title: str | None = None):
    """IQM test regret (points) of every searcher at each training count, with its 95 % interval (the output
    of `naslab.signals.race.signal_race`); the searchers are offset a little so the intervals do not overlap."""
    ax = get_ax(ax, figsize=(7, 4))
    t = np.asarray(out["trainings"], dtype=float)
    k = len(out["names"])
    for j, n in enumerate(out["names"]):
        x = t * (1 + 0.04 * (j - (k - 1) / 2))
        c = 100 * np.asarray(out["iqm"][n])
        err = [c - 100 * np.asarray(out["lo"][n]), 100 * np.asarray(out["hi"][n]) - c]
        ax.errorbar(x, c, yerr=err, marker=MARKERS[j % len(MARKERS)], color=PALETTE[j % len(PALETTE)], capsize=3,
                    label=n)
    ax.set_xscale("log")
    ax.set_xticks(t, [str(int(v)) for v in t])
    ax.set_xlabel("budget (full trainings of an average cell, simulated)", fontsize=FONT)
    ax.set_ylabel("IQM test regret (points)", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title(title or "The race: regret after 50, 150 and 300 trainings", fontsize=FONT + 1)
    return ax


def plot_pi_matrix(pi: dict, *, ax=None, title: str | None = None):
    """P(row beats column) for every pair of searchers (`naslab.signals.race.pi_matrix`), as a heatmap with the
    value in each square; a square is bold when its 95 % interval excludes 1/2."""
    ax = get_ax(ax, figsize=(6, 5))
    p, names = np.asarray(pi["p"]), list(pi["names"])
    ax.imshow(p, cmap="RdBu", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            sure = pi["lo"][i][j] > 0.5 or pi["hi"][i][j] < 0.5
            ax.text(j, i, f"{p[i, j]:.2f}", ha="center", va="center", fontsize=FONT,
                    fontweight="bold" if sure else "normal", color="white" if abs(p[i, j] - 0.5) > 0.3 else "black")
    ax.set_xticks(range(len(names)), names, rotation=40, ha="right", fontsize=FONT)
    ax.set_yticks(range(len(names)), names, fontsize=FONT)
    ax.set_xlabel("column: the other searcher", fontsize=FONT)
    ax.set_ylabel("row: P(this searcher ends lower)", fontsize=FONT)
    ax.set_title(title or "Probability of improvement (bold: interval excludes 0.5)", fontsize=FONT + 1)
    return ax
