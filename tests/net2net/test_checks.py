"""Notebook 04's exercise checks: one right answer and a table of wrong ones per exercise; each wrong one
is rejected with a message naming the mistake (the message text is asserted, not only the type)."""

import pytest
import torch

from naslab.checking import CheckError
from naslab.net2net.checks import check_identity_kernel, check_widen_conv_linear, check_widen_linear


def reject(check, answer, fragment):
    with pytest.raises(CheckError, match=fragment):
        check(answer)


# ---- exercise 1: Net2WiderNet, Linear -> Linear --------------------------------------------------------------


def counts(g, n):  # by hand: the checks refuse answers that call naslab.net2net.layers (replica_counts included)
    return torch.bincount(g, minlength=n).float()


def widen(W1, b1, W2, g, divisor=lambda c: c):
    return W1[g], b1[g], W2[:, g] / divisor(counts(g, W1.shape[0])[g])


WIDEN_WRONG = {
    "classic: no division": (lambda W1, b1, W2, g: (W1[g], b1[g], W2[:, g]), "without dividing them by the replica"),
    "off by one: count + 1": (lambda *a: widen(*a, divisor=lambda c: c + 1), "replica count ± 1 \\(off by one\\)"),
    "sign error": (lambda *a: widen(*a, divisor=lambda c: -c), "wrong sign \\(a sign error\\)"),
    "constant divisor q / n": (lambda W1, b1, W2, g: (W1[g], b1[g], W2[:, g] * W1.shape[0] / len(g)),
                               "the same .* \\(a constant\\)"),
    "wrong axis: U1 = W1[:, g]": (lambda W1, b1, W2, g: (W1[:, g % W1.shape[1]], b1[g], W2[:, g]),
                                  "U1 has shape \\(\\d+, \\d+\\), expected \\(7, 5\\).*rows.*wrong shape or axis"),
    "wrong axis: U2 = W2[g]": (lambda W1, b1, W2, g: (W1[g], b1[g], W2.T[g].T.T),
                               "U2 has shape \\(7, 4\\), expected \\(4, 7\\)"),
    "U1 not copied": (lambda W1, b1, W2, g: (torch.randn(len(g), W1.shape[1]), b1[g], W2[:, g]), "U1 = W1\\[g\\]"),
    "a pair, not three": (lambda W1, b1, W2, g: (W1[g], W2[:, g]), "return the tuple \\(U1, c1, U2\\)"),
    "own IndexError": (lambda W1, b1, W2, g: (W1[g + 3], b1[g], W2[:, g]),
                       "raised IndexError: .* on input W1 \\(3, 5\\)"),
}


def test_widen_linear_accepts_the_right_answer():
    assert check_widen_linear(widen).passed


@pytest.mark.parametrize("name", WIDEN_WRONG)
def test_widen_linear_names_the_mistake(name):
    reject(check_widen_linear, *WIDEN_WRONG[name])


# ---- exercise 2: Conv1d -> Flatten -> Linear -----------------------------------------------------------------


def widen_conv(W1, b1, W2, g, s, divisor=lambda c: c):
    n, p = W1.shape[0], W2.shape[0]
    U2 = W2.reshape(p, n, s)[:, g] / divisor(counts(g, n)[g]).view(1, -1, 1)
    return W1[g], b1[g], U2.reshape(p, -1)


def position_major(W1, b1, W2, g, s):  # the classic slip: W2 viewed as (p, s, n)
    n, p = W1.shape[0], W2.shape[0]
    return W1[g], b1[g], (W2.reshape(p, s, n)[:, :, g] / counts(g, n)[g]).reshape(p, -1)


