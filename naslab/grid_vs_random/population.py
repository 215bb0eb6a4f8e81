"""Population training: K copies of one small network, each with its own hyper-parameters, at once.

Each member k has its own learning rate lr_k, weight decay wd_k, momentum mu_k and seed s_k. Its
one-by-one twin is (see `train_member`)

    seed_everything(s_k); model = model_fn(); train(model, data, cfg, lr=lr_k, weight_decay=wd_k, seed=s_k)

and the population reproduces that run: same initial weights (built under the same seed, then
stacked with `torch.func.stack_module_state`), same data order (`batch_order(n, B, epochs, s_k)`),
same update rule (torch's coupled SGD with momentum, or Adam):

    g_k = ∇L_k(w_k) + wd_k w_k,   b_k <- mu_k b_k + g_k,   w_k <- w_k - lr_k b_k        (SGD)

The K weight tensors are stacked along a leading axis, so one step is a few batched matmuls with
hand-written backprop (`method="bmm"`, Flatten/Linear/ReLU MLPs, see `naslab.grid_vs_random.batched`) or one
`torch.func.vmap` of the model with autograd (`method="vmap"`, any buffer-free model). Summing
the K member losses gives every member exactly its own gradient, because no parameter is shared.
A member whose loss turns NaN/inf (or passes `cfg.blowup * ln C`, as in `naslab.train`) is recorded
as diverged (from its first bad step) and removed from the stack, so it cannot spoil the others; the losses
are read, and checked, once per epoch (no host-device sync inside the steps). A small network leaves a CPU
mostly idle per step (Python and kernel overhead dominate); batching K of them fills it, which is
where the speed-up comes from.

Taught in: notebooks/01_grid_vs_random_search.ipynb (the real landscape, the 20-seed comparison).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from naslab.grid_vs_random.batched import MemberStack, StackedOptimizer, member_losses
from naslab.train import TrainConfig, batch_order, batches_on, train
from naslab.trial import Trial
from naslab.utils import get_device, seed_everything

MEMBER_KEYS = ("lr", "weight_decay", "momentum", "seed")
MEMBER_ARRAYS = ("val_acc", "val_loss", "val_acc_curve", "train_loss", "steps", "diverged")  # (K, ...) each
METHODS = ("auto", "bmm", "vmap")


@dataclass
class PopulationResult:
    """Per-member results, as arrays over the K members (same meaning as `TrainResult`)."""

    configs: list[dict]
    val_acc: np.ndarray  # (K,) chance accuracy for a diverged member
    val_loss: np.ndarray  # (K,) NaN for a diverged member
    val_acc_curve: np.ndarray  # (K, epochs), NaN after a member diverged
    train_loss: np.ndarray  # (K, steps), NaN from the step a member diverged
    steps: np.ndarray  # (K,) updates each member made
    diverged: np.ndarray  # (K,) bool
    seconds: float  # wall clock of the whole population

    def __len__(self) -> int:
        return len(self.configs)

    def member_seconds(self) -> np.ndarray:
        """The population's time shared out in proportion to each member's updates: (K,)."""
        w = np.maximum(self.steps, 1).astype(float)
        return self.seconds * w / w.sum()

    def metrics(self, k: int) -> dict:
        """Member k's metrics, with the keys of `TrainResult.metrics` plus its share of seconds."""
        return {"val_acc": float(self.val_acc[k]), "val_loss": float(self.val_loss[k]),
                "steps": int(self.steps[k]), "diverged": bool(self.diverged[k]),
                "seconds": float(self.member_seconds()[k])}

    def trials(self, **info) -> list[Trial]:
        """One Trial per member (trial_id = member index)."""
        return [Trial(config=dict(c), metrics=self.metrics(k), seconds=self.metrics(k)["seconds"],
                      status="diverged" if self.diverged[k] else "ok", trial_id=k,
                      seed=int(c.get("seed", 0)), info={"trainer": "population", **info})
                for k, c in enumerate(self.configs)]


def _member(config: dict, cfg: TrainConfig) -> dict:
    if not isinstance(config, dict) or set(config) - set(MEMBER_KEYS):
        raise ValueError(f"a member config is a dict with keys among {list(MEMBER_KEYS)}, got {config!r}")
    m = {"lr": cfg.lr, "weight_decay": cfg.weight_decay, "momentum": cfg.momentum, "seed": cfg.seed, **config}
    replace(cfg, **m).validate()  # the same checks (and messages) as one-by-one training
    return m


