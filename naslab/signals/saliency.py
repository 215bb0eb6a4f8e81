"""Gradient-based zero-cost proxies: synflow, snip, grasp, grad_norm, fisher (pruning saliencies summed).

Each pruning-at-initialisation paper scores single weights; Abdelfattah et al. (ICLR 2021, §3) sum the
scores over the network to score an architecture. With L the mean cross-entropy of one mini-batch, the
"weights" θ the parameters of dim >= 2 (conv kernels and linear matrices: biases are not scored, as in
their code) and g = ∂L/∂θ:

    grad_norm = Σ_layers ‖∂L/∂W‖_2                  (Frobenius norm per tensor; Abdelfattah et al. 2021)
    snip      = Σ |θ ⊙ ∂L/∂θ|                       (Lee et al., ICLR 2019, eq. 6: connection sensitivity)
    grasp     = Σ -θ ⊙ (H g),  H = ∂²L/∂θ²          (Wang et al., ICLR 2020, eq. 8: S(-θ) = -θ ⊙ Hg)
    fisher    = Σ_layers Σ_c 1/(2B) Σ_n (Σ_l a_ncl ∂L/∂a_ncl)²   (Turner et al. 2020, from Theis et al. 2018:
                a = a weighted layer's output (B, C, L) before BN; channel c's removal saliency)
    synflow   = Σ |θ| ⊙ ∂R/∂|θ|,  R = 1ᵀ f(1; |θ|)   (Tanaka et al., NeurIPS 2020, eq. 2 and Alg. 1: all weights
                replaced by their absolute values, one all-ones input, no BatchNorm, float64; no data)

Signs (higher = predicted better, `naslab.signals.registry`): the five are used as Abdelfattah et al.'s
code returns them; grasp's sum -θ ⊙ Hg is the one whose *sign* matters (it can be negative), and it is
their sign, under which they report ρ = +0.51 on NAS-Bench-201 CIFAR-10.

Taught in: notebooks/07_cheap_signals.ipynb §1.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from naslab.signals.nets import Probe, ProxyNet
from naslab.signals.registry import measure

PAPERS = {
    "synflow": "Tanaka, Kunin, Yamins, Ganguli, NeurIPS 2020 (arXiv:2006.05467)",
    "snip": "Lee, Ajanthan, Torr, ICLR 2019 (arXiv:1810.02340)",
    "grasp": "Wang, Zhang, Grosse, ICLR 2020 (arXiv:2002.07376)",
    "grad_norm": "Abdelfattah, Mehrotra, Dudziak, Lane, ICLR 2021 (arXiv:2101.08134)",
    "fisher": "Turner, Crowley, O'Boyle, Storkey, Gray, ICLR 2020 (arXiv:1906.04113); Theis et al. 2018",
}


def leaf_params(net: ProxyNet, transform=None) -> dict:
    """Fresh leaf copies of the net's parameters that require grad (the net itself is never changed)."""
    return {k: (v if transform is None else transform(v)).detach().clone().requires_grad_(True)
            for k, v in net.params.items()}


def weight_names(params: dict) -> list[str]:
    """The scored parameters: tensors of dim >= 2 (conv kernels (C_out, C_in, k), matrices (D_out, D_in))."""
    return [k for k, v in params.items() if v.dim() >= 2]


def loss_and_grads(net: ProxyNet, x, y, *, create_graph: bool = False):
    """(params, L, {name: ∂L/∂θ}) for the mean cross-entropy L of the batch, BN with batch statistics."""
    params = leaf_params(net)
    loss = F.cross_entropy(net(x.to(torch.float64), params), y)
    names = weight_names(params)
    grads = torch.autograd.grad(loss, [params[k] for k in names], create_graph=create_graph, allow_unused=True)
    # a weight the loss does not reach (e.g. before a cell whose output is zero) has gradient 0
    return params, loss, {k: torch.zeros_like(params[k]) if g is None else g for k, g in zip(names, grads)}


def grad_norm_sum(g: dict) -> float:
    """Σ over weight tensors of ‖∂L/∂W‖_2."""
    return float(sum(gi.detach().norm() for gi in g.values()))


def snip_sum(params: dict, g: dict) -> float:
    """Σ |θ ⊙ ∂L/∂θ| over the weights in g."""
    return float(sum((params[k].detach() * gk.detach()).abs().sum() for k, gk in g.items()))


