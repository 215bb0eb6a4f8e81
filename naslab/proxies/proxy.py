"""Proxy evaluation: cheaper ways to score an architecture, with their cost in seconds.

A search only needs the *order* of its candidates, so a proxy is good when it ranks them the way
full training does, whatever its raw accuracy. Three classic proxies (Elsken et al. 2019, §4;
NASNet, Zoph et al. 2018, App. A) are one `Proxy` each:

* fewer epochs or steps (`epochs`, `max_steps`): read the validation accuracy early;
* a random subset of the training data (`data_fraction`);
* a down-scaled model (`width`: fewer channels; `depth`: fewer layers; `repeats`: NASNet's N), the
  knobs of "search small, evaluate big" (`scaled_build`).

How well a proxy ranks (Kendall tau, Spearman rho, top-k overlap) is measured by
`naslab.proxies.ranking`; the kinds of proxy (their names, what each cuts, the knob it sets here) are
one table, `naslab.proxies.kinds`.

Cost accounting is in seconds: `run_proxy` measures wall-clock and CPU seconds (per epoch, too),
`live_objective` hands the CPU seconds to `run_search`'s Trials, and `cost_summary` compares a
proxy's total with what full training of the same candidates costs.

Taught in: notebooks/03_proxy_evaluation.ipynb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from naslab.validate import check_instance, check_int, check_real

# ---------------------------------------------------------------------------------------------
# the down-scaled (or up-scaled) model: NASNet's knobs on a macro architecture


def scaled_build(space, arch, input_shape, num_classes: int, *, width: float = 1.0, repeats: int = 1,
                 depth: int | None = None):
    """Build `arch` of a `naslab.controller.macro_space.MacroSpace` with NASNet-style scaling knobs.

    Args:
        width: multiplies every layer's filters (round, at least 1): NASNet's "initial filters" F.
        repeats: each layer is followed by `repeats - 1` copies at stride 1 (same filters and kernel):
            NASNet's cell repeats N. Skip inputs read the last copy of their source layer.
        depth: keep only the first `depth` layers (None: all), a shallower proxy.

    Returns:
        a `naslab.controller.child_net.ChildNet`; width=1, repeats=1, depth=None gives `space.build(arch, ...)`.
    """
    from torch import nn

    from naslab.controller.child_net import ChildNet

    space.encode(arch)  # ValueError when arch is not in this space
    depth = arch.n_layers if depth is None else depth
    if not (isinstance(width, (int, float)) and width > 0):
        raise ValueError(f"width={width!r} must be a positive number (1.0 = the architecture as searched)")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats={repeats!r} must be an int >= 1 (NASNet's N; 1 = as searched)")
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= arch.n_layers:
        raise ValueError(f"depth={depth!r} must be an int in [1, {arch.n_layers}]")
    c, size, chans, blocks, sizes = input_shape[0], tuple(input_shape[1:]), [], [], []
    for i in range(depth):
        op = dict(arch.layer(i), filters=max(1, round(arch.layer(i)["filters"] * width)))
        c_in = c + sum(chans[j] for j in arch.inputs[i])  # main input + concatenated skips
        sizes.append(size)
        layer, c, size = space.make_layer(op, c_in, size)
        mods = [layer]
        for _ in range(repeats - 1):  # the extra "cells" of a stage keep the shape: stride 1, no pool
            more, c, size = space.make_layer(dict(op, stride=1, pool="none"), c, size)
            mods.append(more)
        blocks.append(mods[0] if repeats == 1 else nn.Sequential(*mods))
        chans.append(c)
    return ChildNet(blocks, arch.inputs[:depth], sizes, nn.Linear(c, num_classes))


# ---------------------------------------------------------------------------------------------
# proxy evaluators


@dataclass(frozen=True)
class Proxy:
    """How to evaluate an architecture cheaply. The defaults are full training of the model as searched.

    Attributes:
        name: a label for plots and tables.
        epochs: training epochs (fewer epochs = the early-stopping proxy).
        max_steps: stop after this many updates (None: all the epochs' steps).
        data_fraction: train on a seeded random subset of this share of the training split.
        width, repeats, depth: the model's scaling knobs (see `scaled_build`).
    """

    name: str = "full"
    epochs: int = 9
    max_steps: int | None = None
    data_fraction: float = 1.0
    width: float = 1.0
    repeats: int = 1
    depth: int | None = None

    def __post_init__(self):
        if not (isinstance(self.data_fraction, (int, float)) and 0 < self.data_fraction <= 1):
            raise ValueError(f"data_fraction={self.data_fraction!r} must lie in (0, 1]")
        check_int(self.epochs, "epochs", low=1)
        check_int(self.max_steps, "max_steps", low=1, none=True)
        check_real(self.width, "width", low=0, low_open=True, hint="1.0 = the architecture as searched")
        check_int(self.repeats, "repeats", low=1, hint="NASNet's N; 1 = as searched")
        check_int(self.depth, "depth", low=1, none=True)

    def scaled(self, **changes) -> Proxy:
        return replace(self, **changes)


def data_subset(data, fraction: float, *, seed: int = 0):
    """`data` with only a seeded random `fraction` of its training examples (validation unchanged)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction={fraction!r} must lie in (0, 1]")
    if fraction == 1:
        return data
    import torch

    n = max(1, round(fraction * len(data.y_train)))
    idx = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed))[:n]
    return replace(data, X_train=data.X_train[idx], y_train=data.y_train[idx])


