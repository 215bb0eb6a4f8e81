"""Check for notebook 04's Exercise 1: Net2WiderNet through a BatchNorm, on modules.

`check_widen_bn(fn)` calls the student's `fn(fc1, bn, fc2, g) -> (fc1', bn', fc2')` on
Linear(d, n) -> BatchNorm1d(n) -> ReLU -> Linear(n, p) blocks whose BatchNorm has non-trivial
γ, β and running statistics (Chen, Goodfellow & Shlens, ICLR 2016, §2.1; the BatchNorm is remapped
with the same g). The oracle is the block itself: in eval mode the widened block must compute the
same outputs (≤ 1e-5). Only when it does not is the slip named: the old modules changed in place,
a BatchNorm entry (γ, β, running mean, running variance) not remapped by g, fc1's rows or bias not
copied, fc2's bias altered, or a divisor of the outgoing columns other than the replica count
(`naslab.net2net.checks.divisor_slip`). The student's answer may not call naslab's Net2Net code
(`naslab.net2net.layers`, `naslab.net2net.network`).

Taught in: notebooks/04_net2net.ipynb (§ Exercises, Exercise 1).
"""

from __future__ import annotations

import torch
from torch import nn

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.net2net.checks import FORBID, divisor_slip
from naslab.net2net.layers import replica_counts, wider_mapping

BN_ENTRIES = {"weight": "γ (bn.weight)", "bias": "β (bn.bias)", "running_mean": "the running mean",
              "running_var": "the running variance"}


def _block(gen: torch.Generator, d: int, n: int, p: int):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        fc1, bn, fc2 = nn.Linear(d, n), nn.BatchNorm1d(n), nn.Linear(n, p)
    with torch.no_grad():  # a BatchNorm that has seen data: none of its entries is the default
        bn.weight.uniform_(0.5, 2.0, generator=gen)
        bn.bias.normal_(0.0, 1.0, generator=gen)
        bn.running_mean.normal_(0.0, 1.0, generator=gen)
        bn.running_var.uniform_(0.3, 3.0, generator=gen)
    return fc1.eval(), bn.eval(), fc2.eval()


def _forward(fc1, bn, fc2, x):
    return fc2(torch.relu(bn(fc1(x))))


def _modules(out, call: str):
    expect(isinstance(out, (tuple, list)) and len(out) == 3, f"{call} returned {describe(out)}: return the three "
           "new modules (fc1, bn, fc2) (wrong shape)")
    kinds = (nn.Linear, nn.BatchNorm1d, nn.Linear)
    for name, m, kind in zip(("fc1", "bn", "fc2"), out, kinds):
        expect(isinstance(m, kind), f"{call}: the new {name} is {describe(m)}, expected an nn.{kind.__name__}: "
               "return modules, not weight tensors")
    return out


def _state(*mods) -> list[torch.Tensor]:
    return [t.detach().clone() for m in mods for t in m.state_dict().values()]


@graded("Exercise 1 (Net2WiderNet through a BatchNorm)")
def check_widen_bn(fn) -> str:
    """`fn(fc1, bn, fc2, g) -> (fc1', bn', fc2')`: widen n -> q = len(g) units, function preserved in eval mode."""
    if not callable(fn):
        raise TypeError(f"check_widen_bn(fn): fn must be your function, got {type(fn).__name__}")
    gen = torch.Generator().manual_seed(4)
    for d, n, q, p in [(5, 3, 7, 4), (2, 1, 3, 2), (8, 6, 9, 10), (4, 4, 8, 3)]:
        fc1, bn, fc2 = _block(gen, d, n, p)
        g = wider_mapping(n, q, generator=gen)
        before = _state(fc1, bn, fc2)
        call = f"fn(Linear({d}, {n}), BatchNorm1d({n}), Linear({n}, {p}), g = {g.tolist()})"
        new = _modules(call_student(fn, fc1, bn, fc2, g.clone(), what=call, forbid=FORBID), call)
        expect(all(torch.equal(a, b) for a, b in zip(before, _state(fc1, bn, fc2))), f"{call} changed the old "
               "modules in place: build new ones and leave the teacher's layers as they were")
        f1, b, f2 = new
        expect(tuple(f1.weight.shape) == (q, d) and tuple(f2.weight.shape) == (p, q) and b.num_features == q,
               f"{call}: shapes fc1 {tuple(f1.weight.shape)}, bn {b.num_features}, fc2 {tuple(f2.weight.shape)}; "
               f"expected ({q}, {d}), {q}, ({p}, {q}) (wrong shape or axis)")
        x = torch.randn(16, d, generator=gen)
        with torch.no_grad():
            for m in new:
                m.eval()  # the promise is an eval-mode promise: running statistics, not the batch's
            gap = (_forward(f1, b, f2, x) - _forward(fc1, bn, fc2, x)).abs().max().item()
        if gap < 1e-5:
            continue
        head = f"{call}: the widened block changes the output by {gap:.3g} in eval mode"
        with torch.no_grad():
            for key, label in BN_ENTRIES.items():
                expect(torch.allclose(getattr(b, key), getattr(bn, key)[g]), f"{head}: the BatchNorm's {label} was "
                       f"not remapped with g; new unit j must use the entry of unit g[j], bn.{key}[g] (a fresh "
                       "BatchNorm starts at γ = 1, β = 0, mean 0, variance 1)")
            expect(torch.allclose(f1.weight, fc1.weight[g]), f"{head}: fc1's rows are not copied by g (fc1.weight[g])")
            expect(f1.bias is not None and torch.allclose(f1.bias, fc1.bias[g]),
                   f"{head}: fc1's bias is not copied by g (fc1.bias[g])")
            expect(f2.bias is not None and torch.allclose(f2.bias, fc2.bias), f"{head}: fc2's bias must stay as it "
                   "was: it is added once per output, whatever the number of units")
            why = divisor_slip(f2.weight[:, :, None], fc2.weight[:, g][:, :, None], replica_counts(g, n)[g])
        fail(f"{head}: " + (why or "divide each outgoing column of fc2 by its replica count |{x : g(x) = g(j)}|"))
    return "✓ check_widen_bn: correct, the widened Linear-BatchNorm-ReLU-Linear block computes the same function"
