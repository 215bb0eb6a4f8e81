"""DARTS on the benchmark's own space, judged by the table's ground truth.

NAS-Bench-201 (Dong & Yang, ICLR 2020, Table 5) ran DARTS on its space: first and second order both
returned a cell of `skip_connect` / `none` only (54.30 % on CIFAR-10 against 94.37 % for the best
cell): the skip-connection collapse (DARTS+, RobustDARTS). Here the same experiment runs in a minute:
`darts_on_table(bench, order=...)` searches with the real supernet of the table's network
(`naslab.bakeoff.supernet`: every edge a softmax(alpha)-weighted sum of the 5 ops, one alpha of shape
(6, 5) shared by all cells, BN with batch statistics and no affine parameters). Each step is Liu et
al.'s Alg. 1, the step and schedule of notebook 05 (`naslab.darts.step`, settings `SearchConfig`):
an alpha step on a validation batch (Adam; first order: grad_alpha L_val(w, alpha); second order:
eq. 7 by `alpha_grad` with `naslab.darts.architect.unrolled_alpha_grad`, xi = the current w lr),
then a w step on a training batch (SGD, momentum 0.9, weight decay 3e-4, gradient clip 5, the cosine
lr moved once per step as NAS-Bench-201's code does). After every epoch the cell is derived as
NAS-Bench-201's DARTS does it (argmax over all 5 ops per edge, `none` included) and looked up: its
true test accuracy and its rank among the distinct cells, and the number of parameter-free edges
(the collapse count).

Departures (tiny budget): alpha lr 3e-3 (paper 3e-4), as the search runs hundreds of steps, not ~20k.
Second order uses the *exact* Hessian-vector product (double backward, `hvp="exact"`), not eq. 8's central
difference with eps = 0.01 / ||v||: on this small ReLU network w +- eps v crosses ReLU kinks, so the difference
quotient is off by more than the product itself (3.4x its norm at r = 0.01, 4e-8 at r = 1e-4 in float64;
tests/bakeoff/test_oneshot.py checks eq. 7 against autograd through the virtual step). With eq. 8 (seeds 0-1,
10 epochs) both orders derived the same final cells; with the exact product seed 1's differ on one edge.
`hvp="finite"` keeps the paper's rule.

Device-agnostic: `device="auto"` (`naslab.utils.get_device`) holds the supernet, alpha and the data. Every
random draw (init, alpha, batches) comes from CPU generators, so all devices see the same
draws; results come back on the CPU (`alpha` as NumPy, `params` as CPU tensors). Nothing inside an epoch's
steps reads a tensor on the host (indices move once per epoch, the w step's loss stays on the device).

Taught in: notebooks/06_nas_bakeoff.ipynb (§ DARTS against the truth).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import EDGES, OPS, canonical, cell_str, n_parameter_free
from naslab.bakeoff.network import NetConfig, init_params
from naslab.bakeoff.supernet import SUPERNET_NET, supernet_loss
from naslab.darts.architect import ORDERS, unrolled_alpha_grad
from naslab.darts.config import SearchConfig
from naslab.darts.step import WSchedule, darts_step, w_update
from naslab.train import batch_order, batches_on
from naslab.utils import get_device


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

    def step(epoch: int, it, iv) -> None:
        """One step of Alg. 1 (`darts_step`): alpha on the validation batch `iv`, w on the training batch `it`."""
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
        its = batches_on(order_w[(ep - 1) * per_epoch: ep * per_epoch], dev)  # indices move once per epoch
        ivs = torch.stack([torch.randint(len(yv), (s.batch_size,), generator=gen) for _ in its]).to(dev)  # fresh
        for it, iv in zip(its, ivs):  # validation batches: the draws of one per step, made up front
            step(ep, it, iv)
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



__all__ = ["DartsTableConfig", "DartsTableResult", "darts_on_table", "table_config", "table_search", "truth",
           "alpha_grad", "derive"]
