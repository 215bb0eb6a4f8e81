"""Core plots: samples of the offline datasets, loss curves and the three-part picture of NAS.

Every function is pure: data in, a matplotlib `Axes` out (pass `ax=` to draw into your own; with
`ax=None` a new figure is made). Nothing here trains or loads data.

The NAS picture follows Elsken, Metzen & Hutter, "Neural Architecture Search: A Survey" (JMLR 2019,
Fig. 1): a *search strategy* picks an architecture A from a *search space*; a *performance
estimation strategy* returns an estimate of A's performance to the search strategy.

Taught in: notebooks/00_welcome.ipynb (and used by every notebook).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from naslab.validate import check_int

__all__ = ["get_ax", "plot_images", "plot_signals", "plot_sample", "plot_loss_curve", "plot_nas_framework",
           "PALETTE"]

# one palette for the whole course (colour-blind friendly, Okabe-Ito)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def get_ax(ax=None, figsize=(6, 4)):
    """Return `ax`, or a fresh Axes on a new constrained-layout figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _as_numpy(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def plot_images(X, y=None, *, ncols: int = 10, n: int | None = None, ax=None, cmap="gray_r"):
    """Tile images into one mosaic, with their labels above each tile.

    Args:
        X: (N, C, H, W) or (N, H, W) images (only the first channel is drawn).
        y: (N,) labels, or None.
        ncols: tiles per row.
        n: how many to draw (default: all of X).
    """
    X = _as_numpy(X)
    X = X[:, 0] if X.ndim == 4 else X  # (N, H, W)
    if X.ndim != 3:
        raise ValueError(f"X must be (N, C, H, W) or (N, H, W) images, got shape {X.shape}")
    check_int(ncols, "ncols", low=1)
    check_int(n, "n", low=1, none=True)
    n = len(X) if n is None else min(n, len(X))
    rows = math.ceil(n / ncols)
    h, w = X.shape[1:]
    pad, top = 1, (max(2, h // 3) if y is not None else 1)  # gap between tiles; room for a label above
    mosaic = np.full((rows * (h + top), ncols * (w + pad) + pad), np.nan)
    for i in range(n):
        r, c = divmod(i, ncols)
        y0, x0 = r * (h + top) + top, pad + c * (w + pad)
        mosaic[y0:y0 + h, x0:x0 + w] = X[i]
    ax = get_ax(ax, figsize=(ncols * 0.7, rows * 0.9))
    cm = plt.get_cmap(cmap).copy()
    cm = cm.with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cm, interpolation="nearest")
    if y is not None:
        y = _as_numpy(y)
        for i in range(n):
            r, c = divmod(i, ncols)
            ax.text(pad + c * (w + pad) + (w - 1) / 2, r * (h + top) + top / 2 - 0.5, str(int(y[i])),
                    color=PALETTE[3], fontsize=9, ha="center", va="center", fontweight="bold")
    ax.set_axis_off()
    return ax


def plot_signals(X, y=None, *, n: int = 6, ax=None, spacing: float = 4.0):
    """Stack 1-D signals vertically (MNIST-1D style), labelled by class.

    Args:
        X: (N, 1, L) or (N, L) signals.
        y: (N,) labels, or None.
        n: how many signals to draw.
        spacing: vertical offset between signals, in signal units.
    """
    X = _as_numpy(X)
    X = X[:, 0] if X.ndim == 3 else X  # (N, L)
    if X.ndim != 2:
        raise ValueError(f"X must be (N, 1, L) or (N, L) signals, got shape {X.shape}")
    n = min(check_int(n, "n", low=1), len(X))
    ax = get_ax(ax, figsize=(6, 0.6 * n + 1))
    t = np.arange(X.shape[1])
    for i in range(n):
        off = -i * spacing
        ax.plot(t, X[i] + off, color=PALETTE[i % len(PALETTE)], lw=1.8)
        if y is not None:
            ax.text(-1.5, off, f"{int(_as_numpy(y)[i])}", ha="right", va="center", fontsize=10, fontweight="bold")
    ax.set_yticks([])
    ax.set_xlabel("position in the signal")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax


def plot_sample(x, label=None, *, ax=None, title: str | None = None):
    """Draw one sample: an image (C, H, W) with imshow, or a signal (C, L) as a line."""
    x = _as_numpy(x)
    ax = get_ax(ax, figsize=(4, 3))
    if x.ndim == 3:
        ax.imshow(x[0], cmap="gray_r", interpolation="nearest")
        ax.set_axis_off()
    else:
        ax.plot(x.reshape(-1), color=PALETTE[0], lw=2)
        ax.set_xlabel("position")
    ax.set_title(title if title is not None else (f"label = {label}" if label is not None else ""))
    return ax


def plot_loss_curve(losses, *, ax=None, label: str | None = None, smooth: int = 1, color=None):
    """Training loss per update, optionally smoothed with a running mean of `smooth` steps.

    NaN values (a diverged run) end the line; the last finite point is marked with an x.
    """
    check_int(smooth, "smooth", low=1, hint="the running mean's window, in updates")
    try:
        losses = np.asarray(losses, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"losses must be a sequence of numbers (one per update), got {losses!r:.60}") from None
    ax = get_ax(ax)
    if smooth > 1 and len(losses) >= smooth:
        kernel = np.ones(smooth) / smooth
        shown = np.convolve(losses, kernel, mode="valid")  # (len - smooth + 1,)
        steps = np.arange(smooth, len(losses) + 1)
    else:
        shown, steps = losses, np.arange(1, len(losses) + 1)
    line, = ax.plot(steps, shown, label=label, color=color, lw=1.8)
    finite = np.isfinite(losses)
    if not finite.all() and finite.any():
        last = np.flatnonzero(finite)[-1]
        ax.plot(last + 1, losses[last], "x", color=line.get_color(), ms=9, mew=2)
    ax.set_xlabel("update")
    ax.set_ylabel("training loss")
    ax.grid(alpha=0.3)
    if label:
        ax.legend(frameon=False)
    return ax


def _box(ax, xy, text, color, width=2.7, height=1.1):
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.08",
                                fc=color, ec="#333333", lw=1.2, alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, fontweight="bold", wrap=True)


def _arrow(ax, start, end, text="", rad=0.0, text_offset=(0, 0.35)):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18, lw=1.6, color="#333333",
                                 connectionstyle=f"arc3,rad={rad}"))
    if text:
        mx, my = (start[0] + end[0]) / 2 + text_offset[0], (start[1] + end[1]) / 2 + text_offset[1]
        ax.text(mx, my, text, ha="center", va="center", fontsize=10, style="italic")


