"""Every public plot function of the core and of every topic, drawn with small fake data at its default size:
no text (titles, labels, ticks, legends, annotations, colour bars) is under 8 pt, so figures stay legible on a
projector. A new plot function without a fake here fails `test_every_plot_function_has_a_fake`.
"""

from __future__ import annotations

import importlib
import pkgutil

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import naslab  # noqa: E402
from naslab.trial import Trial  # noqa: E402

MIN_PT = 8.0
RNG = np.random.default_rng(0)


def _plot_modules():
    mods = [importlib.import_module("naslab.plots")]
    for info in pkgutil.iter_modules(naslab.__path__):
        if info.ispkg:
            try:
                mods.append(importlib.import_module(f"naslab.{info.name}.plots"))
            except ModuleNotFoundError:
                pass  # a topic without plots
    return mods


def _public_plot_functions():
    return {f"{m.__name__}.{name}": getattr(m, name) for m in _plot_modules() for name in m.__all__
            if name.startswith("plot_") and callable(getattr(m, name))}


def _trials(n=6, lo=0.5, hi=0.9, seed=0):
    r = np.random.default_rng(seed)
    return [Trial(config={"arch": f"conv-8-3 fc-{8 + i}"}, metrics={"val_acc": float(r.uniform(lo, hi))}, trial_id=i,
                  parent=None if i == 0 else int(r.integers(0, i))) for i in range(n)]


def _history(n=4):
    probs = [np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.2, 0.2]), np.array([0.5, 0.5])]
    return [{"probs": probs, "reward": 0.5 + 0.1 * u, "baseline": 0.4, "advantage": 0.1, "entropy": 1.0,
             "favourite": [2, 0, 0]} for u in range(n)]


def _genotype():
    from naslab.darts.genotype import Genotype

    return Genotype(normal=[[("sep_conv_3x3", 0), ("avg_pool_3x3", 1)], [("skip_connect", 0), ("max_pool_3x3", 2)]],
                    reduce=[[("max_pool_3x3", 0), ("dil_conv_5x5", 1)], [("dil_conv_3x3", 0), ("sep_conv_5x5", 2)]])


def _arch():
    from naslab.controller.macro_space import MacroSpace

    space = MacroSpace(n_layers=3, pools=("none", "max"))
    arch = space.parse("8-3-2-max|16-5-1-none|32-7-1-max+0")
    return arch, space.shapes(arch, (1, 40))


