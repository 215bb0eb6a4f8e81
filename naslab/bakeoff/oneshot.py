"""DARTS on the benchmark's own space, judged by the table's ground truth; the supernet's ranking.

NAS-Bench-201 (Dong & Yang, ICLR 2020, Table 5) ran DARTS on its space: first and second order both
returned a cell of `skip_connect` / `none` only (54.30 % on CIFAR-10 against 94.37 % for the best
cell): the skip-connection collapse (DARTS+, RobustDARTS). Here the same experiment runs in a minute:

* `darts_on_table(bench, order=...)` searches with the real supernet of the table's network (the
  same stem, cells, reduction and head; every edge a softmax(alpha)-weighted sum of the 5 ops, one
  alpha of shape (6, 5) shared by all cells, BN with batch statistics and no affine parameters).
  Each step is Liu et al.'s Alg. 1 in the paper's order: an alpha step on a validation batch (Adam;
  first order: grad_alpha L_val(w, alpha); second order: eq. 7 by `alpha_grad` with
  `naslab.darts.architect.unrolled_alpha_grad`, xi = the current w lr), then
  a w step on a training batch (SGD, momentum 0.9, weight decay 3e-4, cosine lr, gradient clip 5).
  After every epoch the cell is derived as NAS-Bench-201's DARTS does it (argmax over all 5 ops per
  edge, `none` included) and looked up: its true test accuracy and its rank among the distinct cells,
  and the number of parameter-free edges (the collapse count).
* `supernet_ranking(bench, ...)` trains a weight-sharing supernet by uniform single-path sampling (random
  search with parameter sharing, Li & Talwalkar 2019), scores a sample of cells with the shared weights
  and returns Kendall's tau against the table's truth.

Departures (tiny budget): alpha lr 3e-3 (paper 3e-4), as the search runs hundreds of steps, not ~20k.
Second order uses the *exact* Hessian-vector product (double backward, `hvp="exact"`), not eq. 8's central
difference with eps = 0.01 / ||v||: on this small ReLU network w +- eps v crosses ReLU kinks, so the difference
quotient is off by more than the product itself (3.4x its norm at r = 0.01, 4e-8 at r = 1e-4 in float64;
tests/test_bakeoff_darts.py checks eq. 7 against autograd through the virtual step). With eq. 8 (seeds 0-1,
10 epochs) both orders derived the same final cells; with the exact product seed 1's differ on one edge.
`hvp="finite"` keeps the paper's rule.

Device-agnostic: `device="auto"` (`naslab.utils.get_device`) holds the supernet, alpha and the data. Every
random draw (init, alpha, batches, sampled paths) comes from CPU generators, so all devices see the same
draws; results come back on the CPU (`alpha` as NumPy, `params` as CPU tensors).

Taught in: notebooks/06_nas_bakeoff.ipynb (§ DARTS against the truth).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import EDGES, N_NODES, OPS, canonical, cell_str, n_parameter_free
from naslab.bakeoff.network import NetConfig, init_params
from naslab.bakeoff.ops import CELL_OPS
from naslab.darts.architect import ORDERS, unrolled_alpha_grad
from naslab.darts.config import SearchConfig
from naslab.darts.step import WSchedule, darts_step, w_update
from naslab.proxies.ranking import kendall_tau
from naslab.train import batch_order
from naslab.utils import get_device

SUPERNET_NET = NetConfig(C=8, stem_stride=2)  # the network of DARTS on the table and of the supernet ranking


def table_search() -> SearchConfig:
    """The search settings of DARTS on the table (tiny CPU defaults: about 10-30 s first order): the paper's but
    the alpha lr (see the module); NAS-Bench-201's code's cosine per step and alpha init N(0, 1e-3). The fields of
    the supernet (C, layers, steps, primitives) and of the skip cap (max_skip, early_stop) do not apply here."""
    return SearchConfig(epochs=10, batch_size=64, w_lr=0.025, w_lr_min=0.001, lr_period="step", alpha_lr=3e-3,
                        alpha_init_std=1e-3, hvp="exact")


@dataclass(frozen=True)
class DartsTableConfig:
    """A DARTS search on the table's space: the search settings (`SearchConfig`), the training data and the net."""

    search: SearchConfig = field(default_factory=table_search)
    n_train: int = 768  # w split: the head of the training split (the table trained on the same 768)
    net: NetConfig = SUPERNET_NET

    def __post_init__(self) -> None:
        if not isinstance(self.search, SearchConfig):
            raise TypeError(f"search={self.search!r} must be a SearchConfig")
        if self.search.unroll_momentum:
            raise ValueError("unroll_momentum=True is not supported on the table; allowed: False (the paper's step)")
        if isinstance(self.n_train, bool) or not isinstance(self.n_train, int) or self.n_train < 1:
            raise ValueError(f"n_train={self.n_train!r} must be a positive int")


