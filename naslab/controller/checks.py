"""Checkers for the exercises of notebook 02 (REINFORCE controller).

* `check_reward_shaping(fn, kind)`: a reward shaping matches `REWARDS[kind]` and increases with accuracy.
* `check_reinforce_gradient(fn)`: a hand-written REINFORCE gradient (R(a) - b)(e_a - p) matches naslab's.
* `check_token_extension(space)`: a macro space with a new token type round-trips and builds.

Each raises AssertionError with a hint when the answer is wrong, and returns a short message when right.

Taught in: notebooks/02_reinforce_controller.ipynb (§ Exercises).
"""

from __future__ import annotations

import numpy as np
import torch

from naslab.controller.macro_space import MacroSpace
from naslab.controller.reinforce import REWARDS
from naslab.controller.toy import reinforce_samples


def check_reward_shaping(fn, kind: str = "tan") -> str:
    """Check a student's reward shaping `fn(acc) -> reward` against `REWARDS[kind]` and monotonicity."""
    if kind not in REWARDS:
        raise ValueError(f"kind={kind!r} is unknown; allowed: {list(REWARDS)}")
    accs = np.linspace(0.0, 0.99, 34)
    got = np.array([float(fn(float(a))) for a in accs])
    want = np.array([REWARDS[kind](float(a)) for a in accs])
    assert np.all(np.diff(got) > 0), "a reward shaping must increase with accuracy"
    bad = np.flatnonzero(~np.isclose(got, want, rtol=1e-6, atol=1e-9))
    if len(bad):
        i = bad[0]
        raise AssertionError(f"fn({accs[i]:.3f}) = {got[i]:.6g}, expected {want[i]:.6g} for {kind!r}")
    return f"✓ {kind} reward shaping matches on {len(accs)} accuracies"


def check_reinforce_gradient(fn) -> str:
    """Check `fn(logits, rewards, actions, baseline) -> (k,)` mean REINFORCE gradient on fixed samples."""
    logits, rewards = torch.tensor([0.3, -0.2, 0.5, 0.0]), torch.tensor([0.2, 0.9, 0.4, 0.6])
    for b in (0.0, 0.5):
        a, g = reinforce_samples(logits, rewards, 500, baseline=b, seed=3)
        got = torch.as_tensor(fn(logits, rewards, a, b), dtype=torch.float64).reshape(-1)
        assert got.shape == (4,), f"expected a gradient of shape (4,), got {tuple(got.shape)}"
        want = g.mean(0)
        assert torch.allclose(got, want, atol=1e-5), f"baseline={b}: got {got.tolist()}, want {want.tolist()}"
    return "✓ your REINFORCE gradient matches naslab's on 500 samples, with and without a baseline"


def check_token_extension(space: MacroSpace, base: MacroSpace | None = None, input_shape=(1, 40)) -> str:
    """Exercise checker: `space` adds a token type to every layer of `base`, round-trips and builds."""
    base = base or MacroSpace(n_layers=space.n_layers, skips=space.skips)
    new = [n for n, _ in space.layer_decisions()]
    old = [n for n, _ in base.layer_decisions()]
    added = [n for n in new if n not in old]
    assert added, f"no new token type: decisions are {new}, the base space already has {old}"
    assert len(space.num_choices) == len(base.num_choices) + len(added) * space.n_layers, \
        "every layer should get the new token"
    rng = np.random.default_rng(0)
    for _ in range(20):
        arch = space.sample(rng)
        assert space.decode(space.encode(arch)) == arch, f"decode(encode(arch)) != arch for {arch.key}"
        y = space.build(arch, input_shape, 10)(torch.randn(3, *input_shape))
        assert y.shape == (3, 10), f"the child's output has shape {tuple(y.shape)}, expected (3, 10)"
    seen = {space.sample(rng).layer(0)[added[0]] for _ in range(50)}
    assert len(seen) > 1, f"token {added[0]!r} never takes more than one value: {seen}"
    return f"✓ new token type {added} round-trips and builds; the space grew to {space.size:,} architectures"
