"""Notebook 04 · Net2Net (Chen et al., ICLR 2016) and EAS (Cai et al., AAAI 2018): function-preserving
layer transforms (wider, deeper), whole-network growth, the preservation measurement, training curves, the EAS
meta-controller and search, plots, widget panels and exercise checks. Import from the modules; the
homework names are also `naslab.NAME`."""
