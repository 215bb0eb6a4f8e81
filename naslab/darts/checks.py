"""Checks for the exercises of notebook 05 (DARTS); contract in `naslab.checking`.

* `check_op(name)`: a registered op (yours or a built-in) behaves like a DARTS candidate in 1-D and 2-D:
  each build and forward pass is called through `call_student`, and a wrong output shape is named
  with the expected and actual shape before `naslab.darts.ops.validate_op` checks values and gradients.
* `check_new_op(name)`: a student's op is registered, is not a built-in, depends on its input, and passes `check_op`.
* `check_search_with_op(result, name)`: a search really used that op (a column of alpha).
* `check_derivation(fn)`: a hand-written derivation `fn(weights, primitives, k)` matches
  `naslab.darts.genotype.derive_cell` for k = 1 and k = 2 (never keeps `none`; k ± 1, weakest-first,
  per-node inputs and a constant answer are named).
* `check_hvp(fn)`: a hand-written finite-difference Hessian-vector product matches the exact one
  (eq. 8 of DARTS, ε = 0.01/‖v‖; also for a long v, so an ε not divided by ‖v‖ fails, and so does the
  "divide by 2, multiply by ε" slip).

Taught in: notebooks/05_darts.ipynb (§ Exercises).
"""

from __future__ import annotations

import numpy as np
import torch

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.darts.architect import hvp_exact, hvp_finite_difference, norm
from naslab.darts.genotype import derive_cell, n_edges
from naslab.darts.ops import BUILTIN, DIMS, OPS, PRIMITIVES, ReLUConvBN, build_op, halved, validate_op

__all__ = ["check_op", "check_new_op", "check_search_with_op", "check_derivation", "check_hvp"]


def _outputs(name: str, C: int = 4, size: int = 8) -> None:
    """Build and run `name` for every dim and stride; a failure or a wrong output shape is named."""
    for dim in DIMS:
        for stride in (1, 2):
            torch.manual_seed(0)
            op = call_student(build_op, name, C, stride, affine=True, dim=dim, name=f"the builder of {name!r}",
                              what=f"(C={C}, stride={stride}, affine=True, dim={dim})")
            x = torch.randn(2, C, *([size] * dim))
            want = (2, C, *([size if stride == 1 else halved(size)] * dim))
            hint = " (it works in 1-D: build Conv2d / BatchNorm2d / pools when dim == 2)" if dim == 2 else ""
            y = call_student(op, x, name=f"op {name!r}", what=f"a tensor of shape {tuple(x.shape)} (dim={dim}, "
                             f"stride={stride}: expected output {want}){hint}")
            expect(isinstance(y, torch.Tensor), f"{name!r} returned {describe(y)}, not a tensor")
            got = tuple(y.shape)
            if got != want:
                why = ""
                if len(got) != len(want):
                    why = f": a {dim}-D op takes and returns tensors with {len(want)} axes"
                elif got[1] != C:
                    why = f": keep the channel count C = {C} (got {got[1]})"
                elif stride == 2 and got[2:] == (size,) * dim:
                    why = ": it ignores the stride (pass stride to the first conv / pool)"
                elif abs(got[2] - want[2]) in (1, 2):
                    why = ": padding off by one? a kernel of size k needs padding k // 2 (dilation d: d * (k // 2))"
                fail(f"{name} (dim={dim}, stride={stride}): output shape {got}, expected {want}{why}")


@graded("check_op")
def check_op(name: str) -> str:
    """The registered op `name` keeps the size at stride 1, halves it at stride 2, is finite and lets
    gradients reach its input and every parameter, in 1-D and 2-D (CheckError with the reason if not)."""
    expect(isinstance(name, str), f"name should be the op's name (a str), got {describe(name)}")
    expect(name in OPS, f"{name!r} is not registered; registered ops: {list(OPS)}")
    _outputs(name)
    try:
        validate_op(name)
    except ValueError as e:
        fail(str(e))
    return f"✓ {name}: a valid DARTS candidate in 1-D and 2-D"


@graded("Exercise 3 (a new operation)")
def check_new_op(name: str) -> str:
    """Your op `name` is registered (not a built-in), depends on its input and passes the op tests in 1-D and 2-D."""
    expect(isinstance(name, str), f"name should be your op's name (a str), got {describe(name)}")
    expect(name in OPS, f"{name!r} is not registered; call naslab.darts.ops.register_op({name!r}, builder) first")
    expect(name not in BUILTIN, f"{name!r} is one of DARTS's built-in ops; register a new one")
    _outputs(name)
    torch.manual_seed(0)
    op = build_op(name, 4, 1, affine=True, dim=1).eval()
    shipped = sorted({type(m).__name__ for m in op.modules() if type(m).__module__ == ReLUConvBN.__module__})
    expect(not shipped, f"{name!r} is built from naslab's {', '.join(shipped)}: this exercise asks you to build "
           "ReLU -> Conv -> BN yourself from torch.nn")
    x = torch.randn(2, 4, 8)
    expect(not torch.allclose(op(x), op(torch.randn(2, 4, 8) * 3 + 1)), f"{name!r} gives the same output whatever "
           "its input (a constant): that is DARTS's `none`; your op must transform x")
    check_op(name)
    return f"✓ {name}: keeps the size at stride 1, halves it at stride 2, finite, gradients flow (1-D and 2-D)"


