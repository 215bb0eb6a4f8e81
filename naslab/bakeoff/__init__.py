"""Notebook 06, the NAS bake-off: every searcher of the course on one ground-truth cell table.

A NAS-Bench-201-style table (Dong & Yang, ICLR 2020) turns a search into table lookups, so many
searchers can be raced over many seeds on one simulated cost axis (the table's CPU seconds) and
judged by the *test* regret of what they would return.

Modules: `cells` and `table` (the space and the ground-truth table), `toy` (small tables with a
known optimum, for tests and exercises), `searchers` (random search, regularised evolution, local
search, the REINFORCE controller on the cell's tokens), `hyperband` (successive halving and
Hyperband on the epoch fidelity), `race` (the bake-off runner), `stats` (IQM and bootstrap
intervals), `plots`, `widgets`, `checks`.

Taught in: notebooks/06_nas_bakeoff.ipynb.
"""
