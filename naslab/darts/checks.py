"""Checkers for the exercises of notebook 05 (DARTS): each accepts a right answer and explains a wrong one.

* `check_op(name)`: a registered op (yours or a built-in) behaves like a DARTS candidate
  (`naslab.darts.ops.validate_op`, turned into an exercise check).
* `check_new_op(name)`: a student's op is registered, is not a built-in, and passes `check_op`.
* `check_search_with_op(result, name)`: a search really used that op (a column of alpha).
* `check_derivation(fn)`: a hand-written derivation `fn(weights, primitives, k)` matches
  `naslab.darts.genotype.derive_cell` for k = 1 and k = 2 (and never keeps `none`).
* `check_hvp(fn)`: a hand-written finite-difference Hessian-vector product matches the exact one
  (eq. 8 of DARTS; the "divide by 2, multiply by ε" slip fails).

Each raises AssertionError with a hint when the answer is wrong, and returns a short message when right.

Taught in: notebooks/05_darts.ipynb (§ Exercises).
"""

from __future__ import annotations

import torch

from naslab.darts.architect import hvp_exact, norm
from naslab.darts.genotype import derive_cell, n_edges
from naslab.darts.ops import BUILTIN, OPS, PRIMITIVES, validate_op

__all__ = ["check_op", "check_new_op", "check_search_with_op", "check_derivation", "check_hvp"]


def check_op(name: str) -> str:
    """The registered op `name` keeps the size at stride 1, halves it at stride 2, is finite and lets
    gradients reach its input and every parameter, in 1-D and 2-D (AssertionError with the reason if not)."""
    assert name in OPS, f"{name!r} is not registered; registered ops: {list(OPS)}"
    try:
        validate_op(name)
    except ValueError as e:
        raise AssertionError(str(e)) from None
    return f"{name}: a valid DARTS candidate in 1-D and 2-D"


def check_new_op(name: str) -> str:
    """Your op `name` is registered (not a built-in) and passes the op tests in 1-D and 2-D."""
    assert name in OPS, f"{name!r} is not registered; call naslab.darts.ops.register_op({name!r}, builder) first"
    assert name not in BUILTIN, f"{name!r} is one of DARTS's built-in ops; register a new one"
    check_op(name)
    return f"{name}: keeps the size at stride 1, halves it at stride 2, finite, gradients flow (1-D and 2-D)"


def check_search_with_op(result, name: str) -> str:
    """A SearchResult whose search space contains `name`, with alpha holding a column for it."""
    prims = tuple(result.config.primitives)
    assert name in prims, f"the search space was {list(prims)}; pass primitives=(..., {name!r}) to search"
    trace = result.alpha_trace("normal")
    assert trace.shape[-1] == len(prims), "alpha does not have one column per primitive"
    assert len(result.history) >= 2, "run at least one search epoch"
    w = trace[-1][:, prims.index(name)]
    return f"searched with {name!r}: its softmax weight per normal edge is now {w.round(3).tolist()}"


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


def check_derivation(fn) -> str:
    """`fn(weights, primitives, k)` -> per node a tuple of (op, input) pairs, like `derive_cell`."""
    for weights, k in _cases():
        want = derive_cell(weights, PRIMITIVES, k=k)
        got = fn(weights.clone(), PRIMITIVES, k)
        got = tuple(tuple(sorted((str(op), int(j)) for op, j in node)) for node in got)
        want_sorted = tuple(tuple(sorted(node)) for node in want)
        assert all(op != "none" for node in got for op, _ in node), (
            "your derivation kept a `none` edge: rank edges by their strongest op *other than* none")
        assert got == want_sorted, (f"k={k}: got {got}, expected {want_sorted}. Per node: score each incoming "
                                    f"edge by its largest non-none weight, keep the top {k}, and on each the argmax op")
    return "derivation matches naslab's derive_cell for k = 1 and k = 2"


def check_hvp(fn, *, rtol: float = 1e-3) -> str:
    """`fn(loss, w, alpha, v)` -> list of tensors like alpha: the central difference of eq. (8), ε = 0.01/‖v‖."""
    g = torch.Generator().manual_seed(3)
    w = [torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64)]
    alpha = [torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)]
    v = [torch.randn_like(t) for t in w]

    def loss(w, a):  # a smooth function with real w-α cross terms
        return (torch.tanh(w[0] @ a[0]) ** 2).sum() + torch.sin(w[1] * a[0]).sum()

    want = hvp_exact(loss, w, alpha, v)
    got = fn(loss, [t.clone() for t in w], alpha, [t.clone() for t in v])
    assert isinstance(got, (list, tuple)) and len(got) == len(alpha), "return a list with one tensor per alpha tensor"
    err = (norm([a - b for a, b in zip(got, want)]) / norm(want)).item()
    assert err < rtol, (f"relative error {err:.3g} vs the exact Hessian-vector product. Use "
                        "(∇α L(w+εv) − ∇α L(w−εv)) / (2ε) with ε = 0.01/‖v‖ — divide by 2ε, do not multiply by ε")
    return f"finite-difference HVP matches the exact one (relative error {err:.1e})"
