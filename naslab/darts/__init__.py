"""Notebook 05 · DARTS (Liu, Simonyan & Yang, ICLR 2019): the candidate ops, the search supernet,
genotypes, the discrete network, the architect (alpha gradient), the search config, step and loop, profiling, the
bilevel toy, plots, widget panels and exercise checks. Import from the modules; the homework names are
also `naslab.NAME` (`naslab.run_darts`, `naslab.SearchResult`, `naslab.check_op`, ...)."""
