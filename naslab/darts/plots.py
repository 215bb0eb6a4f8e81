"""DARTS plots: the toy bilevel contour, softmax(alpha) heatmaps per edge, the derived cell, collapse and costs.

Every function is pure: data in (arrays, genotypes, records), matplotlib axes out; nothing trains.
The cell drawing uses matplotlib only (no graphviz): inputs on the left, nodes in the middle, the
concatenated output on the right, one coloured arrow per kept edge.

Taught in: notebooks/05_darts.ipynb.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch

from naslab.plots import PALETTE, get_ax

__all__ = ["OP_COLORS", "OP_STYLES", "op_color", "op_style", "plot_toy_bilevel", "plot_alpha", "plot_alpha_per_edge",
           "plot_cell", "plot_skip_counts", "plot_retrain_comparison", "plot_step_costs", "plot_search_curves"]

OP_COLORS = {"none": "#BBBBBB", "max_pool_3x3": PALETTE[5], "avg_pool_3x3": PALETTE[6],
             "skip_connect": PALETTE[3], "sep_conv_3x3": PALETTE[0], "sep_conv_5x5": PALETTE[4],
             "dil_conv_3x3": PALETTE[2], "dil_conv_5x5": PALETTE[1]}
# line style per op family, so that a cell drawing reads without colour: convs solid, pools dashed,
# skip dotted, none dash-dot; every edge also carries its short name
OP_STYLES = {"none": "dashdot", "max_pool_3x3": "dashed", "avg_pool_3x3": "dashed", "skip_connect": "dotted",
             "sep_conv_3x3": "solid", "sep_conv_5x5": "solid", "dil_conv_3x3": "solid", "dil_conv_5x5": "solid"}
_SHORT = {"none": "none", "max_pool_3x3": "max3", "avg_pool_3x3": "avg3", "skip_connect": "skip",
          "sep_conv_3x3": "sep3", "sep_conv_5x5": "sep5", "dil_conv_3x3": "dil3", "dil_conv_5x5": "dil5"}


def op_color(op: str) -> str:
    """A fixed colour per op (students' own ops get a stable grey-blue shade)."""
    return OP_COLORS.get(op, "#4D6A8A")


def op_style(op: str) -> str:
    """A line style per op family (students' own ops: solid)."""
    return OP_STYLES.get(op, "solid")


def _node_name(j: int, tex: bool = False) -> str:
    if j < 2:
        return ("$c_{k-2}$", "$c_{k-1}$")[j] if tex else ("c_{k-2}", "c_{k-1}")[j]
    return f"{j - 2}"


def plot_toy_bilevel(paths: dict, *, ax=None, fixed_points: dict | None = None, lim=((-0.5, 3.5), (-2.5, 3.5))):
    """Contours of L_val(w, α) = αw − 2α + 1 over (α, w), the lower-level solution w*(α) = α, the optimum (1, 1),
    and trajectories `paths` = {label: (n, 2) array of (α, w)}."""
    ax = get_ax(ax, (6, 5))
    a, w = np.meshgrid(np.linspace(*lim[0], 200), np.linspace(*lim[1], 200))
    cs = ax.contour(a, w, a * w - 2 * a + 1, levels=15, cmap="Greys", linewidths=0.8, alpha=0.7)
    ax.clabel(cs, fontsize=8, fmt="%.0f")
    ax.plot(lim[0], lim[0], color="k", ls="--", lw=1, label=r"$w^*(\alpha)=\alpha$ (argmin of $L_{train}$)")
    for i, (label, p) in enumerate(paths.items()):
        p = np.asarray(p)
        ax.plot(p[:, 0], p[:, 1], "-", color=PALETTE[i % 8], lw=2, label=label)
        ax.plot(p[-1, 0], p[-1, 1], "o", color=PALETTE[i % 8], ms=7, mec="k")
    for i, (fa, fw) in enumerate((fixed_points or {}).values()):
        ax.plot(fa, fw, "x", color=PALETTE[i % 8], ms=10, mew=2)
    ax.plot(2, -2, "s", color="k", ms=7, label="start (2, -2)")
    ax.plot(1, 1, "*", color="gold", mec="k", ms=16, label="bilevel optimum (1, 1)", zorder=5)
    ax.set(xlim=lim[0], ylim=lim[1], xlabel=r"architecture $\alpha$", ylabel=r"weight $w$",
           title=r"contours of $L_{val}(w,\alpha)=\alpha w-2\alpha+1$")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_alpha(weights, primitives, *, ax=None, title: str | None = None, annotate: bool = True):
    """softmax(alpha) of one cell kind at one moment: (n_edges, n_ops) as an edges x ops heatmap."""
    w = np.asarray(weights)
    ax = get_ax(ax, (7, 0.4 * len(w) + 1.4))
    ax.imshow(w, cmap="viridis", vmin=0, vmax=max(0.5, float(w.max())), aspect="auto")
    labels, m, j = [], 0, 0
    for _ in range(len(w)):  # edge order: node m <- inputs 0 .. m+1
        labels.append(f"{_node_name(j, True)} → {m}")
        j += 1
        if j == 2 + m:
            m, j = m + 1, 0
    ax.set_yticks(range(len(w)), labels, fontsize=8)
    ax.set_xticks(range(len(primitives)), [_SHORT.get(p, p) for p in primitives], fontsize=8, rotation=30)
    if annotate:
        for (r, c), v in np.ndenumerate(w):
            ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=8, color="w" if v < 0.3 else "k")
    ax.set_title(title or "softmax(α) per edge")
    return ax


