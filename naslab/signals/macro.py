"""Zero-cost proxies in notebook 03's study: every registered proxy (a student's too) on the macro benchmark.

Notebook 03 (`naslab.proxies.study`) ranks cheaper *training* proxies (fewer epochs, less data, thinner
nets) against full training of the 128 architectures of data/bench/mnist1d_macro128. A zero-cost proxy is
one more row of that ladder: each architecture is built untrained (`MacroSpace.build`, seeded), wrapped as
a `ProxyNet` (`naslab.signals.measures.module_net`: ReLU inputs, conv / linear outputs and MACs through
hooks), scored on one training mini-batch, and `study.score_row` judges the scores against the same truth
(the benchmark's seed-1 full-budget accuracy) with the same τ, ρ, top-k overlap and cost in seconds.

    zero_cost_scores(bench, name)  -> {"scores": (n,), "seconds": (n,)}
    zero_cost_row(bench, name)     -> the row `study.standard_rows` gives the training proxies

Taught in: notebooks/07_cheap_signals.ipynb (exercise 1). Notebook 03 itself cannot import this (a topic imports
only earlier topics): for its ladder to show a zero-cost row, the registry (`nets`, `registry`, `saliency`,
`codes`, `measures`) would move to the core, or notebook 03 would call `study.score_row` on scores it is given.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from naslab.proxies.study import score_row, truth
from naslab.signals.measures import module_net
from naslab.signals.registry import compute


def zero_cost_scores(bench, name: str, *, seed: int = 0, batch_size: int = 32, index=None) -> dict:
    """Scores of the registered proxy `name` on the architectures `index` (default all) of a notebook-03
    `Benchmark`, each built with `torch.manual_seed(seed * 100_003 + i)`, on one seeded training batch."""
    from naslab.data import load_dataset

    data = load_dataset(bench.config.dataset)
    rows = np.random.default_rng(seed).permutation(len(data.y_train))[:batch_size]
    x, y = data.X_train[rows].to(torch.float64), data.y_train[rows]
    index = np.arange(bench.size) if index is None else np.asarray(index)
    scores, seconds = np.zeros(len(index)), np.zeros(len(index))
    for j, i in enumerate(index):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed * 100_003 + int(i))
            model = bench.space.build(bench.archs[i], tuple(x.shape[1:]), data.num_classes)
        t0 = time.process_time()
        scores[j] = compute(name, module_net(model, tuple(x.shape[1:]), name=bench.archs[i].key), x, y)
        seconds[j] = time.process_time() - t0
    return {"index": index, "scores": scores, "seconds": seconds}


def zero_cost_row(bench, name: str, *, seed: int = 0, index=None) -> dict:
    """`naslab.proxies.study.score_row` of a zero-cost proxy: τ, ρ, top-k overlap and the cost against full
    training (the seed-1 truth of notebook 03), kind "zero-cost"."""
    p = zero_cost_scores(bench, name, seed=seed, index=index)
    return score_row(f"{name} (zero-cost)", "zero-cost", p["scores"], p["seconds"], bench.cost(None)[p["index"]],
                     truth(bench, p["index"]))


__all__ = ["zero_cost_scores", "zero_cost_row"]