def train_member(data, config: dict, cfg: TrainConfig | None = None, *, model_fn: Callable | None = None,
                 hidden: tuple[int, ...] = (64,), **overrides):
    """The one-by-one twin of a population member: seed, build, `naslab.train.train`."""
    cfg = replace(cfg or TrainConfig(), **overrides)
    m = _member(config, cfg)
    seed_everything(int(m["seed"]))
    model = model_fn() if model_fn is not None else _default_model(data, hidden)
    return train(model, data, replace(cfg, **m))


def _default_model(data, hidden) -> nn.Module:
    from naslab.models import make_mlp

    return make_mlp(tuple(data.X_train.shape[1:]), data.num_classes, hidden)


def train_population(
    data,
    configs: Sequence[dict],
    cfg: TrainConfig | None = None,
    *,
    model_fn: Callable[[], nn.Module] | None = None,
    hidden: tuple[int, ...] = (64,),
    method: str = "auto",
    chunk_size: int | None = 64,
    **overrides,
) -> PopulationResult:
    """Train one member per config at once; member k reproduces `train_member(data, configs[k], cfg)`.

    Args:
        data: a `naslab.data.Dataset`.
        configs: K dicts with keys among "lr", "weight_decay", "momentum", "seed" (missing keys come
            from `cfg`); "seed" seeds both the member's initial weights and its data order.
        cfg: the shared TrainConfig (optimizer "sgd" or "adam", batch_size, epochs, max_steps...);
            keyword `overrides` replace its fields.
        model_fn: builds one member (called after seeding); default `make_mlp(.., hidden)`.
        method: "bmm" (Flatten/Linear/ReLU MLPs), "vmap" (any model without buffers) or "auto".
        chunk_size: train at most this many members at once (None: all). Big stacks fall out of
            the CPU cache and get slower per member; ~64 small MLPs at a time is the sweet spot.

    Returns:
        a PopulationResult (arrays over members, in the order of `configs`).
    """
    cfg = replace(cfg or TrainConfig(), **overrides).validate()
    if method not in METHODS:
        raise ValueError(f"method={method!r} is unknown; allowed: {list(METHODS)}")
    members = [_member(c, cfg) for c in configs]
    if not members:
        raise ValueError("configs is empty: a population needs at least one member config")
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < 1):
        raise ValueError(f"chunk_size={chunk_size!r} must be a positive int or None")
    if chunk_size is not None and len(members) > chunk_size:
        return join_populations([train_population(data, configs[i:i + chunk_size], cfg, model_fn=model_fn,
                                                  hidden=hidden, method=method, chunk_size=None)
                                 for i in range(0, len(configs), chunk_size)])
    t0 = time.perf_counter()
    device = get_device(cfg.device)
    models = []
    for m in members:  # member k's initial weights: exactly those of its one-by-one twin
        seed_everything(int(m["seed"]))
        models.append(model_fn() if model_fn is not None else _default_model(data, hidden))
    stack = MemberStack(models, method, device)
    run = _train(stack, data, members, cfg, device)
    return _result(configs, data, *run, seconds=time.perf_counter() - t0)


def join_populations(parts: Sequence[PopulationResult]) -> PopulationResult:
    """The results of consecutive chunks of members as one result (members in order; seconds summed).

    The one join of population chunks: `train_population`'s `chunk_size` and the executor tasks of
    `naslab.grid_vs_random.population_tasks` both use it.
    """
    return PopulationResult(configs=[c for r in parts for c in r.configs], seconds=sum(r.seconds for r in parts),
                            **{k: np.concatenate([getattr(r, k) for r in parts]) for k in MEMBER_ARRAYS})