def _fakes():
    from naslab.controller.toy import TOY_DECISIONS
    from naslab.darts.ops import PRIMITIVES
    from naslab.grid_vs_random.spaces import COURSE_VALUES, synthetic_g, synthetic_h, synthetic_score

    curves = np.maximum.accumulate(RNG.uniform(0.3, 0.9, (4, 10)), axis=1)
    rows = [{"name": n, "seconds": s, "fraction": s / 200, "tau": t, "kind": k}
            for n, s, t, k in [("1 epoch", 24, 0.34, "epochs"), ("1/3 data", 75, 0.5, "data"),
                               ("full training", 200, 0.7, "full")]]
    acc = RNG.uniform(0.1, 0.9, (6, 6))
    arch, shapes = _arch()
    trace = RNG.dirichlet(np.ones(len(PRIMITIVES)), size=(4, 5))  # (epochs + 1, edges of 2 nodes, ops)
    darts_hist = [{"epoch": e, "skips": e % 3, "param_free": e % 4, "supernet_val_acc": 0.3 + 0.1 * e}
                  for e in range(4)]
    return {
        "naslab.plots.plot_images": lambda: naslab.plots.plot_images(RNG.random((12, 1, 8, 8)), np.arange(12) % 10),
        "naslab.plots.plot_signals": lambda: naslab.plots.plot_signals(RNG.random((4, 1, 40)), np.arange(4)),
        "naslab.plots.plot_sample": lambda: naslab.plots.plot_sample(RNG.random((1, 40)), label=3),
        "naslab.plots.plot_loss_curve": lambda: naslab.plots.plot_loss_curve([2.0, 1.5, np.nan], label="lr 1"),
        "naslab.plots.plot_nas_framework": lambda: naslab.plots.plot_nas_framework(highlight="space"),
        # 01
        "naslab.grid_vs_random.plots.plot_trials_with_projections": lambda: _m(1).plot_trials_with_projections(
            RNG.random(9), RNG.random(9), f=synthetic_score, g=synthetic_g, h=synthetic_h, title="random"),
        "naslab.grid_vs_random.plots.plot_landscape_heatmap": lambda: _m(1).plot_landscape_heatmap(
            acc, COURSE_VALUES, COURSE_VALUES, diverged=acc < 0.2),
        "naslab.grid_vs_random.plots.plot_points_on_landscape": lambda: _m(1).plot_points_on_landscape(
            [0.1, 0.01], [1e-3, 1e-2], acc=[0.5, 0.9], ax=_m(1).plot_landscape_heatmap(acc, COURSE_VALUES,
                                                                                       COURSE_VALUES)),
        "naslab.grid_vs_random.plots.plot_anytime": lambda: _m(1).plot_anytime(
            {"grid": curves, "random": curves}, spread="quartiles", reference={"best in the space": 0.95}),
        "naslab.grid_vs_random.plots.plot_hit_probability": lambda: _m(1).plot_hit_probability(),
        # 02
        "naslab.controller.plots.plot_gradient_check": lambda: _m(2).plot_gradient_check(
            [0.1, -0.2, 0.1], RNG.normal(size=(50, 3))),
        "naslab.controller.plots.plot_running_estimate": lambda: _m(2).plot_running_estimate(
            {"b = 0": RNG.normal(size=(50, 3))}, [0.1, 0.2, 0.3]),
        "naslab.controller.plots.plot_decision_probs": lambda: _m(2).plot_decision_probs(_history(), 0, (8, 16, 32)),
        "naslab.controller.plots.plot_reward_curves": lambda: _m(2).plot_reward_curves(_history()),
        "naslab.controller.plots.plot_microscope": lambda: _m(2).plot_microscope(_history(), TOY_DECISIONS,
                                                                                 title="toy"),
        "naslab.controller.plots.plot_best_so_far_curves": lambda: _m(2).plot_best_so_far_curves(
            {"controller": curves, "random": curves}),
        "naslab.controller.plots.plot_sampled_accuracies": lambda: _m(2).plot_sampled_accuracies(
            {"controller": [list(RNG.random(12))] * 2, "random": [list(RNG.random(12))] * 2}),
        "naslab.controller.plots.plot_architecture": lambda: _m(2).plot_architecture(arch, shapes=shapes,
                                                                                     title="a child"),
        # 03
        "naslab.proxies.plots.plot_learning_curves": lambda: _m(3).plot_learning_curves(curves, labels=list("abcd")),
        "naslab.proxies.plots.plot_ladder": lambda: _m(3).plot_ladder(rows),
        "naslab.proxies.plots.plot_proxy_scatter": lambda: _m(3).plot_proxy_scatter(
            RNG.random(20), RNG.random(20), name="1 epoch"),
        "naslab.proxies.plots.plot_cost_vs_rank": lambda: _m(3).plot_cost_vs_rank(rows, highlight="1 epoch",
                                                                                  ceiling=0.8),
        "naslab.proxies.plots.plot_scaling": lambda: _m(3).plot_scaling([0.5, 0.6, 0.7], [0.6, 0.8, 0.7]),
        "naslab.proxies.plots.plot_sharing_cost": lambda: _m(3).plot_sharing_cost({"alone": 100.0, "shared": 5.0}),
        # 04
        "naslab.net2net.plots.plot_weight_matrix": lambda: _m(4).plot_weight_matrix(
            torch.randn(6, 4), new_rows=4, row_labels=list("abcdef")),
        "naslab.net2net.plots.plot_net2net_matrices": lambda: _m(4).plot_net2net_matrices(
            {"W": torch.randn(3, 2), "V": torch.randn(2, 3)}, {"U": torch.randn(5, 2), "V'": torch.randn(2, 5)},
            new_rows={"U": 3}, new_cols={"V'": 3}, col_labels={"V'": list("01234")}, suptitle="widen"),
        "naslab.net2net.plots.plot_idempotence": lambda: _m(4).plot_idempotence({"ReLU": torch.relu}),
        "naslab.net2net.plots.plot_student_curves": lambda: _m(4).plot_student_curves(
            {"net2net": {"steps": [0, 5, 10], "val_acc": [0.5, 0.6, 0.7]},
             "scratch": {"steps": [0, 5, 10], "val_acc": [0.1, 0.4, 0.6]}}),
        "naslab.net2net.plots.plot_eas_progress": lambda: _m(4).plot_eas_progress({"EAS": _trials(),
                                                                                   "random": _trials(seed=1)}),
        "naslab.net2net.plots.plot_growth_tree": lambda: _m(4).plot_growth_tree(_trials(8), title="EAS"),
        "naslab.net2net.plots.plot_growth_trees": lambda: _m(4).plot_growth_trees({"EAS": _trials(8),
                                                                                   "random": _trials(8, seed=1)}),
        "naslab.net2net.plots.plot_eas_cost": lambda: _m(4).plot_eas_cost({"inherited": 100, "scratch": 900}),
        # 05
        "naslab.darts.plots.plot_toy_bilevel": lambda: _m(5).plot_toy_bilevel(
            {"first order": np.array([[2.0, -2.0], [1.5, 0.0], [1.0, 1.0]])}, fixed_points={"first order": (1, 1)}),
        "naslab.darts.plots.plot_alpha": lambda: _m(5).plot_alpha(trace[-1], PRIMITIVES),
        "naslab.darts.plots.plot_alpha_per_edge": lambda: _m(5).plot_alpha_per_edge(trace, PRIMITIVES, epoch=1,
                                                                                    title="alpha"),
        "naslab.darts.plots.plot_cell": lambda: _m(5).plot_cell(_genotype(), "normal"),
        "naslab.darts.plots.plot_skip_counts": lambda: _m(5).plot_skip_counts(darts_hist, max_skip=2, kept_epoch=2),
        "naslab.darts.plots.plot_retrain_comparison": lambda: _m(5).plot_retrain_comparison(
            {"DARTS": [0.8, 0.82], "random": [0.7, 0.75]}),
        "naslab.darts.plots.plot_step_costs": lambda: _m(5).plot_step_costs(
            [{"label": "first order", "cpu_seconds_per_step": 0.1}, {"label": "second order",
                                                                     "cpu_seconds_per_step": 0.3}]),
        "naslab.darts.plots.plot_search_curves": lambda: _m(5).plot_search_curves(darts_hist,
                                                                                  retrained={"retrained": 0.8}),
        # 06
        "naslab.bakeoff.plots.plot_regret_curves": lambda: _m(6).plot_regret_curves(
            np.geomspace(1, 100, 10), {n: (c, c - 0.01, c + 0.01) for n, c in [
                ("random", np.linspace(0.2, 0.1, 10)), ("evolution", np.linspace(0.2, 0.05, 10))]},
            budget=50, title="regret"),
        "naslab.bakeoff.plots.plot_final_ranking": lambda: _m(6).plot_final_ranking(
            [_rank("evolution", 0.05), _rank("random", 0.1)], {"random": RNG.random(10) * 0.2}, title="ranking"),
        "naslab.bakeoff.plots.plot_search_trace": lambda: _m(6).plot_search_trace(
            {"random": (np.ones(6), RNG.random(6))}, best=0.95, title="trace"),
        "naslab.bakeoff.plots.plot_darts_vs_truth": lambda: _m(6).plot_darts_vs_truth(
            {"first order": [{"epoch": e, "rank": 100 * e, "n_parameter_free": e} for e in (1, 2, 3)]}, 4930,
            reference={"random": 150}, title="DARTS"),
        "naslab.bakeoff.plots.plot_order_gap": lambda: _m(6).plot_order_gap(
            {"seed 0": np.array([1e-3, 2e-3, 3e-3])}, {"seed 0": np.array([0.01, 0.02, 0.02])},
            {"seed 0": np.array([True, False, False])}, title="orders"),
        "naslab.bakeoff.plots.plot_seed_vs_seed": lambda: _m(6).plot_seed_vs_seed(
            RNG.random(200), RNG.random(200), top=20, title="noise"),
        # 07
        "naslab.signals.plots.plot_proxy_scatter": lambda: _m(7).plot_proxy_scatter(
            RNG.random(200), RNG.random(200), name="synflow", band=(0.9, 1.0)),
        "naslab.signals.plots.plot_judge": lambda: _m(7).plot_judge(
            [{"name": "synflow", "rho": 0.6, "rho_lo": 0.58, "rho_hi": 0.62, "anchor_rho": 0.74},
             {"name": "ceiling: seed 0 vs 1", "rho": 0.45, "rho_lo": 0.43, "rho_hi": 0.47,
              "anchor_rho": float("nan")}]),
        "naslab.signals.plots.plot_tau_curves": lambda: _m(7).plot_tau_curves(
            {"sizes": [10, 50, 200], "models": ["BANANAS", "GP"], "feature_sets": ["encoding", "encoding + proxies"],
             "tau": RNG.random((2, 2, 3, 2))}),
        "naslab.signals.plots.plot_race_iqm": lambda: _m(7).plot_race_iqm(
            {"trainings": [50, 150, 300], "names": ["random", "BANANAS"],
             "iqm": {"random": [0.1, 0.08, 0.07], "BANANAS": [0.09, 0.05, 0.04]},
             "lo": {"random": [0.09, 0.07, 0.06], "BANANAS": [0.08, 0.04, 0.03]},
             "hi": {"random": [0.11, 0.09, 0.08], "BANANAS": [0.1, 0.06, 0.05]}}),
        "naslab.signals.plots.plot_pi_matrix": lambda: _m(7).plot_pi_matrix(
            {"names": ["random", "BANANAS"], "p": [[0.5, 0.2], [0.8, 0.5]], "lo": [[0.5, 0.1], [0.7, 0.5]],
             "hi": [[0.5, 0.3], [0.9, 0.5]]}),
        # 08
        "naslab.hardware.plots.plot_run_times": lambda: _m(8).plot_run_times(
            {"batch 1": 1e-4 * (1 + RNG.random(20)), "batch 64": 1e-3 * (1 + RNG.random(20))}, warmup=3, title="runs"),
        "naslab.hardware.plots.plot_live_vs_shipped": lambda: _m(8).plot_live_vs_shipped(
            1e-4 * (1 + RNG.random(30)), 1e-4 * (1 + RNG.random(30)), title="live"),
        "naslab.hardware.plots.plot_models": lambda: _m(8).plot_models(
            {"FLOPs": 1e-4 * (1 + RNG.random(30)), "lookup table": 1e-4 * (1 + RNG.random(30))},
            1e-4 * (1 + RNG.random(30)), title="models"),
        "naslab.hardware.plots.plot_front": lambda: _m(8).plot_front(
            np.array([0.3, 0.4, 0.5, 0.45]), np.array([3e-4, 2e-4, 1e-4, 2.5e-4]), [0, 1, 2], ref=(0.55, 3.2e-4),
            highlight={"best": 0}, title="front"),
        "naslab.hardware.plots.plot_hv_fraction": lambda: _m(8).plot_hv_fraction(
            [{"searcher": n, "trainings": t, "iqm": v, "lo": v - 0.05, "hi": v + 0.05} for n, d in
             (("random", 0.0), ("MO evolution", 0.1)) for t, v in ((50, 0.4 + d), (100, 0.5 + d), (200, 0.6 + d))],
            ceiling=0.9, title="share"),
        "naslab.hardware.plots.plot_budget": lambda: _m(8).plot_budget(
            np.array([0.3, 0.4, 0.5, 0.45]), np.array([3e-4, 2e-4, 1e-4, 2.5e-4]), [0, 1, 2], 2.6e-4,
            {"random": 3, "MO evolution": 1, "constrained": None}, title="budget"),
    }


