"""Checks for the exercises of notebook 04 (Net2Net); contract in `naslab.checking`.

* `check_widen_linear(fn)`: a hand-written Net2WiderNet on two linear layers preserves the function
  (the notebook's Exercise 1 is now `naslab.net2net.checks_bn.check_widen_bn`, through a BatchNorm).
* `check_widen_conv_linear(fn)`: the same for a conv layer followed by a linear one (flatten in between).
* `check_identity_kernel(fn)`: a hand-written identity convolution kernel (Net2DeeperNet); even k refused
  by the student's own `ValueError`.

Every returned tensor's shape is compared with the expected one *before* it is used, so a wrong axis
gives "expected (q, d), got (n, q)" instead of a torch RuntimeError; a wrong divisor is named
(none, a constant, replica count ± 1, a sign). An answer that calls naslab's own Net2Net code
(`widen_pair`, `identity_conv`, ...) is refused (`call_student(forbid=FORBID)`).

Taught in: notebooks/04_net2net.ipynb (§ Exercises).
"""

from __future__ import annotations

import traceback

import torch
from torch import nn
from torch.nn import functional as F

from naslab.checking import NotImplementedYet, call_student, describe, expect, fail, graded
from naslab.net2net.layers import replica_counts, widen_pair, wider_mapping

# naslab's own Net2Net code: the exercises ask for these steps by hand
FORBID = ("naslab.net2net.layers", "naslab.net2net.network", "naslab.net2net.deeper")


def _callable(fn, check: str) -> None:
    """A check's own TypeError for an answer that is not a function (a stub None is handled by `graded`)."""
    if not callable(fn):
        raise TypeError(f"{check}(fn): fn must be your function, got {type(fn).__name__} {describe(fn)}")


def _cases(seed: int):
    gen = torch.Generator().manual_seed(seed)
    for d, n, q, p in [(5, 3, 7, 4), (1, 1, 4, 2), (8, 6, 9, 10), (4, 2, 6, 3)]:
        yield gen, d, n, q, p


def _three(out, call: str):
    expect(isinstance(out, (tuple, list)) and len(out) == 3, f"{call} returned {describe(out)}: return the tuple "
           "(U1, c1, U2) (wrong shape)")
    try:
        return [torch.as_tensor(t, dtype=torch.float32) for t in out]
    except (TypeError, ValueError, RuntimeError) as e:
        fail(f"{call} returned {describe(out)}, which are not tensors ({e})")


def _shape(name: str, t: torch.Tensor, want: tuple, hint: str) -> None:
    expect(tuple(t.shape) == tuple(want), f"{name} has shape {tuple(t.shape)}, expected {tuple(want)}: {hint} "
           "(wrong shape or axis)")


def divisor_slip(U2: torch.Tensor, W2g: torch.Tensor, count: torch.Tensor) -> str:
    """Name what the outgoing weights were divided by. U2, W2g: (p, q, s) with W2g = W2 viewed and indexed by g."""
    mask = W2g.abs() > 1e-3
    if not torch.isfinite(U2).all():
        return "U2 has inf or NaN entries: did you divide by the replica count - 1 (off by one), or by zero?"
    if not mask.any():
        return ""
    d = torch.where(mask, W2g / torch.where(U2 == 0, torch.full_like(U2, float("nan")), U2), torch.nan)
    per = torch.nanmedian(d.transpose(0, 1).reshape(d.shape[1], -1), dim=1).values  # (q,)
    c = count.to(per.dtype)
    if torch.allclose(U2, torch.zeros_like(U2)):
        return "U2 is all zeros (a constant): copy W2's columns by g and divide each by its replica count"
    if torch.allclose(per, torch.ones_like(per), atol=1e-4):
        return ("U2 copies W2's columns without dividing them by the replica count |{x : g(x) = g(j)}|: "
                "each copied unit's output is then counted several times")
    if torch.allclose(per, -c, atol=1e-4) or torch.allclose(per, -torch.ones_like(per), atol=1e-4):
        return "U2 has the wrong sign (a sign error): divide by the replica count, do not negate"
    if torch.allclose(per, c + 1, atol=1e-4) or torch.allclose(per, c - 1, atol=1e-4):
        return ("U2 is divided by the replica count ± 1 (off by one): count = bincount(g), unit j's share is "
                "1 / count[g[j]]")
    if torch.allclose(per, per[0].expand_as(per), atol=1e-4) and not torch.allclose(c, c[0].expand_as(c)):
        return (f"U2 divides every column by the same {per[0].item():.3g} (a constant): divide column j by the "
                "replica count of its own unit g[j]")
    return ""


