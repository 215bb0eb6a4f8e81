"""Notebook 05's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message naming the mistake (the message text is asserted, not only the type)."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from naslab.checking import CheckError
from naslab.darts.architect import hvp_finite_difference
from naslab.darts.checks import check_derivation, check_hvp, check_new_op, check_op, check_search_with_op
from naslab.darts.genotype import derive_cell, random_genotype
from naslab.darts.ops import OPS, PRIMITIVES, ReLUConvBN, layer, register_op, unregister_op


def reject(check, answer, fragment, *args):
    with pytest.raises(CheckError, match=fragment):
        check(answer, *args)


# ---- exercise 1: a new operation -----------------------------------------------------------------------------


def conv_3x3(C, stride, affine, dim):
    return nn.Sequential(nn.ReLU(), layer("Conv", dim)(C, C, 3, stride, 1, bias=False),
                         layer("BatchNorm", dim)(C, affine=affine))


OP_WRONG = {
    "classic: 1-D only": (lambda C, s, a, d: nn.Conv1d(C, C, 3, s, 1),
                          "raised RuntimeError: .* on input a tensor of shape \\(2, 4, 8, 8\\).*it works in 1-D"),
    "off by one: padding 0": (lambda C, s, a, d: ReLUConvBN(C, C, 3, s, 0, a, d),
                              "output shape \\(2, 4, 6\\), expected \\(2, 4, 8\\): padding off by one"),
    "wrong shape: C + 1 channels": (lambda C, s, a, d: ReLUConvBN(C, C + 1, 3, s, 1, a, d),
                                    "output shape \\(2, 5, 8\\), expected \\(2, 4, 8\\): keep the channel count"),
    "stride ignored": (lambda C, s, a, d: ReLUConvBN(C, C, 3, 1, 1, a, d), "ignores the stride"),
    "constant: zeros": (lambda C, s, a, d: _Zero(s),
                        "same output whatever its input \\(a constant\\)"),
    "sign error: negative padding": (lambda C, s, a, d: ReLUConvBN(C, C, 3, s, -1, a, d),
                                     "op 'ex_op' raised RuntimeError: negative padding"),
    "no gradient to a parameter": (lambda C, s, a, d: _Unused(C, s, d), "parameter unused gets no gradient"),
    "naslab's ReLUConvBN, not written": (lambda C, s, a, d: ReLUConvBN(C, C, 3, s, 1, a, d),
                                         "built from naslab's ReLUConvBN: .* yourself from torch.nn"),
    "a built-in op returned": (lambda C, s, a, d: OPS["dil_conv_3x3"](C, s, a, d), "built from naslab's DilConv"),
}


class _Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        sl = (slice(None), slice(None)) + (slice(None, None, self.stride),) * (x.dim() - 2)
        return x[sl] * 0


class _Unused(nn.Module):
    def __init__(self, C, stride, dim):
        super().__init__()
        self.pool = layer("AvgPool", dim)(3, stride=stride, padding=1)
        self.unused = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.pool(x)


def test_new_op_accepts_the_right_answer():
    register_op("ex_op", conv_3x3, overwrite=True)
    try:
        v = check_new_op("ex_op")
        assert v.passed and "ex_op" in v
    finally:
        unregister_op("ex_op")


@pytest.mark.parametrize("name", OP_WRONG)
def test_new_op_names_the_mistake(name):
    builder, fragment = OP_WRONG[name]
    register_op("ex_op", builder, overwrite=True, check=False)  # the exercise check, not register_op, must say why
    try:
        reject(check_new_op, "ex_op", fragment)
    finally:
        unregister_op("ex_op")
    assert "ex_op" not in OPS


def test_register_op_names_the_shapes_when_a_1d_only_op_fails_in_2d():
    with pytest.raises(ValueError, match=r"ex_op \(dim=2, stride=1\) raised RuntimeError: .* on an input of shape "
                       r"\(2, 4, 8, 8\) \(expected output shape \(2, 4, 8, 8\)\); it works in 1-D"):
        register_op("ex_op", OP_WRONG["classic: 1-D only"][0])
    assert "ex_op" not in OPS


def test_new_op_refuses_unregistered_and_builtin_names():
    reject(check_new_op, "not_there", "not registered; call naslab.darts.ops.register_op")
    reject(check_new_op, "sep_conv_3x3", "built-in")
    assert check_op("sep_conv_3x3").passed


def test_new_op_stub_is_not_implemented_yet():
    def stub(C, stride, affine, dim):
        raise NotImplementedError("Exercise 1: build conv_3x3")

    register_op("ex_op", stub, overwrite=True, check=False)
    try:
        v = check_new_op("ex_op")
        assert not v.passed and "not implemented yet (Exercise 1: build conv_3x3)" in v
    finally:
        unregister_op("ex_op")


def fake_result(primitives, epochs=2, n_edges=14, finite=True, diverged=False):
    history = [{"weights_normal": np.full((n_edges, len(primitives)), 1 / len(primitives))} for _ in range(epochs)]
    if not finite:
        history[-1]["weights_normal"][:] = np.nan
    res = SimpleNamespace(config=SimpleNamespace(primitives=primitives), history=history, diverged=diverged)
    res.alpha_trace = lambda kind: np.stack([h[f"weights_{kind}"] for h in history])
    return res


def _other_columns():
    res = fake_result(("none", "skip_connect", "sep_conv_3x3"))
    res.config = SimpleNamespace(primitives=("none", "ex_op"))  # the result of one search, the config of another
    return res


SEARCH_WRONG = {
    "op not searched": (fake_result(("none", "skip_connect", "sep_conv_3x3")), "pass primitives=\\(..., 'ex_op'\\)"),
    "no search epoch (off by one)": (fake_result(("none", "ex_op"), epochs=1), "run at least one search epoch"),
    "diverged": (fake_result(("none", "ex_op"), finite=False), "not finite"),
    "diverged in the first epoch": (fake_result(("none", "ex_op"), epochs=1, diverged=True),
                                    "the search diverged \\(a NaN or exploding loss\\) after 0 finished epoch"),
    "wrong shape: alpha of another space": (_other_columns(), "alpha has 3 columns for 2 primitives \\(wrong shape\\)"),
}


def test_search_with_op_accepts_a_search_that_used_it():
    assert check_search_with_op(fake_result(("none", "skip_connect", "ex_op")), "ex_op").passed


def test_search_with_op_given_a_genotype_raises_its_own_type_error():
    g = random_genotype(2, seed=0)
    with pytest.raises(TypeError, match="a SearchResult.*a genotype: pass the search's result, not its .genotype"):
        check_search_with_op(g, "ex_op")


@pytest.mark.parametrize("name", SEARCH_WRONG)
def test_search_with_op_names_the_mistake(name):
    reject(check_search_with_op, *SEARCH_WRONG[name], "ex_op")


# ---- exercise 2: derivation ----------------------------------------------------------------------------------


def derive(weights, primitives, k, order=-1, with_none=False, global_rows=False):
    """The notebook's answer; order=+1 keeps the weakest edges, with_none lets `none` compete."""
    real = [i for i, p in enumerate(primitives) if with_none or p != "none"]
    nodes, row, m = [], 0, 0
    while row < len(weights):
        w_node = weights[row: row + 2 + m][:, real]
        best, op = w_node.max(dim=1)
        keep = sorted(torch.argsort(order * best, stable=True)[:k].tolist())
        nodes.append(tuple((primitives[real[int(op[j])]], j + (row if global_rows else 0)) for j in keep))
        row, m = row + 2 + m, m + 1
    return tuple(nodes)