def _rank(name, v):
    from naslab.bakeoff.stats import Rank

    return Rank(name, v, v - 0.01, v + 0.02, 0.1)


def _m(nb: int):
    name = {1: "grid_vs_random", 2: "controller", 3: "proxies", 4: "net2net", 5: "darts", 6: "bakeoff",
            7: "signals", 8: "hardware"}[nb]
    return importlib.import_module(f"naslab.{name}.plots")


FAKES = _fakes()


def test_every_plot_function_has_a_fake():
    missing = sorted(set(_public_plot_functions()) - set(FAKES))
    assert not missing, f"add a fake call to tests/course/test_figures_legible.py for: {missing}"
    assert len(FAKES) >= 40


def _figures(out):
    if isinstance(out, plt.Axes):
        return {out.figure}
    if isinstance(out, plt.Figure):
        return {out}
    return {a.figure for a in np.ravel(np.asarray(out, dtype=object))}


@pytest.mark.parametrize("name", sorted(FAKES))
def test_no_text_under_8_pt_at_the_default_size(name):
    plt.close("all")
    figs = _figures(FAKES[name]())
    small = []
    for fig in figs:
        fig.canvas.draw()  # tick labels exist only after a draw
        small += [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
                  if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_PT]
    plt.close("all")
    assert not small, f"{name}: text under {MIN_PT} pt: {small[:6]}"


