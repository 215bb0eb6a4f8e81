"""Plots of notebook 02: REINFORCE checks, the controller microscope, searches and architectures.

Pure functions: data in, `Axes` out (`ax=None` makes a new figure); nothing here trains.

Taught in: notebooks/02_reinforce_controller.ipynb.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from naslab.anytime import mean_and_spread
from naslab.plots import PALETTE, get_ax

__all__ = ["plot_gradient_check", "plot_running_estimate", "plot_decision_probs", "plot_reward_curves",
           "plot_microscope", "plot_best_so_far_curves", "plot_sampled_accuracies", "plot_architecture"]


def plot_gradient_check(exact, samples, *, ax=None, labels=None):
    """Exact ∇J (bars) next to the mean of REINFORCE samples (dots with ±2 standard errors).

    exact: (k,); samples: (n, k) single-sample estimates.
    """
    ax = get_ax(ax)
    exact, samples = np.asarray(exact, dtype=float), np.asarray(samples, dtype=float)
    k = np.arange(len(exact))
    se = samples.std(0, ddof=1) / np.sqrt(len(samples))
    ax.bar(k, exact, color=PALETTE[5], width=0.6, label="exact (autograd on Σ p R)")
    ax.errorbar(k, samples.mean(0), yerr=2 * se, fmt="o", color=PALETTE[3], capsize=4,
                label=f"REINFORCE mean of {len(samples):,} samples ± 2 SE")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(k, labels or [f"θ{i + 1}" for i in k])
    ax.set_ylabel("∂J / ∂θ")
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_running_estimate(estimates: dict, exact, *, coord: int = 0, ax=None):
    """Running mean of one gradient coordinate as samples accumulate, one line per estimator.

    estimates: label -> (n, k) single-sample estimates; exact: (k,).
    """
    ax = get_ax(ax)
    for i, (label, g) in enumerate(estimates.items()):
        x = np.asarray(g, dtype=float)[:, coord]
        n = np.arange(1, len(x) + 1)
        mean = np.cumsum(x) / n
        se = np.sqrt(np.maximum(np.cumsum(x ** 2) / n - mean ** 2, 0) / n)
        c = PALETTE[i % len(PALETTE)]
        ax.plot(n, mean, color=c, lw=1.5, label=f"{label} (std of one sample {x.std():.3f})")
        ax.fill_between(n, mean - 2 * se, mean + 2 * se, color=c, alpha=0.15)
    ax.axhline(float(np.asarray(exact)[coord]), color="0.2", ls="--", lw=1, label="exact")
    ax.set_xscale("log")
    ax.set_xlabel("number of samples")
    ax.set_ylabel(f"estimate of ∂J/∂θ{coord + 1}")
    ax.legend(fontsize=8)
    return ax


def plot_decision_probs(history, t: int, choices=None, *, ax=None, name: str | None = None):
    """Stacked probabilities of decision t (along the favourite sequence) over the updates."""
    ax = get_ax(ax)
    P = np.array([rec["probs"][t] for rec in history])  # (updates, k_t)
    choices = choices if choices is not None else list(range(P.shape[1]))
    ax.stackplot(np.arange(len(P)), P.T, labels=[str(c) for c in choices],
                 colors=[PALETTE[i % len(PALETTE)] for i in range(P.shape[1])], alpha=0.85)
    ax.set_xlim(0, max(len(P) - 1, 1))
    ax.set_ylim(0, 1)
    ax.set_title(name or f"decision {t}", fontsize=9)
    ax.legend(fontsize=8, loc="upper left", ncols=P.shape[1], frameon=True)
    return ax


def plot_reward_curves(history, *, ax=None, keys=("reward", "baseline", "advantage"), entropy: bool = True):
    """Mean reward of each batch, the baseline b, the mean advantage R - b (and entropy on a twin axis)."""
    ax = get_ax(ax)
    u = np.arange(len(history))
    for i, key in enumerate(keys):
        ax.plot(u, [rec[key] for rec in history], color=PALETTE[i], lw=1.5, label=key)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_xlabel("controller update")
    ax.set_ylabel("reward")
    lines, labels = ax.get_legend_handles_labels()
    if entropy:
        ax2 = ax.twinx()
        ax2.plot(u, [rec["entropy"] for rec in history], color=PALETTE[4], lw=1.2, ls=":")
        ax2.set_ylabel("entropy (nats)", color=PALETTE[4])
        ax2.set_ylim(bottom=0)
        lines.append(ax2.lines[0])
        labels.append("entropy")
    ax.legend(lines, labels, fontsize=8, loc="center right")
    return ax


def plot_microscope(history, decisions, *, fig=None, title: str | None = None):
    """The controller microscope: one panel per decision, then reward / baseline / advantage / entropy.

    decisions: [(name, choices), ...] as `naslab.controller.toy.TOY_DECISIONS`. Returns the list of Axes.
    """
    fig = fig or plt.figure(figsize=(10, 5.5), layout="constrained")
    grid = fig.add_gridspec(2, len(decisions))
    axes = [fig.add_subplot(grid[0, t]) for t in range(len(decisions))]
    for t, (name, choices) in enumerate(decisions):
        plot_decision_probs(history, t, choices, ax=axes[t], name=f"P({name})")
    axes.append(plot_reward_curves(history, ax=fig.add_subplot(grid[1, :])))
    if title:
        fig.suptitle(title, fontsize=10)
    return axes


_BANDS = {"minmax": "shaded: min–max over seeds", "quartiles": "shaded: 25–75 % over seeds",
          "std": "shaded: ± 1 std over seeds", "sem": "shaded: ± 1 standard error"}
_MARKERS = "o^sD"


def plot_best_so_far_curves(curves: dict, *, ax=None, spread: str = "minmax",
                            ylabel: str = "best validation accuracy so far"):
    """Mean best-so-far curve (over seeds) with a band, one per method. curves: label -> (S, n).

    The legend says what the line and the band are (mean over S seeds; min–max by default).
    """
    ax = get_ax(ax)
    for i, (label, c) in enumerate(curves.items()):
        c = np.asarray(c, dtype=float)
        mean, lo, hi = mean_and_spread(c, spread=spread)
        n = np.arange(1, c.shape[1] + 1)
        col = PALETTE[i % len(PALETTE)]
        ax.plot(n, mean, color=col, lw=2, label=f"{label}: mean of {c.shape[0]} seeds")
        ax.fill_between(n, lo, hi, color=col, alpha=0.18, label=_BANDS.get(spread, spread) if i == 0 else None)
    ax.set_xlabel("children trained")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_sampled_accuracies(runs: dict, *, ax=None, metric: str = "val_acc"):
    """Every child's score in sampling order (one marker shape and colour per method) and a running mean.

    runs: label -> list of runs (each a list of Trials or of numbers).
    """
    ax = get_ax(ax)
    for i, (label, rs) in enumerate(runs.items()):
        col = PALETTE[i % len(PALETTE)]
        S = np.array([[t.score(metric) if hasattr(t, "score") else float(t) for t in r] for r in rs], dtype=float)
        n = np.arange(1, S.shape[1] + 1)
        ax.scatter(np.tile(n, len(S)) + (i - 0.5) * 0.25, S.ravel(), s=16, color=col, alpha=0.6,
                   marker=_MARKERS[i % len(_MARKERS)], lw=0, label=f"{label}: one child")
        w = max(1, S.shape[1] // 6)
        smooth = np.convolve(np.nanmean(S, 0), np.ones(w) / w, mode="valid")
        ax.plot(n[w - 1:], smooth, color=col, lw=2.2, label=f"{label}: running mean of {w}")
    ax.set_xlabel("child (in sampling order)")
    ax.set_ylabel("validation accuracy of the child" if metric == "val_acc" else metric)
    ax.legend(fontsize=8, loc="lower right", ncols=2)
    return ax


def plot_architecture(arch, *, shapes=None, ax=None, title: str | None = None):
    """Draw a macro architecture left to right: input, one box per layer, skip connections as arcs.

    arch: a `naslab.controller.macro_space.Architecture`; shapes: optional per-layer output shapes (`space.shapes`).
    """
    ax = get_ax(ax, figsize=(1.6 * (arch.n_layers + 2), 2.6))
    w, gap = 1.5, 0.45
    xs = [i * (w + gap) for i in range(arch.n_layers + 2)]  # input, layers, head
    labels = ["input"]
    for i in range(arch.n_layers):
        d = arch.layer(i)
        extra = "".join(f"\n{k} {v}" for k, v in d.items() if k not in ("filters", "kernel", "stride")
                        and v != "none")
        shape = f"\n{'×'.join(map(str, shapes[i]))}" if shapes is not None else ""
        labels.append(f"conv {d['filters']}\nk{d['kernel']} s{d['stride']}{extra}{shape}")
    labels.append("pool\n+ linear")
    for j, (x, text) in enumerate(zip(xs, labels)):
        colour = PALETTE[5] if 0 < j <= arch.n_layers else "0.85"
        ax.add_patch(FancyBboxPatch((x, 0), w, 1.2, boxstyle="round,pad=0.02", fc=colour, ec="0.3", alpha=0.9))
        ax.text(x + w / 2, 0.6, text, ha="center", va="center", fontsize=9)
        if j:
            ax.annotate("", (x, 0.6), (x - gap, 0.6), arrowprops=dict(arrowstyle="->", color="0.3"))
    for i, inputs in enumerate(arch.inputs):
        for j in inputs:  # layer j (box j + 1) also feeds layer i (box i + 1)
            a, b = xs[j + 1] + w / 2, xs[i + 1] + w / 2
            ax.add_patch(FancyArrowPatch((a, 1.2), (b, 1.2), connectionstyle="arc3,rad=-0.35",
                                         arrowstyle="->", mutation_scale=10, color=PALETTE[3], lw=1.3))
    ax.set_xlim(-0.1, xs[-1] + w + 0.1)
    ax.set_ylim(-0.15, 2.45)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