@graded("Exercise 3 (search with your op)")
def check_search_with_op(result, name: str) -> str:
    """A SearchResult whose search space contains `name`, with alpha holding a column for it."""
    if not (hasattr(result, "config") and hasattr(result, "alpha_trace") and hasattr(result, "history")):
        raise TypeError(f"result should be what run_darts returned (a SearchResult), got {describe(result)}"
                        + (" (a genotype: pass the search's result, not its .genotype)" if hasattr(result, "normal")
                           else ""))
    expect(not getattr(result, "diverged", False), f"the search diverged (a NaN or exploding loss) after "
           f"{len(result.history) - 1} finished epoch(s): lower the learning rates (w_lr, alpha_lr) and search again")
    prims = tuple(result.config.primitives)
    expect(name in prims, f"the search space was {list(prims)}; pass primitives=(..., {name!r}) to run_darts")
    trace = np.asarray(result.alpha_trace("normal"))
    expect(trace.shape[-1] == len(prims), f"alpha has {trace.shape[-1]} columns for {len(prims)} primitives "
           "(wrong shape): one column per primitive")
    expect(len(result.history) >= 2, "the search has no epoch after initialisation: run at least one search epoch")
    w = trace[-1][:, prims.index(name)]
    expect(np.all(np.isfinite(w)), f"the weights of {name!r} are not finite: {w.tolist()} (a diverged search)")
    return f"✓ searched with {name!r}: its softmax weight per normal edge is now {[round(float(v), 3) for v in w]}"


def _cases(k_values=(1, 2)):
    g = torch.Generator().manual_seed(0)
    for steps in (2, 3, 4):
        for k in k_values:
            for scale in (0.5, 3.0):
                yield torch.softmax(scale * torch.randn(n_edges(steps), len(PRIMITIVES), generator=g), -1), k
    # `none` is the strongest op on every edge: it must still never be kept
    a = torch.randn(n_edges(3), len(PRIMITIVES), generator=g)
    a[:, 0] = 20.0
    for k in k_values:
        yield torch.softmax(a, -1), k


def _normalise(got, steps: int):
    kind = f"return per node a tuple of (op, input) pairs, {steps} nodes (wrong shape)"
    expect(isinstance(got, (tuple, list)) and len(got) == steps, f"your derivation returned {describe(got)}: {kind}")
    nodes = []
    for m, node in enumerate(got):
        expect(isinstance(node, (tuple, list)) and all(isinstance(e, (tuple, list)) and len(e) == 2 for e in node),
               f"node {m} is {describe(node)}: {kind}")
        nodes.append(tuple(sorted((str(op), int(j)) for op, j in node)))
    return tuple(nodes)


def _strengths(weights, m: int) -> np.ndarray:
    row = sum(2 + i for i in range(m))
    return weights[row: row + 2 + m, 1:].max(1).values.numpy()  # (2 + m,) strongest non-none op per edge


@graded("Exercise 4 (derivation)")
def check_derivation(fn) -> str:
    """`fn(weights, primitives, k)` -> per node a tuple of (op, input) pairs, like `derive_cell`."""
    runs = []
    for weights, k in _cases():
        steps = len(derive_cell(weights, PRIMITIVES, k=k))
        want = tuple(tuple(sorted(node)) for node in derive_cell(weights, PRIMITIVES, k=k))
        raw = call_student(fn, weights.clone(), PRIMITIVES, k, what=f"weights {tuple(weights.shape)}, k={k}",
                           forbid=("naslab.darts.genotype",))
        runs.append((weights, k, _normalise(raw, steps), want))
    expect(all(op != "none" for *_, got, _ in runs for node in got for op, _ in node), "your derivation kept a "
           "`none` edge: rank edges by their strongest op *other than* none, and never pick `none` as an edge's op")
    groups: dict = {}
    for _, k, got, want in runs:
        g = groups.setdefault((len(got), k), (set(), set()))
        g[0].add(got)
        g[1].add(want)
    for gots, wants in groups.values():
        if len(gots) == 1 and len(wants) > 1:
            fail(f"your derivation returns the same cell {next(iter(gots))} for every input (a constant)")
    for _, k, got, _ in runs:
        for m, node in enumerate(got):
            bad = [j for _, j in node if not 0 <= j < 2 + m]
            expect(not bad, f"node {m} lists input(s) {bad}: inputs of node {m} are numbered 0 .. {1 + m} (0, 1 = the "
                   "cell inputs, 2.. = earlier nodes) per node, not as rows of `weights` (wrong axis)")
            expect(len(node) == k, f"k={k}: node {m} keeps {len(node)} edges, expected k = {k}"
                   + (" (off by one)" if abs(len(node) - k) == 1 else ""))
    for weights, k, got, want in runs:
        for m, node in enumerate(got):
            kept = sorted(j for _, j in node)
            weakest = sorted(np.argsort(_strengths(weights, m), kind="stable")[:k].tolist())
            if kept != sorted(j for _, j in want[m]) and kept == weakest:
                fail(f"k={k}: node {m} keeps its weakest edges {kept} (sorted ascending, or argmin: a sign error); "
                     "keep the k strongest")
        expect(got == want, f"k={k}: got {got}, expected {want}. Per node: score each incoming edge by its largest "
               f"non-none weight, keep the top {k}, and on each the argmax op (other than none)")
    return "✓ derivation matches naslab's derive_cell for k = 1 and k = 2"


