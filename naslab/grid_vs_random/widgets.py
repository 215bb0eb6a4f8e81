"""Widget panels of notebook 01: the synthetic grid-vs-random picture and the real lr x wd landscape.

Both redraw from numbers already computed (the synthetic function is analytic; the real landscape
comes from population training or the cached table), so a redraw takes a fraction of a second.
Each uses `naslab.widgets.panel`; ipywidgets is imported lazily.

Taught in: notebooks/01_grid_vs_random_search.ipynb (sections "The intuition" and "Explore").
"""

from __future__ import annotations

import math

import numpy as np

from naslab.anytime import best_so_far, best_vs_trials
from naslab.domains import grid, sample
from naslab.grid_vs_random.plots import (
    SEARCH_COLORS,
    plot_anytime,
    plot_landscape_heatmap,
    plot_points_on_landscape,
    plot_trials_with_projections,
)
from naslab.grid_vs_random.spaces import COURSE_VALUES, synthetic_g, synthetic_grid, synthetic_h, synthetic_score
from naslab.grid_vs_random.spaces import synthetic_space as _space
from naslab.widgets import panel


def synthetic_trials(budget: int, seed: int) -> dict:
    """x and y of a k x k grid (k = floor(sqrt(budget))) and of `budget` random trials with `seed`."""
    k = max(1, math.isqrt(int(budget)))
    g = grid(synthetic_grid(k))
    rng = np.random.default_rng(seed)
    r = [sample(_space(), rng) for _ in range(int(budget))]
    return {"grid": (np.array([c["x"] for c in g]), np.array([c["y"] for c in g])),
            "random": (np.array([c["x"] for c in r]), np.array([c["y"] for c in r]))}


def draw_synthetic(fig, *, budget: int = 9, seed: int = 0, importance: float = 0.1) -> None:
    """Grid (left) and random (right) trials on f(x, y) = g(x) + importance * h(y), with projections."""
    pts = synthetic_trials(budget, seed)

    def f(X, Y):
        return synthetic_score(X, Y, importance)

    def h(y):
        return importance * synthetic_h(y)

    top = float(synthetic_score(0.72, 0.4, importance))  # the optimum
    axes = fig.subplots(1, 2)
    for ax, name in zip(axes, ("grid", "random")):
        x, y = pts[name]
        best = float(np.max(f(x, y)))
        plot_trials_with_projections(x, y, f=f, g=synthetic_g, h=h, ax=ax, color=SEARCH_COLORS[name],
                                     title=f"{name}: {len(x)} trials, best f = {best:.2f} (max {top:.2f})")


def synthetic_panel(*, budget: int = 9, importance: float = 0.1):
    """Sliders: the budget (trials), the random seed and how much the second parameter matters."""
    import ipywidgets as W

    controls = {
        "budget": W.IntSlider(value=budget, min=4, max=49, description="budget (trials)"),
        "seed": W.IntSlider(value=0, min=0, max=19, description="random seed"),
        "importance": W.FloatSlider(value=importance, min=0.0, max=1.0, step=0.05, description="importance of y"),
    }
    return panel(lambda fig, **v: draw_synthetic(fig, **v), controls, figsize=(10.5, 5.4),
                 title="Grid vs random on f(x, y) = g(x) + importance · h(y)")


def _curves(land) -> dict:
    """Best-so-far curves of every seed of a landscape, grid (random order) and random."""
    n = land.n_trials
    return {"grid": best_vs_trials([land.grid_search(s, n) for s in range(land.n_seeds)], n),
            "random": best_vs_trials([land.random_search(s, n) for s in range(land.n_seeds)], n)}


def draw_landscape(fig, landscapes: dict, *, budget: int = 9, seed: int = 0, dataset: str | None = None,
                   _cache: dict | None = None) -> None:
    """Left: the grid heatmap with this seed's first `budget` grid and random trials; right: anytime curves."""
    dataset = dataset or next(iter(landscapes))
    land = landscapes[dataset]
    cache = _cache if _cache is not None else {}
    if dataset not in cache:
        cache[dataset] = _curves(land)
    curves = cache[dataset]
    seed = int(min(seed, land.n_seeds - 1))
    g_run, r_run = land.grid_search(seed, budget), land.random_search(seed, budget)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.1, 1])
    plot_landscape_heatmap(land.grid_matrix(), COURSE_VALUES, COURSE_VALUES, diverged=land.grid_matrix("diverged"),
                           ax=ax1, annotate=False, vmin=0, vmax=1)
    g_acc, r_acc = best_so_far(g_run)[-1], best_so_far(r_run)[-1]
    for name, run, marker in (("grid", g_run, "s"), ("random", r_run, "o")):
        plot_points_on_landscape([t.config["lr"] for t in run], [t.config["weight_decay"] for t in run],
                                 acc=None, ax=ax1, color=SEARCH_COLORS[name], marker=marker,
                                 label=f"{name}: best {best_so_far(run)[-1]:.3f}", best=False, size=60)
    ax1.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncol=2, fontsize=8, frameon=False)
    ax1.set_title(f"{dataset}: seed {seed}, first {budget} trials of each", fontsize=10)
    plot_anytime(curves, ax=ax2, spread="quartiles", legend="below")
    ax2.axvline(budget, color="0.3", ls=":", lw=1.2)
    ax2.plot([budget], [g_acc], "s", color=SEARCH_COLORS["grid"], ms=8, mec="black")
    ax2.plot([budget], [r_acc], "o", color=SEARCH_COLORS["random"], ms=8, mec="black")
    top = float(max(land.grid_acc.max(), land.rand_acc.max()))
    ax2.set_ylim(max(0.0, top - 0.5), top + 0.02)
    ax2.set_title(f"{land.n_seeds} seeds; markers: seed {seed} at {budget} trials", fontsize=10)


def landscape_panel(landscapes: dict, *, budget: int = 9):
    """Budget, searcher seed and dataset over cached or population-trained landscapes."""
    import ipywidgets as W

    first = next(iter(landscapes.values()))
    cache: dict = {}
    controls = {
        "budget": W.IntSlider(value=budget, min=1, max=first.n_trials, description="budget (trials)"),
        "seed": W.IntSlider(value=0, min=0, max=first.n_seeds - 1, description="searcher seed"),
        "dataset": W.Dropdown(options=list(landscapes), value=next(iter(landscapes)), description="dataset"),
    }

    def draw(fig, **v):
        draw_landscape(fig, landscapes, _cache=cache, **v)

    return panel(draw, controls, figsize=(11, 4.8), title="Grid vs random on the real landscape")