def _train(stack: MemberStack, data, members: list[dict], cfg: TrainConfig, device):
    """The SGD / Adam steps of the stack, dropping members that diverge; validation after every epoch.

    Returns (log of (active, losses) per step, val curve (K, E), val loss (K,), val acc (K,), steps (K,),
    diverged (K,), S the number of steps).
    """
    K, params = len(members), stack.params
    hp = {k: torch.tensor([float(m[k]) for m in members], device=device)
          for k in ("lr", "weight_decay", "momentum")}  # each (K,)
    opt = StackedOptimizer(params, hp, cfg.optimizer)
    seeds = [int(m["seed"]) for m in members]
    X, y = data.X_train.to(device), data.y_train.to(device)
    Xv, yv = data.X_val.to(device), data.y_val.to(device)
    n, per_epoch = len(y), math.ceil(len(y) / cfg.batch_size)
    orders = {s: batch_order(n, cfg.batch_size, cfg.epochs, s)[: cfg.max_steps] for s in set(seeds)}
    S = len(orders[seeds[0]])
    shared = len(orders) == 1  # one data order for all: the first layer is one big matmul
    active = torch.arange(K)  # original indices of the members still training (on the host)
    active_ids = active.tolist()
    log = []  # (active, losses) per step
    curve = torch.full((K, math.ceil(S / per_epoch)), float("nan"))
    vloss, vacc = torch.full((K,), float("nan")), torch.full((K,), float("nan"))
    steps, diverged = torch.full((K,), S, dtype=torch.long), torch.zeros(K, dtype=torch.bool)
    max_loss = cfg.blowup * math.log(data.num_classes)  # as in naslab.train
    for step in range(1, S + 1):
        xT = None
        if (step - 1) % per_epoch == 0:  # the epoch's indices move to the device at once, not one batch per step
            ep_batches = {s: batches_on(orders[s][step - 1: step - 1 + per_epoch], device) for s in orders}
            ep_start = step
        if shared and stack.method == "bmm":
            if step == ep_start:  # gather a whole epoch at once, already transposed: (D, n)
                cols = torch.cat(ep_batches[seeds[0]])
                XT_epoch, y_epoch, off = X[cols].reshape(len(cols), -1).T.contiguous(), y[cols], 0
            b = len(ep_batches[seeds[0]][step - ep_start])
            xb, yb, xT = None, y_epoch[off:off + b], XT_epoch[:, off:off + b]  # this batch: (D, B) columns
            off += b
        else:
            idx = ep_batches[seeds[0]][step - ep_start] if shared else torch.stack(
                [ep_batches[seeds[k]][step - ep_start] for k in active_ids])  # (B,) or (Ka, B)
            xb, yb = X[idx], y[idx]
        with torch.no_grad():
            losses, grads = stack.loss_and_grads(params, xb, yb, shared, xT)  # (Ka,), name -> (Ka, ...)
        log.append((active, losses))
        opt.step(params, grads)
        if step % per_epoch == 0 or step == S:  # the epoch's losses are read here, once (no sync per step)
            ep_losses = torch.stack([lo for _, lo in log[ep_start - 1:]], 1).cpu()  # (Ka, steps of the epoch)
            log[ep_start - 1:] = [(active, lo) for lo in ep_losses.unbind(1)]  # the log, read: on the host
            bad = ~torch.isfinite(ep_losses) | (ep_losses > max_loss)  # NaN, inf or a blow-up: a result
            if bad.any():
                first = bad.int().argmax(1)  # each member's first bad step in the epoch
                hit = bad.any(1)
                gone = active[hit]
                diverged[gone], steps[gone] = True, ep_start - 1 + first[hit]  # as naslab.train: no such update
                keep = (~hit).to(device)  # drop the diverged members so they cannot spoil the others
                active = active[~hit]
                active_ids = active.tolist()  # host bookkeeping: which seeds' batches to stack
                params = {k: v.detach()[keep] for k, v in params.items()}
                opt.keep(keep, params)
                if len(active) == 0:
                    break
        if step % per_epoch == 0 or step == S:  # validation after every epoch, as naslab.train
            with torch.no_grad():
                logits = stack.forward(params, Xv, True)[0]  # (Ka, C, N_val)
                vloss[active] = member_losses(logits, yv).cpu()
                pred = logits.transpose(1, 2).contiguous().argmax(-1)  # (Ka, N_val), first max as in evaluate
                vacc[active] = (pred == yv).float().mean(1).cpu()
                curve[active, (step - 1) // per_epoch] = vacc[active]
    return log, curve, vloss, vacc, steps, diverged, S


def _result(configs, data, log, curve, vloss, vacc, steps, diverged, S, *, seconds: float) -> PopulationResult:
    """The arrays of a finished stack: the train-loss log as (K, S), NaN from a member's diverging step on."""
    K = len(configs)
    tl = torch.full((K, S), float("nan"))
    for s, (act, losses) in enumerate(log):
        tl[act, s] = losses  # read to the host once per epoch by `_train`
    tl[torch.arange(S)[None, :] >= steps[:, None]] = float("nan")  # from the diverging step on: NaN
    diverged |= ~torch.isfinite(vloss)
    vloss[diverged], vacc[diverged] = float("nan"), 1.0 / data.num_classes
    return PopulationResult(
        configs=[dict(c) for c in configs], val_acc=vacc.numpy(), val_loss=vloss.numpy(),
        val_acc_curve=curve.numpy(), train_loss=tl.numpy(), steps=steps.numpy(),
        diverged=diverged.numpy(), seconds=seconds)
