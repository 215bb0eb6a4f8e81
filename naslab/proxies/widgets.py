"""Widget of notebook 03: choose a proxy and its budget, see how it ranks and what it costs.

Everything comes from the benchmark's tables (no training in a callback), so a redraw is instant.

Taught in: notebooks/03_proxy_evaluation.ipynb ("Explore").
"""

from __future__ import annotations

PROXIES = {  # dropdown label -> (kind, level); the epochs slider sets the training budget of each
    "fewer epochs (all data, full width)": ("epochs", None),
    "1/3 of the training data": ("data", 1 / 3),
    "1/9 of the training data": ("data", 1 / 9),
    "1/2 of the channels": ("width", 0.5),
    "1/4 of the channels": ("width", 0.25),
}


def proxy_explorer(bench, *, extra_rows=None, figsize=(11, 4.2)):
    """Dropdown (the proxy) + slider (epochs of training) -> scatter against the truth and the
    cost-vs-τ map of every proxy, with the chosen one highlighted.

    Args:
        bench: a `naslab.proxies.benchmark.Benchmark`.
        extra_rows: more rows for the cost-vs-τ map (e.g. the supernet's, from `score_row`).
    """
    import ipywidgets as W

    from naslab.proxies.plots import plot_cost_vs_rank, plot_proxy_scatter
    from naslab.proxies.study import proxy_row, proxy_scores, standard_rows, truth
    from naslab.widgets import panel

    base = standard_rows(bench) + list(extra_rows or [])
    ceiling = base[0]["tau"]  # full training with another seed
    cache: dict = {}

    def chosen(label, epochs):
        if (label, epochs) not in cache:
            kind, level = PROXIES[label]
            level, ep = (epochs, None) if kind == "epochs" else (level, epochs)
            cache[(label, epochs)] = (proxy_scores(bench, kind, level, ep), proxy_row(bench, kind, level, ep))
        return cache[(label, epochs)]

    def draw(fig, proxy, epochs):
        p, row = chosen(proxy, epochs)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.25])
        plot_proxy_scatter(p["scores"], truth(bench, p["index"]), name=f"{row['name']} "
                           f"({row['fraction']:.0%} of the full cost)", kind=p["kind"], ax=ax1)
        rows = [r for r in base if r["name"] != row["name"]] + [row]
        plot_cost_vs_rank(rows, highlight=row["name"], ceiling=ceiling, ax=ax2)

    controls = {
        "proxy": W.Dropdown(options=list(PROXIES), value=list(PROXIES)[0], description="proxy"),
        "epochs": W.IntSlider(value=3, min=1, max=bench.fidelities[-1], description="epochs of training"),
    }
    return panel(draw, controls, figsize=figsize,
                 title="Pick a proxy and its budget: how well does it rank, and what does it cost?")
