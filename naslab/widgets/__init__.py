"""ipywidgets panels that wrap the pure plot functions of `naslab.plots` (imported lazily).

Every panel is built by `naslab.widgets.core.panel`: controls on top, one Output below that is
redrawn in place (one figure, never a pile of plots). The first control carries the CSS class
`naslab-probe` and the output `naslab-output`, which the browser test uses to move a widget and
check that the output changed.
"""
