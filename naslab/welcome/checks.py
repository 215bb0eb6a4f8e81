"""Checks for the exercises of notebook 00 (welcome); contract in `naslab.checking`.

* `check_cnn(cnn, cnn_result, mlp_result, data)`: the CNN of exercise 1 is `make_cnn` with channels
  (32, 32, 32) and 10 outputs, trained with the MLP's config (same number of steps, not diverged); its
  reported validation accuracy is recomputed on `data` (never trusted); in class mode it beats the MLP.
* `check_cnn_builder(fn)`: `fn(input_shape, num_classes, channels)` builds the same function as naslab's
  `make_cnn` (oracle: naslab's network with the student's weights copied in must give the same outputs);
  a missing ReLU, stride 1, no padding, max instead of average pooling, a wrong width are named.
* `check_n_params(fn)`: `fn(hidden)` counts the weights and biases of `make_mlp((1, 40), 10, hidden)`
  without building it (forgotten biases, a forgotten output layer, off by one, a list per layer named).

Taught in: notebooks/00_welcome.ipynb (§ Exercises).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.config import is_fast
from naslab.models import make_cnn, make_mlp
from naslab.train import TrainResult, evaluate
from naslab.utils import count_params

CNN_CHANNELS = (32, 32, 32)  # what exercise 1 asks for


@graded("Exercise 1 (a CNN)")
def check_cnn(cnn, cnn_result, mlp_result, data, *, require_win: bool | None = None) -> str:
    """Exercise 1: a trained `make_cnn(data.input_shape, 10, channels=(32, 32, 32))` and its TrainResult.

    Args:
        require_win: the CNN must beat the MLP's validation accuracy (default: in class mode, not in FAST mode).
    """
    expect(isinstance(cnn, nn.Module), f"cnn should be the model you trained (an nn.Module), got {describe(cnn)}")
    convs = [m for m in cnn.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    expect(convs, f"your model has no convolution layer: build it with my_cnn(mnist1d.input_shape, 10, "
           f"{CNN_CHANNELS}), not make_mlp")
    got = tuple(m.out_channels for m in convs)
    expect(got == CNN_CHANNELS, f"your CNN has conv channels {got}, the exercise asks for channels={CNN_CHANNELS}"
           + (" (one layer too many or too few: off by one)" if abs(len(got) - len(CNN_CHANNELS)) == 1 else ""))
    x = data.X_val[:2].to(next(cnn.parameters()).device)
    y = call_student(cnn.eval(), x, what=f"a batch of shape {tuple(x.shape)}", name="your cnn")
    expect(tuple(y.shape) == (2, data.num_classes), f"your CNN maps a batch of shape {tuple(x.shape)} to "
           f"{tuple(y.shape)}, expected (2, {data.num_classes}): one logit per class (wrong shape)")
    for name, r in (("cnn_result", cnn_result), ("mlp_result", mlp_result)):
        expect(isinstance(r, TrainResult), f"{name} should be the TrainResult that train() returned, got {describe(r)}")
    expect(cnn_result is not mlp_result, "cnn_result is the MLP's result: train the CNN and pass what train() returns")
    expect(not cnn_result.diverged, "the CNN's training diverged (loss NaN): keep the MLP's cfg (lr = 1e-2, Adam)")
    expect(cnn_result.steps == mlp_result.steps, f"the CNN trained for {cnn_result.steps} steps, the MLP for "
           f"{mlp_result.steps}: train both with the same cfg (same epochs and batch size) for a fair comparison")
    with torch.no_grad():
        _, acc = evaluate(cnn, data.X_val, data.y_val)
    expect(abs(acc - cnn_result.val_acc) <= 1e-6, f"cnn_result.val_acc = {cnn_result.val_acc:.4f}, but your cnn "
           f"scores {acc:.4f} on the validation split: pass the model you trained with its own result")
    win = (not is_fast()) if require_win is None else require_win
    if win:
        expect(acc > mlp_result.val_acc, f"the CNN ({acc:.3f}) should beat the MLP ({mlp_result.val_acc:.3f}) on "
               "MNIST-1D with the full budget")
    return f"✓ CNN {acc:.3f} vs MLP {mlp_result.val_acc:.3f} after {cnn_result.steps} steps each"


def _cnn_slip(model: nn.Module, channels) -> str:
    """Name how a student's CNN differs from the asked architecture, by looking at its layers."""
    convs = [m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    if tuple(m.out_channels for m in convs) != tuple(channels):
        return f"conv widths {tuple(m.out_channels for m in convs)}, asked {tuple(channels)}"
    if any(m.kernel_size[0] != 3 for m in convs):
        return f"kernel sizes {[m.kernel_size[0] for m in convs]}: every conv has kernel size 3"
    if any(m.stride[0] != 2 for m in convs):
        return f"strides {[m.stride[0] for m in convs]}: every conv has stride 2 (it halves the length)"
    if any(m.padding[0] != 1 for m in convs):
        return f"paddings {[m.padding[0] for m in convs]}: every conv pads 1 on each side (kernel 3 // 2)"
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    if len(relus) < len(convs):
        return f"{len(relus)} ReLUs for {len(convs)} convs: put a ReLU after every conv (without it the convs " \
               "collapse into one linear map)"
    if any(isinstance(m, (nn.AdaptiveMaxPool1d, nn.MaxPool1d)) for m in model.modules()):
        return "max pooling: the head averages over the positions (global average pooling, AdaptiveAvgPool1d(1))"
    return "its outputs differ from the asked network's with the same weights: the order of the layers?"


@graded("Exercise 1 (build a CNN)")
def check_cnn_builder(fn) -> str:
    """`fn(input_shape, num_classes, channels)` must compute what `make_cnn(..., kernel_size=3)` computes."""
    if not callable(fn) or isinstance(fn, nn.Module):
        raise TypeError(f"check_cnn_builder takes your function my_cnn(input_shape, num_classes, channels), got "
                        f"{describe(fn)}")
    for shape, n_cls, channels in [((1, 40), 10, CNN_CHANNELS), ((1, 64), 5, (8, 16)), ((2, 33), 3, (4,))]:
        what = f"({shape}, {n_cls}, {channels})"
        model = call_student(fn, shape, n_cls, channels, what=what, name="my_cnn", forbid=("naslab.models",))
        expect(isinstance(model, nn.Module), f"my_cnn{what} returned {describe(model)}: return an nn.Module")
        ref = make_cnn(shape, n_cls, channels, kernel_size=3)
        mine, theirs = list(model.parameters()), list(ref.parameters())
        if [tuple(p.shape) for p in mine] != [tuple(p.shape) for p in theirs]:
            fail(f"my_cnn{what}: {_cnn_slip(model, channels)} (parameter shapes {[tuple(p.shape) for p in mine]}, "
                 f"expected {[tuple(p.shape) for p in theirs]})")
        with torch.no_grad():
            for p, q in zip(theirs, mine):
                p.copy_(q)  # naslab's network with the student's weights: the same function if the layers agree
            x = torch.randn(4, *shape, generator=torch.Generator().manual_seed(0))
            y = call_student(model.eval(), x, what=f"a batch of shape {tuple(x.shape)}", name="your CNN")
            want = ref.eval()(x)
        expect(tuple(y.shape) == tuple(want.shape), f"my_cnn{what} maps a batch of shape {tuple(x.shape)} to "
               f"{tuple(y.shape)}, expected {tuple(want.shape)}: flatten the pooled (batch, channels, 1) to (batch, "
               "channels) before the linear layer (wrong shape)")
        if not torch.allclose(y, want, atol=1e-5):
            fail(f"my_cnn{what}: {_cnn_slip(model, channels)}")
    return "✓ my_cnn computes the asked network on 3 shapes (same weights, same outputs)"


def _mlp_sizes(hidden, d_in=40, n_classes=10):
    sizes = [d_in, *hidden, n_classes]
    return list(zip(sizes[:-1], sizes[1:]))


@graded("Exercise 2 (count parameters)")
def check_n_params(fn) -> str:
    """`fn(hidden)` must equal `count_params(make_mlp((1, 40), 10, hidden))` on several shapes."""
    cases = [(), (8,), (64, 64), (5, 7, 9), (1,)]
    got = []
    for hidden in cases:
        n = call_student(fn, hidden, what=f"hidden={hidden}", forbid=("naslab.models", "naslab.utils"))
        expect(not isinstance(n, (list, tuple, np.ndarray, dict)), f"n_params({hidden}) returned {describe(n)}: "
               "return one int, the total over all layers, not a count per layer (wrong shape)")
        expect(isinstance(n, (int, np.integer)) and not isinstance(n, bool),
               f"n_params({hidden}) = {n!r} is a {type(n).__name__}: a parameter count is an int")
        got.append(int(n))
    want = [count_params(make_mlp((1, 40), 10, h)) for h in cases]
    if got == want:
        return f"✓ n_params matches count_params on {len(cases)} MLPs, e.g. hidden=(64, 64): {got[2]:,}"
    if len(set(got)) == 1:
        fail(f"n_params returns {got[0]} whatever hidden is (a constant); add up every layer of the MLP")
    for hidden, n, w in zip(cases, got, want):
        if n == w:
            continue
        layers = _mlp_sizes(hidden)
        if n == sum(a * b for a, b in layers):
            fail(f"n_params({hidden}) = {n} counts only the weights: each Linear(d_in, d_out) also has d_out biases")
        if n == sum(a * b + a for a, b in layers):
            fail(f"n_params({hidden}) = {n}: a Linear(d_in, d_out) has d_out biases (one per output), not d_in")
        if n == w - (layers[-1][0] * 10 + 10):
            fail(f"n_params({hidden}) = {n}: you left out the output layer Linear({layers[-1][0]}, 10)")
        expect(n > 0, f"n_params({hidden}) = {n} is not positive (a sign error?)")
        if abs(n - w) in (1, len(layers)):
            fail(f"n_params({hidden}) = {n}, expected {w} (off by one: {n - w:+d})")
        fail(f"n_params({hidden}) = {n}, expected {w}: each Linear(d_in, d_out) has d_in * d_out weights and d_out "
             f"biases; the layers are {layers}")
    raise AssertionError("unreachable")
