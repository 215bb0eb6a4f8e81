"""Plots of notebook 03: learning curves, the ladder of evaluation strategies, proxy-vs-truth scatters,
cost against rank correlation, "search small, evaluate big" and the supernet's cost.

Pure functions: data in, `Axes` out (a new figure when `ax=None`). The anytime curves of successive
halving against random search reuse `naslab.grid_vs_random.plots.plot_anytime` with a simulated time axis.

Taught in: notebooks/03_proxy_evaluation.ipynb.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from naslab.plots import PALETTE, get_ax
from naslab.proxies.kinds import PROXY_KINDS

__all__ = ["plot_learning_curves", "plot_ladder", "plot_proxy_scatter", "plot_cost_vs_rank", "plot_scaling",
           "plot_sharing_cost", "PROXY_COLORS"]

PROXY_COLORS = {kind: PALETTE[k.color] for kind, k in PROXY_KINDS.items()}  # one colour per kind, in every figure


def _color(kind: str | None, i: int = 0) -> str:
    return PROXY_COLORS.get(kind or "", PALETTE[i % len(PALETTE)])


def plot_learning_curves(curves, *, labels=None, fidelities=(1, 3, 9), ax=None, title=None):
    """Validation accuracy per epoch of a few architectures; dotted lines mark the fidelities.

    Args:
        curves: (n, E) accuracies, one row per architecture.
        labels: n legend labels (e.g. architecture keys), or None.
    """
    ax = get_ax(ax)
    curves = np.asarray(curves, float)
    epochs = np.arange(1, curves.shape[1] + 1)
    for i, c in enumerate(curves):
        ax.plot(epochs, c, "-o", ms=3, lw=1.6, color=PALETTE[i % len(PALETTE)],
                label=None if labels is None else labels[i])
    for f in fidelities:
        ax.axvline(f, color="0.6", ls=":", lw=1)
        ax.text(f, 1.0, f" {f} ep", transform=ax.get_xaxis_transform(), va="top", fontsize=8, color="0.3")
    ax.set(xlabel="epochs of training (fidelity)", ylabel="validation accuracy", title=title)
    if labels is not None:
        ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return ax


def plot_ladder(rows, *, ax=None, unit="CPU seconds to rank all candidates"):
    """The ladder of evaluation strategies: one bar per strategy, length proportional to its cost (a linear
    axis from 0 to just past the dearest), τ written beside each bar.

    Args:
        rows: dicts with "name", "seconds" (total cost) and optionally "kind" and "tau".
    """
    ax = get_ax(ax, figsize=(7, 0.45 * len(rows) + 1.2))
    rows = sorted(rows, key=lambda r: r["seconds"])
    y = np.arange(len(rows))
    top = max(r["seconds"] for r in rows)
    ax.barh(y, [r["seconds"] for r in rows], color=[_color(r.get("kind"), i) for i, r in enumerate(rows)],
            alpha=0.85)
    for i, r in enumerate(rows):
        note = f"  {r['seconds']:,.0f} s" + (f"   τ = {r['tau']:.2f}" if r.get("tau") is not None else "")
        ax.text(r["seconds"], i, note, va="center", fontsize=9)
    ax.set_yticks(y, [r["name"] for r in rows], fontsize=9)
    ax.set_xlim(0, top * 1.3)  # room for the "219 s   τ = 0.66" notes, no empty decade
    ax.set(xlabel=unit, title="The ladder of evaluation strategies (cheapest at the bottom)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_proxy_scatter(proxy_scores, full_scores, *, name="proxy", k: int | None = None, ax=None,
                       kind=None, diagonal: bool = True):
    """Proxy score against full-training accuracy, with Kendall τ and Spearman ρ in the title.

    The true top-k are ringed; the dashed diagonal y = x shows the gap between the two accuracies.
    """
    from naslab.proxies.ranking import kendall_tau, spearman_rho, top_k_overlap

    ax = get_ax(ax, figsize=(4.2, 4))
    p, f = np.asarray(proxy_scores, float), np.asarray(full_scores, float)
    k = k or max(1, len(f) // 10)
    ax.scatter(p, f, s=16, color=_color(kind), alpha=0.75, lw=0)
    top = np.argsort(-f, kind="stable")[:k]
    ax.scatter(p[top], f[top], s=60, facecolors="none", edgecolors="k", lw=1, label=f"true top-{k}")
    if diagonal:  # y = x without stretching the axes: where it is out of sight, the gap is large
        lims = ax.get_xlim(), ax.get_ylim()
        ax.axline((lims[0][0], lims[0][0]), slope=1, ls="--", color="0.6", lw=1, label="proxy = final (y = x)")
        ax.set(xlim=lims[0], ylim=lims[1])
    ax.set_title(f"{name}\nτ = {kendall_tau(p, f):.2f}   ρ = {spearman_rho(p, f):.2f}   "
                 f"top-{k} overlap = {top_k_overlap(p, f, k):.0%}", fontsize=9)
    ax.set(xlabel="proxy score (validation accuracy)", ylabel="full-training accuracy")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return ax


def plot_cost_vs_rank(rows, *, ax=None, highlight: str | None = None, ceiling: float | None = None):
    """Every proxy as one point: relative cost (log x) against Kendall τ with full training.

    Args:
        rows: dicts with "name", "fraction" (proxy cost / full-training cost), "tau", optional "kind".
        highlight: the name of a row to draw larger (the widget's current choice).
        ceiling: τ between two full trainings with different seeds (the best any proxy can hope for).
    """
    ax = get_ax(ax, figsize=(6, 4))
    pts = np.array([(np.log10(r["fraction"]), r["tau"]) for r in rows])  # (n, 2): where the dots are
    for i, r in enumerate(rows):
        big = r["name"] == highlight
        ax.scatter(r["fraction"], r["tau"], s=140 if big else 45, color=_color(r.get("kind"), i),
                   edgecolors="k" if big else "none", zorder=3)
        near = [j for j in range(len(rows)) if j != i and abs(pts[j, 0] - pts[i, 0]) < 0.25
                and abs(pts[j, 1] - pts[i, 1]) < 0.05]
        below = any(pts[j, 1] > pts[i, 1] for j in near)  # a close neighbour above: write below the dot
        ax.annotate(r["name"], (r["fraction"], r["tau"]), xytext=(6, -11 if below else 5),
                    textcoords="offset points", fontsize=8, fontweight="bold" if big else None)
    if ceiling is not None:
        ax.axhline(ceiling, color="0.4", ls="--", lw=1)
        ax.text(0.01, ceiling, "full training, another seed", transform=ax.get_yaxis_transform(), va="bottom",
                fontsize=8, color="0.3")
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi * 1.6)  # room for the labels of the dearest proxies
    ax.margins(y=0.12)
    ticks = [t for t in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0) if lo <= t <= hi * 1.6]
    ax.set_xticks(ticks, [f"{t:.1%}".replace(".0%", "%") for t in ticks])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set(xlabel="cost relative to full training (log scale)", ylabel="Kendall τ with full training",
           title="What a proxy costs and what ranking it buys")
    ax.grid(alpha=0.3, which="both")
    return ax


def plot_scaling(small, big, *, labels=None, ax=None):
    """Search small, evaluate big: each architecture's accuracy small (left) and big (right), joined."""
    from naslab.proxies.ranking import kendall_tau

    ax = get_ax(ax, figsize=(4.5, 4))
    small, big = np.asarray(small, float), np.asarray(big, float)
    best_small = int(np.argmax(small))
    for i, (a, b) in enumerate(zip(small, big)):
        col = PALETTE[3] if i == best_small else "0.55"
        ax.plot([0, 1], [a, b], "-o", color=col, lw=2.2 if i == best_small else 1, ms=4, alpha=0.9)
    ax.set_xticks([0, 1], ["searched (small)", "scaled up (big)"])
    ax.set_xlim(-0.3, 1.3)
    ax.set(ylabel="validation accuracy", title=f"Search small, evaluate big: τ = {kendall_tau(small, big):.2f}")
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_sharing_cost(costs: dict, *, ax=None):
    """Bars of total CPU seconds: e.g. {"train every candidate alone": s1, "supernet (train + evaluate all)": s2}."""
    ax = get_ax(ax, figsize=(6, 2.2))
    names, vals = list(costs), [costs[n] for n in costs]
    ax.barh(names, vals, color=[PALETTE[7], PALETTE[3], PALETTE[0]][: len(vals)], alpha=0.85)
    for i, v in enumerate(vals):
        ax.text(v, i, f"  {v:,.0f} s ({vals[0] / v:.0f}x cheaper)" if i else f"  {v:,.0f} s", va="center", fontsize=8)
    ax.set_xlim(right=max(vals) * 1.5)
    ax.set(xlabel="CPU seconds", title="Parameter sharing: the cost of ranking every candidate")
    ax.grid(axis="x", alpha=0.3)
    return ax