def run_proxy(space, arch, proxy: Proxy, data, *, train_cfg=None, seed: int = 0) -> dict:
    """Train `arch` as `proxy` says and measure what it costs.

    Returns a dict: val_acc (after the last epoch), curve (val_acc per epoch), cpu_curve (CPU
    seconds of this thread at the end of each epoch, cumulative), seconds (wall clock), cpu_seconds,
    params, diverged. CPU time (`time.thread_time`) is what a busy shared machine does not inflate.
    """
    import time

    from naslab.train import TrainConfig, train

    check_instance(proxy, "proxy", Proxy, hint="e.g. Proxy(epochs=3)")
    from naslab.utils import count_params, seed_everything

    cfg = replace(train_cfg or TrainConfig(optimizer="adam", lr=1e-2, batch_size=128),
                  epochs=proxy.epochs, max_steps=proxy.max_steps, seed=seed, progress=False)
    sub = data_subset(data, proxy.data_fraction, seed=seed)
    seed_everything(seed)  # the initial weights depend on the seed only
    model = scaled_build(space, arch, data.input_shape, data.num_classes, width=proxy.width,
                         repeats=proxy.repeats, depth=proxy.depth)
    per_epoch = math.ceil(len(sub.y_train) / cfg.batch_size)
    stamps: list[float] = []
    t_cpu, t_wall = time.thread_time(), time.perf_counter()

    def on_step(step, _loss):
        if step % per_epoch == 0:
            stamps.append(time.thread_time() - t_cpu)

    res = train(model, sub, cfg, callback=on_step)
    cpu, wall = time.thread_time() - t_cpu, time.perf_counter() - t_wall
    curve = list(res.val_acc_curve)
    cpu_curve = (stamps + [cpu])[: len(curve)] if curve else [cpu]
    cpu_curve[-1] = cpu  # the last epoch includes the final evaluation
    return {"val_acc": res.val_acc, "curve": curve, "cpu_curve": cpu_curve, "seconds": wall,
            "cpu_seconds": cpu, "params": count_params(model), "diverged": res.diverged}


def evaluate_proxy(space, archs, proxy: Proxy, data, *, train_cfg=None, seed: int = 0) -> dict:
    """Score many architectures with one proxy: {"scores": (n,), "seconds": (n,) CPU s, "curves": [...]}."""
    runs = [run_proxy(space, a, proxy, data, train_cfg=train_cfg, seed=seed) for a in archs]
    return {"scores": np.array([r["val_acc"] for r in runs]), "seconds": np.array([r["cpu_seconds"] for r in runs]),
            "curves": [r["curve"] for r in runs], "proxy": proxy}


def cost_summary(proxy_seconds, full_seconds) -> dict:
    """Cost accounting in seconds: totals over the same candidates, and the speed-up of the proxy.

    Args:
        proxy_seconds: seconds spent per candidate by the proxy (or one total, as a number).
        full_seconds: seconds full training spends per candidate (or one total).
    """
    p, f = float(np.nansum(proxy_seconds)), float(np.nansum(full_seconds))
    if p <= 0 or f <= 0:
        raise ValueError(f"costs must be positive seconds, got proxy={p}, full={f}")
    return {"proxy_s": p, "full_s": f, "speedup": f / p, "fraction": p / f}


def _live(space, data, train_cfg, seed, config, fidelity=None) -> dict:
    arch = space.parse(config) if isinstance(config, str) else config
    out = run_proxy(space, arch, Proxy(epochs=int(fidelity or 9)), data, train_cfg=train_cfg, seed=seed)
    return {"val_acc": out["val_acc"], "seconds": out["cpu_seconds"], "params": out["params"],
            "diverged": out["diverged"]}


def live_objective(space, data, *, train_cfg=None, seed: int = 0):
    """`objective(arch_or_key, epochs=None) -> metrics` that really trains (the live twin of
    `Benchmark.objective`); "seconds" is the measured CPU time. Picklable (a functools.partial)."""
    import functools

    return functools.partial(_live, space, data, train_cfg, seed)
