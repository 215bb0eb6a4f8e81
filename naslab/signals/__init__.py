"""Notebook 07 · cheap signals: zero-cost proxies (a registry of measures on untrained networks), their
table over every cell of notebook 06's NAS-Bench-201-style space, and how they are judged against the
ground truth. Import from the modules.

Taught in: notebooks/07_cheap_signals.ipynb.
"""
