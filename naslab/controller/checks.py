"""Checks for the exercises of notebook 02 (REINFORCE controller); contract in `naslab.checking`.

* `check_sample_child(fn)` (Exercise 1, sampling one child) lives in `naslab.controller.check_sample`.
* `check_reinforce_update(fn)` (Exercise 2, one REINFORCE update) lives in `naslab.controller.check_update`.
* `check_reward_shaping(fn, kind)` (Exercise 3): a reward shaping of a tensor of accuracies matches
  `REWARDS[kind]` (clipped at acc = 1, NaN kept NaN) and increases with accuracy.
* `check_token_extension(space)` (Exercise 4): a macro space with a new token type round-trips, every layer
  `make_layer` returns has the shape it claims, and the new token really changes the built child.

Taught in: notebooks/02_reinforce_controller.ipynb (§ Exercises).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from naslab.checking import CheckError, call_student, describe, expect, fail, graded, slip
from naslab.controller.macro_space import Architecture, MacroSpace
from naslab.controller.reinforce import REWARDS


@graded("Exercise 3 (reward shaping)")
def check_reward_shaping(fn, kind: str = "tan") -> str:
    """Check `fn(accs) -> rewards` on a tensor of accuracies against `REWARDS[kind]` (which the answer may not call):
    34 accuracies in [0, 0.99], then 1.0 (tan is clipped at 0.999, so the reward stays finite) and NaN (a crashed
    child: the reward stays NaN, and the REINFORCE update leaves it out)."""
    if kind not in REWARDS:
        raise ValueError(f"kind={kind!r} is unknown; allowed: {list(REWARDS)}")
    if not callable(fn):
        raise TypeError(f"check_reward_shaping takes your function fn(accs) -> rewards, got {describe(fn)}")
    accs = np.linspace(0.0, 0.99, 34)
    x = torch.tensor([*accs, 1.0, math.nan], dtype=torch.float64)  # (36,)
    try:
        out = call_student(fn, x.clone(), what="a float64 tensor of 36 accuracies (the last two: 1.0 and NaN)",
                           forbid=("naslab.controller.reinforce",))
    except CheckError as e:
        if "only one element tensors" in str(e) or "Boolean value of Tensor" in str(e):
            fail(f"{e}. Work on the whole tensor with torch functions (torch.tan, torch.clamp), not math.tan or an "
                 "`if` on one value")
        raise
    try:
        got_t = torch.as_tensor(out, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError):
        fail(f"fn(accs) returned {describe(out)}: return a tensor with one reward per accuracy (wrong shape)")
    expect(tuple(got_t.shape) == (36,), f"fn(accs) returned shape {tuple(got_t.shape)} for 36 accuracies: return "
           "one reward per accuracy (wrong shape)")
    got, want = got_t[:34].numpy(), np.array([REWARDS[kind](float(a)) for a in accs])
    how = slip(got, want, rtol=1e-6, atol=1e-9)
    if how is not None:
        others = [k for k in REWARDS if k != kind and np.allclose(got, [REWARDS[k](float(a)) for a in accs])]
        if others:
            fail(f"that is the {others[0]!r} shaping, not {kind!r}")
        if kind == "tan" and np.allclose(got, np.tan(accs * math.pi), rtol=1e-6):
            fail("you computed tan(acc · π): the EAS shaping is tan(acc · π / 2), which maps [0, 1) onto [0, ∞)")
        if kind == "tan" and np.allclose(got, np.tan(accs * 90.0), rtol=1e-6):
            fail("you computed tan(acc · 90): tan takes radians, so use acc · π / 2")
        expect(how == "" or "sign" not in how, f"your rewards are {how}: rewards grow with accuracy")
        expect(np.all(np.diff(got) > 0), f"your rewards {'are ' + how if how else 'do not increase'}: a reward "
               f"shaping must increase with accuracy (fn(0.5) = {got[17]:.4g}, fn(0.99) = {got[-1]:.4g})")
        i = int(np.flatnonzero(~np.isclose(got, want, rtol=1e-6, atol=1e-9))[0])
        fail(f"your rewards are {how or 'wrong'}: fn({accs[i]:.3f}) = {got[i]:.6g}, expected {want[i]:.6g} for "
             f"{kind!r}")
    top, want_top = float(got_t[34]), REWARDS[kind](1.0)
    if not math.isclose(top, want_top, rel_tol=1e-6):
        fail(f"accuracy 1.0 gave {top:.6g}, expected {want_top:.6g}: tan(π/2) is infinite, so clip the accuracy at "
             "0.999 first (torch.clamp(accs, max=0.999))" if kind == "tan" else
             f"accuracy 1.0 gave {top:.6g}, expected {want_top:.6g}")
    expect(math.isnan(float(got_t[35])), f"a NaN accuracy (a crashed child) gave the reward {float(got_t[35]):.4g}: "
           "keep it NaN, so that the REINFORCE update leaves that child out instead of learning from a made-up reward")
    return f"✓ {kind} reward shaping matches on {len(accs)} accuracies, clips acc = 1 and keeps NaN"


def _layer_shapes(space: MacroSpace, arch: Architecture, input_shape) -> None:
    """Build every layer with the student's make_layer and compare its real output shape with the claimed one."""
    c, size, chans = input_shape[0], tuple(input_shape[1:]), []
    for i in range(arch.n_layers):
        op, c_in = arch.layer(i), c + sum(chans[j] for j in arch.inputs[i])
        what = f"make_layer({op}, c_in={c_in}, size={size})"
        out = call_student(space.make_layer, op, c_in, size, what=what, name="make_layer")
        expect(isinstance(out, tuple) and len(out) == 3, f"{what} returned {describe(out)}: return a tuple "
               "(module, c_out, new size) (wrong shape)")
        layer, c_out, new = out
        x = torch.zeros(2, c_in, *size)
        y = call_student(layer.eval(), x, what=f"a tensor of shape {tuple(x.shape)} (layer {i}: {op})",
                         name=f"the module of layer {i}")
        claimed = (2, c_out, *tuple(new))
        expect(tuple(y.shape) == claimed, f"layer {i} ({op}): make_layer says it outputs {c_out} channels and size "
               f"{tuple(new)}, i.e. a batch of shape {claimed}, but the module outputs shape {tuple(y.shape)}: "
               "return the c_out and size your module really produces")
        c, size = c_out, tuple(new)
        chans.append(c)


