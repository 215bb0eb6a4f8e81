"""The registry of zero-cost proxies: a name -> a measure function, as NASLib's `@measure` decorator.

A measure is `fn(net, x, y) -> float` for a `naslab.signals.nets.ProxyNet` net, a mini-batch x (B, ...) and
its labels y (B,). Every registered measure follows one sign convention:

    higher score = the proxy predicts a better network after training

so a signed rank correlation with accuracy is positive when the proxy works, and a negative one means it
points the wrong way (never fixed afterwards with `abs()`). A score may be -inf ("this net cannot learn
anything": e.g. its output ignores the input), never NaN or +inf.

Built-in measures are registered by `naslab.signals.saliency` (synflow, snip, grasp, grad_norm, fisher),
`naslab.signals.codes` (jacob_cov, naswot) and `naslab.signals.measures` (params, flops); import
`naslab.signals.measures` to get them all. A student's proxy joins with `register_proxy(name, fn)`, which
first runs it on two check nets (a ReLU MLP and a benchmark cell) and refuses it, with the reason, when
it crashes, returns something that is not a real number, returns NaN or +inf, changes the net's
weights, or gives two different scores for the same input.

Taught in: notebooks/07_cheap_signals.ipynb §1.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import torch

from naslab.signals.nets import ProxyNet, cell_net, mlp_net

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Measure:
    """One registered proxy: `fn(net, x, y) -> float`, higher = predicted better."""

    name: str
    fn: Callable
    needs_data: bool = True  # False: the score ignores x and y (synflow, params, flops)
    paper: str = ""
    builtin: bool = False


REGISTRY: dict[str, Measure] = {}


def measure(name: str, *, needs_data: bool = True, paper: str = ""):
    """Decorator for the built-in measures (no checks: their tests are in tests/signals/)."""

    def add(fn: Callable) -> Callable:
        REGISTRY[name] = Measure(name, fn, needs_data, paper, builtin=True)
        return fn

    return add


def _real(name: str, value) -> float:
    """A measure's result as a float; TypeError / ValueError naming the measure otherwise."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError(f"proxy {name!r} returned a tensor of shape {tuple(value.shape)}; return one number")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise TypeError(f"proxy {name!r} returned {type(value).__name__} {value!r}; return a real number (float)")
    value = float(value)
    if math.isnan(value) or value == math.inf:
        raise ValueError(f"proxy {name!r} returned {value}; scores must be finite or -inf (higher = better)")
    return value


def compute(name: str, net: ProxyNet, x: torch.Tensor, y: torch.Tensor) -> float:
    """The score of the registered proxy `name` on `net` for the batch (x, y), as a float."""
    if name not in REGISTRY:
        raise ValueError(f"proxy {name!r} is not registered; registered: {sorted(REGISTRY)}")
    return _real(name, REGISTRY[name].fn(net, x, y))


def check_nets() -> list[tuple[ProxyNet, torch.Tensor, torch.Tensor]]:
    """The nets a new proxy must handle: a 2-layer ReLU MLP and a benchmark cell (conv, skip and pool)."""
    g = torch.Generator().manual_seed(0)
    mlp = mlp_net([torch.randn(6, 5, generator=g), torch.randn(3, 6, generator=g)])
    x_mlp, y_mlp = torch.randn(8, 5, generator=g, dtype=torch.float64), torch.arange(8) % 3
    cell = cell_net((3, 1, 2, 4, 0, 3), seed=0)
    x_cell, y_cell = torch.randn(8, 1, 40, generator=g, dtype=torch.float64), torch.arange(8) % 10
    return [(mlp, x_mlp, y_mlp), (cell, x_cell, y_cell)]


def validate_proxy(name: str, fn: Callable) -> None:
    """Run `fn` twice on each check net; ValueError saying what went wrong (the net's weights must stay)."""
    for net, x, y in check_nets():
        before = {k: v.clone() for k, v in net.params.items()}
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                a = _real(name, fn(net, x.clone(), y.clone()))
                torch.manual_seed(0)
                b = _real(name, fn(net, x.clone(), y.clone()))
        except Exception as e:  # its own crash, or _real's TypeError / ValueError
            raise ValueError(f"proxy {name!r} fails on the check net {net.name}: {type(e).__name__}: {e}") from e
        changed = [k for k in before if not torch.equal(before[k], net.params[k])]
        if changed:
            raise ValueError(f"proxy {name!r} changed the weights {changed} of {net.name}; work on copies "
                             f"(e.g. net(x, params={{k: v.abs() for k, v in net.params.items()}}))")
        if a != b and not (math.isinf(a) and math.isinf(b)):
            raise ValueError(f"proxy {name!r} gave {a} and then {b} for the same net and batch; "
                             "a proxy must be deterministic given the torch seed")


def register_proxy(name: str, fn: Callable | None = None, *, needs_data: bool = True, replace: bool = False,
                   check: bool = True):
    """Add a student's proxy `fn(net, x, y) -> float` (higher = predicted better); usable as a decorator.

    Args:
        name: letters, digits and underscores; not a built-in proxy's name.
        needs_data: False when the score ignores x and y (then the table computes it once per seed).
        replace: allow replacing a proxy you registered before under `name` (never a built-in).
        check: run `validate_proxy` first; a failing proxy is not registered (ValueError with the reason).
    """
    if fn is None:
        return lambda f: register_proxy(name, f, needs_data=needs_data, replace=replace, check=check)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"proxy name {name!r} must be letters, digits and underscores (e.g. 'my_proxy')")
    if not callable(fn):
        raise TypeError(f"the proxy {name!r} must be a function fn(net, x, y) -> float, got {type(fn).__name__}")
    try:
        inspect.signature(fn).bind(None, None, None)
    except TypeError:
        raise TypeError(f"the proxy {name!r} must take three arguments (net, x, y); its signature is "
                        f"{inspect.signature(fn)}") from None
    except ValueError:
        pass  # no signature to read (a builtin): the check run decides
    if name in REGISTRY and REGISTRY[name].builtin:
        raise ValueError(f"proxy {name!r} is built in and cannot be replaced; built-ins: "
                         f"{sorted(k for k, m in REGISTRY.items() if m.builtin)}")
    if name in REGISTRY and not replace and REGISTRY[name].fn is not fn:
        raise ValueError(f"proxy {name!r} is already registered; pass replace=True to replace your own")
    if check:
        validate_proxy(name, fn)
    REGISTRY[name] = Measure(name, fn, needs_data, paper="", builtin=False)
    return fn


def unregister_proxy(name: str) -> None:
    """Remove a proxy you registered (built-ins stay)."""
    if name not in REGISTRY or REGISTRY[name].builtin:
        raise ValueError(f"{name!r} is not a registered student proxy; yours: "
                         f"{sorted(k for k, m in REGISTRY.items() if not m.builtin)}")
    del REGISTRY[name]


__all__ = ["Measure", "REGISTRY", "measure", "compute", "check_nets", "validate_proxy", "register_proxy",
           "unregister_proxy"]
