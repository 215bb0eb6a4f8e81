"""EAS-style search by network transformation: grow a network with function-preserving moves.

Cai, Chen, Zhang, Yu & Wang, "Efficient Architecture Search by Network Transformation", AAAI 2018.

One *episode*: take the parent network, let the meta-controller (`naslab.net2net.meta_controller`) apply
`wider_steps` Net2Wider then `deeper_steps` Net2Deeper actions to it, `children` times; each child
inherits the parent's weights (it starts computing what the parent computed) and trains only
`child_steps` updates. The reward is EAS's R = tan(acc * pi / 2), and the REINFORCE update is

    loss = -(1/m) sum_k (R_k - b) * log p(actions_k) - beta * H,   b = EMA of earlier rewards

(`EMABaseline` and `reinforce_loss` come from `naslab.controller.lstm`). `policy="random"` draws the
same decisions uniformly and never learns: the random-transformation baseline (EAS code: random=True).
`policy="none"` applies no transformation at all: the children just train on, a control for how
much of the progress is only the extra training.

Every network is a `Trial` (config = {"id", "arch", "actions"}, parent = the trial it grew from),
so the growth tree is the list of trials. `lineage_steps` counts all the updates a child's weights
have received since the root: what training it from scratch to the same point would cost.

Paper vs code: the EAS code samples every child from the fixed start network; `grow_from="best"`
(our default) grows each episode from the best network so far, so a CPU budget reaches bigger
networks and the tree gets deeper; `grow_from="root"` is the code's behaviour.

Taught in: notebooks/04_net2net.ipynb (section 5).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field

import torch

from naslab.controller.reinforce import REWARDS, EMABaseline, reinforce_loss
from naslab.net2net.meta_controller import Grids, MetaController, transform
from naslab.net2net.network import describe, make_plain_net, weight_layers
from naslab.search import run_search
from naslab.searchers import Proposal, Searcher
from naslab.train import TrainConfig, evaluate, train
from naslab.trial import Trial
from naslab.utils import count_params

POLICIES = ("rl", "random", "none")
GROW_FROM = ("best", "root")


@dataclass
class EASConfig:
    """Hyper-parameters of an EAS run (tiny CPU defaults; EAS's code values in comments)."""

    start_arch: str = "conv-4-3 pool conv-4-3 pool fc-8"  # EAS starts from a small plain CNN
    bn: bool = True  # conv / fc -> BatchNorm -> ReLU, as in EAS
    grids: Grids = field(default_factory=Grids)
    episodes: int = 5  # EAS code: 15
    children: int = 4  # m, children per episode and per REINFORCE update (EAS code: 10)
    wider_steps: int = 1  # EAS code: 4
    deeper_steps: int = 1  # EAS code: 5
    grow_from: str = "best"  # "best" (hill-climb on the best so far) or "root" (EAS code)
    root_steps: int = 600  # training of the start network
    child_steps: int = 100  # training of each child (EAS code: 20 epochs)
    train: TrainConfig = field(default_factory=lambda: TrainConfig(optimizer="adam", lr=1e-2))  # root, scratch
    child_lr: float = 3e-3  # children start from a trained net: below the root's lr (Keras advice: lr / 10);
    # with only `child_steps` updates, lr / 3 lets them use their new capacity (1e-3: growth helps less)
    wider_noise: float = 1e-2  # EAS code
    deeper_noise: float = 1e-3  # EAS code
    controller_lr: float = 0.02  # Adam (EAS code: 2e-3, over many more updates)
    entropy_weight: float = 1e-3  # EAS code: 1e-5
    baseline_decay: float = 0.8
    reward: str = "tan"
    calib_size: int = 64  # one batch to set inserted BatchNorms to the identity (EAS: 64)

    def validate(self) -> EASConfig:
        if self.grow_from not in GROW_FROM:
            raise ValueError(f"grow_from={self.grow_from!r} is unknown; allowed: {list(GROW_FROM)}")
        if self.reward not in REWARDS:
            raise ValueError(f"reward={self.reward!r} is unknown; allowed: {list(REWARDS)}")
        for name in ("episodes", "children", "root_steps", "child_steps"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={v!r} must be an int >= 1")
        make_plain_net((1, 40), 10, self.start_arch, bn=self.bn)  # its tokens: a clear error now, not mid-run
        return self


class EASSearcher(Searcher):
    """EAS on the ask/tell interface: ask() grows a child, `objective` trains it, tell() learns.

    Trial 0 is the start network; then `episodes * children` children. Weights live in memory, so
    a search cannot be resumed from a JSONL file (it can still be recorded to one).
    `start`: an already trained start network (e.g. a teacher), evaluated instead of trained; its
    training is counted as `cfg.root_steps` updates in the children's `lineage_steps`.
    """

    adaptive = True
    metric = "val_acc"  # the score its tells read (run_search uses it)

    def __init__(self, data, cfg: EASConfig | None = None, *, policy: str = "rl", seed: int = 0, start=None):
        if policy not in POLICIES:
            raise ValueError(f"policy={policy!r} is unknown; allowed: {list(POLICIES)}")
        self.data, self.cfg, self.policy, self.seed = data, (cfg or EASConfig()).validate(), policy, int(seed)
        self.name = {"rl": "eas", "random": "random", "none": "no-growth"}[policy]
        g = torch.Generator().manual_seed(self.seed)
        self.X_calib = data.X_train[torch.randperm(len(data.y_train), generator=g)[: self.cfg.calib_size]]
        self.generator = torch.Generator().manual_seed(self.seed + 1)
        self.controller = MetaController(self.cfg.grids, seed=self.seed) if policy == "rl" else None
        self.optimizer = torch.optim.Adam(self.controller.parameters(), lr=self.cfg.controller_lr) \
            if self.controller is not None else None
        self.baseline = EMABaseline(self.cfg.baseline_decay)
        self.models: dict = {}  # trial id -> trained model (only the ones children may grow from)
        self.pending: dict = {}  # trial id -> untrained child, its log-prob and entropy
        self.lineage: dict = {}  # trial id -> updates its weights have received since the root
        self.scores: dict = {}  # trial id -> validation accuracy
        self.buffer: list = []  # (log_prob, entropy, reward) of this episode
        self.history: list[dict] = []  # one record per episode (reward, baseline, entropy)
        self.episode, self.n_asked, self.parent = 0, 0, 0
        self.start = start

    @property
    def budget(self) -> int:
        return 1 + self.cfg.episodes * self.cfg.children

    def ask(self):
        cid = self.n_asked
        if cid == 0:  # the start network: trained by `objective`, or the given trained `start`
            torch.manual_seed(self.seed)
            net = copy.deepcopy(self.start) if self.start is not None else make_plain_net(
                self.data.input_shape, self.data.num_classes, self.cfg.start_arch, bn=self.cfg.bn)
            self.pending[0] = (net, None, None, None)
            self.n_asked = 1
            return Proposal({"id": 0, "arch": describe(net), "actions": []}, fidelity={"steps": self.cfg.root_steps},
                            info={"episode": -1, "policy": self.policy})
        if self.episode >= self.cfg.episodes:
            return None
        c, steps = self.cfg, (0, 0) if self.policy == "none" else (self.cfg.wider_steps, self.cfg.deeper_steps)
        child, actions, logp, ent = transform(
            self.models[self.parent], self.controller, c.grids, wider_steps=steps[0], deeper_steps=steps[1],
            X=self.X_calib, wider_noise=c.wider_noise, deeper_noise=c.deeper_noise,
            seed=self.seed * 10_000 + cid, generator=self.generator)
        self.pending[cid] = (child, logp, ent, self.parent)
        self.n_asked += 1
        return Proposal({"id": cid, "arch": describe(child), "actions": actions}, parent=self.parent,
                        fidelity={"steps": c.child_steps}, info={"episode": self.episode, "policy": self.policy})

    def objective(self, config: dict, fidelity: dict) -> dict:
        """Train the (inherited-weight) network of `config` for fidelity["steps"] updates."""
        cid, steps = config["id"], int(fidelity["steps"])
        model, _, _, parent = self.pending[cid]
        if cid == 0 and self.start is not None:  # already trained: evaluate only
            self.models[0], self.lineage[0] = model, steps
            loss, acc = evaluate(model, self.data.X_val, self.data.y_val)
            return {"val_acc": acc, "val_loss": loss, "steps": 0, "diverged": False, "params": count_params(model),
                    "reward": REWARDS[self.cfg.reward](acc), "depth": len(weight_layers(model)) - 1,
                    "lineage_steps": steps}
        epochs = math.ceil(steps * self.cfg.train.batch_size / len(self.data.y_train))
        lr = self.cfg.train.lr if cid == 0 else self.cfg.child_lr
        res = train(model, self.data, self.cfg.train, lr=lr, max_steps=steps, epochs=epochs,
                    seed=self.seed * 7919 + cid)
        self.models[cid] = model
        acc = res.val_acc
        self.lineage[cid] = self.lineage.get(parent, 0) + res.steps  # parent None (the root): 0
        reward = REWARDS[self.cfg.reward](acc) if math.isfinite(acc) and not res.diverged else float("nan")
        return {**res.metrics, "reward": reward, "params": count_params(model),
                "depth": sum(t.startswith(("conv", "fc")) for t in config["arch"].split()),
                "lineage_steps": self.lineage[cid]}

    def tell(self, config: dict, trial: Trial) -> None:
        cid = config["id"]
        _, logp, ent, _ = self.pending.pop(cid, (None, None, None, None))
        self.scores[cid] = trial.score()
        if cid == 0:
            return
        self.buffer.append((logp, ent, trial.metrics.get("reward", float("nan")) if trial.status == "ok"
                            else float("nan")))
        if len(self.buffer) == self.cfg.children:
            self._end_episode()

    def _end_episode(self) -> None:
        R = torch.tensor([r for _, _, r in self.buffer], dtype=torch.float32)  # (m,)
        finite = R[torch.isfinite(R)]
        b = self.baseline.get(finite.mean().item() if len(finite) else 0.0)  # earlier rewards only
        rec = {"episode": self.episode, "reward": finite.mean().item() if len(finite) else float("nan"),
               "baseline": b, "parent": self.parent}
        if self.controller is not None and any(torch.is_tensor(lp) for lp, _, _ in self.buffer):
            logp = torch.stack([torch.as_tensor(lp, dtype=torch.float32) for lp, _, _ in self.buffer])
            ent = torch.stack([torch.as_tensor(e, dtype=torch.float32) for _, e, _ in self.buffer])
            loss = reinforce_loss(logp, R, b, entropy=ent, entropy_weight=self.cfg.entropy_weight)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            rec.update(loss=loss.item(), entropy=ent.mean().item())
        for r in R.tolist():
            self.baseline.update(r)
        self.history.append(rec)
        self.buffer, self.episode = [], self.episode + 1
        if self.cfg.grow_from == "best":
            ok = {i: s for i, s in self.scores.items() if math.isfinite(s) and i in self.models}
            self.parent = max(ok, key=lambda i: (ok[i], -i)) if ok else self.parent
        self.models = {i: m for i, m in self.models.items() if i in (0, self.parent)}  # free the rest


def run_eas(data, cfg: EASConfig | None = None, *, policy: str = "rl", seed: int = 0, start=None, path=None,
            on_trial=None) -> tuple[list[Trial], EASSearcher]:
    """Run an EAS search (policy "rl"), its random-transformation baseline ("random") or the
    no-growth control ("none"); returns (trials, searcher).

    The trials are the growth tree: trial 0 is the start network (trained here, or the given
    trained `start`), every other trial has a `parent`.
    """
    searcher = EASSearcher(data, cfg, policy=policy, seed=seed, start=start)
    trials = run_search(searcher, searcher.objective, searcher.budget, path=path, on_trial=on_trial)
    return trials, searcher


def scratch_baseline(trials: list[Trial], data, cfg: EASConfig | None = None, *, ids=None, seed: int = 0) -> dict:
    """Train children from scratch for as many updates as their lineage received (same total training).

    Returns {trial_id: {"val_acc", "seconds", "steps"}} for `ids` (default: every child).
    """
    cfg = cfg or EASConfig()
    out = {}
    for t in trials:
        if t.parent is None or t.status != "ok" or (ids is not None and t.trial_id not in ids):
            continue
        torch.manual_seed(seed + t.trial_id)
        net = make_plain_net(data.input_shape, data.num_classes, t.config["arch"], bn=cfg.bn)
        t0 = time.perf_counter()
        steps = int(t.metrics["lineage_steps"])
        epochs = math.ceil(steps * cfg.train.batch_size / len(data.y_train))
        res = train(net, data, cfg.train, max_steps=steps, epochs=epochs, seed=seed + t.trial_id)
        out[t.trial_id] = {"val_acc": res.val_acc, "seconds": time.perf_counter() - t0, "steps": res.steps}
    return out
