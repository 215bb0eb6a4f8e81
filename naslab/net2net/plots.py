"""Plots of notebook 04: weight matrices before / after Net2Net, student curves, EAS progress and tree.

Pure functions: data in, `Axes` out (`ax=None` makes a new figure). Nothing here trains.

Taught in: notebooks/04_net2net.ipynb.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from naslab.plots import PALETTE, get_ax

__all__ = ["plot_weight_matrix", "plot_net2net_matrices", "plot_idempotence",
           "plot_student_curves", "plot_eas_progress", "plot_growth_tree", "plot_growth_trees", "plot_eas_cost"]

STUDENT_COLORS = {"teacher": PALETTE[7], "net2net": PALETTE[0], "random pad": PALETTE[1], "scratch": PALETTE[3]}


def _matrix(W) -> np.ndarray:
    """A weight as a 2-D array: Linear (out, in) as is; Conv (out, in, *k) as (out, in * k...)."""
    W = W.detach().cpu().numpy() if hasattr(W, "detach") else np.asarray(W)
    return W.reshape(W.shape[0], -1) if W.ndim > 2 else np.atleast_2d(W)


def plot_weight_matrix(W, *, ax=None, title: str | None = None, vmax: float | None = None,
                       new_rows: int | None = None, new_cols: int | None = None,
                       row_labels: list[str] | None = None, col_labels: list[str] | None = None):
    """Heat map of a weight matrix (blue < 0 < red). Rows / columns from `new_rows` / `new_cols` on
    (the units Net2Net added) are framed in orange; optional tick labels name rows / columns."""
    M = _matrix(W)
    ax = get_ax(ax, figsize=(3, 3))
    vmax = vmax or float(np.abs(M).max()) or 1.0
    im = ax.imshow(M, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest", aspect="auto")
    r, c = M.shape
    if new_rows is not None and new_rows < r:
        ax.add_patch(plt.Rectangle((-0.5, new_rows - 0.5), c, r - new_rows, fill=False, ec=PALETTE[1], lw=2.5))
    if new_cols is not None and new_cols < c:
        ax.add_patch(plt.Rectangle((new_cols - 0.5, -0.5), c - new_cols, r, fill=False, ec=PALETTE[1], lw=2.5))
    ax.set_title(title or f"{r} x {c}", fontsize=10)
    ax.set_xticks(range(c) if col_labels else [], col_labels or [], fontsize=8)
    ax.set_yticks(range(r) if row_labels else [], row_labels or [], fontsize=8)
    ax.figure.colorbar(im, ax=ax, shrink=0.8, pad=0.02)
    return ax


def plot_net2net_matrices(before: dict, after: dict, *, axes=None, new_rows: dict | None = None,
                          new_cols: dict | None = None, row_labels: dict | None = None,
                          col_labels: dict | None = None, suptitle: str | None = None):
    """Before (top row) and after (bottom row) weight matrices, on one colour scale per column.

    Args:
        before, after: {label: weight} with the same number of entries (None for "no layer yet").
        new_rows, new_cols: {label_after: index} of the first added row / column, framed in orange.
        row_labels, col_labels: {label_after: tick labels}, e.g. "5=3" for "unit 5 copies unit 3".
    """
    n = len(before)
    if axes is None:
        _, axes = plt.subplots(2, n, figsize=(3.2 * n, 5.4), layout="constrained", squeeze=False)
    axes = np.asarray(axes).reshape(2, n)
    for col, ((lb, Wb), (la, Wa)) in enumerate(zip(before.items(), after.items())):
        scale = max(float(np.abs(_matrix(W)).max()) for W in (Wb, Wa) if W is not None) or 1.0
        if Wb is None:
            axes[0, col].set_axis_off()
            axes[0, col].text(0.5, 0.5, "(no layer)", ha="center", va="center", color="0.5")
        else:
            plot_weight_matrix(Wb, ax=axes[0, col], title=lb, vmax=scale)
        plot_weight_matrix(Wa, ax=axes[1, col], title=la, vmax=scale, new_rows=(new_rows or {}).get(la),
                           new_cols=(new_cols or {}).get(la), row_labels=(row_labels or {}).get(la),
                           col_labels=(col_labels or {}).get(la))
    if suptitle:
        axes[0, 0].figure.suptitle(suptitle, fontsize=11)
    return axes


def plot_idempotence(activations: dict, *, ax=None, lim: float = 3.0):
    """phi(v) (solid) against phi(phi(v)) (dashed) for each {name: callable}: equal curves = idempotent."""
    import torch

    ax = get_ax(ax, figsize=(5, 3.5))
    v = torch.linspace(-lim, lim, 301)
    for i, (name, phi) in enumerate(activations.items()):
        a = phi(v)
        aa = phi(a)
        gap = (aa - a).abs().max().item()
        ax.plot(v, a, color=PALETTE[i], lw=2.5, label=f"{name}: $\\varphi(v)$")
        ax.plot(v, aa, color=PALETTE[i], lw=1.5, ls="--", label=f"{name}: $\\varphi(\\varphi(v))$ (max gap {gap:.2f})")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_xlabel("$v$")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("an identity layer is exact iff $\\varphi(\\varphi(v)) = \\varphi(v)$", fontsize=10)
    return ax


def plot_student_curves(curves: dict, *, ax=None, title: str | None = None):
    """Validation accuracy against training steps for each {name: {"steps": [...], "val_acc": [...]}}."""
    ax = get_ax(ax, figsize=(6.5, 4))
    for i, (name, c) in enumerate((k, v) for k, v in curves.items() if isinstance(v, dict) and "steps" in v):
        color = STUDENT_COLORS.get(name, PALETTE[(i + 4) % len(PALETTE)])
        ax.plot(c["steps"], c["val_acc"], "-o", ms=3, color=color, lw=2, label=name)
    ax.set_xlabel("training steps after the growth")
    ax.set_ylabel("validation accuracy")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(title or "teacher -> student: who learns fastest?", fontsize=10)
    return ax


def plot_eas_progress(runs: dict, *, ax=None, metric: str = "val_acc"):
    """Each child's accuracy (dots) and the best so far (line) against the child index, per {name: trials}."""
    ax = get_ax(ax, figsize=(6.5, 4))
    styles = [("-", 3.4), ("--", 2.2), (":", 1.8), ("-.", 1.5)]  # overlapping runs stay visible
    for i, (name, trials) in enumerate(runs.items()):
        s = np.array([t.score(metric) for t in trials], dtype=float)
        best = np.fmax.accumulate(np.where(np.isnan(s), -np.inf, s))
        x = np.arange(len(s))
        ls, lw = styles[i % len(styles)]
        ax.scatter(x, s, s=22, color=PALETTE[i], alpha=0.7, marker="osD^"[i % 4])
        ax.step(x, best, where="post", color=PALETTE[i], ls=ls, lw=lw, label=f"{name}: best so far {best[-1]:.3f}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("network (0 = start network, then children in order)")
    ax.set_ylabel("validation accuracy" if metric == "val_acc" else metric)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    ax.set_title("search by network transformation", fontsize=10)
    return ax


def _tree_layout(trials) -> dict:
    """(x, y) per trial id: x = generation, y = leaf order (a parent sits at its children's mean)."""
    kids: dict = {}
    for t in trials:
        kids.setdefault(t.parent, []).append(t.trial_id)
    pos, next_y = {}, [0.0]

    def place(tid, depth):
        ch = kids.get(tid, [])
        for c in ch:
            place(c, depth + 1)
        if ch:
            y = float(np.mean([pos[c][1] for c in ch]))
        else:
            y, next_y[0] = next_y[0], next_y[0] + 1
        pos[tid] = (depth, y)

    for root in kids.get(None, []):
        place(root, 0)
    return pos


def _finite_scores(trials, metric: str) -> list[float]:
    return [s for s in (t.score(metric) for t in trials) if math.isfinite(s)]


def plot_growth_tree(trials, *, ax=None, metric: str = "val_acc", title: str | None = None,
                     vmin: float | None = None, vmax: float | None = None, colorbar: bool = True):
    """The growth tree: one node per network (colour = accuracy), an edge from parent to child.

    The path from the start network to the best one is drawn thick; the best network's score and
    architecture are written under the title (never over the leaves). `vmin` / `vmax` fix the colour
    scale, so that two trees side by side compare (`plot_growth_trees` does this for you).
    """
    ax = get_ax(ax, figsize=(7, 5))
    by_id = {t.trial_id: t for t in trials}
    pos = _tree_layout(trials)
    scores = {i: t.score(metric) for i, t in by_id.items()}
    finite = _finite_scores(trials, metric)
    lo, hi = (min(finite), max(finite)) if finite else (0, 1)
    lo, hi = lo if vmin is None else vmin, hi if vmax is None else vmax
    best = max((i for i in scores if math.isfinite(scores[i])), key=lambda i: scores[i], default=None)
    path = set()
    i = best
    while i is not None:
        path.add(i)
        i = by_id[i].parent
    for t in trials:
        if t.parent in pos:
            (x0, y0), (x1, y1) = pos[t.parent], pos[t.trial_id]
            on = t.trial_id in path
            ax.plot([x0, x1], [y0, y1], color=PALETTE[3] if on else "0.75", lw=2.5 if on else 1, zorder=1)
    ids = list(pos)
    sc = ax.scatter([pos[i][0] for i in ids], [pos[i][1] for i in ids], c=[scores[i] for i in ids], cmap="viridis",
                    vmin=lo, vmax=hi, s=[90 if i in path else 45 for i in ids], edgecolors="k", linewidths=0.5,
                    zorder=2)
    if colorbar:
        ax.figure.colorbar(sc, ax=ax, shrink=0.8, label="validation accuracy" if metric == "val_acc" else metric)
    head = title or "growth tree"
    if best is not None:
        arch = textwrap.shorten(str(by_id[best].config.get("arch", "")), 100, placeholder=" …")
        head += "\n" + textwrap.fill(f"best (thick path): {scores[best]:.3f}  {arch}", 58)
    root = next((i for i in ids if by_id[i].parent is None), None)
    if root is not None:
        ax.annotate(f"start\n{scores[root]:.3f}", pos[root], xytext=(-9, 0), textcoords="offset points",
                    fontsize=8, ha="right", va="center")
    depth = max(p[0] for p in pos.values())
    ax.set_xlabel("generation (transformations since the start network)")
    ax.set_xticks(range(depth + 1))
    ax.set_yticks([])
    ax.set_xlim(-0.9, depth + 0.4)
    ax.set_title(head, fontsize=10)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax


def plot_growth_trees(runs: dict, *, metric: str = "val_acc", fig=None):
    """Several growth trees side by side ({title: trials}) on ONE colour scale with one colour bar."""
    fig = fig or plt.figure(figsize=(6 * len(runs), 4.8), layout="constrained")
    axes = fig.subplots(1, len(runs), squeeze=False)[0]
    finite = [s for trials in runs.values() for s in _finite_scores(trials, metric)]
    lo, hi = (min(finite), max(finite)) if finite else (0, 1)
    for ax, (name, trials) in zip(axes, runs.items()):
        plot_growth_tree(trials, ax=ax, metric=metric, title=name, vmin=lo, vmax=hi, colorbar=False)
    mappable = plt.cm.ScalarMappable(norm=plt.Normalize(lo, hi), cmap="viridis")
    fig.colorbar(mappable, ax=list(axes), shrink=0.8,
                 label="validation accuracy (one scale for all trees)" if metric == "val_acc" else metric)
    return list(axes)


def plot_eas_cost(costs: dict, *, ax=None, unit: str = "training updates"):
    """Horizontal bars of the cost of each way to evaluate the same children ({label: cost})."""
    ax = get_ax(ax, figsize=(6.5, 2.4))
    labels = list(costs)
    vals = [costs[k] for k in labels]
    ax.barh(labels, vals, color=[PALETTE[i % len(PALETTE)] for i in range(len(labels))])
    for i, v in enumerate(vals):
        ax.text(v, i, f"  {v:,.0f}", va="center", fontsize=9)
    ax.set_xlim(0, max(vals) * 1.25 if vals else 1)
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title("cost of evaluating the children", fontsize=10)
    return ax
