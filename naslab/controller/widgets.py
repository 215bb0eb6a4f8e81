"""Widget panels of notebook 02: the toy controller microscope and an explorer of a finished search.

Both use `naslab.widgets.panel`; ipywidgets is imported lazily. The microscope retrains the
toy controller (cached, ~1 s); the explorer only redraws stored results.

Taught in: notebooks/02_reinforce_controller.ipynb.
"""

from __future__ import annotations

import numpy as np

from naslab.anytime import best_so_far, best_vs_trials
from naslab.controller.plots import plot_architecture, plot_best_so_far_curves, plot_microscope
from naslab.controller.toy import TOY_DECISIONS, best_arm_probability, run_toy, toy_rewards
from naslab.widgets import panel

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
ENTROPY_WEIGHTS = (0.0, 0.001, 0.01, 0.03, 0.1, 0.3)


def draw_microscope(fig, *, lr: float, baseline: bool, entropy_weight: float, updates: int = 60, seed: int = 0):
    """Train the toy controller with these settings (cached) and draw its microscope on `fig`."""
    hist = run_toy(lr=float(lr), baseline=bool(baseline), entropy_weight=float(entropy_weight),
                   updates=int(updates), seed=int(seed))
    table = toy_rewards()
    best = tuple(int(i) for i in np.unravel_index(table.argmax(), table.shape))
    p = best_arm_probability(hist, best)[-1]
    fav = hist[-1]["favourite"]
    names = ", ".join(f"{n}={c[a]}" for (n, c), a in zip(TOY_DECISIONS, fav))
    plot_microscope(hist, TOY_DECISIONS, fig=fig,
                    title=f"lr={lr:.3g}, baseline {'on' if baseline else 'off'}, β={entropy_weight:g}: favourite "
                          f"{names} (reward {table[tuple(fav)]:.2f}); P(best arm) = {p:.2f}")


def microscope_panel(*, updates: int = 60, lr: float = 0.03):
    """Sliders for the learning rate, baseline on/off and the entropy weight of the toy controller."""
    import ipywidgets as W

    controls = {
        "lr": W.SelectionSlider(options=list(LEARNING_RATES), value=lr, description="learning rate"),
        "baseline": W.Checkbox(value=True, description="EMA baseline"),
        "entropy_weight": W.SelectionSlider(options=list(ENTROPY_WEIGHTS), value=0.0, description="entropy β"),
        "seed": W.IntSlider(value=0, min=0, max=9, description="seed"),
    }

    def draw(fig, **v):
        draw_microscope(fig, updates=updates, **v)

    return panel(draw, controls, figsize=(10, 5.5), title="Controller microscope (toy reward table)")


def draw_search(fig, comparison, space, *, n: int, seed_index: int = 0, input_shape=(1, 40)):
    """Best-so-far curves up to `n` children, and the best architecture each method found by then."""
    grid = fig.add_gridspec(2, 2, height_ratios=[1.4, 1])
    curves = {m: best_vs_trials(runs)[:, :n] for m, runs in comparison.trials.items()}
    ax = plot_best_so_far_curves(curves, ax=fig.add_subplot(grid[0, :]))
    ax.set_xlim(1, max(n, 2))
    for col, (method, runs) in enumerate(comparison.trials.items()):
        run = runs[seed_index][:n]
        i = int(best_so_far(run).argmax())  # first trial reaching the incumbent
        arch = space.decode(run[i].config["tokens"])
        plot_architecture(arch, shapes=space.shapes(arch, input_shape), ax=fig.add_subplot(grid[1, col]),
                          title=f"{method}, seed {seed_index}: best after {n} children is child {i + 1}, "
                                f"val_acc {run[i].score():.3f}")


def search_panel(comparison, space, *, input_shape=(1, 40)):
    """Explore a finished `naslab.controller.children.Comparison`: number of children and seed."""
    import ipywidgets as W

    n_max = min(len(r) for runs in comparison.trials.values() for r in runs)
    n_seeds = len(next(iter(comparison.trials.values())))
    controls = {
        "n": W.IntSlider(value=n_max, min=1, max=n_max, description="children"),
        "seed_index": W.Dropdown(options=list(range(n_seeds)), value=0, description="seed"),
    }

    def draw(fig, **v):
        draw_search(fig, comparison, space, input_shape=input_shape, **v)

    return panel(draw, controls, figsize=(11, 6), title="Controller vs random: best architecture after n children")