DERIVE_WRONG = {
    "classic: keeps none": (lambda w, p, k: derive(w, p, k, with_none=True), "kept a `none` edge"),
    "off by one: k + 1 edges": (lambda w, p, k: derive(w, p, k + 1),
                                "keeps \\d edges, expected k = \\d \\(off by one\\)"),
    "sign error: weakest edges": (lambda w, p, k: derive(w, p, k, order=1), "weakest edges .* a sign error"),
    "wrong axis: rows, not inputs": (lambda w, p, k: derive(w, p, k, global_rows=True), "per node, not as rows"),
    "constant": (lambda w, p, k: tuple((("sep_conv_3x3", 0), ("sep_conv_3x3", 1))[:k]
                                       for _ in range({5: 2, 9: 3, 14: 4}[len(w)])),
                 "same cell .* for every input \\(a constant\\)"),
    "wrong shape: flat list": (lambda w, p, k: [pair for node in derive(w, p, k) for pair in node],
                               "per node a tuple of \\(op, input\\) pairs.*wrong shape"),
    "own error": (lambda w, p, k: w[100], "raised IndexError: .* on input weights \\(5, 8\\), k=1"),
}


def test_derivation_accepts_the_right_answer_and_rejects_naslabs():
    assert check_derivation(derive).passed
    reject(check_derivation, lambda w, p, k: derive_cell(w, p, k=k),
           "called naslab's naslab.darts.genotype.derive_cell: this exercise asks you to write that step yourself")


