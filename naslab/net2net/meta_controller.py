"""The EAS meta-controller: a policy that reads a network and picks Net2Wider / Net2Deeper actions.

Cai, Chen, Zhang, Yu & Wang, "Efficient Architecture Search by Network Transformation", AAAI 2018.

* **Encoder:** the network as a sequence of layer tokens (conv-C-K, fc-U, pool), each turned into
  a small feature vector, embedded and read by a bidirectional LSTM: one state h_t per layer.
* **Net2Wider actor:** a shared sigmoid classifier on every h_t decides *independently for each
  layer* whether to widen it to the next size of the width grid (EAS: the same).
* **Net2Deeper actor:** a softmax over the layer positions picks where to insert an identity layer,
  then (for a conv) a softmax on the chosen h_t picks the kernel size in {1, 3, 5}. EAS uses an
  autoregressive LSTM decoder over (block, layer, kernel); we condition the kernel on the position
  through h_t, which keeps the same three kinds of decision with fewer parameters.

`transform(model, policy, ...)` applies the sampled actions and returns the child and
log p(actions), the quantity REINFORCE needs: grad J = E[(R - b) grad sum_t log p(a_t)].
`policy=None` samples the same decisions uniformly: the random-transformation baseline.

Taught in: notebooks/04_net2net.ipynb (section 5).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import torch
from torch import nn

from naslab.net2net.layers import CONVS, width_of
from naslab.net2net.network import GLOBAL_POOLS, POOLS, deepen_layer, weight_layers, widen_layer

N_FEATURES = 6  # [is_conv, is_fc, is_pool, width / max width, kernel / 5, position / length]


@dataclass
class Grids:
    """The action space: width grids (widen = move to the next size) and the inserted kernel sizes."""

    filters: tuple[int, ...] = (4, 8, 12, 16, 24, 32)
    units: tuple[int, ...] = (8, 16, 32, 48, 64)
    kernels: tuple[int, ...] = (1, 3, 5)
    max_layers: int = 8  # no Net2Deeper beyond this many hidden layers


@dataclass
class Step:
    """The record of one wider or deeper step of a child: its actions and their log-probability."""

    actions: list[str] = field(default_factory=list)
    log_prob: torch.Tensor | float = 0.0
    entropy: torch.Tensor | float = 0.0


def layer_tokens(model: nn.Sequential) -> list[tuple[str, int | None, nn.Module]]:
    """The hidden layers in order as (kind, k, module): kind "conv" / "fc" / "pool", k the layer index."""
    idx = weight_layers(model)
    out = []
    for i, m in enumerate(model):
        if i in idx[:-1]:
            out.append(("conv" if isinstance(m, CONVS) else "fc", idx.index(i), m))
        elif isinstance(m, (*POOLS, *GLOBAL_POOLS)):
            out.append(("pool", None, m))
    return out


def featurise(tokens, grids: Grids) -> torch.Tensor:
    """(T, N_FEATURES) float features of the layer tokens."""
    rows = []
    top = max(max(grids.filters), max(grids.units))
    for t, (kind, _, m) in enumerate(tokens):
        width = width_of(m) / top if kind != "pool" else 0.0
        kernel = m.kernel_size[0] / 5 if kind == "conv" else 0.0
        rows.append([kind == "conv", kind == "fc", kind == "pool", width, kernel, t / max(1, len(tokens) - 1)])
    return torch.tensor(rows, dtype=torch.float32)


def next_width(kind: str, width: int, grids: Grids) -> int | None:
    """The next size above `width` in the grid of `kind`, or None at the top of the grid."""
    bigger = [w for w in (grids.filters if kind == "conv" else grids.units) if w > width]
    return min(bigger) if bigger else None


class MetaController(nn.Module):
    """Bidirectional-LSTM encoder with a shared sigmoid wider actor and a position / kernel deeper actor."""

    def __init__(self, grids: Grids | None = None, *, embed: int = 16, hidden: int = 16, seed: int = 0):
        super().__init__()
        self.grids = grids or Grids()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            self.embed = nn.Linear(N_FEATURES, embed)
            self.encoder = nn.LSTM(embed, hidden, batch_first=True, bidirectional=True)
            self.wider = nn.Linear(2 * hidden, 1)  # shared over layers: logit of "widen this layer"
            self.position = nn.Linear(2 * hidden, 1)  # score of "insert after this layer"
            self.kernel = nn.Linear(2 * hidden, len(self.grids.kernels))

    def encode(self, tokens) -> torch.Tensor:
        """(T, 2 * hidden): one bidirectional state per layer token."""
        x = torch.tanh(self.embed(featurise(tokens, self.grids).to(self.wider.weight.device)))  # (T, embed)
        return self.encoder(x[None])[0][0]

    def logits(self, tokens) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-layer widen logits (T,), insertion scores (T,) and kernel logits (T, n_kernels)."""
        h = self.encode(tokens)
        return self.wider(h).squeeze(1), self.position(h).squeeze(1), self.kernel(h)