def _with_token(arch: Architecture, layer: int, token: str, value) -> Architecture:
    ops = list(arch.ops)
    ops[layer] = tuple((k, value if k == token else v) for k, v in ops[layer])
    return Architecture(ops=tuple(ops), inputs=arch.inputs)


def _differs(space, a1, a2, input_shape) -> bool:
    m1, m2 = space.build(a1, input_shape, 10), space.build(a2, input_shape, 10)
    if str(m1) != str(m2):
        return True
    m2.load_state_dict(m1.state_dict())
    x = torch.randn(4, *input_shape, generator=torch.Generator().manual_seed(0))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        y1 = m1.train()(x)
        torch.manual_seed(1)
        y2 = m2.train()(x)
    return not torch.allclose(y1, y2)


@graded("Exercise 4 (a new token type)")
def check_token_extension(space: MacroSpace, base: MacroSpace | None = None, input_shape=(1, 40)) -> str:
    """Exercise checker: `space` adds a token type to every layer of `base`, round-trips, and the built child
    uses the new token (two children differing only in it are different networks)."""
    expect(isinstance(space, MacroSpace), f"space should be an instance of your MacroSpace subclass, got "
           f"{describe(space)}")
    expect(base is None or isinstance(base, MacroSpace), f"base should be a MacroSpace or None, got {describe(base)}")
    base = base or MacroSpace(n_layers=space.n_layers, skips=space.skips)
    decisions = call_student(space.layer_decisions, what="()", name="layer_decisions")
    new, old = [n for n, _ in decisions], [n for n, _ in base.layer_decisions()]
    added = [n for n in new if n not in old]
    expect(added, f"no new token type: decisions are {new}, the base space already has {old}")
    values = dict(decisions)[added[0]]
    expect(len(set(values)) > 1, f"token {added[0]!r} has the single value {tuple(values)} (a constant): give it "
           "at least two choices")
    n_more = len(space.num_choices) - len(base.num_choices)
    expect(n_more == len(added) * space.n_layers, f"the space has {n_more} more tokens than the base, expected "
           f"{len(added)} per layer x {space.n_layers} layers: every layer should get the new token")
    rng = np.random.default_rng(0)
    for _ in range(12):
        arch = call_student(space.sample, rng, what="a seeded rng", name="space.sample")
        tokens = call_student(space.encode, arch, what=arch.key, name="space.encode")
        back = call_student(space.decode, tokens, what=f"tokens {list(tokens)}", name="space.decode")
        expect(back == arch, f"decode(encode(arch)) != arch for {arch.key}")
        _layer_shapes(space, arch, input_shape)
        net = call_student(space.build, arch, input_shape, 10, what=f"{arch.key}", name="build")
        y = call_student(net, torch.randn(3, *input_shape), what=f"a batch of shape {(3, *input_shape)}",
                         name="the built child")
        expect(tuple(y.shape) == (3, 10), f"the child's output has shape {tuple(y.shape)}, expected (3, 10)")
    seen = {space.sample(rng).layer(0)[added[0]] for _ in range(50)}
    expect(len(seen) > 1, f"token {added[0]!r} never takes more than one value: {seen}")
    arch = space.sample(np.random.default_rng(1))
    for token in added:
        vals = dict(decisions)[token]
        a1, a2 = _with_token(arch, 0, token, vals[0]), _with_token(arch, 0, token, vals[1])
        expect(_differs(space, a1, a2, input_shape), f"token {token!r} is never used: children with {token}="
               f"{vals[0]!r} and {token}={vals[1]!r} are the same network. make_layer must read op[{token!r}]")
    return f"✓ new token type {added} round-trips, builds and changes the child; {space.size:,} architectures"
