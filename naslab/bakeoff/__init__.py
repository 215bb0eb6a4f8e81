"""Notebook 06, the NAS bake-off: a NAS-Bench-201-style cell benchmark on MNIST-1D built by naslab
(`cells`, `network`, `batched`, `build`, `table`), and DARTS checked against its ground truth
(`oneshot`). Dong & Yang, "NAS-Bench-201", ICLR 2020 (arXiv:2001.00326).
"""