def _logits(policy, tokens, grids: Grids):
    if policy is not None:
        return policy.logits(tokens)
    T = len(tokens)  # the random baseline: all-zero logits = Bernoulli(1/2) and uniform softmaxes
    return torch.zeros(T), torch.zeros(T), torch.zeros(T, len(grids.kernels))


def wider_step(model, policy, grids: Grids, *, generator, noise: float, seed: int):
    """One Net2Wider decision per layer; returns (child, Step)."""
    tokens = layer_tokens(model)
    wl, _, _ = _logits(policy, tokens, grids)
    ok = [t for t, (kind, _, m) in enumerate(tokens) if kind != "pool" and next_width(kind, width_of(m), grids)]
    step = Step()
    if not ok:
        return model, step
    dist = torch.distributions.Bernoulli(logits=wl[ok])
    a = torch.bernoulli(dist.probs.detach().cpu(), generator=generator).to(wl)  # (len(ok),) 1 = widen
    step.log_prob, step.entropy = dist.log_prob(a).sum(), dist.entropy().sum()
    for t, widen in zip(ok, a.tolist()):
        if widen:
            kind, k, m = tokens[t]
            new = next_width(kind, width_of(m), grids)
            model = widen_layer(model, k, new, noise=noise, seed=seed + 7 * t)
            step.actions.append(f"widen {k}: {kind} {width_of(m)}->{new}")
    return model, step


def deeper_step(model, policy, grids: Grids, *, generator, X, noise: float, seed: int):
    """One Net2Deeper decision: insertion position, then kernel size for a conv; returns (child, Step)."""
    tokens = layer_tokens(model)
    _, pl, kl = _logits(policy, tokens, grids)
    ok = [t for t, (kind, _, _) in enumerate(tokens) if kind != "pool"]
    step = Step()
    if len(ok) >= grids.max_layers:
        return model, step  # deep enough: no action, no log-probability
    pos = torch.distributions.Categorical(logits=pl[ok])
    j = int(torch.multinomial(pos.probs.detach().cpu(), 1, generator=generator))
    step.log_prob, step.entropy = pos.log_prob(torch.tensor(j)), pos.entropy()
    kind, k, _ = tokens[ok[j]]
    if kind == "conv":
        ker = torch.distributions.Categorical(logits=kl[ok[j]])
        c = int(torch.multinomial(ker.probs.detach().cpu(), 1, generator=generator))
        step.log_prob = step.log_prob + ker.log_prob(torch.tensor(c))
        step.entropy = step.entropy + ker.entropy()
        ks = grids.kernels[c]
        step.actions.append(f"deepen {k}: conv k{ks}")
    else:
        ks = 1
        step.actions.append(f"deepen {k}: fc")
    return deepen_layer(model, k, kernel_size=ks, X=X, noise=noise, seed=seed), step


def transform(model, policy: MetaController | None, grids: Grids, *, wider_steps: int = 1,
              deeper_steps: int = 1, X=None, wider_noise: float = 1e-2, deeper_noise: float = 1e-3,
              seed: int = 0, generator: torch.Generator | None = None):
    """Apply `wider_steps` Net2Wider then `deeper_steps` Net2Deeper steps (the EAS episode order).

    Returns (child, actions: list[str], log_prob, entropy); log_prob carries the policy's gradient
    (a plain 0.0 for the random baseline).
    """
    gen = generator or torch.Generator().manual_seed(int(seed))
    actions, log_prob, entropy = [], 0.0, 0.0
    model = copy.deepcopy(model)  # with no step at all the child is still a new network
    for s in range(wider_steps):
        model, st = wider_step(model, policy, grids, generator=gen, noise=wider_noise, seed=seed * 101 + s)
        actions, log_prob, entropy = actions + st.actions, log_prob + st.log_prob, entropy + st.entropy
    for s in range(deeper_steps):
        model, st = deeper_step(model, policy, grids, generator=gen, X=X, noise=deeper_noise,
                                seed=seed * 101 + 50 + s)
        actions, log_prob, entropy = actions + st.actions, log_prob + st.log_prob, entropy + st.entropy
    if not math.isfinite(float(torch.as_tensor(log_prob).detach())):
        raise ValueError("the policy produced a non-finite log-probability")
    return model, actions, log_prob, entropy
