"""Widget of notebook 04: pick a layer, widen it or deepen after it, and see the weights and the check.

`draw_net2net(fig, model, X, ...)` is the pure part (tested on Agg); `net2net_panel(model, X)` wraps
it with `naslab.widgets.panel`. Every redraw grows a small model, which takes milliseconds.

Taught in: notebooks/04_net2net.ipynb (Explore).
"""

from __future__ import annotations

import torch

from naslab.net2net.layers import first_new_column, wider_mapping
from naslab.net2net.network import deepen_layer, describe, weight_layers, widen_layer
from naslab.net2net.plots import plot_net2net_matrices
from naslab.net2net.preservation import measure_preservation
from naslab.widgets import panel

OPERATIONS = ("widen", "deepen")


def draw_net2net(fig, model, X, *, extra_units: int = 4, layer: int = 0, operation: str = "widen",
                 noise: float = 0.0, kernel_size: int = 3, seed: int = 0):
    """Grow `model` at hidden `layer` and draw the affected weight matrices before / after.

    widen: layer k gets `extra_units` more units; shows W_k, W_k+1 and their Net2Net versions.
    deepen: an identity layer is inserted after layer k; shows W_k, the new layer and W_k+1.
    The figure title reports the function-preservation check on X (eval mode).
    """
    if operation not in OPERATIONS:
        raise ValueError(f"operation={operation!r} is unknown; allowed: {list(OPERATIONS)}")
    idx = weight_layers(model)
    Wk, Wn = model[idx[layer]].weight, model[idx[layer + 1]].weight
    n = Wk.shape[0]
    if operation == "widen":
        q = n + int(extra_units)
        g = wider_mapping(n, q, generator=torch.Generator().manual_seed(seed))
        student = widen_layer(model, layer, q, noise=noise, seed=seed, g=g)
        sidx = weight_layers(student)
        Uk, Un = student[sidx[layer]].weight, student[sidx[layer + 1]].weight
        s = Wn.shape[1] // n if Wn.dim() == 2 else 1  # inputs of the next layer per unit (positions after a flatten)
        before = {f"$W_{layer}$ (layer {layer})": Wk, f"$W_{layer + 1}$": Wn}
        lu, ln = f"$U_{layer}$: row j copies row g(j)", f"$U_{layer + 1}$: column j = column g(j) / count"
        after = {lu: Uk, ln: Un}
        rows, cols = {lu: n}, {ln: first_new_column(Un, n, q)}  # conv: columns n*k*k on
        names = [f"{j}" if j < n else f"{j}={int(g[j])}" for j in range(q)]  # "5=3": unit 5 copies unit 3
        row_labels = {lu: names} if q <= 24 else {}
        col_labels = {ln: names} if q <= 24 and s == 1 and Un.dim() == 2 else {}
    else:
        student = deepen_layer(model, layer, kernel_size=kernel_size, X=X, noise=noise, seed=seed)
        sidx = weight_layers(student)
        before = {f"$W_{layer}$": Wk, "new layer": None, f"$W_{layer + 1}$": Wn}
        after = {f"$W_{layer}$ (kept)": student[sidx[layer]].weight,
                 "inserted: identity": student[sidx[layer + 1]].weight,
                 f"$W_{layer + 1}$ (kept)": student[sidx[layer + 2]].weight}
        rows, cols, row_labels, col_labels = {}, {}, {}, {}
    check = measure_preservation(model, student, X, modes=("eval",))
    axes = fig.subplots(2, len(before), squeeze=False)
    plot_net2net_matrices(before, after, axes=axes, new_rows=rows, new_cols=cols, row_labels=row_labels,
                          col_labels=col_labels)
    fig.suptitle(f"{describe(model)}  ->  {describe(student)}\nmax |student(X) - teacher(X)| = "
                 f"{check.max_abs['eval']:.1e} (eval mode, {len(X)} inputs; max |output| {check.scale['eval']:.3g})",
                 fontsize=10)
    return student


def net2net_panel(model, X, *, max_extra: int = 12):
    """Controls: extra units (the probe), the layer, widen / deepen, noise and the inserted kernel size."""
    import ipywidgets as W

    hidden = len(weight_layers(model)) - 1
    controls = {
        "extra_units": W.IntSlider(value=4, min=1, max=max_extra, description="extra units (widen)"),
        "layer": W.Dropdown(options=list(range(hidden)), value=0, description="layer k"),
        "operation": W.Dropdown(options=list(OPERATIONS), value="widen", description="operation"),
        "noise": W.FloatSlider(value=0.0, min=0.0, max=0.2, step=0.01, description="noise"),
        "kernel_size": W.Dropdown(options=[1, 3, 5], value=3, description="kernel (deepen conv)"),
    }

    def draw(fig, **v):
        draw_net2net(fig, model, X, **v)

    return panel(draw, controls, figsize=(10, 5.8), title="Net2Net explorer: grow one layer of the teacher")