def _widget_draws():
    """Every widget draw function (the pure part of each panel) at its panel's figure size, with small inputs."""
    from types import SimpleNamespace

    from naslab.controller.macro_space import MacroSpace
    from naslab.controller.widgets import draw_microscope, draw_search
    from naslab.darts.ops import PRIMITIVES
    from naslab.darts.widgets import draw_epoch, draw_toy
    from naslab.grid_vs_random.landscape import build_landscape
    from naslab.grid_vs_random.widgets import draw_landscape, draw_synthetic
    from naslab.net2net.network import make_plain_net
    from naslab.net2net.widgets import draw_net2net
    from naslab.signals.widgets import draw_proxy

    space = MacroSpace(n_layers=3)
    rng = np.random.default_rng(1)

    def run():
        return [Trial(config={"tokens": space.encode(space.sample(rng))}, metrics={"val_acc": float(a)}, trial_id=i)
                for i, a in enumerate(rng.uniform(0.3, 0.9, 6))]

    comparison = SimpleNamespace(trials={"controller": [run(), run()], "random": [run(), run()]})
    trace = RNG.dirichlet(np.ones(len(PRIMITIVES)), size=(3, 5))
    hist = [{"epoch": e, "weights_normal": trace[e], "weights_reduce": trace[e], "supernet_val_acc": 0.5,
             "genotype": str(_genotype())} for e in range(3)]
    result = SimpleNamespace(history=hist, config=SimpleNamespace(primitives=PRIMITIVES), alpha_trace=lambda k: trace)
    model = make_plain_net((1, 8, 8), 10, "conv-4-3 conv-3-3 pool fc-8").eval()
    return {
        "microscope": ((10, 5.5), lambda fig: draw_microscope(fig, lr=0.03, baseline=True, entropy_weight=0.0,
                                                              updates=5)),
        "search": ((11, 6), lambda fig: draw_search(fig, comparison, space, n=6)),
        "toy": ((11, 4.3), lambda fig: draw_toy(fig, xi=0.3, steps=20)),
        "epoch": ((12, 4.2), lambda fig: draw_epoch(fig, result, epoch=2)),
        "synthetic": ((10.5, 5.4), lambda fig: draw_synthetic(fig, budget=9)),
        "landscape": ((11, 4.8), lambda fig: draw_landscape(
            fig, {"digits": build_landscape("digits", epochs=1, n_seeds=2, n_trials=4)}, budget=2)),
        "net2net": ((10, 5.8), lambda fig: draw_net2net(fig, model, torch.randn(4, 1, 8, 8), extra_units=2)),
        "proxy": ((7.5, 4.6), lambda fig: draw_proxy(fig, {"naswot": RNG.random(300)}, RNG.random(300), "naswot",
                                                     (90, 100))),
    }


WIDGET_DRAWS = _widget_draws()


@pytest.mark.parametrize("name", sorted(WIDGET_DRAWS))
def test_widget_figures_have_no_text_under_8_pt(name):
    plt.close("all")
    size, draw = WIDGET_DRAWS[name]
    fig = plt.figure(figsize=size, layout="constrained")
    draw(fig)
    fig.canvas.draw()
    small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_PT]
    plt.close("all")
    assert not small, f"{name}: text under {MIN_PT} pt: {small[:6]}"