@graded("Exercise 5 (finite-difference HVP)")
def check_hvp(fn, *, rtol: float = 1e-3) -> str:
    """`fn(loss, w, alpha, v)` -> list of tensors like alpha: the central difference of eq. (8), ε = 0.01/‖v‖.
    Tried with a short and a long v (‖v‖ ≈ 300), so ε must be divided by ‖v‖."""
    g = torch.Generator().manual_seed(3)
    w = [torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64)]
    alpha = [torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)]
    v0 = [torch.randn_like(t) for t in w]

    def loss(w, a):  # a smooth function with real w-α cross terms
        return (torch.tanh(w[0] @ a[0]) ** 2).sum() + torch.sin(w[1] * a[0]).sum()

    errs = []
    for scale in (1.0, 100.0):
        v = [scale * t for t in v0]
        want = hvp_exact(loss, w, alpha, v)
        got = call_student(fn, loss, [t.clone() for t in w], alpha, [t.clone() for t in v],
                           forbid=("naslab.darts.architect",),
                           what=f"w {[tuple(t.shape) for t in w]}, alpha [(3,)], v with ‖v‖ = {norm(v).item():.3g}")
        if isinstance(got, torch.Tensor):
            fail(f"return a list with one tensor per alpha tensor, got a single {describe(got)} (wrong shape)")
        expect(isinstance(got, (list, tuple)) and len(got) == len(alpha) and all(
            isinstance(t, torch.Tensor) and t.shape == a.shape for t, a in zip(got, alpha)),
            f"return a list with one tensor per alpha tensor, shaped like alpha [(3,)]; got {describe(got)} "
            "(a gradient with respect to w instead of alpha? wrong shape)")
        got = [t.detach().to(torch.float64) for t in got]
        err = (norm([a - b for a, b in zip(got, want)]) / norm(want)).item()
        errs.append(err)
        if err < rtol:
            continue
        c = (sum((a * b).sum() for a, b in zip(got, want)) / norm(want) ** 2).item()
        how = f"relative error {err:.3g} vs the exact Hessian-vector product (‖v‖ = {norm(v).item():.3g})"
        if norm(got).item() == 0:
            fail(f"{how}: your product is all zeros (a constant); take ∇α L at w + εv and at w − εv")
        if abs(c + 1) < 0.05:
            fail(f"{how}: your product has the wrong sign (a sign error): (∇α L(w+εv) − ∇α L(w−εv)) / (2ε)")
        if abs(c - 2) < 0.05:
            fail(f"{how}: your product is twice the right one: divide by 2ε, not ε")
        eps = 0.01 / norm(v).item()
        if abs(c - eps ** 2 / 2) < 0.05 * eps ** 2:
            fail(f"{how}: you computed (g+ − g−) / 2 · ε; divide by 2ε, do not multiply by ε")
        plain = hvp_finite_difference(loss, w, alpha, v, r=0.01 * norm(v).item())  # ε = 0.01: r = ε‖v‖
        if scale > 1 and (norm([a - b for a, b in zip(got, plain)]) / norm(want)).item() < rtol:
            fail(f"{how}: your ε = 0.01 is not divided by ‖v‖, so w ± εv moves far from w when v is long; "
                 "use ε = 0.01 / ‖v‖")
        fail(f"{how}. Use (∇α L(w+εv) − ∇α L(w−εv)) / (2ε) with ε = 0.01/‖v‖ — divide by 2ε, do not multiply by ε")
    return f"✓ finite-difference HVP matches the exact one (relative error {max(errs):.1e}, short and long v)"
