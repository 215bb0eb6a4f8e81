"""A student's proxy joins the registry only when it passes the checks; each refusal says why."""

import itertools
import math

import pytest
import torch

from naslab.signals.measures import proxy_names, score
from naslab.signals.nets import cell_net
from naslab.signals.registry import REGISTRY, compute, register_proxy, unregister_proxy


@pytest.fixture
def clean():
    before = set(REGISTRY)
    yield
    for name in set(REGISTRY) - before:
        del REGISTRY[name]


def weight_l1(net, x, y):
    return sum(float(v.abs().sum()) for v in net.params.values())


def test_a_valid_proxy_is_scored_with_the_builtins(clean):
    assert register_proxy("weight_l1", weight_l1, needs_data=False) is weight_l1
    assert proxy_names()[-1] == "weight_l1" and not REGISTRY["weight_l1"].needs_data
    net = cell_net((3, 1, 2, 4, 0, 3))
    x = torch.randn(4, 1, 40, dtype=torch.float64)
    s, t = score(net, x, torch.arange(4), names=["params", "weight_l1"])
    assert s["weight_l1"] == pytest.approx(sum(float(v.abs().sum()) for v in net.params.values()))
    assert set(t) == {"params", "weight_l1"}
    register_proxy("weight_l1", weight_l1)  # the same function again (a re-run notebook cell): fine
    unregister_proxy("weight_l1")
    assert "weight_l1" not in REGISTRY


def test_decorator_form(clean):
    @register_proxy("minus_params")
    def minus_params(net, x, y):
        return -sum(v.numel() for v in net.params.values())

    assert compute("minus_params", cell_net((2,) * 6), None, None) == -compute("params", cell_net((2,) * 6), None, None)


@pytest.mark.parametrize("name, fn, error, message", [
    ("my proxy", weight_l1, ValueError, "must be letters, digits and underscores"),
    ("synflow", weight_l1, ValueError, "'synflow' is built in and cannot be replaced"),
    ("p", 3, TypeError, "must be a function fn\\(net, x, y\\) -> float, got int"),
    ("p", lambda net: 0.0, TypeError, "must take three arguments \\(net, x, y\\); its signature is \\(net\\)"),
    ("p", lambda n, x, y: float("nan"), ValueError, "returned nan; scores must be finite or -inf"),
    ("p", lambda n, x, y: math.inf, ValueError, "returned inf; scores must be finite or -inf"),
    ("p", lambda n, x, y: torch.ones(2), ValueError, "returned a tensor of shape \\(2,\\); return one number"),
    ("p", lambda n, x, y: "big", ValueError, "returned str 'big'; return a real number"),
    ("p", lambda n, x, y: [v.abs_() for v in n.params.values()] and 1.0, ValueError, "changed the weights"),
    ("p", lambda n, x, y, calls=itertools.count(): float(next(calls)), ValueError,
     "gave 0.0 and then 1.0 for the same net and batch"),
])
def test_bad_proxies_are_refused_with_the_reason(clean, name, fn, error, message):
    with pytest.raises(error, match=message):
        register_proxy(name, fn)
    assert name not in REGISTRY or REGISTRY[name].builtin


def test_replacing_needs_replace_true_and_unknown_names_are_refused(clean):
    register_proxy("p", weight_l1)
    with pytest.raises(ValueError, match="'p' is already registered; pass replace=True"):
        register_proxy("p", lambda n, x, y: 1.0)
    register_proxy("p", lambda n, x, y: 1.0, replace=True)
    assert compute("p", cell_net((1,) * 6), None, None) == 1.0
    with pytest.raises(ValueError, match="proxy 'nope' is not registered; registered: "):
        compute("nope", cell_net((1,) * 6), None, None)
    with pytest.raises(ValueError, match="'snip' is not a registered student proxy"):
        unregister_proxy("snip")