def plot_nas_framework(*, ax=None, highlight: str | None = None):
    """The three parts of NAS (Elsken et al. 2019, Fig. 1) as boxes and arrows.

    Args:
        highlight: "space", "strategy" or "estimation" to colour that box strongly (or None).
    """
    if highlight not in (None, "space", "strategy", "estimation"):
        raise ValueError(f"highlight={highlight!r} is unknown; allowed: ['space', 'strategy', 'estimation'] or None")
    ax = get_ax(ax, figsize=(9, 3.2))
    names = {"space": "Search space\n$\\mathcal{A}$", "strategy": "Search strategy",
             "estimation": "Performance\nestimation strategy"}
    pos = {"space": (1.6, 1.5), "strategy": (5.0, 1.5), "estimation": (8.6, 1.5)}
    base = {"space": "#cfe3f3", "strategy": "#fbe3c0", "estimation": "#cdebdf"}
    strong = {"space": PALETTE[5], "strategy": PALETTE[1], "estimation": PALETTE[2]}
    for key in names:
        _box(ax, pos[key], names[key], strong[key] if key == highlight else base[key])
    _arrow(ax, (2.95, 1.5), (3.65, 1.5))
    _arrow(ax, (6.35, 1.75), (7.25, 1.75), "architecture $A\\in\\mathcal{A}$", text_offset=(0, 0.45))
    _arrow(ax, (7.25, 1.2), (6.35, 1.2), "performance\nestimate of $A$", text_offset=(0, -0.55))
    examples = {"space": "layers, ops, cells", "strategy": "grid, random, RL,\nevolution, gradient",
                "estimation": "full training, proxies,\nweight sharing"}
    for key, text in examples.items():
        ax.text(pos[key][0], 0.45, text, ha="center", va="top", fontsize=9, color="#444444")
    ax.set_xlim(0, 10.2)
    ax.set_ylim(-0.4, 2.4)
    ax.set_axis_off()
    return ax