@graded("Exercise 1 (Net2WiderNet by hand)")
def check_widen_linear(fn) -> str:
    """Exercise 1: `fn(W1, b1, W2, g) -> (U1, c1, U2)` must implement Net2WiderNet for Linear->Linear.

    W1 (n, d), b1 (n,), W2 (p, n), g (q,) int64 -> U1 (q, d), c1 (q,), U2 (p, q).
    """
    _callable(fn, "check_widen_linear")
    for gen, d, n, q, p in _cases(0):
        W1, b1, W2 = torch.randn(n, d, generator=gen), torch.randn(n, generator=gen), torch.randn(p, n, generator=gen)
        g = wider_mapping(n, q, generator=gen)
        what = f"W1 ({n}, {d}), b1 ({n},), W2 ({p}, {n}), g = {g.tolist()}"
        out = call_student(fn, W1.clone(), b1.clone(), W2.clone(), g.clone(), what=what, forbid=FORBID)
        U1, c1, U2 = _three(out, f"fn({what})")
        _shape("U1", U1, (q, d), "one row per new unit: copy the *rows* of W1, W1[g]")
        _shape("c1", c1, (q,), "one bias per new unit, b1[g]")
        _shape("U2", U2, (p, q), "one column per new unit: index the *columns* of W2, W2[:, g]")
        x = torch.randn(16, d, generator=gen)
        before = F.relu(x @ W1.T + b1) @ W2.T  # (16, p)
        after = F.relu(x @ U1.T + c1) @ U2.T
        gap = (after - before).abs().max().item()
        if gap < 1e-5:
            continue
        expect(torch.allclose(U1, W1[g]) and torch.allclose(c1, b1[g]), f"U1, c1 are not copies of W1's rows and "
               f"b1's entries by g (n={n}, q={q}): U1 = W1[g], c1 = b1[g]")
        why = divisor_slip(U2[:, :, None], W2[:, g][:, :, None], replica_counts(g, n)[g])
        fail(f"the widened pair changes the output by {gap:.3g} (n={n}, q={q}): "
             + (why or "divide each outgoing column by its replica count |{x : g(x) = g(j)}|"))
    return "✓ check_widen_linear: correct, the widened pair computes the same function on 4 random shapes"


@graded("Exercise 2 (Conv1d -> Flatten -> Linear)")
def check_widen_conv_linear(fn) -> str:
    """Exercise 2 (a new layer pair): Conv1d -> Flatten -> Linear.

    `fn(W1, b1, W2, g, s) -> (U1, c1, U2)` with W1 (n, c, k), b1 (n,), W2 (p, n*s) where s is the
    number of positions per channel after the flatten, g (q,) -> U1 (q, c, k), c1 (q,), U2 (p, q*s).
    """
    _callable(fn, "check_widen_conv_linear")
    for gen, _, n, q, p in _cases(1):
        c, k, L = 2, 3, 5  # s = L: a same-padded conv keeps the length
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(n + q)
            conv, lin = nn.Conv1d(c, n, k, padding=1), nn.Linear(n * L, p)
        g = wider_mapping(n, q, generator=gen)
        ref = widen_pair(conv, lin, q, g=g)
        W1, b1, W2 = (t.detach().clone() for t in (conv.weight, conv.bias, lin.weight))
        what = f"W1 ({n}, {c}, {k}), b1 ({n},), W2 ({p}, {n * L}), g = {g.tolist()}, s = {L}"
        U1, c1, U2 = _three(call_student(fn, W1, b1, W2, g.clone(), L, what=what, forbid=FORBID), f"fn({what})")
        _shape("U1", U1, (q, c, k), "one filter per new channel: copy W1's filters (axis 0), W1[g]")
        _shape("c1", c1, (q,), "one bias per new channel, b1[g]")
        _shape("U2", U2, (p, q * L), f"the Linear layer now reads q * s = {q * L} inputs")
        x = torch.randn(8, c, L, generator=gen)
        before = lin(torch.flatten(F.relu(conv(x)), 1)).detach()
        after = F.linear(torch.flatten(F.relu(F.conv1d(x, U1, c1, padding=1)), 1), U2, lin.bias).detach()
        gap = (after - before).abs().max().item()
        if gap < 1e-5 and torch.allclose(U2, ref.next_layer.weight, atol=1e-6):
            continue
        expect(torch.allclose(U1, W1[g]) and torch.allclose(c1, b1[g]), f"U1, c1 are not W1's filters and b1's "
               f"entries copied by g (n={n}, q={q}): U1 = W1[g], c1 = b1[g]")
        W2g = W2.reshape(p, n, L)[:, g]  # (p, q, s)
        why = divisor_slip(U2.reshape(p, q, L), W2g, replica_counts(g, n)[g])
        fail(f"output changed by {gap:.3g} (n={n}, q={q}): " + (why or (
            f"after the flatten channel i owns the {L} inputs i*s .. i*s+s-1 of the Linear layer: view W2 as "
            "(p, n, s), index and divide on axis 1, then flatten back")))
    return "✓ check_widen_conv_linear: correct, Conv1d -> Flatten -> Linear is widened without changing the output"


