"""Notebook 08, hardware-aware NAS: accuracy against latency measured on the student's own CPU.

Where NAS is used in industry it is multi-objective: the best accuracy under a latency budget on one
device (MnasNet: Tan et al., CVPR 2019; ProxylessNAS: Cai, Zhu, Han, ICLR 2019; Once-for-All: Cai et
al., ICLR 2020; HW-NAS-Bench: Li et al., ICLR 2021; nn-Meter: Zhang et al., MobiSys 2021). This topic
measures the latency of the cells of notebook 06's table on the running machine (`latency`, `build`),
compares latency models against the measurement (`models`), computes the exact Pareto front and its
hypervolume (`pareto`: Deb et al. 2002, Zitzler & Thiele 1998), and races multi-objective searchers on
the ask/tell interface (`searchers`, `race`). The notebook's own helpers: `live` (the live check with
progress), `deploy` (what a search deploys, the best cell under a budget), `checks`, `plots`, `widgets`.

Taught in: notebooks/08_hardware_aware.ipynb.
"""
