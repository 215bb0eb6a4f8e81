"""Notebook 02 · the REINFORCE controller (Zoph & Le, ICLR 2017): the macro space, the LSTM policy, the
REINFORCE loss and baseline, the controller as a searcher, the toy problem, child training, plots,
widget panels and exercise checks. Import from the modules; the homework names are also `naslab.NAME`."""
