"""Homework 4 tests: the widened and deepened separable blocks compute exactly the old function.

Each `check_*` helper takes the function under test, so tests/course/test_hw04_wrong_answers.py can plant
wrong answers in it: when a result matches a known slip, the message names the slip. Calls into naslab's
own Net2Net code are refused (`no_naslab`): the assignment asks for these moves by hand."""

import sys
from pathlib import Path

import pytest
import torch
from my_net2net import identity_depthwise, widen_separable
from torch import nn


def expect(ok: bool, message: str) -> None:
    """An assert whose message is the report's last line (what course/grade.py prints for a failed test)."""
    if not ok:
        raise AssertionError(message)


def no_naslab(fn, *args):
    """fn(*args), refused when it calls into naslab's Net2Net package (a profile hook sees every Python call)."""
    import naslab.net2net.deeper
    import naslab.net2net.layers
    import naslab.net2net.network  # noqa: F401  (imported here, so that an import inside fn is not a "call")

    root, hit = str(Path(naslab.net2net.__file__).resolve().parent), []

    def watch(frame, event, arg):
        if event == "call" and not hit and str(Path(frame.f_code.co_filename).resolve()).startswith(root):
            hit.append(f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name}")

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        out = fn(*args)
    finally:
        sys.setprofile(previous)
    expect(not hit, f"{fn.__name__} called naslab's {hit[0] if hit else ''}: write the Net2Net move yourself")
    return out