def grasp_sum(params: dict, g: dict) -> float:
    """Σ -θ ⊙ (H g) from gradients g built with create_graph=True: H g = ∂/∂θ (∂L/∂θ · g), g held fixed."""
    names = list(g)
    z = sum((g[k] * g[k].detach()).sum() for k in names)  # z = ∇L(θ) · g with g a constant
    if not z.requires_grad:
        return 0.0  # no weight reaches the loss: H g = 0
    hg = torch.autograd.grad(z, [params[k] for k in names], allow_unused=True)  # ∇z = H g (Pearlmutter)
    return float(sum((-params[k].detach() * h).sum() for k, h in zip(names, hg) if h is not None))


def fisher_sum(acts: list, grads: list) -> float:
    """Σ_layers Σ_c 1/(2B) Σ_n (Σ_l a_ncl g_ncl)² for layer outputs a (B, C[, L]) and g = ∂L/∂a."""
    total = 0.0
    for a, g in zip(acts, grads):
        if g is None:
            continue  # a layer the loss does not reach
        ag = (a.detach() * g.detach())
        ag = ag.flatten(2).sum(2) if ag.dim() > 2 else ag  # (B, C): Σ over positions l
        total += float(0.5 * ag.pow(2).mean(0).sum())  # Σ_c 1/(2B) Σ_n (.)²
    return total


@measure("grad_norm", paper=PAPERS["grad_norm"])
def grad_norm(net: ProxyNet, x, y) -> float:
    """Σ over weight tensors of ‖∂L/∂W‖_2 (each tensor's Frobenius norm, then summed)."""
    return grad_norm_sum(loss_and_grads(net, x, y)[2])


@measure("snip", paper=PAPERS["snip"])
def snip(net: ProxyNet, x, y) -> float:
    """Σ |θ ⊙ ∂L/∂θ| (Lee et al. 2019, eq. 6, summed over every weight)."""
    params, _, g = loss_and_grads(net, x, y)
    return snip_sum(params, g)


@measure("grasp", paper=PAPERS["grasp"])
def grasp(net: ProxyNet, x, y) -> float:
    """Σ -θ ⊙ (H g), g = ∂L/∂θ held fixed, H g by double backward."""
    params, _, g = loss_and_grads(net, x, y, create_graph=True)
    return grasp_sum(params, g)


class _Activations(Probe):
    """Keeps every weighted layer's output (a node of the graph) for fisher."""

    def __init__(self):
        self.acts = []

    def layer(self, name, out):
        self.acts.append(out)
        return out


@measure("fisher", paper=PAPERS["fisher"])
def fisher(net: ProxyNet, x, y) -> float:
    """Σ_layers Σ_c 1/(2B) Σ_n (Σ_l a_ncl g_ncl)², a = layer output (B, C[, L]), g = ∂L/∂a."""
    probe = _Activations()
    loss = F.cross_entropy(net(x.to(torch.float64), leaf_params(net), probe=probe), y)
    return fisher_sum(probe.acts, torch.autograd.grad(loss, probe.acts, allow_unused=True))


def gradient_scores(net: ProxyNet, x, y) -> dict:
    """grad_norm, snip, grasp and fisher from one forward pass (what the table builder calls): the same
    numbers as the four measures (tests/signals/test_saliency.py), at about half their summed cost."""
    probe, params = _Activations(), leaf_params(net)
    loss = F.cross_entropy(net(x.to(torch.float64), params, probe=probe), y)
    names = weight_names(params)
    grads = torch.autograd.grad(loss, [params[k] for k in names] + probe.acts, create_graph=True, allow_unused=True)
    g = {k: torch.zeros_like(params[k]) if gk is None else gk for k, gk in zip(names, grads)}
    return {"grad_norm": grad_norm_sum(g), "snip": snip_sum(params, g), "grasp": grasp_sum(params, g),
            "fisher": fisher_sum(probe.acts, grads[len(names):])}


@measure("synflow", needs_data=False, paper=PAPERS["synflow"])
def synflow(net: ProxyNet, x, y) -> float:
    """Σ |θ| ⊙ ∂R/∂|θ| with R = Σ f(1; |θ|), one all-ones input (1, *input_shape), no BN, float64."""
    params = leaf_params(net, transform=lambda v: v.to(torch.float64).abs())
    ones = torch.ones((1, *net.input_shape), dtype=torch.float64)
    r = net(ones, params, bn="off").sum()  # R = 1ᵀ f(1; |θ|)
    names = weight_names(params)
    grads = torch.autograd.grad(r, [params[k] for k in names], allow_unused=True)
    return float(sum((params[k] * g).abs().sum() for k, g in zip(names, grads) if g is not None).detach())


__all__ = ["PAPERS", "leaf_params", "weight_names", "loss_and_grads", "grad_norm_sum", "snip_sum", "grasp_sum",
           "fisher_sum", "grad_norm", "snip", "grasp", "fisher", "gradient_scores", "synflow"]
