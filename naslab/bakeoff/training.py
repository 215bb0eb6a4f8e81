"""The benchmark's training protocol, run on many cells at once (`train_batched`) or one by one (`train_single`).

Every entry of the cell benchmark is one cell of `naslab.bakeoff.network` trained with `TrainSpec`:
Adam at a constant learning rate (so epoch e of a run is an e-epoch run), cross-entropy, the batches of
`naslab.train.batch_order(seed)`, the init of `init_params(cfg, seed)`. `train_batched` trains K cells
with the same seed as one `naslab.bakeoff.batched.BatchedNet`: the loss is the sum of the members' mean
losses, so every member gets its own gradient and its own Adam step. `train_single` is the reference,
one cell with `network.forward`; the two agree up to float rounding (tests/bakeoff/test_batched.py).

Device-agnostic: `device="auto"` (`naslab.utils.get_device`) holds the weights and the data; on the CPU
the numbers are the same whichever way the device is named. The step loops never read a tensor on the host
(indices move once per epoch, losses are read at the epoch's end). The device is an argument of the trainers,
not a field of `TrainSpec`: the spec is the table's recorded protocol (its .json), where rounding
differences of another device have no place.

Taught in: notebooks/06_nas_bakeoff.ipynb (how the table was built).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from naslab.bakeoff.batched import BatchedNet
from naslab.bakeoff.cells import OPS, check_cell
from naslab.bakeoff.network import NetConfig, edge_op, forward, init_buffers, init_params
from naslab.train import batch_order, batches_on, losses_of
from naslab.utils import get_device


@dataclass(frozen=True)
class TrainSpec:
    """The training protocol of every benchmark entry (Adam, constant lr: epoch e of the run is an e-epoch run)."""

    epochs: int = 8
    batch_size: int = 128
    lr: float = 1e-2
    n_train: int | None = None  # None: the whole training split
    eval_chunk: int = 400_000  # max B * K * C elements per evaluation forward (memory)




def _cpu() -> float:
    return time.process_time()


def train_batched(cells, seed: int, data, cfg: NetConfig = NetConfig(), spec: TrainSpec = TrainSpec(),
                  *, on_epoch=None, device="auto") -> dict:
    """Train every cell with `seed` as one batched computation on `device` ("auto": `get_device`).

    Returns {"val_acc": (K, E), "test_acc": (K,), "train_loss": (K, E), "cpu_seconds": (E,) CPU seconds
    of each epoch of the whole batch (process time), "net": the BatchedNet}.
    """
    net = BatchedNet(cells, cfg, seed, device)
    X, y = data.X_train, data.y_train
    if spec.n_train is not None:
        X, y = X[: spec.n_train], y[: spec.n_train]
    X, y = X.to(net.device), y.to(net.device)
    opt = torch.optim.Adam(list(net.params.values()), lr=spec.lr)
    order = batch_order(len(y), spec.batch_size, spec.epochs, seed)
    per_epoch = -(-len(y) // spec.batch_size)
    val, losses, cpu = np.zeros((net.K, spec.epochs)), np.zeros((net.K, spec.epochs)), np.zeros(spec.epochs)
    for ep in range(spec.epochs):
        t0 = _cpu()
        tot = torch.zeros(net.K, device=net.device)
        for idx in batches_on(order[ep * per_epoch:(ep + 1) * per_epoch], net.device):  # one copy per epoch
            logits = net.forward(X[idx], train=True)  # (B, K, classes)
            loss_k = F.cross_entropy(logits.permute(0, 2, 1), y[idx, None].expand(-1, net.K),
                                     reduction="none").mean(0)  # (K,) each member's mean loss
            opt.zero_grad(set_to_none=True)
            loss_k.sum().backward()  # members do not share weights: each gets its own gradient
            opt.step()
            tot += loss_k.detach() * len(idx)
        cpu[ep] = _cpu() - t0
        losses[:, ep] = (tot / len(y)).cpu().numpy()
        val[:, ep] = net.accuracy(data.X_val, data.y_val)
        if on_epoch is not None:
            on_epoch(ep + 1)
    return {"val_acc": val, "test_acc": net.accuracy(data.X_test, data.y_test), "train_loss": losses,
            "cpu_seconds": cpu, "net": net}


def train_single(cell, seed: int, data, cfg: NetConfig = NetConfig(), spec: TrainSpec = TrainSpec(), *,
                 device="auto") -> dict:
    """The reference: one cell trained alone with `network.forward` (same init, same data order), on `device`.

    Returns {"val_acc": (E,), "test_acc", "train_loss": (E,), "cpu_seconds": (E,), "params", "buffers"}.
    """
    cell, dev = check_cell(cell), get_device(device)
    params = {n: p.to(dev).requires_grad_(True) for n, p in init_params(cfg, seed).items()}
    buffers = {n: b.to(dev) for n, b in init_buffers(cfg).items()}
    X, y = data.X_train, data.y_train
    if spec.n_train is not None:
        X, y = X[: spec.n_train], y[: spec.n_train]
    X, y = X.to(dev), y.to(dev)
    used = [p for n, p in params.items() if edge_op(n) is None or OPS[cell[edge_op(n)[0]]] == edge_op(n)[1]]
    opt = torch.optim.Adam(used, lr=spec.lr)
    order = batch_order(len(y), spec.batch_size, spec.epochs, seed)
    per_epoch = -(-len(y) // spec.batch_size)
    val, losses, cpu = np.zeros(spec.epochs), np.zeros(spec.epochs), np.zeros(spec.epochs)

    @torch.no_grad()
    def acc(Xe, ye):
        return (forward(params, buffers, cell, Xe.to(dev), cfg).argmax(-1) == ye.to(dev)).float().mean().item()

    for ep in range(spec.epochs):
        t0, tot, step_losses = _cpu(), 0.0, []
        batches = batches_on(order[ep * per_epoch:(ep + 1) * per_epoch], dev)
        for idx in batches:
            loss = F.cross_entropy(forward(params, buffers, cell, X[idx], cfg, train=True), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step_losses.append(loss.detach())  # read once per epoch, below
        for v, idx in zip(losses_of(step_losses), batches):
            tot += v * len(idx)
        cpu[ep] = _cpu() - t0
        losses[ep] = tot / len(y)
        val[ep] = acc(data.X_val, data.y_val)
    return {"val_acc": val, "test_acc": acc(data.X_test, data.y_test), "train_loss": losses, "cpu_seconds": cpu,
            "params": params, "buffers": buffers}


__all__ = ["TrainSpec", "train_batched", "train_single"]