def plot_alpha_per_edge(trace, primitives, *, fig=None, epoch: int | None = None, title: str | None = None):
    """One small heatmap per edge (ops x epochs) from `trace` (n_epochs + 1, n_edges, n_ops), laid out like the
    cell: row m holds the edges into node m; every panel has its own "epoch" axis label. `epoch` draws a marker
    line. Returns the list of axes."""
    trace = np.asarray(trace)
    n_ep, n_edges, n_ops = trace.shape
    steps = next(s for s in range(1, 64) if s * (s + 3) // 2 == n_edges)
    fig = fig or plt.figure(figsize=(2.2 * (steps + 1) + 1.0, (0.16 * n_ops + 0.95) * steps + 0.6),
                            layout="constrained")
    grid = fig.add_gridspec(steps, steps + 1)
    axes, e, im, vmax = [], 0, None, max(0.3, float(trace.max()))
    for m in range(steps):
        for j in range(2 + m):
            ax = fig.add_subplot(grid[m, j])
            im = ax.imshow(trace[:, e, :].T, cmap="viridis", vmin=0, vmax=vmax, aspect="auto",
                           interpolation="nearest")
            ax.set_title(f"{_node_name(j, True)} → node {m}", fontsize=9)
            ax.set_yticks(range(n_ops), [_SHORT.get(p, p) for p in primitives] if j == 0 else [], fontsize=8)
            ax.xaxis.set_major_locator(plt.MaxNLocator(4, integer=True))
            ax.tick_params(axis="x", labelsize=8)
            ax.set_xlabel("epoch", fontsize=8, labelpad=1)
            if epoch is not None:
                ax.axvline(epoch, color="w", lw=1)
            axes.append(ax)
            e += 1
    fig.colorbar(im, ax=axes, shrink=0.8, label="softmax(α)")
    if title:
        fig.suptitle(title, fontsize=10)
    return axes


def _arc_middle(p0, p1, rad: float):
    """The middle of matplotlib's arc3 curve from p0 to p1 (equal-aspect axes): a quadratic Bezier whose
    control point is the chord's middle shifted by rad * (dy, -dx); at t = 1/2 it is halfway there."""
    (x0, y0), (x1, y1) = p0, p1
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    return mx + rad * (y1 - y0) / 2, my - rad * (x1 - x0) / 2


def plot_cell(genotype, kind: str = "normal", *, ax=None, title: str | None = None):
    """Draw the `kind` cell of a genotype (a Genotype): inputs, nodes, one arrow per edge.

    Ops differ in three ways, so the drawing reads in grey too: the short name on every edge
    ("sep3", "avg3", ...), a line style per family (`OP_STYLES`: convs solid, pools dashed, skip dotted)
    and a colour (`OP_COLORS`).
    """
    nodes = getattr(genotype, kind)
    steps = len(nodes)
    ax = get_ax(ax, (2.0 + 1.7 * steps, 3.4))
    pos = {0: (0.0, 1.0), 1: (0.0, -1.0)}
    pos.update({2 + m: (1.6 * (m + 1), 0.9 * (1 if m % 2 else -1) * (0.3 + 0.2 * (m % 3))) for m in range(steps)})
    out = (1.6 * (steps + 1), 0.0)
    used = set()
    for m, node in enumerate(nodes):
        for e, (op, j) in enumerate(node):
            rad = 0.25 if (pos[j][1] < pos[2 + m][1]) == (e % 2 == 0) else -0.25
            ax.add_patch(FancyArrowPatch(pos[j], pos[2 + m], arrowstyle="-|>", mutation_scale=12, lw=2.2,
                                         color=op_color(op), ls=op_style(op), connectionstyle=f"arc3,rad={rad}",
                                         shrinkA=14, shrinkB=14, zorder=1))
            ax.text(*_arc_middle(pos[j], pos[2 + m], rad), _SHORT.get(op, op), ha="center", va="center", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": op_color(op), "lw": 0.8}, zorder=2)
            used.add(op)
        ax.add_patch(FancyArrowPatch(pos[2 + m], out, arrowstyle="-|>", mutation_scale=10, lw=1, color="0.6",
                                     ls="--", shrinkA=14, shrinkB=16, zorder=0))
    for k, (x, y) in pos.items():
        ax.text(x, y, _node_name(k, True), ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "fc": "#DDEEFF" if k < 2 else "white", "ec": "k"}, zorder=3)
    ax.text(*out, "$c_k$\n(concat)", ha="center", va="center", fontsize=9,
            bbox={"boxstyle": "round", "fc": "#FFF1CC", "ec": "k"}, zorder=3)
    handles = [plt.Line2D([], [], color=op_color(op), ls=op_style(op), lw=2.5, label=f"{_SHORT.get(op, op)} = {op}")
               for op in sorted(used)]
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=min(3, len(used)),
              frameon=False, handlelength=3)
    ax.set(xlim=(-0.6, out[0] + 0.7), ylim=(-1.5, 1.5), title=title or f"{kind} cell")
    ax.set_aspect("equal")  # arc3 bends in display space: equal aspect puts the labels on the arcs
    ax.axis("off")
    return ax


