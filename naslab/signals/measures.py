"""Every zero-cost proxy in one place: the registry filled, the two size baselines, and scoring any net.

Importing this module registers the built-in measures (`naslab.signals.registry.REGISTRY`):

    synflow, snip, grasp, grad_norm, fisher    gradient saliencies, `naslab.signals.saliency`
    jacob_cov, naswot                           Mellor et al.'s Jacobian and ReLU-code scores, `naslab.signals.codes`
    params                                      Σ numel(θ): the trainable parameters the net uses
    flops                                       multiply-accumulates of one example's forward pass (MACs,
                                                the "FLOPs" of NAS papers), counted by the net's probe

#params and FLOPs are the baselines every proxy must beat: on NAS-Bench-201 they rank about as well as
synflow and jacob_cov (Kendall τ 0.53 and 0.57 against 0.55 and 0.56, 500 cells of CIFAR-100). Their sign
is "bigger = predicted better", the bet that capacity helps.

`score(net, x, y, names)` returns {name: score} and the seconds each took; `module_net(model, shape)` wraps
any `torch.nn.Module` (e.g. a notebook-03 macro child net) as a `ProxyNet` through forward hooks, so
every proxy, a student's too, scores notebook 03's architectures as well as notebook 06's cells.

Taught in: notebooks/07_cheap_signals.ipynb §1.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from naslab.signals import codes, saliency  # noqa: F401  (importing them registers their measures)
from naslab.signals.nets import Probe, ProxyNet
from naslab.signals.registry import REGISTRY, compute, measure

BUILTIN = ("synflow", "snip", "grasp", "grad_norm", "fisher", "jacob_cov", "naswot", "params", "flops")


@measure("params", needs_data=False, paper="the size baseline")
def params(net: ProxyNet, x, y) -> float:
    """Σ numel(θ) over the net's parameters (the ops a cell does not use are not in `net.params`)."""
    return float(sum(v.numel() for v in net.params.values()))


class _MacCounter(Probe):
    def __init__(self):
        self.total = 0

    def flops(self, name, macs_per_example):
        self.total += int(macs_per_example)


@measure("flops", needs_data=False, paper="the cost baseline")
def flops(net: ProxyNet, x, y) -> float:
    """MACs of one example's forward pass, summed from the probe's `flops` calls (a zero input of one example)."""
    probe = _MacCounter()
    with torch.no_grad():
        net(torch.zeros((2, *net.input_shape), dtype=torch.float64), probe=probe)  # 2: BN needs > 1 value
    return float(probe.total)


def proxy_names() -> list[str]:
    """The registered proxies: the built-ins in their order, then the students' in registration order."""
    return [n for n in BUILTIN if n in REGISTRY] + [n for n in REGISTRY if n not in BUILTIN]


def score(net: ProxyNet, x, y, names=None) -> tuple[dict, dict]:
    """({name: score}, {name: seconds}) of the proxies `names` (default: all registered) on one batch."""
    names = proxy_names() if names is None else list(names)
    scores, seconds = {}, {}
    for name in names:
        t0 = time.perf_counter()
        scores[name] = compute(name, net, x, y)
        seconds[name] = time.perf_counter() - t0
    return scores, seconds


def module_net(model: nn.Module, input_shape, name: str = "module") -> ProxyNet:
    """A `ProxyNet` of any torch module (params through `torch.func.functional_call`, probes through hooks).

    Probes: the input of every `nn.ReLU` module (NASWOT), the output of every Conv / Linear (fisher; MACs =
    output positions x weight elements per output channel), and bn="off" turns every BatchNorm into the identity
    (synflow). bn="batch" runs the module in training mode on a copy of its buffers (its running statistics stay)."""
    model = model.to(torch.float64)

    def apply(p, x, *, bn="batch", probe: Probe):
        hooks = []
        for mname, mod in model.named_modules():
            if isinstance(mod, nn.ReLU):
                hooks.append(mod.register_forward_pre_hook(lambda m, i, n=mname: probe.relu(n, i[0])))
            elif isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Linear)):
                def layer(m, i, out, n=mname):
                    probe.flops(n, out[0].numel() // out.shape[1] * m.weight[0].numel() if out.dim() > 2
                                else m.weight.numel())
                    return probe.layer(n, out)
                hooks.append(mod.register_forward_hook(layer))
            elif isinstance(mod, nn.modules.batchnorm._BatchNorm) and bn == "off":
                hooks.append(mod.register_forward_hook(lambda m, i, out: i[0]))
        buffers = {k: v.clone() for k, v in model.named_buffers()}
        was = model.training
        model.train(True)
        try:
            return torch.func.functional_call(model, {**p, **buffers}, (x,))
        finally:
            model.train(was)
            for h in hooks:
                h.remove()

    params_ = {k: v.detach().clone() for k, v in model.named_parameters()}
    return ProxyNet(params_, apply, tuple(input_shape), name=name)


__all__ = ["BUILTIN", "params", "flops", "proxy_names", "score", "module_net"]
