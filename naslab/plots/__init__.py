"""Pure matplotlib plots: data in, `Axes` out (`ax=None` makes a new figure). No training inside.

One module per topic; this package re-exports all of them, so `naslab.plots.<name>` works.
"""

from naslab.plots.controller import *  # noqa: F401,F403
from naslab.plots.core import *  # noqa: F401,F403
from naslab.plots.darts import *  # noqa: F401,F403
from naslab.plots.hpo import *  # noqa: F401,F403
from naslab.plots.net2net import *  # noqa: F401,F403
from naslab.plots.proxy import *  # noqa: F401,F403