def _raised_by_student(e: BaseException) -> bool:
    """True when the exception comes from a `raise` statement in the student's code, not from inside a library
    (a Python frame in torch / numpy, or a C function called on the last line, which is then not a `raise`)."""
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return False
    last = frames[-1]
    in_lib = any(part in last.filename for part in ("/torch/", "/numpy/", "/site-packages/", "/naslab/"))
    return not in_lib and (last.line or "raise").lstrip().startswith("raise")


@graded("Exercise 3 (identity kernel)")
def check_identity_kernel(fn) -> str:
    """Exercise 3: `fn(channels, k) -> weight (C, C, k)` of a Conv1d(padding=k // 2) identity; even k -> ValueError."""
    _callable(fn, "check_identity_kernel")
    x = torch.randn(4, 3, 11, generator=torch.Generator().manual_seed(2))
    for k in (3, 1, 5, 7):
        out = call_student(fn, 3, k, what=f"(channels=3, k={k})", forbid=FORBID)
        try:
            w = torch.as_tensor(out, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            fail(f"k={k}: return a weight tensor of shape (3, 3, {k}), got {describe(out)}")
        if tuple(w.shape) == (3, 1, k):
            fail(f"k={k}: weight has the depthwise shape (3, 1, {k}); a Conv1d(C, C, k) weight is (C_out, C_in, k) = "
                 f"(3, 3, {k}) (wrong shape)")
        _shape("the weight", w, (3, 3, k), f"k={k}: (C_out, C_in, k)")
        y = F.conv1d(x, w, padding=k // 2)
        if y.shape == x.shape and torch.allclose(y, x, atol=1e-6):
            continue
        eye = torch.zeros(3, 3, k)
        eye[range(3), range(3), k // 2] = 1.0
        if torch.allclose(w, -eye):
            fail(f"k={k}: your kernel negates x (a sign error): the centre tap is +1")
        if k > 1 and torch.allclose(w, torch.full_like(w, w.flatten()[0])):
            fail(f"k={k}: every entry of your kernel is {w.flatten()[0].item():g} (a constant): put a 1 only at "
                 f"w[c, c, {k // 2}]")
        taps = [j for j in range(k) if torch.allclose(w[range(3), range(3), j], torch.ones(3))]
        off = w.clone()
        off[range(3), range(3)] = 0
        if off.abs().sum() > 0 and (w[:, :, k // 2] != 0).all():
            fail(f"k={k}: your kernel mixes channels (w[c, c', :] != 0 for c != c'): output channel c must copy only "
                 f"input channel c, so w[c, c, {k // 2}] = 1 and zeros elsewhere")
        if taps and taps[0] != k // 2:
            fail(f"k={k}: the 1 sits at tap {taps[0]}, not at the centre k // 2 = {k // 2}, so the output is x shifted "
                 f"by {k // 2 - taps[0]} (off by one)")
        fail(f"k={k}: conv1d(x, w, padding={k // 2}) is not x; put a 1 at w[c, c, {k // 2}] and zeros elsewhere")
    for k in (2, 4):
        try:
            fn(3, k)
        except NotImplementedError as e:
            raise NotImplementedYet(str(e)) from None
        except ValueError as e:
            expect(_raised_by_student(e), f"k={k}: the ValueError ({e}) came from inside a library, not from your "
                   "code: check k yourself and raise ValueError with a message about even kernels")
            continue
        except Exception as e:
            fail(f"your function raised {type(e).__name__}: {e} on input (channels=3, k={k}): for an even k raise "
                 "ValueError yourself")
        fail(f"k={k} is even: there is no centre tap and padding {k // 2} per side gives length L + 1, so no identity "
             f"exists; raise ValueError")
    return "✓ check_identity_kernel: correct, odd kernels give the identity and even kernels are refused"
