"""Notebook 06, the NAS bake-off: every searcher of the course on one ground-truth cell table.

A NAS-Bench-201-style cell benchmark on MNIST-1D built by naslab (`ops`, `cells`, `network`, `batched`,
`training`, `build`, `table`), DARTS and weight sharing checked against its ground truth (`oneshot`,
`supernet`), and the bake-off itself:
`toy` (small tables with a known optimum, for tests and exercises), `searchers` (random search,
regularised evolution, local search, the REINFORCE controller on the cell's tokens), `hyperband`
(successive halving and Hyperband on the epoch fidelity), `race` (every searcher x seed on one
simulated cost axis, judged by test regret), `stats` (IQM and bootstrap intervals), `plots`,
`widgets`, `checks`, `checks_search`, `checks_hyperband` (the exercise checks). Dong & Yang,
"NAS-Bench-201", ICLR 2020 (arXiv:2001.00326).

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""
