"""Notebook 00 · welcome: the exercise checks of the set-up notebook (`naslab.welcome.checks`). The
datasets, models and training loop it introduces are core (`naslab.data`, `naslab.models`, `naslab.train`)."""
