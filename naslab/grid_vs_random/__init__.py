"""Notebook 01 · grid vs random search: the course spaces, population training, the cached landscape, plots,
widget panels and exercise checks. Import from the modules (`naslab.grid_vs_random.spaces`, ...); the
homework names are also `naslab.NAME`. The search machinery itself is core (`naslab.domains`,
`naslab.searchers`, `naslab.search`, `naslab.anytime`)."""
