"""Teacher -> student training curves: does a Net2Net student really learn faster?

The experiment of Chen et al. (ICLR 2016, §3) and of the Keras `mnist_net2net.py` reproduction:
train a small *teacher*, grow it into a bigger *student* in three ways, and train each for the same
number of steps, recording validation accuracy from step 0:

* **net2net**: Net2WiderNet + Net2DeeperNet, starting exactly at the teacher's accuracy;
* **random pad**: the same shape, the teacher's weights kept but the new units / the new layer
  initialised at random (not function-preserving);
* **scratch**: the same shape, every weight re-initialised;
* **teacher**: the teacher itself, trained on for the same steps (the "no growth" control).

`grow(teacher, plan, init)` applies a plan such as [("widen", 0, 12), ("deepen", 1)] (the
model-level helpers of `naslab.net2net.network`).

Taught in: notebooks/04_net2net.ipynb (section 4).
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace

import torch
from torch import nn

from naslab.net2net.network import deepen_layer, reinit, widen_layer
from naslab.train import TrainConfig, evaluate, train

STUDENTS = ("teacher", "net2net", "random pad", "scratch")


def grow(model: nn.Sequential, plan, *, init: str = "net2net", X: torch.Tensor | None = None,
         noise: float = 0.0, seed: int = 0) -> nn.Sequential:
    """Apply a plan of ("widen", k, new_width) / ("deepen", k[, kernel_size]) steps in order."""
    for s, step in enumerate(plan):
        if step[0] == "widen":
            model = widen_layer(model, step[1], step[2], noise=noise, init=init, seed=seed + s)
        elif step[0] == "deepen":
            ks = step[2] if len(step) > 2 else 3
            model = deepen_layer(model, step[1], kernel_size=ks, X=X, noise=noise, init=init, seed=seed + s)
        else:
            raise ValueError(f"plan step {step!r} is unknown; allowed: ('widen', k, width) or ('deepen', k[, ks])")
    return model


def train_curve(model: nn.Module, data, cfg: TrainConfig, steps: int, *, eval_every: int = 25) -> dict:
    """Train `model` for `steps` updates, evaluating on validation every `eval_every` updates (and at 0).

    Returns {"steps": [0, e, 2e, ...], "val_acc": [...], "train_loss": [... per update]}.
    """
    curve = {"steps": [0], "val_acc": [evaluate(model, data.X_val, data.y_val)[1]]}

    def cb(step, loss):
        if step % eval_every == 0 or step == steps:
            curve["steps"].append(step)
            curve["val_acc"].append(evaluate(model, data.X_val, data.y_val)[1])  # eval mode, then back

    epochs = math.ceil(steps * cfg.batch_size / len(data.y_train))
    res = train(model, data, cfg, max_steps=steps, epochs=epochs, callback=cb)
    curve["train_loss"] = res.train_loss
    return curve


def teacher_student_curves(teacher: nn.Sequential, data, plan, *, steps: int = 300, lr: float | None = None,
                           cfg: TrainConfig | None = None, eval_every: int = 25, noise: float = 0.0,
                           seed: int = 0) -> dict:
    """Grow the trained `teacher` by `plan` three ways and train every model for `steps` updates.

    Args:
        teacher: a trained nn.Sequential (not modified: each curve trains a copy).
        plan: the growth plan, e.g. [("widen", 0, 12), ("widen", 1, 12), ("deepen", 1)].
        lr: the students' learning rate (default: cfg.lr; the Keras example uses teacher lr / 10).
        noise: symmetry-breaking noise of the Net2Net student.

    Returns:
        {name: curve} for the names in STUDENTS, each from `train_curve`, plus "models": the grown
        (untrained) students.
    """
    cfg = cfg or TrainConfig(lr=0.05)
    cfg = replace(cfg, lr=lr if lr is not None else cfg.lr, seed=seed)
    g = torch.Generator().manual_seed(seed)
    X = data.X_train[torch.randperm(len(data.y_train), generator=g)[:64]]  # BN calibration batch (EAS: 64)
    models = {
        "teacher": copy.deepcopy(teacher),
        "net2net": grow(teacher, plan, init="net2net", X=X, noise=noise, seed=seed),
        "random pad": grow(teacher, plan, init="random", X=X, seed=seed),
    }
    models["scratch"] = reinit(models["net2net"], seed=seed)
    out = {name: train_curve(copy.deepcopy(m), data, cfg, steps, eval_every=eval_every) for name, m in models.items()}
    out["models"] = models
    return out
