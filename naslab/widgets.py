"""The one widget pattern of the course: controls -> a pure draw function -> one redrawn figure.

`panel(draw, controls)` wires `ipywidgets.interactive_output` to `draw(fig, **values)`; the draw
function only calls `naslab.plots` functions on the figure's axes. Without a live kernel (the course
site, a saved notebook) a panel shows its first figure: its display carries that figure as a PNG
beside the widget view (`StaticFallback`), and readers that cannot run widgets pick the PNG. No training happens in a
callback unless the panel's caller makes it cheap (cached or population-trained results).

Taught in: every notebook's "Explore" section.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import ipywidgets as W
import matplotlib.pyplot as plt

PROBE_CLASS = "naslab-probe"  # the control the browser test moves
OUTPUT_CLASS = "naslab-output"  # the output whose image must change


class StaticFallback(W.VBox):
    """A VBox whose display also carries `image/png` (its first figure) and a readable `text/plain`.

    JupyterLab with a kernel ranks the widget view first; static readers (the course site, whose
    build drops the widget view) show the PNG instead of `VBox(children=...)`."""

    static_png: bytes = b""
    static_title: str = ""

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)  # text/plain + the widget view
        data["text/plain"] = f"[{self.static_title}: run the notebook to move its controls]"
        if self.static_png:
            data["image/png"] = base64.b64encode(self.static_png).decode("ascii")
        return data


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
    if not controls:
        raise ValueError("panel needs at least one control")
    for c in controls.values():
        if hasattr(c, "style") and hasattr(c.style, "description_width"):
            c.style.description_width = "initial"  # no truncated labels
        if hasattr(c, "continuous_update"):
            c.continuous_update = False  # redraw on release, not on every pixel
    next(iter(controls.values())).add_class(PROBE_CLASS)

    first_png: list[bytes] = []  # the figure of the controls' initial values: the static fallback

    def _update(**values):
        fig = plt.figure(figsize=figsize, layout="constrained")
        draw(fig, **values)
        if not first_png:
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            first_png.append(buf.getvalue())
        plt.show()  # the inline backend renders it and closes it: one figure per redraw

    out = W.interactive_output(_update, controls)
    out.add_class(OUTPUT_CLASS)
    rows = [W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap"))]
    if title:
        rows.insert(0, W.HTML(f"<b>{title}</b>"))
    box = StaticFallback([*rows, out])
    box.static_png, box.static_title = (first_png or [b""])[0], title or "interactive panel"
    return box