@pytest.mark.parametrize("name", DERIVE_WRONG)
def test_derivation_names_the_mistake(name):
    reject(check_derivation, *DERIVE_WRONG[name])


# ---- exercise 3: the finite-difference HVP -------------------------------------------------------------------


def fd(loss, w, alpha, v, eps):
    gp = torch.autograd.grad(loss([a + eps * b for a, b in zip(w, v)], alpha), alpha)
    gm = torch.autograd.grad(loss([a - eps * b for a, b in zip(w, v)], alpha), alpha)
    return gp, gm


def my_hvp(loss, w, alpha, v, combine=lambda gp, gm, eps: (gp - gm) / (2 * eps), scaled=True):
    eps = 0.01 / torch.sqrt(sum((t ** 2).sum() for t in v)) if scaled else 0.01  # not architect.norm: forbidden
    gp, gm = fd(loss, w, alpha, v, eps)
    return [combine(a, b, eps) for a, b in zip(gp, gm)]


HVP_WRONG = {
    "classic: ε not divided by ‖v‖": (lambda *a: my_hvp(*a, scaled=False), "not divided by ‖v‖"),
    "classic: / 2 * ε": (lambda *a: my_hvp(*a, combine=lambda p, m, e: (p - m) / 2 * e), "do not multiply by ε"),
    "off by one: / ε": (lambda *a: my_hvp(*a, combine=lambda p, m, e: (p - m) / e), "twice the right one"),
    "sign error": (lambda *a: my_hvp(*a, combine=lambda p, m, e: (m - p) / (2 * e)), "wrong sign \\(a sign error\\)"),
    "constant": (lambda loss, w, alpha, v: [torch.zeros(3, dtype=torch.float64)], "all zeros \\(a constant\\)"),
    "wrong axis: gradients w.r.t. w": (lambda loss, w, alpha, v: [torch.zeros_like(t) for t in w],
                                       "shaped like alpha.*with respect to w"),
    "wrong shape: a bare tensor": (lambda *a: my_hvp(*a)[0], "got a single Tensor of shape \\(3,\\)"),
}


def test_hvp_accepts_eq8_and_rejects_naslabs():
    assert check_hvp(my_hvp).passed
    reject(check_hvp, hvp_finite_difference, "called naslab's naslab.darts.architect.hvp_finite_difference")


@pytest.mark.parametrize("name", HVP_WRONG)
def test_hvp_names_the_mistake(name):
    reject(check_hvp, *HVP_WRONG[name])


def test_primitives_unchanged():
    assert PRIMITIVES[0] == "none"