def _bn(x):
    return F.batch_norm(x, None, None, training=True, eps=1e-5)  # batch statistics, no affine parameters


def supernet_forward(params: dict, weights: torch.Tensor, x: torch.Tensor, cfg: NetConfig) -> torch.Tensor:
    """Logits (B, classes); edge e computes sum_o weights[e, o] * op_o(x) (weights (6, 5); zeros are skipped)."""
    live = (weights.detach() != 0).cpu().tolist()  # (6, 5) bools, read once (not one device sync per op)
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
        supernet_forward(dict(zip(names, ws)), F.softmax(alphas[0], -1), X, net), y)


def alpha_grad(order: str, train_loss, val_loss, w, alpha, *, xi: float, hvp: str = "exact") -> torch.Tensor:
    """The architecture gradient (6, 5) of one DARTS step: first order grad_alpha L_val(w, alpha); second order
    eq. 7, grad_alpha L_val(w', alpha) - xi * hessian_{alpha,w} L_train(w, alpha) . grad_w' L_val(w', alpha),
    w' = w - xi grad_w L_train(w, alpha), the Hessian-vector product `hvp` "exact" (double backward) or
    "finite" (eq. 8, r = 0.01: on this small ReLU net its error is larger than the product, see the module)."""
    if order not in ORDERS:
        raise ValueError(f"order={order!r} is unknown; allowed: {list(ORDERS)}")
    if order == "first":
        return torch.autograd.grad(val_loss(w, [alpha]), alpha)[0]
    return unrolled_alpha_grad(train_loss, val_loss, w, [alpha], xi=xi, hvp=hvp)[0][0]


def one_hot(cell) -> torch.Tensor:
    """(6, 5) one-hot op weights of a cell: the supernet then computes that cell (with the shared weights)."""
    return F.one_hot(torch.tensor(cell), len(OPS)).float()


def derive(alpha: torch.Tensor) -> tuple[int, ...]:
    """NAS-Bench-201's DARTS rule: the argmax op of every edge, `none` included."""
    return tuple(int(i) for i in alpha.argmax(-1))


@dataclass
class DartsTableResult:
    """Per epoch: the derived cell, its truth in the table, the collapse count; plus the final weights."""

    config: DartsTableConfig
    history: list = field(default_factory=list)  # dicts, one per epoch
    alpha: np.ndarray | None = None  # (epochs, 6, 5) softmax(alpha) after each epoch
    params: dict | None = None  # the supernet's shared weights at the end

    def column(self, key: str) -> list:
        return [h[key] for h in self.history]