def block(c=3, n=4, p=5, k=3, seed=0, bias=True, dtype=torch.float64):
    torch.manual_seed(seed)
    return (nn.Conv1d(c, n, 1, bias=bias).to(dtype), nn.Conv1d(n, n, k, groups=n, padding=k // 2, bias=bias).to(dtype),
            nn.Conv1d(n, p, 1, bias=bias).to(dtype))


def forward(pw1, dw, pw2, x):
    return pw2(torch.relu(dw(torch.relu(pw1(x)))))


def diagnose(old, new, g) -> str:
    """Name the slip of a widened block that changes the output (old, new: the three modules each)."""
    (pw1, dw, pw2), (n1, ndw, n2) = old, new
    count = torch.bincount(g, minlength=pw1.out_channels).to(pw2.weight.dtype)
    if not torch.allclose(n1.weight, pw1.weight[g]):
        return "pw1's output rows are not copied by g (pw1.weight[g])"
    if not torch.allclose(ndw.weight, dw.weight[g]):
        return "dw's per-channel filters are not copied by g (dw.weight[g]): new channel j filters like channel g[j]"
    for name, a, b in (("pw1", n1, pw1), ("dw", ndw, dw)):
        if b.bias is not None and not torch.allclose(a.bias, b.bias[g]):
            return f"{name}'s bias is not copied by g ({name}.bias[g])"
    ratio = pw2.weight[:, g] / n2.weight
    if torch.allclose(ratio, torch.ones_like(ratio)):
        return "pw2's copied columns are not divided by the replica count: each copy's output is counted several times"
    if torch.allclose(ratio, count[g].view(1, -1, 1) + 1) or torch.allclose(ratio, count[g].view(1, -1, 1) - 1):
        return "pw2's columns are divided by the replica count ± 1 (off by one): count = bincount(g)"
    if pw2.bias is not None and not torch.allclose(n2.bias, pw2.bias):
        return "pw2's bias must stay as it was: it is added once per output, whatever the number of channels"
    return "copy pw1's rows and dw's filters by g, divide pw2's columns by the replica count"


def check_widening(fn, g):
    pw1, dw, pw2 = block()
    g = torch.tensor(g)
    new = no_naslab(fn, pw1, dw, pw2, g)
    expect(isinstance(new, (tuple, list)) and len(new) == 3 and all(isinstance(m, nn.Conv1d) for m in new),
           "return the three new nn.Conv1d modules (pw1', dw', pw2')")
    new = [m.double() for m in new]
    x = torch.randn(7, 3, 11, dtype=torch.float64)
    with torch.no_grad():
        a, b = forward(*new, x), forward(pw1, dw, pw2, x)
        gap = (a - b).abs().max().item()
        expect(torch.allclose(a, b, atol=1e-10),
               f"outputs differ by {gap:.3g} for g = {g.tolist()}: " + diagnose((pw1, dw, pw2), new, g))


def check_shapes_and_groups(fn):
    pw1, dw, pw2 = block()
    new1, new_dw, new2 = fn(pw1, dw, pw2, torch.tensor([0, 1, 2, 3, 2, 2]))
    expect(new1.weight.shape == (6, 3, 1) and new2.weight.shape == (5, 6, 1),
           f"pw1' must be (6, 3, 1) and pw2' (5, 6, 1), got {tuple(new1.weight.shape)} and {tuple(new2.weight.shape)}")
    expect(new_dw.groups == 6 and new_dw.weight.shape == (6, 1, 3),
           f"the depthwise conv needs groups = q = 6 and weight (6, 1, 3), got groups={new_dw.groups}, "
           f"{tuple(new_dw.weight.shape)}")


def check_in_place(fn):
    pw1, dw, pw2 = block()
    before = [t.detach().clone() for m in (pw1, dw, pw2) for t in (m.weight, m.bias)]
    fn(pw1, dw, pw2, torch.tensor([0, 1, 2, 3, 0]))
    after = [t for m in (pw1, dw, pw2) for t in (m.weight, m.bias)]
    expect(all(torch.equal(a, b) for a, b in zip(after, before)),
           "the old modules changed: build new ones, leave the teacher's layers as they were")


def check_missing_channel(fn):
    pw1, dw, pw2 = block()
    try:
        fn(pw1, dw, pw2, torch.tensor([0, 1, 3, 3, 1]))
    except ValueError as e:
        expect("[2]" in str(e), f"the ValueError must name the missing channels, e.g. [2]; got {str(e)!r}")
        return
    raise AssertionError("g = [0, 1, 3, 3, 1] never copies channel 2, which would be lost: raise ValueError naming [2]")


def check_identity(fn, k):
    conv = no_naslab(fn, 4, k)
    expect(isinstance(conv, nn.Conv1d), f"return an nn.Conv1d, got {type(conv).__name__}")
    expect(conv.groups == 4 and conv.weight.shape == (4, 1, k),
           f"a depthwise conv has groups = channels = 4 and weight (4, 1, {k}); got groups={conv.groups}, "
           f"{tuple(conv.weight.shape)}")
    x = torch.randn(2, 4, 9)
    with torch.no_grad():
        y = conv(x)
    expect(y.shape == x.shape, f"output length {y.shape[-1]} instead of 9: padding must be k // 2 = {k // 2}")
    if conv.bias is not None:
        expect(torch.allclose(conv.bias, torch.zeros(4)), "the bias is not zero: a fresh nn.Conv1d has a random bias")
    expect(torch.allclose(y, x, atol=1e-7), f"the layer must return its input unchanged: put a 1 at the centre tap "
           f"w[c, 0, {k // 2}] and zeros elsewhere")


def check_even_kernel(fn):
    try:
        fn(4, 2)
    except ValueError as e:
        expect("even" in str(e), f"the ValueError must say the kernel is even, got {str(e)!r}")
        return
    raise AssertionError("k = 2 is even: no centre tap, and padding k // 2 makes the output longer; raise ValueError")


@pytest.mark.parametrize("g", [[0, 1, 2, 3, 0, 0], [3, 2, 1, 0], [0, 1, 2, 3, 1, 3, 3, 2]])
def test_widening_preserves_the_function(g):
    check_widening(widen_separable, g)


def test_widened_shapes_and_groups():
    check_shapes_and_groups(widen_separable)


def test_widening_changes_nothing_in_place():
    check_in_place(widen_separable)


def test_a_missing_channel_is_refused_by_name():
    check_missing_channel(widen_separable)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_identity_depthwise(k):
    check_identity(identity_depthwise, k)


def test_even_kernel_is_refused():
    check_even_kernel(identity_depthwise)
