"""Homework 05's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong answer is planted in place of the student's `mb_conv` / `derive_cell_max_skip` inside the public
(homework/hw05_darts/test_hw05.py) and hidden (hidden/test_hw05_hidden.py) test modules, whose test functions are
then run. Oracle: the assertion message each test raises. Also: the reference solution passes every test, naslab's
own `cap_skips` (the closest shipped function) does not answer the homework, and every hidden test rejects a wrong
answer that ALL the public tests accept.
"""

from __future__ import annotations

import importlib

import pytest
import torch
from torch import nn

from naslab.darts.genotype import cap_skips, derive_cell, edge_offset
from naslab.darts.ops import OPS, layer, register_op, unregister_op

from .wrong_answers import homework

HW, public, hidden = homework("hw05_darts")  # the assignment's own test modules
solution = importlib.import_module("my_darts")


# -- the wrong answers ---------------------------------------------------------------------------------

def mb_conv(relu_last=False, stride_on="depthwise"):
    def build(C, stride, affine=True, dim=2):
        Conv, BN = layer("Conv", dim), layer("BatchNorm", dim)
        s = {k: stride if stride_on == k else 1 for k in ("expand", "depthwise", "project")}
        mods = [Conv(C, 2 * C, 1, s["expand"], bias=False), BN(2 * C, affine=affine), nn.ReLU(),
                Conv(2 * C, 2 * C, 3, s["depthwise"], 1, groups=2 * C, bias=False), BN(2 * C, affine=affine), nn.ReLU(),
                Conv(2 * C, C, 1, s["project"], bias=False), BN(C, affine=affine)]
        return nn.Sequential(*mods, *([nn.ReLU()] if relu_last else []))
    return build


def rule(other_ops=("none", "skip_connect"), use_k=True):
    """derive_cell, then replace the weakest skips by the strongest op not in `other_ops`."""
    def fn(weights, primitives, k=2, max_skip=2):
        if isinstance(max_skip, bool) or not isinstance(max_skip, int) or max_skip < 0:
            raise ValueError(f"max_skip={max_skip!r} must be an int >= 0")
        prims = primitives
        w = torch.as_tensor(weights).double()
        nodes = [list(n) for n in derive_cell(w, primitives, k=k if use_k else 2)]
        skip = prims.index("skip_connect")
        cand = [i for i, p in enumerate(prims) if p not in other_ops]
        while True:
            skips = [(float(w[edge_offset(m) + j, skip]), m, e) for m, n in enumerate(nodes)
                     for e, (op, j) in enumerate(n) if op == "skip_connect"]
            if len(skips) <= max_skip:
                return tuple(tuple(n) for n in nodes)
            _, m, e = min(skips)
            j = nodes[m][e][1]
            nodes[m][e] = (prims[max(cand, key=lambda i: float(w[edge_offset(m) + j, i]))], j)
    return fn


def naslab_cap(weights, primitives, k=2, max_skip=2):
    return cap_skips(weights, primitives, k=k, max_skip=max_skip)


OP_WRONG = {  # name -> (builder, the public test that rejects it, message fragment)
    "ReLU after the 1x1 projection": (mb_conv(relu_last=True), "test_mb_conv_ends_linear", "a ReLU after the 1x1"),
    "stride on the 1x1 projection": (mb_conv(stride_on="project"), "test_mb_conv_strides_on_the_depthwise_conv",
                                     "the stride belongs to the depthwise"),
    "stride on the 1x1 expansion": (mb_conv(stride_on="expand"), "test_mb_conv_strides_on_the_depthwise_conv",
                                    "the 1x1 convs keep stride 1"),
}
RULE_WRONG = {  # name -> (rule, hidden test that rejects it while every public test accepts it, message fragment)
    "a replaced skip may become none": (rule(other_ops=("skip_connect",)), "test_a_replaced_skip_never_becomes_none",
                                        "other than none and skip_connect"),
    "k ignored (always 2)": (rule(use_k=False), "test_k1_and_a_small_space", "is k passed on to derive_cell"),
}


def _run_public_op_tests(builder):
    """Every public mb_conv test with `builder` in place of the student's."""
    register_op("mb_conv_3x3", builder, overwrite=True, check=False)
    try:
        public.test_mb_conv_is_a_valid_darts_op("mb_conv_3x3")
        for dim, taps in ((1, 3), (2, 9)):
            public.test_mb_conv_structure("mb_conv_3x3", dim, taps)
        for dim in (1, 2):
            public.test_mb_conv_strides_on_the_depthwise_conv("mb_conv_3x3", dim)
            public.test_mb_conv_ends_linear("mb_conv_3x3", dim)
    finally:
        unregister_op("mb_conv_3x3")


def _run_public_rule_tests():
    for seed in range(6):
        public.test_equals_derive_cell_when_the_limit_does_not_bind(seed)
    public.test_collapsed_cell_keeps_the_strongest_skips()
    public.test_max_skip_zero_and_bad_values()


@pytest.fixture
def planted(monkeypatch):
    def plant(**answers):
        for name, fn in answers.items():
            for mod in (public, hidden):
                if hasattr(mod, name):
                    monkeypatch.setattr(mod, name, fn)
    return plant


def test_the_reference_solution_passes_every_test(planted):
    planted(mb_conv=solution.mb_conv, derive_cell_max_skip=solution.derive_cell_max_skip)
    _run_public_op_tests(solution.mb_conv)
    _run_public_rule_tests()
    hidden.test_k1_and_a_small_space()
    hidden.test_a_replaced_skip_never_becomes_none()
    assert "mb_conv_3x3" not in OPS


@pytest.mark.parametrize("name", OP_WRONG)
def test_a_wrong_op_is_rejected_by_name(name):
    builder, test_name, fragment = OP_WRONG[name]
    register_op("mb_conv_3x3", builder, overwrite=True, check=False)
    try:
        with pytest.raises(AssertionError, match=fragment):
            for dim in (1, 2):
                getattr(public, test_name)("mb_conv_3x3", dim)
    finally:
        unregister_op("mb_conv_3x3")


@pytest.mark.parametrize("name", RULE_WRONG)
def test_each_hidden_test_rejects_a_wrong_rule_the_public_tests_accept(planted, name):
    fn, test_name, fragment = RULE_WRONG[name]
    planted(derive_cell_max_skip=fn)
    _run_public_rule_tests()  # all public tests accept it
    with pytest.raises(AssertionError, match=fragment):
        getattr(hidden, test_name)()


def test_naslabs_cap_skips_does_not_answer_the_homework(planted):
    planted(derive_cell_max_skip=naslab_cap)
    with pytest.raises(AssertionError, match="the kept edges \\(inputs\\) do not change"):
        public.test_collapsed_cell_keeps_the_strongest_skips()
