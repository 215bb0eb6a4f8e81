"""Child networks as a search objective: brief proxy training, random architecture search, comparisons.

Zoph & Le trained every child for 50 epochs on CIFAR-10 (reward = validation accuracy, cubed).
On a CPU we train each child for a few hundred Adam steps on MNIST-1D (a proxy budget, see
notebook 03) and use the validation accuracy as the reward R.

* `ChildObjective(space, cfg)`: `objective(config) -> metrics` for `naslab.search.run_search`;
  the config is {"tokens": [...], ...}. Training is seeded, so the same architecture always gets the
  same accuracy; a cache skips retraining a repeated child (marked `"cached": True`).
* `RandomArchSearch(space, seed=...)`: uniform architectures on the same ask/tell interface.
* `compare_searchers(...)`: controller vs random over seeds, same number of children each.

Taught in: notebooks/02_reinforce_controller.ipynb (the real search).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch

from naslab.controller.macro_space import MacroSpace
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.data import available_datasets, load_dataset
from naslab.search import run_search
from naslab.searchers import RandomSearch
from naslab.train import TrainConfig, train
from naslab.utils import count_params, seed_everything
from naslab.validate import check_bool, check_choice, check_instance, check_int, check_real, check_seed


@dataclass
class ChildConfig:
    """How one child is trained (the proxy budget)."""

    dataset: str = "mnist1d"
    steps: int = 80  # Adam updates per child, ~1.6 epochs (MNIST-1D's reference training uses 8,000)
    batch_size: int = 64
    lr: float = 1e-2  # Adam, as in MNIST-1D's reference training
    seed: int = 0  # weight init and data order of every child
    cache: bool = True  # reuse the result of an architecture trained before
    device: str = "cpu"  # children this small train fastest on the CPU; "auto" picks an accelerator

    def __post_init__(self):
        if not (isinstance(self.dataset, str) and self.dataset.lower().replace("_", "-") in available_datasets()):
            check_choice(self.dataset, "dataset", available_datasets())
        check_int(self.steps, "steps", low=1)
        check_int(self.batch_size, "batch_size", low=1)
        check_real(self.lr, "lr", low=0, low_open=True)
        check_seed(self.seed)
        check_bool(self.cache, "cache")


class ChildObjective:
    """Train the child a config describes and return its metrics (val_acc is the reward)."""

    def __init__(self, space: MacroSpace, cfg: ChildConfig | None = None, data=None):
        check_instance(space, "space", MacroSpace)
        check_instance(cfg, "cfg", (ChildConfig, type(None)))
        self.space, self.cfg = space, cfg or ChildConfig()
        self.data = data if data is not None else load_dataset(self.cfg.dataset)
        self.cache: dict[str, dict] = {}
        self.train_seconds = 0.0  # total time spent actually training children

    def __call__(self, config: dict) -> dict:
        if not isinstance(config, dict) or "tokens" not in config:
            raise ValueError(f"config={config!r} must be a dict with the architecture's 'tokens' "
                             "(as ControllerSearcher and RandomArchSearch propose)")
        arch = self.space.decode(config["tokens"])
        if self.cfg.cache and arch.key in self.cache:
            return {**self.cache[arch.key], "cached": True}
        seed_everything(self.cfg.seed)
        net = self.space.build(arch, self.data.input_shape, self.data.num_classes)
        epochs = math.ceil(self.cfg.steps / math.ceil(len(self.data.y_train) / self.cfg.batch_size))
        tc = TrainConfig(optimizer="adam", lr=self.cfg.lr, batch_size=self.cfg.batch_size, epochs=epochs,
                         max_steps=self.cfg.steps, seed=self.cfg.seed, device=self.cfg.device)
        res = train(net, self.data, tc)
        self.train_seconds += res.seconds
        out = {**res.metrics, "params": count_params(net), "train_seconds": res.seconds, "arch": arch.key}
        if self.cfg.cache:
            self.cache[arch.key] = out
        return {**out, "cached": False}


class RandomArchSearch(RandomSearch):
    """Uniformly random architectures from a `MacroSpace` (tokens drawn independently and uniformly)."""

    def _validate_space(self, space: MacroSpace) -> MacroSpace:
        if not isinstance(space, MacroSpace):
            raise ValueError(f"RandomArchSearch needs a MacroSpace (naslab.controller.macro_space), "
                             f"got {type(space).__name__}")
        return space

    def _draw(self) -> dict:
        arch = self.space.sample(self.rng)
        return {"tokens": self.space.encode(arch), "arch": arch.key}


@dataclass
class Comparison:
    """Trials of each method over seeds, plus the cost accounting of the controller."""

    trials: dict[str, list[list]] = field(default_factory=dict)  # method -> one list of Trials per seed
    controller_seconds: list[float] = field(default_factory=list)  # per controller run
    histories: list[list[dict]] = field(default_factory=list)  # controller update records per seed
    train_seconds: float = 0.0  # children actually trained (cache misses), all runs
    n_trained: int = 0
    seconds: float = 0.0  # wall clock of the whole comparison

    def overhead(self) -> float:
        """Controller seconds per child / training seconds per trained child (target < 5 %)."""
        n_ctrl = sum(len(t) for t in self.trials.get("controller", []))
        per_child = sum(self.controller_seconds) / max(n_ctrl, 1)
        return per_child / max(self.train_seconds / max(self.n_trained, 1), 1e-12)


def compare_searchers(space: MacroSpace, n_children: int, seeds, *, child: ChildConfig | None = None,
                      controller: ControllerConfig | None = None, data=None, progress: bool = False) -> Comparison:
    """Run the controller and random search for `n_children` each, for every seed.

    Each method has its own `ChildObjective` (and cache, shared over its seeds only), so a child
    trained for one method is never free for the other and their seconds compare fairly; training
    is seeded, so accuracies do not depend on who asked. One throwaway child is trained first, so
    the ~1 s of torch warm-up of a fresh process is in no method's seconds.
    """
    t0 = time.perf_counter()
    if data is None:
        data = load_dataset((child or ChildConfig()).dataset)
    warm = ChildObjective(space, child, data)
    warm({"tokens": [0] * len(space.num_choices)})  # torch warm-up, outside every measurement
    objectives = {"controller": ChildObjective(space, child, data), "random": ChildObjective(space, child, data)}
    out = Comparison(trials={"controller": [], "random": []})
    for seed in seeds:
        torch.manual_seed(seed)
        ctrl = ControllerSearcher(space, controller or ControllerConfig(), seed=seed)
        out.trials["controller"].append(run_search(ctrl, objectives["controller"], n_children, progress=progress))
        out.controller_seconds.append(ctrl.seconds)
        out.histories.append(ctrl.history)
        rand = RandomArchSearch(space, seed=seed)
        out.trials["random"].append(run_search(rand, objectives["random"], n_children, progress=progress))
    out.train_seconds = sum(o.train_seconds for o in objectives.values())
    out.n_trained = sum(len(o.cache) for o in objectives.values())
    out.seconds = time.perf_counter() - t0
    return out
