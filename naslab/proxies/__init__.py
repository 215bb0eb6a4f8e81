"""Notebook 03 · proxy evaluation: the proxy kinds, the bundled mini-benchmark and its builder, proxy evaluators, rank
agreement, the proxy-versus-truth study, weight sharing, successive halving, plots, widget panels and
exercise checks. Import from the modules; the homework names are also `naslab.NAME`."""
