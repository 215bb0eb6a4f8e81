"""Homework 04's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong answer below is planted as a function and handed to the check helpers of the public tests
(homework/hw04_net2net/test_hw04.py) and the hidden tests (hidden/test_hw04_hidden.py), which take the function
under test as an argument. Oracles: the message text each helper raises. Also: the reference solution passes
every helper, every hidden test rejects at least one wrong answer that ALL the public checks accept, and no
test of the assignment ends in a bare assert.
"""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from .wrong_answers import homework

HW, public, hidden = homework("hw04_net2net")  # the assignment's own test modules


# -- the wrong answers ---------------------------------------------------------------------------------
def widen(*, divisor=lambda c: c, copy_dw=True, copy_b1=True, b2=lambda b, c: b, groups=True, in_place=False,
          check=True, bias="as old", padding=None):
    """widen_separable with one planted slip (the defaults are the right answer)."""

    def fn(pw1, dw, pw2, g):
        n, q = pw1.out_channels, len(g)
        if check:
            missing = sorted(set(range(n)) - set(g.tolist()))
            if missing:
                raise ValueError(f"g misses old channels {missing}")
        count = torch.bincount(g, minlength=n).to(pw2.weight.dtype)
        k, pad = dw.kernel_size[0], dw.padding if padding is None else padding
        has = (lambda m: m.bias is not None) if bias == "as old" else (lambda m: True)
        new1 = nn.Conv1d(pw1.in_channels, q, 1, bias=has(pw1)).to(pw1.weight.dtype)
        new_dw = nn.Conv1d(q, q, k, groups=q if groups else 1, padding=pad, bias=has(dw)).to(dw.weight.dtype)
        new2 = nn.Conv1d(q, pw2.out_channels, 1, bias=has(pw2)).to(pw2.weight.dtype)
        with torch.no_grad():
            new1.weight.copy_(pw1.weight[g])
            if groups and copy_dw:
                new_dw.weight.copy_(dw.weight[g])
            elif not groups:
                new_dw.weight.zero_()
                new_dw.weight[range(q), range(q)] = dw.weight[g][:, 0]
            new2.weight.copy_(pw2.weight[:, g] / divisor(count[g]).view(1, -1, 1))
            if pw1.bias is not None and copy_b1:
                new1.bias.copy_(pw1.bias[g])
            if dw.bias is not None:
                new_dw.bias.copy_(dw.bias[g])
            if pw2.bias is not None:
                new2.bias.copy_(b2(pw2.bias, count))
            if in_place:
                pw1.weight.mul_(1.0)
                pw1.weight[0, 0, 0] += 1.0
        return new1, new_dw, new2

    return fn


