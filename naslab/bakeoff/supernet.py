"""The weight-sharing supernet of the table's space, and how well its shared weights rank the cells.

One network holds every cell of the NAS-Bench-201 space (`naslab.bakeoff.network`'s stem, stages,
reductions and head; every edge carries all 5 ops of `naslab.bakeoff.ops.CELL_OPS`, one weight tensor
per conv op, shared by all the cells that use it):

    edge e:  out = sum_o weights[e, o] * op_o(x)      weights (6, 5); one-hot weights = one cell

`supernet_forward` computes it with BN on batch statistics and no affine parameters (as the DARTS
search network); `supernet_loss` is the cross-entropy with weights softmax(alpha), the L(w, alpha) of
DARTS on the table (`naslab.bakeoff.oneshot`). `supernet_ranking` trains the shared weights by
uniform single-path sampling (random search with parameter sharing, Li & Talwalkar 2019), scores a
sample of cells with them (one-hot weights) and returns Kendall's tau against the table's truth.

Device-agnostic: `device="auto"` (`naslab.utils.get_device`); every random draw comes from CPU generators.

Taught in: notebooks/06_nas_bakeoff.ipynb (§ DARTS against the truth, § the supernet's ranking).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import EDGES, N_NODES, OPS
from naslab.bakeoff.network import NetConfig, init_params
from naslab.bakeoff.ops import CELL_OPS
from naslab.proxies.ranking import kendall_tau
from naslab.train import batch_order, batches_on
from naslab.utils import get_device

SUPERNET_NET = NetConfig(C=8, stem_stride=2)  # the network of DARTS on the table and of the supernet ranking


def _bn(x):
    return F.batch_norm(x, None, None, training=True, eps=1e-5)  # batch statistics, no affine parameters


def supernet_forward(params: dict, weights: torch.Tensor, x: torch.Tensor, cfg: NetConfig, *,
                     live=None) -> torch.Tensor:
    """Logits (B, classes); edge e computes sum_o weights[e, o] * op_o(x) (weights (6, 5)). Ops whose `live[e][o]`
    is False are skipped; `live=None` reads weights != 0 on the host (one device sync per call), so loops pass
    it: all True for softmax weights (never 0), the cell's ops for a one-hot (`live_ops`)."""
    live = (weights.detach() != 0).cpu().tolist() if live is None else live  # (6, 5) bools
    h = _bn(F.conv1d(x, params["stem.w"], stride=cfg.stem_stride, padding=1))
    for s, prefix in cfg.cell_names():
        if s > 0 and prefix.endswith("c0"):
            h = _bn(F.conv1d(F.relu(h), params[f"red{s}.w"], stride=2, padding=1))
        nodes = [h]
        for j in range(1, N_NODES):
            acc = torch.zeros_like(h)
            for e, (t, f) in enumerate(EDGES):
                if t != j:
                    continue
                for o, op in enumerate(OPS):
                    if live[e][o] and not CELL_OPS[op].is_zero:
                        key = f"{prefix}.e{e}.{op}"
                        acc = acc + weights[e, o] * CELL_OPS[op].apply(nodes[f], params.get(f"{key}.w"), _bn)
            nodes.append(acc)
        h = nodes[-1]
    return F.relu(h).mean(-1) @ params["head.w"].T + params["head.b"]


def supernet_loss(names, X, y, net: NetConfig):
    """L(w, [alpha]) = cross-entropy of the supernet with op weights softmax(alpha) (6, 5) on (X, y)."""
    return lambda ws, alphas: F.cross_entropy(
        supernet_forward(dict(zip(names, ws)), F.softmax(alphas[0], -1), X, net, live=ALL_LIVE), y)


ALL_LIVE = [[True] * len(OPS)] * len(EDGES)  # every op of every edge (softmax weights)


def live_ops(cell) -> list[list[bool]]:
    """(6, 5) bools: the ops of `cell` (what `one_hot(cell) != 0` holds, known on the host)."""
    return [[o == op for o in range(len(OPS))] for op in cell]


def one_hot(cell) -> torch.Tensor:
    """(6, 5) one-hot op weights of a cell: the supernet then computes that cell (with the shared weights)."""
    return F.one_hot(torch.tensor(cell), len(OPS)).float()


@torch.no_grad()
def supernet_accuracy(params: dict, cells, X, y, cfg: NetConfig) -> np.ndarray:
    """Accuracy of each cell computed with the shared weights (one-hot weights, batch-statistics BN), on the
    device of `params` (X, y are moved there)."""
    dev = next(iter(params.values())).device
    X, y = X.to(dev), y.to(dev)
    return np.array([(supernet_forward(params, one_hot(c).to(dev), X, cfg).argmax(-1) == y).float().mean().item()
                     for c in cells])


def supernet_ranking(bench, *, steps: int = 400, n_cells: int = 50, seed: int = 0, params: dict | None = None,
                     data=None, net: NetConfig | None = None, batch_size: int = 64, lr: float = 1e-2,
                     device="auto") -> dict:
    """Kendall's tau between weight-sharing accuracies and the table's test accuracy on a seeded sample of
    `n_cells` distinct cells. The shared weights come from `params` (e.g. a DARTS result's) or are trained
    here for `steps` steps of uniform single-path sampling (Adam; each step one random cell's path).

    Everything runs on `device` ("auto": `get_device`; given `params` are moved there).

    Returns {"cells", "supernet_acc", "true_acc", "tau", "seconds"}.
    """
    from naslab.data import load_dataset

    dev = get_device(device)
    net = net or SUPERNET_NET
    data = data if data is not None else load_dataset("mnist1d")
    rng = np.random.default_rng(seed)
    unique = bench.unique_cells()
    sample = [unique[i] for i in rng.choice(len(unique), size=min(n_cells, len(unique)), replace=False)]
    t0 = time.process_time()
    if params is None:
        params = {n: p.to(dev).requires_grad_(True) for n, p in init_params(net, seed).items()}
        opt = torch.optim.Adam(list(params.values()), lr=lr)
        X, y = data.X_train[:1024].to(dev), data.y_train[:1024].to(dev)
        order = batch_order(len(y), batch_size, -(-steps * batch_size // len(y)), seed)[:steps]
        hot = torch.stack([one_hot(c) for c in unique]).to(dev)  # (cells, 6, 5): moved once, not per step
        for idx in batches_on(order, dev):
            i = int(rng.integers(len(unique)))
            loss = F.cross_entropy(supernet_forward(params, hot[i], X[idx], net, live=live_ops(unique[i])), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    acc = supernet_accuracy({n: p.detach().to(dev) for n, p in params.items()}, sample, data.X_val, data.y_val, net)
    true = np.array([bench.test_acc(c) for c in sample])
    return {"cells": sample, "supernet_acc": acc, "true_acc": true, "tau": kendall_tau(acc, true),
            "seconds": time.process_time() - t0}


__all__ = ["SUPERNET_NET", "supernet_forward", "supernet_loss", "one_hot", "supernet_accuracy", "supernet_ranking"]