def plot_skip_counts(history, *, max_skip: int | None = None, kept_epoch: int | None = None, ax=None,
                     title: str | None = None, warmup_epochs: int = 0):
    """Skip connections and all parameter-free ops in the derived normal cell, per epoch (search records).
    Epoch 0 (alpha not trained yet, every op tied) is left out; warm-up epochs (alpha frozen) are shaded."""
    ax = get_ax(ax, (6, 3.2))
    history = [h for h in history if h["epoch"] > 0] or list(history)
    ep = [h["epoch"] for h in history]
    if warmup_epochs:
        ax.axvspan(0.5, warmup_epochs + 0.5, color="0.9", zorder=0, label="warm-up: w only, α frozen")
    ax.step(ep, [h["skips"] for h in history], where="mid", lw=2, color=op_color("skip_connect"),
            label="skip connections")
    ax.step(ep, [h["param_free"] for h in history], where="mid", lw=1.5, ls="--", color="0.35",
            label="parameter-free ops (skip + pools)")
    if max_skip is not None:
        ax.axhline(max_skip + 0.5, color="k", lw=0.8, ls=":")
        ax.text(ep[0], max_skip + 0.6, f"warning above {max_skip}", fontsize=8)
    if kept_epoch is not None:
        ax.axvline(kept_epoch, color=PALETTE[2], lw=1.5, ls=":", label=f"early stopping keeps epoch {kept_epoch}")
    ax.set(xlabel="epoch", ylabel="edges in the normal cell", title=title or "who is taking over the normal cell?")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8)
    return ax


def plot_retrain_comparison(groups: dict, *, ax=None, metric_name: str = "validation accuracy", title=None):
    """Retrained accuracies: {label: list of values}; one column of points per label with mean ± std."""
    ax = get_ax(ax, (6, 3.5))
    rng = np.random.default_rng(0)
    for i, vals in enumerate(groups.values()):
        v = np.asarray(vals, dtype=float)
        ax.scatter(i + rng.uniform(-0.08, 0.08, len(v)), v, color=PALETTE[i % 8], alpha=0.8, zorder=2)
        ax.errorbar(i + 0.22, v.mean(), yerr=v.std(), fmt="D", color="k", capsize=4, zorder=3)
        ax.text(i + 0.3, v.mean(), f"{v.mean():.3f} ± {v.std():.3f}", va="center", fontsize=8)
    ax.set_xticks(range(len(groups)), list(groups), fontsize=9)
    ax.set(xlim=(-0.5, len(groups) - 0.2), ylabel=metric_name, title=title or "retrained from scratch")
    return ax


def plot_step_costs(profiles: list[dict], *, key: str = "cpu_seconds_per_step", ax=None, label_key: str = "label",
                    ylabel: str | None = None):
    """Bars of one cost per profiled variant (default: CPU seconds per search step, the number the text quotes;
    `key="seconds_per_step"` for wall seconds, `"peak_mb"` for memory). Each bar after the first is labelled
    with its ratio to the first."""
    ax = get_ax(ax, (4, 3))
    labels = [p.get(label_key, p.get("order", "?")) for p in profiles]
    vals = [p[key] for p in profiles]
    bars = ax.bar(labels, vals, color=[PALETTE[i % 8] for i in range(len(vals))])
    notes = [f"{v:.3g}" + (f"\n({v / vals[0]:.1f}x)" if i and vals[0] else "") for i, v in enumerate(vals)]
    ax.bar_label(bars, notes, fontsize=8)
    ax.set_ylim(0, max(vals) * 1.3 if vals and max(vals) > 0 else 1)
    name = ylabel or {"cpu_seconds_per_step": "CPU seconds per search step",
                      "seconds_per_step": "wall seconds per search step"}.get(key, key.replace("_", " "))
    ax.set(ylabel=name, title=name)
    ax.tick_params(axis="x", labelsize=8)
    return ax


def plot_search_curves(history, *, retrained: dict | None = None, ax=None, title: str | None = None):
    """Supernet validation accuracy per epoch, with horizontal lines for other accuracies ({label: value})."""
    ax = get_ax(ax, (6, 3.5))
    ax.plot([h["epoch"] for h in history], [h["supernet_val_acc"] for h in history], "o-", color=PALETTE[0],
            label="supernet (soft α) during search")
    for i, (label, v) in enumerate((retrained or {}).items()):
        ax.axhline(v, color=PALETTE[(i + 1) % 8], ls="--", lw=1.5, label=f"{label}: {v:.3f}")
    ax.set(xlabel="search epoch", ylabel="validation accuracy", ylim=(0, 1), title=title or "what the search sees")
    ax.legend(fontsize=8, loc="lower right")
    return ax
