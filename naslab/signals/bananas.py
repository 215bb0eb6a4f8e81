"""BANANAS: an ensemble of small MLPs on the path encoding, Thompson sampling, acquisition by mutation.

White, Neiswanger, Savani, "BANANAS: Bayesian Optimization with Neural Architectures for Neural
Architecture Search" (AAAI 2021, Algorithm 1). Repeat:

1. fit an ensemble of M networks f_1..f_M (M >= 5, different initialisations) to the cells evaluated
   so far, x = path encoding (`naslab.signals.encoding`), y = validation accuracy (standardised):
       min_theta_m  mean_i (f_m(x_i) - y_i)^2 + wd |theta_m|^2 / 2      (full-batch Adam, `steps` steps)
2. candidates: mutations of the best cells seen so far (the paper's "mutation" acquisition optimiser);
3. acquisition: with mu(x), sigma(x) the ensemble's mean and standard deviation, independent Thompson
   sampling (ITS, §3) draws one value per candidate
       a(x) ~ N(mu(x), sigma(x)^2)
   (UCB: a(x) = mu(x) + kappa sigma(x)); the top `batch` candidates are evaluated, then refit.

The M networks are trained as one batched network (weights of shape (M, d_in, d_out), `torch.bmm`),
in one thread, seeded by the searcher's seed: the same seed gives the same trials. The paper retrains
from scratch at every iteration; here the first fit runs `steps` Adam steps from a fresh initialisation
and each later fit continues from the previous weights for `refit_steps` steps (`refit_steps=None`:
retrain from scratch, as the paper), which keeps a 300-training run near a second of CPU.

Taught in: notebooks/07_cheap_signals.ipynb §4.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from naslab.bakeoff.searchers import mutate, random_cell, validate_cell_space
from naslab.searchers import Proposal, Searcher
from naslab.signals.encoding import encoder

ACQUISITIONS = ("its", "ucb", "mean")


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block and restore the caller's setting afterwards."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


class MLPEnsemble:
    """M MLPs d -> hidden -> hidden -> 1 (ReLU), trained together on standardised targets.

    Args:
        n_members: M (BANANAS uses 5).
        hidden: width of the two hidden layers.
        steps, lr, weight_decay: full-batch Adam on the mean squared error plus weight_decay * |theta|^2 / 2
            (the L2 term lifts tau on held-out cells of a linear target from ~0.85 to ~0.95 at 200 cells).
        seed: seeds the initialisation (member m gets its own draw).
    """

    def __init__(self, n_members: int = 5, hidden: int = 32, *, steps: int = 100, lr: float = 0.01,
                 weight_decay: float = 1e-3, seed: int = 0):
        if isinstance(n_members, bool) or not isinstance(n_members, int) or n_members < 1:
            raise ValueError(f"n_members={n_members!r} must be an int >= 1 (BANANAS uses 5)")
        self.M, self.hidden, self.steps, self.lr, self.wd, self.seed = n_members, hidden, steps, lr, weight_decay, seed
        self.params: list[torch.Tensor] = []

    def fit(self, X, y, *, steps: int | None = None, warm: bool = False) -> MLPEnsemble:
        """X: (n, d) features, y: (n,) targets; `warm`: continue from the current weights. Returns self."""
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < 2:
            raise ValueError(f"X {tuple(X.shape)} and y {y.shape} must be (n, d) and (n,) with n >= 2")
        self.mu, self.sd = float(y.mean()), float(y.std()) or 1.0
        t = torch.as_tensor((y - self.mu) / self.sd, dtype=torch.float32)  # (n,) standardised targets
        M, d, h = self.M, X.shape[1], self.hidden
        if not (warm and self.params and self.params[0].shape[1] == d):
            g = torch.Generator().manual_seed(int(np.random.SeedSequence(self.seed).generate_state(1)[0]))
            shapes = [(M, d, h), (M, 1, h), (M, h, h), (M, 1, h), (M, h, 1), (M, 1, 1)]
            fan_in = [d, 1, h, 1, h, 1]  # He initialisation of the weights, zero biases
            self.params = [(torch.randn(s, generator=g) * (2.0 / f) ** 0.5 if i % 2 == 0 else torch.zeros(s))
                           .requires_grad_() for i, (s, f) in enumerate(zip(shapes, fan_in))]
        opt = torch.optim.Adam(self.params, lr=self.lr, weight_decay=self.wd)
        Xb = X.expand(M, -1, -1)  # (M, n, d)
        with one_thread():
            for _ in range(self.steps if steps is None else int(steps)):
                opt.zero_grad()
                loss = ((self._forward(Xb) - t) ** 2).mean()  # mean over members and cells
                loss.backward()
                opt.step()
        return self

    def _forward(self, Xb: torch.Tensor) -> torch.Tensor:
        W1, b1, W2, b2, W3, b3 = self.params
        h = torch.relu(torch.baddbmm(b1, Xb, W1))  # (M, n, h)
        h = torch.relu(torch.baddbmm(b2, h, W2))  # (M, n, h)
        return torch.baddbmm(b3, h, W3)[..., 0]  # (M, n)

    def predict(self, X) -> np.ndarray:
        """(M, n) predictions of every member, in the units of y."""
        if not self.params:
            raise RuntimeError("fit the ensemble before predict")
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        with torch.no_grad(), one_thread():
            out = self._forward(X.expand(self.M, -1, -1))
        return out.numpy().astype(np.float64) * self.sd + self.mu


class Bananas(Searcher):
    """BANANAS on the cell space (Algorithm 1 of White et al.), ask/tell.

    Args:
        n_init: random cells before the first fit.
        batch: cells proposed per fit (the paper's k = 10).
        n_parents, n_candidates: the candidates are `n_candidates` mutations (1 or 2 edges) of the
            `n_parents` best cells seen; cells already evaluated are dropped.
        acquisition: "its" (independent Thompson sampling), "ucb" (mu + kappa sigma) or "mean".
        encode: cells -> (n, d) features (default: the path encoding for 6 edges, one-hot otherwise).
        ensemble: keyword arguments of `MLPEnsemble` (n_members, hidden, steps, lr).
        refit_steps: Adam steps of every fit after the first, continuing from the previous weights
            (None: each fit starts from a fresh initialisation and runs `steps`, as in the paper).
    """

    name = "BANANAS"

    def __init__(self, n_ops: int = 5, n_edges: int = 6, *, n_init: int = 10, batch: int = 10, n_parents: int = 10,
                 n_candidates: int = 100, acquisition: str = "its", kappa: float = 2.0, encode=None,
                 ensemble: dict | None = None, refit_steps: int | None = 20, seed: int = 0, metric: str = "val_acc"):
        self.n_ops, self.n_edges = validate_cell_space(n_ops, n_edges)
        if acquisition not in ACQUISITIONS:
            raise ValueError(f"acquisition={acquisition!r} is unknown; allowed: {list(ACQUISITIONS)}")
        for k, v in (("n_init", n_init), ("batch", batch), ("n_parents", n_parents), ("n_candidates", n_candidates)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{k}={v!r} must be an int >= 1")
        self.n_init, self.batch, self.n_parents, self.n_candidates = max(2, n_init), batch, n_parents, n_candidates
        self.acquisition, self.kappa, self.seed, self.metric = acquisition, kappa, seed, metric
        self.encode = encode or encoder(self.n_ops, self.n_edges)
        self.model = MLPEnsemble(**dict(ensemble or {}, seed=(int(seed), 1)))
        self.refit_steps = refit_steps
        self.rng = np.random.default_rng(seed)
        self.seen: dict[tuple, float] = {}  # cell -> score of every told cell
        self._queue: list[tuple] = []
        self._asked, self.n_fits = 0, 0

    def ask(self):
        if self._asked < self.n_init or len(self.seen) < 2:
            self._asked += 1
            return Proposal(self._fresh(), info={"op": "random"})
        if not self._queue:
            self._queue = self.propose()
        self._asked += 1
        return Proposal(self._queue.pop(0), info={"op": "acquisition", "fit": self.n_fits})

    def tell(self, config, trial) -> None:
        s = trial.score(self.metric)
        self.seen[tuple(config)] = s if np.isfinite(s) else float(min(self.seen.values(), default=0.0))

    def _fresh(self) -> tuple:
        cell = random_cell(self.rng, self.n_ops, self.n_edges)
        for _ in range(50):
            if cell not in self.seen:
                break
            cell = random_cell(self.rng, self.n_ops, self.n_edges)
        return cell

    def fit(self) -> MLPEnsemble:
        """Fit the ensemble to every told cell (fresh the first time, or always when refit_steps is None)."""
        cells = list(self.seen)
        warm = self.refit_steps is not None and self.n_fits > 0
        if not warm:
            self.model.seed = (int(self.seed), self.n_fits + 1)
        self.n_fits += 1
        return self.model.fit(self.encode(cells), [self.seen[c] for c in cells], warm=warm,
                              steps=self.refit_steps if warm else None)

    def candidates(self) -> list[tuple]:
        """Unseen mutations (1 or 2 edges) of the best told cells, without duplicates, in draw order."""
        parents = sorted(self.seen, key=lambda c: -self.seen[c])[: self.n_parents]
        out: dict[tuple, None] = {}
        for i in range(self.n_candidates):
            child = mutate(parents[i % len(parents)], self.rng, self.n_ops)
            if self.rng.random() < 0.5:
                child = mutate(child, self.rng, self.n_ops)
            if child not in self.seen:
                out[child] = None
        return list(out) or [self._fresh()]

    def propose(self) -> list[tuple]:
        """One BANANAS iteration: fit, score the candidates by the acquisition, return the top `batch`."""
        model, cands = self.fit(), self.candidates()
        P = model.predict(self.encode(cands))  # (M, n_candidates)
        mu, sigma = P.mean(0), P.std(0)  # (n_candidates,)
        if self.acquisition == "its":
            a = mu + sigma * self.rng.standard_normal(len(cands))  # one Thompson draw per candidate
        elif self.acquisition == "ucb":
            a = mu + self.kappa * sigma
        else:
            a = mu
        order = np.argsort(-a, kind="stable")[: self.batch]
        return [cands[int(i)] for i in order]


__all__ = ["MLPEnsemble", "Bananas", "one_thread", "ACQUISITIONS"]
