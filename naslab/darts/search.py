"""Algorithm 1 of DARTS as a loop: alternate alpha and w updates on two disjoint halves of the training data.

DARTS (Liu, Simonyan & Yang, ICLR 2019, Alg. 1 and §A.1.1): split the training split 50/50; each
step takes one batch from each half and

    1. updates α by descending ∇_α L_val(w − ξ ∇_w L_train(w, α), α)   (`Architect`, ξ = 0 first order)
    2. updates w by descending ∇_w L_train(w, α)   (SGD + momentum, cosine learning rate, clip 5)

(the paper's order and its code's; `SearchConfig(step_order="w_first")` runs the order some course
slides list after the first arXiv version, w then α: the first α step sees different weights, so the two runs
differ from the first step on; notebook 05 §6 measures how far)

The step itself is `naslab.darts.step.darts_step` with the settings of `naslab.darts.config.SearchConfig`
(shared with DARTS on the cell table of notebook 06); this module holds the loop over the two halves,
and at the end replaces each mixed edge by its strongest op (`SearchNetwork.genotype`). naslab's
validation split is never touched by the search: it scores the supernet and the retrained cells.

Skip collapse (Liang et al., "DARTS+", arXiv:1909.06035; Zela et al., "Understanding and Robustifying
DARTS", ICLR 2020): long searches hand the normal cell to
parameter-free ops. `run_darts` counts skip connections of the derived normal cell each epoch, warns
once they exceed `max_skip` and, with `early_stop=True`, stops and keeps the last cell within the cap.
The default `max_skip=1` is DARTS+'s rule (§3.2: stop once the normal cell has 2 skip connections), the
same count whatever the cell's size (8 edges in the paper, 4 in naslab's default cell).
`warmup_epochs` trains w only for the first epochs, with α frozen (P-DARTS: 10 of 25 epochs per stage;
PC-DARTS: 15 of 50), which gives the convolutions a head start over the parameter-free ops.

Taught in: notebooks/05_darts.ipynb (§ a real search, § retraining, § first vs second order, § collapse).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch.nn import functional as F

from naslab.darts.architect import Architect
from naslab.darts.config import SearchConfig
from naslab.darts.genotype import Genotype, genotype_weights
from naslab.darts.network import DiscreteNetwork
from naslab.darts.step import WSchedule, darts_step, w_update
from naslab.darts.supernet import SearchNetwork
from naslab.train import TrainConfig, batch_order, batches_on, evaluate, losses_of, train
from naslab.trial import Trial
from naslab.utils import Timer, get_device, seed_everything
from naslab.validate import check_dataset


class SkipCollapseWarning(UserWarning):
    """The derived normal cell is taken over by skip connections."""


@dataclass
class SearchResult:
    """What a search produced: per-epoch records, the final supernet and the chosen genotype."""

    config: SearchConfig
    model: SearchNetwork
    history: list[dict] = field(default_factory=list)  # one record per epoch (epoch 0 = before training)
    genotype: Genotype | None = None  # the final cell, or the early-stopped one
    stopped_epoch: int | None = None  # epoch at which early stopping fired
    step_seconds: list[float] = field(default_factory=list)
    interrupted: bool = False
    diverged: bool = False

    def alpha_trace(self, kind: str = "normal") -> np.ndarray:
        """softmax(alpha) per epoch: (n_epochs + 1, n_edges, n_ops)."""
        return np.stack([h[f"weights_{kind}"] for h in self.history])

    def column(self, key: str) -> list:
        """One metric over the epochs, e.g. `column("skips")`."""
        return [h[key] for h in self.history]

    def trial(self) -> Trial:
        """The search as a `Trial` record (config = the genotype string)."""
        last = self.history[-1]
        return Trial(config=str(self.genotype), seed=self.config.seed, seconds=sum(self.step_seconds),
                     status="diverged" if self.diverged else "ok",
                     metrics={"supernet_val_acc": last["supernet_val_acc"], "skips": last["skips"]},
                     info={"searcher": f"darts-{self.config.order}", "epochs": last["epoch"]})


def _record(model, epoch: int, data, train_loss: float, lr: float, seconds: float) -> dict:
    w, g = model.arch_weights(), model.genotype()
    _, acc = evaluate(model, data.X_val, data.y_val)  # supernet accuracy (soft alpha) on validation
    return {"epoch": epoch, "weights_normal": w["normal"].numpy(), "weights_reduce": w["reduce"].numpy(),
            "genotype": str(g), "skips": g.count("skip_connect"),
            "param_free": g.count(("skip_connect", "max_pool_3x3", "avg_pool_3x3")),
            "train_loss": train_loss, "supernet_val_acc": acc, "lr": lr, "seconds": seconds}


def build_search(data, cfg: SearchConfig):
    """Seeded supernet, architect, w optimizer and the two disjoint halves of the training split."""
    device = get_device(cfg.device)
    seed_everything(cfg.seed)
    model = SearchNetwork(data.input_shape, data.num_classes, C=cfg.C, layers=cfg.layers, steps=cfg.steps,
                          primitives=cfg.primitives, alpha_init_std=cfg.alpha_init_std).to(device)
    architect = Architect(model, order=cfg.order, alpha_lr=cfg.alpha_lr, alpha_betas=cfg.alpha_betas,
                          alpha_weight_decay=cfg.alpha_weight_decay, unroll_momentum=cfg.unroll_momentum, hvp=cfg.hvp)
    w_opt = torch.optim.SGD(model.weights(), lr=cfg.w_lr, momentum=cfg.w_momentum, weight_decay=cfg.w_weight_decay)
    perm = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(cfg.seed))
    half = len(perm) // 2  # two disjoint halves: w learns on one, alpha on the other
    halves = [(data.X_train[idx].to(device), data.y_train[idx].to(device)) for idx in (perm[:half], perm[half:])]
    return model, architect, w_opt, halves


def search_step(model, architect, w_opt, batch_w, batch_a, *, xi: float, grad_clip: float = 5.0,
                step_order: str = "alpha_first", update_alpha: bool = True) -> torch.Tensor:
    """One step of Algorithm 1 (`naslab.darts.step.darts_step`) on one batch of each half; returns L_train of
    the w step (0-dim, detached, on the device: read it outside the step loop).

    "alpha_first" (the ICLR paper's Alg. 1 and its code): α on the alpha-half batch, then w on the w-half.
    "w_first" (arXiv v1, and some slides): w first, then α against the updated w; the trajectories differ
    from the alpha_first ones from the first step on.
    """
    (Xw, yw), (Xa, ya) = batch_w, batch_a
    return darts_step(lambda: architect.step(Xw, yw, Xa, ya, xi=xi, w_optimizer=w_opt),  # α ← α − lr_α ∇_α L_val
                      lambda: _w_step(model, w_opt, Xw, yw, grad_clip), step_order=step_order,
                      update_alpha=update_alpha)


def _w_step(model, w_opt, Xw, yw, grad_clip: float) -> torch.Tensor:
    alphas = model.alphas()
    try:
        for a in alphas:
            a.requires_grad_(False)  # w ← w − lr ∇_w L_train(w, α), with α held fixed
        return w_update(lambda: F.cross_entropy(model(Xw), yw), model.weights(), w_opt, grad_clip)
    finally:
        for a in alphas:
            a.requires_grad_(True)


def configured_step(cfg: SearchConfig, model, architect, w_opt, schedule: WSchedule, epoch: int):
    """`search_step` with every setting of `cfg` for a step of `epoch`: (batch_w, batch_a) -> L_train."""
    return lambda batch_w, batch_a: search_step(model, architect, w_opt, batch_w, batch_a, xi=schedule.xi,
                                                grad_clip=cfg.grad_clip, step_order=cfg.step_order,
                                                update_alpha=schedule.updates_alpha(epoch))


def run_darts(data, cfg: SearchConfig | None = None, *, callback=None, **overrides) -> SearchResult:
    """Run a DARTS search on `data` (a naslab Dataset). `callback(result)` is called after every epoch.

    Ctrl-C stops the search and keeps the finished epochs (`interrupted=True`); a NaN loss ends it
    with `diverged=True` at the end of its epoch (the losses are read once per epoch; that epoch is dropped).
    Keyword `overrides` replace config fields: `run_darts(d, epochs=3)`.
    """
    check_dataset(data)
    cfg = SearchConfig(**{**asdict(cfg or SearchConfig()), **overrides})
    max_loss = 100 * math.log(data.num_classes)  # 100x a uniform guess's loss: diverged (as train() says)
    model, architect, w_opt, ((Xw, yw), (Xa, ya)) = build_search(data, cfg)
    result = SearchResult(cfg, model, [_record(model, 0, data, float("nan"), cfg.w_lr, 0.0)])
    kept, warned = result.history[0], False  # the last record within the skip cap; warn once
    schedule = WSchedule(w_opt, cfg, min(-(-len(yw) // cfg.batch_size), -(-len(ya) // cfg.batch_size)))
    try:
        for epoch in range(1, cfg.epochs + 1):
            lr = schedule.start_epoch(epoch)  # cosine annealing (once per epoch by default)
            step, losses, t0 = configured_step(cfg, model, architect, w_opt, schedule, epoch), [], time.perf_counter()
            for iw, ia in zip(batches_on(batch_order(len(yw), cfg.batch_size, 1, cfg.seed * 1000 + epoch), Xw.device),
                              batches_on(batch_order(len(ya), cfg.batch_size, 1, cfg.seed * 1000 + epoch + 500),
                                         Xa.device)):
                ts = time.perf_counter()
                losses.append(step((Xw[iw], yw[iw]), (Xa[ia], ya[ia])))  # a device tensor: no sync per step
                schedule.after_step()
                result.step_seconds.append(time.perf_counter() - ts)
            losses = losses_of(losses)  # read once per epoch
            if not all(math.isfinite(v) and v <= max_loss for v in losses):  # NaN or a blow-up: diverged
                result.diverged = True
                break
            rec = _record(model, epoch, data, float(np.mean(losses)), lr, time.perf_counter() - t0)
            result.history.append(rec)
            if rec["skips"] > cfg.max_skip:
                if not warned:
                    warned = True
                    warnings.warn(f"epoch {epoch}: the derived normal cell has {rec['skips']} skip connections "
                                  f"(> max_skip={cfg.max_skip}); the search is collapsing to parameter-free ops",
                                  SkipCollapseWarning, stacklevel=2)
                if cfg.early_stop:
                    result.stopped_epoch = epoch
                    break
            else:
                kept = rec
            if callback is not None:
                callback(result)
    except KeyboardInterrupt:
        result.interrupted = True
    result.genotype = Genotype.parse((kept if cfg.early_stop else result.history[-1])["genotype"])
    return result


def early_stopped(result: SearchResult, max_skip: int | None = None) -> tuple[int, Genotype]:
    """(epoch, genotype) that `early_stop=True` would have kept: the last epoch before the derived normal cell
    first has more than `max_skip` skip connections (the final epoch when that never happens)."""
    cap = result.config.max_skip if max_skip is None else max_skip
    if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 0:
        raise ValueError(f"max_skip={cap!r} must be an int >= 0")
    kept = result.history[0]
    for h in result.history[1:]:
        if h["skips"] > cap:
            break
        kept = h
    else:
        kept = result.history[-1]
    return kept["epoch"], Genotype.parse(kept["genotype"])


@torch.no_grad()
def discretised_accuracy(model: SearchNetwork, genotype: Genotype, X, y) -> float:
    """Accuracy of the supernet with alpha replaced by the one-hot cell of `genotype` (no retraining)."""
    device = next(model.parameters()).device
    wn = genotype_weights(genotype.normal, model.primitives).to(device)
    wr = genotype_weights(genotype.reduce, model.primitives).to(device)
    model.eval()
    logits = torch.cat([model(X[i:i + 1024].to(device), weights_normal=wn, weights_reduce=wr)
                        for i in range(0, len(y), 1024)])
    model.train()
    return (logits.argmax(1).cpu() == y).float().mean().item()


def evaluate_genotype(genotype: Genotype | str, data, *, C: int = 8, layers: int = 3, epochs: int = 5,
                      lr: float = 0.05, batch_size: int = 64, seed: int = 0, device: str = "auto",
                      optimizer: str = "sgd") -> Trial:
    """Retrain the cell from scratch (SGD with momentum 0.9 or Adam, wd 3e-4) and score it on validation, as a Trial."""
    seed_everything(seed)
    net = DiscreteNetwork(genotype, data.input_shape, data.num_classes, C=C, layers=layers)
    with Timer() as t:
        res = train(net, data, TrainConfig(optimizer=optimizer, lr=lr, weight_decay=3e-4, epochs=epochs,
                                           batch_size=batch_size, seed=seed, device=device))
    return Trial(config=str(net.genotype), fidelity={"epochs": epochs, "C": C, "layers": layers}, seed=seed,
                 metrics={**res.metrics, "params": sum(p.numel() for p in net.parameters())}, seconds=t.seconds,
                 status="diverged" if res.diverged else "ok")


__all__ = ["SearchConfig", "SearchResult", "SkipCollapseWarning", "run_darts", "build_search", "search_step",
           "configured_step", "early_stopped", "discretised_accuracy", "evaluate_genotype"]
