"""Notebook 00 · welcome: the exercise checks of the set-up notebook (`naslab.welcome.checks`; exercise 3, one
epoch of training by hand, in `naslab.welcome.loop_checks`). The datasets, models and training loop it introduces
are core (`naslab.data`, `naslab.models`, `naslab.train`)."""
