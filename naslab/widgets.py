"""The one widget pattern of the course: controls -> a pure draw function -> one redrawn figure.

`panel(draw, controls)` wires `ipywidgets.interactive_output` to `draw(fig, **values)`; the draw
function only calls `naslab.plots` functions on the figure's axes. No training happens in a
callback unless the panel's caller makes it cheap (cached or population-trained results).

Taught in: every notebook's "Explore" section.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt

PROBE_CLASS = "naslab-probe"  # the control the browser test moves
OUTPUT_CLASS = "naslab-output"  # the output whose image must change


def panel(
    draw: Callable[..., None],
    controls: dict,
    *,
    figsize: tuple[float, float] = (7.0, 4.0),
    title: str | None = None,
):
    """Build a widget panel.

    Args:
        draw: called as `draw(fig, **{name: control.value})`; it adds axes to `fig` and draws.
        controls: name -> ipywidgets control (slider, dropdown, checkbox...). The first one is the
            "probe" the browser test moves.
        figsize: size of the figure drawn at each change.
        title: an optional HTML heading above the controls.

    Returns:
        an `ipywidgets.VBox` to display.
    """
    import ipywidgets as W

    if not controls:
        raise ValueError("panel needs at least one control")
    for c in controls.values():
        if hasattr(c, "style") and hasattr(c.style, "description_width"):
            c.style.description_width = "initial"  # no truncated labels
        if hasattr(c, "continuous_update"):
            c.continuous_update = False  # redraw on release, not on every pixel
    next(iter(controls.values())).add_class(PROBE_CLASS)

    def _update(**values):
        fig = plt.figure(figsize=figsize, layout="constrained")
        draw(fig, **values)
        plt.show()  # the inline backend renders it and closes it: one figure per redraw

    out = W.interactive_output(_update, controls)
    out.add_class(OUTPUT_CLASS)
    rows = [W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap"))]
    if title:
        rows.insert(0, W.HTML(f"<b>{title}</b>"))
    return W.VBox([*rows, out])