def darts_on_table(bench, order: str = "first", epochs: int | None = None, seed: int = 0, *, data=None,
                   callback=None, **overrides) -> DartsTableResult:
    """Run DARTS on MNIST-1D in the table's space and look every epoch's derived cell up in `bench`
    (`bench=None`: search only; `truth(bench, cell)` looks a cell up later). `overrides` set fields of
    `DartsTableConfig` (n_train, net, search) or of its `SearchConfig` (batch_size, hvp, device, ...)."""
    from naslab.data import load_dataset

    cfg = table_config(order, epochs, seed, **overrides)
    s, dev = cfg.search, get_device(cfg.search.device)
    data = data if data is not None else load_dataset("mnist1d")
    gen = torch.Generator().manual_seed(seed)  # CPU: the same draws on every device
    params = {n: p.to(dev).requires_grad_(True) for n, p in init_params(cfg.net, seed).items()}
    names, w = list(params), list(params.values())
    alpha = (s.alpha_init_std * torch.randn(len(EDGES), len(OPS), generator=gen)).to(dev).requires_grad_(True)
    w_opt = torch.optim.SGD(w, lr=s.w_lr, momentum=s.w_momentum, weight_decay=s.w_weight_decay)
    a_opt = torch.optim.Adam([alpha], lr=s.alpha_lr, betas=s.alpha_betas, weight_decay=s.alpha_weight_decay)
    Xt, yt = data.X_train[: cfg.n_train].to(dev), data.y_train[: cfg.n_train].to(dev)
    Xv, yv = data.X_val.to(dev), data.y_val.to(dev)
    order_w = batch_order(len(yt), s.batch_size, s.epochs, seed)
    per_epoch = -(-len(yt) // s.batch_size)
    schedule = WSchedule(w_opt, s, per_epoch)

    def step(epoch: int, it) -> None:
        """One step of Alg. 1 (`darts_step`): alpha on a fresh validation batch, w on the training batch `it`."""
        iv = torch.randint(len(yv), (s.batch_size,), generator=gen)
        train_loss = supernet_loss(names, Xt[it], yt[it], cfg.net)
        val_loss = supernet_loss(names, Xv[iv], yv[iv], cfg.net)

        def alpha_update():  # xi = the current w learning rate
            alpha.grad = alpha_grad(s.order, train_loss, val_loss, w, alpha, xi=schedule.xi, hvp=s.hvp)
            a_opt.step()

        darts_step(alpha_update, lambda: w_update(lambda: train_loss(w, [alpha.detach()]), w, w_opt, s.grad_clip),
                   step_order=s.step_order, update_alpha=schedule.updates_alpha(epoch))
        schedule.after_step()

    result, alphas, t0 = DartsTableResult(cfg), [], time.process_time()
    for ep in range(1, s.epochs + 1):
        schedule.start_epoch(ep)
        for it in order_w[(ep - 1) * per_epoch: ep * per_epoch]:
            step(ep, it)
        soft = F.softmax(alpha.detach(), -1).cpu()
        alphas.append(soft.numpy().copy())
        result.history.append(_epoch_record(ep, derive(alpha.detach()), soft, time.process_time() - t0, bench))
        if callback is not None:
            callback(result.history[-1])
    result.alpha = np.stack(alphas)
    result.params = {n: p.detach().cpu() for n, p in params.items()}
    return result


def table_config(order: str = "first", epochs: int | None = None, seed: int = 0, **overrides) -> DartsTableConfig:
    """`DartsTableConfig` with `order`, `epochs`, `seed` and `overrides` (its own fields or its SearchConfig's)."""
    own = {k: overrides.pop(k) for k in ("search", "n_train", "net") if k in overrides}
    search = replace(own.pop("search", table_search()), order=order, seed=seed,
                     **({"epochs": epochs} if epochs is not None else {}), **overrides)
    return DartsTableConfig(search=search, **own)


def _epoch_record(epoch: int, cell, soft, cpu_seconds: float, bench) -> dict:
    rec = {"epoch": epoch, "cell": cell, "genotype": cell_str(cell), "canonical": canonical(cell),
           "n_parameter_free": n_parameter_free(cell), "skip_weight": float(soft[:, OPS.index("skip_connect")].mean()),
           "cpu_seconds": cpu_seconds}
    if bench is not None:
        rec.update(truth(bench, cell))
    return rec


def truth(bench, cell) -> dict:
    """The table's verdict on a cell: {"test_acc", "val_acc", "rank"} (rank among the distinct cells, 1 = best)."""
    return {"test_acc": bench.test_acc(cell), "val_acc": bench.val_acc(cell), "rank": bench.rank_of(cell)}


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
        for idx in order:
            cell = unique[int(rng.integers(len(unique)))]
            loss = F.cross_entropy(supernet_forward(params, one_hot(cell).to(dev), X[idx], net), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    acc = supernet_accuracy({n: p.detach().to(dev) for n, p in params.items()}, sample, data.X_val, data.y_val, net)
    true = np.array([bench.test_acc(c) for c in sample])
    return {"cells": sample, "supernet_acc": acc, "true_acc": true, "tau": kendall_tau(acc, true),
            "seconds": time.process_time() - t0}


__all__ = ["DartsTableConfig", "DartsTableResult", "darts_on_table", "truth", "supernet_forward", "supernet_accuracy",
           "supernet_ranking", "supernet_loss", "alpha_grad", "derive", "one_hot"]