CONV_WRONG = {
    "classic: position-major view": (position_major, "channel i owns the 5 inputs i\\*s"),
    "no division": (lambda *a: widen_conv(*a, divisor=lambda c: torch.ones_like(c)), "without dividing"),
    "off by one: count - 1": (lambda *a: widen_conv(*a, divisor=lambda c: c - 1), "off by one"),
    "sign error": (lambda *a: widen_conv(*a, divisor=lambda c: -c), "sign error"),
    "constant: zeros": (lambda W1, b1, W2, g, s: (W1[g], b1[g], torch.zeros(W2.shape[0], len(g) * s)),
                        "all zeros \\(a constant\\)"),
    "wrong axis: U1 on the input channels": (lambda W1, b1, W2, g, s: (W1[:, g % W1.shape[1]], *widen_conv(W1, b1, W2,
                                             g, s)[1:]), "U1 has shape \\(3, 7, 3\\), expected \\(7, 2, 3\\)"),
    "wrong shape: U2 not flattened": (lambda W1, b1, W2, g, s: (*widen_conv(W1, b1, W2, g, s)[:2],
                                      widen_conv(W1, b1, W2, g, s)[2].reshape(W2.shape[0], len(g), s)),
                                      "U2 has shape \\(4, 7, 5\\), expected \\(4, 35\\)"),
}


def test_widen_conv_linear_accepts_the_right_answer():
    assert check_widen_conv_linear(widen_conv).passed


@pytest.mark.parametrize("name", CONV_WRONG)
def test_widen_conv_linear_names_the_mistake(name):
    reject(check_widen_conv_linear, *CONV_WRONG[name])


# ---- exercise 3: the identity kernel -------------------------------------------------------------------------


def identity_kernel(channels, k, tap=None, value=1.0):
    if k % 2 == 0:
        raise ValueError(f"k={k} is even: no centre tap")
    w = torch.zeros(channels, channels, k)
    w[range(channels), range(channels), k // 2 if tap is None else tap(k)] = value
    return w


def no_check(channels, k):
    w = torch.zeros(channels, channels, k)
    w[range(channels), range(channels), k // 2] = 1.0
    return w


def mixes(channels, k):
    if k % 2 == 0:
        raise ValueError("even")
    w = torch.zeros(channels, channels, k)
    w[:, :, k // 2] = 1.0
    return w


def library_value_error(channels, k):  # a ValueError from numpy, not the student's own check
    import numpy as np

    np.zeros(channels).reshape(channels, 2 - k % 2)  # fine for odd k (reshape to (3, 1)), raises for even
    return no_check(channels, k)


def own_value_error(channels, k):
    raise ValueError("my kernel code is not done")


IDENTITY_WRONG = {
    "off by one: tap k // 2 + 1": (lambda c, k: identity_kernel(c, k, tap=lambda k: min(k // 2 + 1, k - 1)),
                                   "not at the centre .* \\(off by one\\)"),
    "sign error": (lambda c, k: identity_kernel(c, k, value=-1.0), "negates x \\(a sign error\\)"),
    "constant": (lambda c, k: torch.ones(c, c, k), "\\(a constant\\)"),
    "wrong shape: depthwise": (lambda c, k: identity_kernel(c, k)[:, :1], "depthwise shape \\(3, 1, 3\\)"),
    "wrong shape: (C, k)": (lambda c, k: torch.zeros(c, k), "shape \\(3, 3\\), expected \\(3, 3, 3\\)"),
    "classic: even k accepted": (no_check, "k=2 is even.*raise ValueError"),
    "mixes channels": (mixes, "mixes channels"),
    "own ValueError on odd k": (own_value_error, "your function own_value_error raised ValueError: my kernel code is "
                                "not done on input \\(channels=3, k=3\\)"),
    "a library's ValueError taken as 'even'": (library_value_error, "came from inside a library"),
}


def test_identity_kernel_accepts_the_right_answer():
    assert check_identity_kernel(identity_kernel).passed


@pytest.mark.parametrize("name", IDENTITY_WRONG)
def test_identity_kernel_names_the_mistake(name):
    reject(check_identity_kernel, *IDENTITY_WRONG[name])


def test_stubs_are_not_implemented_yet():
    def stub(*args):
        raise NotImplementedError("Exercise N: write it")

    for check in (check_widen_linear, check_widen_conv_linear, check_identity_kernel):
        v = check(stub)
        assert not v.passed and "not implemented yet (Exercise N: write it)" in v
