"""Parameter sharing: one supernet whose weights every architecture of a macro space inherits (ENAS).

Pham et al. (ICML 2018, arXiv:1802.03268, §2-3): every child network is a sub-graph of one large
graph, and all children share its weights w. Here the graph is the `naslab.controller.macro_space.MacroSpace`:

* layer i owns one conv weight per kernel size k, of shape (F_max, C_slots, k): F_max = the most
  filters any choice gives, and C_slots has one block of channels per possible input (layer i-1,
  and every skip source j <= i-2). A child with f filters and inputs (i-1, j) uses the slice
  W_k[:f, slot(i-1)[:c_{i-1}] ∪ slot(j)[:c_j]]: two children that pick the same kernel in layer i
  train the *same* numbers (the first filters are shared, as in weight-sharing NAS with widths);
* batch normalisation uses the batch's statistics (no affine, no running averages), so any child
  can be evaluated with the inherited weights without recalibration;
* the linear head is shared the same way: head[:, :c_last].

Training (ENAS phase 1 with a uniform policy, i.e. "random search with weight sharing", Li &
Talwalkar 2019): for each mini-batch sample one architecture m ~ U(space) and take a step on
L_train(m, w). Evaluation: the validation accuracy of any m with w inherited, no training.

Taught in: notebooks/03_proxy_evaluation.ipynb (section "Parameter sharing").
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from naslab.controller.child_net import same_size
from naslab.controller.macro_space import Architecture, MacroSpace
from naslab.utils import check_shape_arg
from naslab.validate import check_callable, check_instance, check_int, check_real, check_seed


class SuperNet(nn.Module):
    """Shared weights for every architecture of `space` on inputs of `input_shape`."""

    def __init__(self, space: MacroSpace, input_shape: Sequence[int], num_classes: int):
        super().__init__()
        check_instance(space, "space", MacroSpace)
        input_shape = check_shape_arg(input_shape)
        check_int(num_classes, "num_classes", low=1)
        self.space, self.input_shape, self.dims = space, tuple(input_shape), len(input_shape) - 1
        f_max = max(space.filters)
        self.slots: list[dict[int, int]] = []  # per layer: input source (-1 = previous) -> channel offset
        weights = {}
        for i in range(space.n_layers):
            offsets, c = {-1: 0}, (input_shape[0] if i == 0 else f_max)
            for j in (range(i - 1) if space.skips else ()):  # skip sources j <= i-2
                offsets[j], c = c, c + f_max
            self.slots.append(offsets)
            for k in space.kernels:  # one weight per (layer, op), as in ENAS
                w = torch.empty(f_max, c, *([k] * self.dims))
                nn.init.kaiming_uniform_(w, a=math.sqrt(5))  # torch's default conv initialisation
                weights[f"L{i}_k{k}"] = nn.Parameter(w)
        self.w = nn.ParameterDict(weights)
        self.head = nn.Linear(f_max, num_classes)

    def forward(self, x: torch.Tensor, arch: Architecture) -> torch.Tensor:
        """Logits (B, num_classes) of the child `arch`, using the shared weights."""
        self.space.encode(arch)  # ValueError when arch is not in this space
        conv = F.conv1d if self.dims == 1 else F.conv2d
        outs: list[torch.Tensor] = []
        for i in range(arch.n_layers):
            op = arch.layer(i)
            h = x if not outs else outs[-1]  # (B, c_prev, *size)
            size = tuple(h.shape[2:])
            idx = list(range(h.shape[1]))  # channels of the main input sit at offset 0
            parts = [h]
            for j in arch.inputs[i]:  # skip inputs, pooled to this size, in their own channel slots
                parts.append(same_size(outs[j], size))
                idx += [self.slots[i][j] + c for c in range(outs[j].shape[1])]
            h = torch.cat(parts, dim=1) if len(parts) > 1 else h
            w = self.w[f"L{i}_k{op['kernel']}"]  # (F_max, C_slots, k[, k])
            w = w[: op["filters"]][:, torch.tensor(idx, device=w.device)]  # (f, c_in, k[, k]): the child's slice
            stride, _ = self.space.reduce(size, op["stride"])
            h = conv(h, w, stride=stride, padding=op["kernel"] // 2)
            h = F.relu(F.batch_norm(h, None, None, training=True))  # batch statistics, no affine
            if op.get("pool", "none") != "none":
                window, _ = self.space.reduce(tuple(h.shape[2:]), 2)
                pool = {"max": (F.max_pool1d, F.max_pool2d), "avg": (F.avg_pool1d, F.avg_pool2d)}[op["pool"]]
                h = pool[self.dims - 1](h, window, window, ceil_mode=True)
            outs.append(h)
        z = outs[-1].flatten(2).mean(2)  # (B, c_last)
        return F.linear(z, self.head.weight[:, : z.shape[1]], self.head.bias)


def train_supernet(supernet: SuperNet, data, *, epochs: int = 10, batch_size: int = 128, lr: float = 3e-3,
                   seed: int = 0, sample=None) -> dict:
    """ENAS phase 1: one sampled architecture per mini-batch, one Adam step on its loss.

    Args:
        sample: `sample(rng) -> Architecture` (default: uniform over the space, `space.sample`).

    Returns:
        {"cpu_seconds", "seconds", "steps", "loss": per-step losses}.
    """
    from naslab.train import batch_order

    check_instance(supernet, "supernet", SuperNet)
    check_int(epochs, "epochs", low=1)
    check_int(batch_size, "batch_size", low=1)
    check_real(lr, "lr", low=0, low_open=True)
    check_seed(seed)
    check_callable(sample, "sample", none=True, hint="sample(rng) -> Architecture")
    if tuple(data.X_train.shape[1:]) != supernet.input_shape:
        raise ValueError(f"the supernet was built for inputs of shape (N, {', '.join(map(str, supernet.input_shape))})"
                         f", got data {getattr(data, 'name', '')!r} with X_train of shape {tuple(data.X_train.shape)}")
    sample = sample or supernet.space.sample
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    opt = torch.optim.Adam(supernet.parameters(), lr=lr)
    device = next(supernet.parameters()).device
    X, y = data.X_train, data.y_train
    losses = []
    t_cpu, t_wall = time.thread_time(), time.perf_counter()
    supernet.train()
    for idx in batch_order(len(y), batch_size, epochs, seed):
        arch = sample(rng)  # m ~ pi(m): a fresh child for every batch
        loss = F.cross_entropy(supernet(X[idx].to(device), arch), y[idx].to(device))
        opt.zero_grad(set_to_none=True)  # weights the child did not use get no update at all
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"cpu_seconds": time.thread_time() - t_cpu, "seconds": time.perf_counter() - t_wall,
            "steps": len(losses), "loss": losses}


@torch.no_grad()
def evaluate_archs(supernet: SuperNet, archs: Sequence[Architecture], data, *, batch_size: int = 800) -> dict:
    """Validation accuracy of every architecture with the inherited weights (no training).

    Returns {"scores": (n,) accuracies, "cpu_seconds": total, "seconds": total wall-clock}.
    """
    device = next(supernet.parameters()).device
    X, y = data.X_val, data.y_val
    t_cpu, t_wall = time.thread_time(), time.perf_counter()
    scores = []
    for arch in archs:
        correct = 0
        for i in range(0, len(y), batch_size):
            logits = supernet(X[i:i + batch_size].to(device), arch)
            correct += (logits.argmax(1) == y[i:i + batch_size].to(device)).sum().item()
        scores.append(correct / len(y))
    return {"scores": np.array(scores), "cpu_seconds": time.thread_time() - t_cpu,
            "seconds": time.perf_counter() - t_wall}