def identity(*, tap=lambda k: k // 2, zero_bias=True, padding=lambda k: k // 2, check=True):
    def fn(channels, k):
        if check and k % 2 == 0:
            raise ValueError(f"k={k} is even")
        conv = nn.Conv1d(channels, channels, k, groups=channels, padding=padding(k))
        with torch.no_grad():
            conv.weight.zero_()
            conv.weight[:, 0, tap(k)] = 1.0
            if zero_bias:
                conv.bias.zero_()
        return conv

    return fn


def identity_via_naslab(channels, k):
    from naslab.net2net.deeper import identity_conv

    full = identity_conv(channels, k, dim=1)
    conv = nn.Conv1d(channels, channels, k, groups=channels, padding=k // 2)
    with torch.no_grad():
        conv.weight.copy_(full.weight[range(channels), range(channels)].unsqueeze(1)), conv.bias.zero_()
    return conv


def widen_via_naslab(pw1, dw, pw2, g):
    from naslab.net2net.layers import replica_counts

    replica_counts(g, pw1.out_channels)
    return widen()(pw1, dw, pw2, g)


G = [0, 1, 2, 3, 1, 3, 3, 2]
# (label, the wrong answer, a public check helper it fails, a fragment of that helper's message)
REJECTED = [
    ("widen: no division", widen(divisor=lambda c: torch.ones_like(c)), lambda f: public.check_widening(f, G),
     "pw2's copied columns are not divided by the replica count"),
    ("widen: count + 1", widen(divisor=lambda c: c + 1), lambda f: public.check_widening(f, G), "(off by one)"),
    ("widen: dw filters left random", widen(copy_dw=False), lambda f: public.check_widening(f, G),
     "dw's per-channel filters are not copied by g"),
    ("widen: pw1's bias not copied", widen(copy_b1=False), lambda f: public.check_widening(f, G),
     "pw1's bias is not copied by g"),
    ("widen: pw2's bias divided", widen(b2=lambda b, c: b / c.max()), lambda f: public.check_widening(f, G),
     "pw2's bias must stay as it was"),
    ("widen: a full conv, groups = 1", widen(groups=False), public.check_shapes_and_groups, "needs groups = q = 6"),
    ("widen: the old modules changed", widen(in_place=True), public.check_in_place, "the old modules changed"),
    ("widen: a missing channel accepted", widen(check=False), public.check_missing_channel,
     "never copies channel 2"),
    ("widen: calls naslab", widen_via_naslab, lambda f: public.check_widening(f, G),
     "called naslab's naslab.net2net.layers.replica_counts"),
    ("identity: random bias kept", identity(zero_bias=False), lambda f: public.check_identity(f, 3),
     "the bias is not zero"),
    ("identity: tap off the centre", identity(tap=lambda k: 0), lambda f: public.check_identity(f, 3),
     "put a 1 at the centre tap"),
    ("identity: no padding", identity(padding=lambda k: 0), lambda f: public.check_identity(f, 3),
     "padding must be k // 2 = 1"),
    ("identity: even kernel accepted", identity(check=False), public.check_even_kernel, "k = 2 is even"),
    ("identity: calls naslab's identity_conv", identity_via_naslab, lambda f: public.check_identity(f, 3),
     "called naslab's naslab.net2net.deeper.identity_conv"),
]

# wrong answers every public check accepts and one hidden check rejects: (label, widen, identity, hidden check,
# a fragment of its message)
HIDDEN_ONLY = [
    ("widen: always a bias", widen(bias="always"), identity(), "check_without_bias", "create it with bias="),
    ("widen: the depthwise padding hard-coded to 1", widen(padding=1), identity(), "check_widen_then_deepen",
     "must keep the old kernel size and padding"),
]
HIDDEN_TESTS = {"test_widen_without_bias": "check_without_bias",
                "test_widen_then_insert_an_identity": "check_widen_then_deepen"}


def public_checks(w, i):
    for g in ([0, 1, 2, 3, 0, 0], [3, 2, 1, 0], G):
        public.check_widening(w, g)
    public.check_shapes_and_groups(w)
    public.check_in_place(w)
    public.check_missing_channel(w)
    for k in (1, 3, 5):
        public.check_identity(i, k)
    public.check_even_kernel(i)


def run_hidden(check, w, i):
    return hidden.check_without_bias(w) if check == "check_without_bias" else hidden.check_widen_then_deepen(w, i)


@pytest.mark.parametrize("label, wrong, check, says", REJECTED, ids=[r[0] for r in REJECTED])
def test_public_checks_reject_the_wrong_answer_by_name(label, wrong, check, says):
    with pytest.raises(AssertionError, match=re.escape(says)):
        check(wrong)


@pytest.mark.parametrize("label, w, i, check, says", HIDDEN_ONLY, ids=[r[0] for r in HIDDEN_ONLY])
def test_hidden_checks_reject_what_the_public_ones_accept(label, w, i, check, says):
    public_checks(w, i)  # accepted: the public tests do not see this slip
    with pytest.raises(AssertionError, match=re.escape(says)):
        run_hidden(check, w, i)


def test_every_hidden_test_has_a_wrong_answer_only_it_rejects():
    src = (HW / "hidden" / "test_hw04_hidden.py").read_text()
    assert set(re.findall(r"^def (test_\w+)", src, flags=re.M)) == set(HIDDEN_TESTS)
    for test, check in HIDDEN_TESTS.items():
        assert f"{check}(" in src.split(f"def {test}(", 1)[1].split("\ndef ", 1)[0], (test, check)
        assert any(c == check for *_, c, _ in HIDDEN_ONLY), f"{test}: no hidden-only wrong answer"


def test_the_reference_solution_passes_every_check():
    import my_net2net

    public_checks(my_net2net.widen_separable, my_net2net.identity_depthwise)
    for check in HIDDEN_TESTS.values():
        run_hidden(check, my_net2net.widen_separable, my_net2net.identity_depthwise)


@pytest.mark.parametrize("path", ["test_hw04.py", "hidden/test_hw04_hidden.py"])
def test_no_bare_assert(path):
    """Every failure prints a message naming the slip: no `assert cond` without one (the hidden test had one)."""
    src = (HW / path).read_text()
    bare = [line for line in src.splitlines() if re.match(r"\s*assert\b", line) and "," not in line]
    assert not bare, bare
