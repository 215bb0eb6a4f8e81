"""Zero-cost proxies as rows of notebook 03's study, a student's proxy included."""

import numpy as np
import pytest
import torch

from naslab.proxies.benchmark import Benchmark
from naslab.proxies.ranking import kendall_tau
from naslab.proxies.study import truth
from naslab.signals.macro import zero_cost_row, zero_cost_scores
from naslab.signals.registry import REGISTRY, register_proxy

INDEX = [0, 5, 17, 40, 99, 127]


@pytest.fixture(scope="module")
def bench():
    return Benchmark.load()


def test_params_scores_count_the_built_models_parameters(bench):
    p = zero_cost_scores(bench, "params", index=INDEX)
    for j, i in enumerate(INDEX):  # oracle: the nn.Module's own parameter count
        torch.manual_seed(i)
        model = bench.space.build(bench.archs[i], (1, 40), 10)
        assert p["scores"][j] == sum(w.numel() for w in model.parameters())
    assert np.all(p["seconds"] >= 0) and list(p["index"]) == INDEX


def test_a_students_proxy_becomes_a_study_row(bench):
    def channels(net, x, y):  # a made-up proxy: the number of output channels of all layers
        return float(sum(v.shape[0] for v in net.params.values() if v.dim() >= 2))

    register_proxy("channels", channels, needs_data=False)
    try:
        row = zero_cost_row(bench, "channels", index=INDEX)
    finally:
        del REGISTRY["channels"]
    assert row["name"] == "channels (zero-cost)" and row["kind"] == "zero-cost" and row["n"] == len(INDEX)
    s = zero_cost_scores(bench, "synflow", index=INDEX)
    again = zero_cost_row(bench, "synflow", index=INDEX)
    assert again["tau"] == pytest.approx(kendall_tau(s["scores"], truth(bench, INDEX)))
