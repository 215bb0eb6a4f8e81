"""Small reference models for 1-D signals and 2-D images: the fixed architectures of notebooks 00/01.

* `make_mlp(input_shape, num_classes, hidden)`: flatten -> [Linear -> ReLU] * len(hidden) -> Linear.
* `make_cnn(input_shape, num_classes, channels)`: [Conv -> ReLU] with stride 2 per entry of
  `channels`, global average pooling, Linear head. Conv1d for (C, L) inputs, Conv2d for (C, H, W).

MNIST-1D's reference models (Greydanus & Kobak, "Scaling down deep learning with MNIST-1D", ICML 2024,
arXiv:2011.14439): an MLP with 100 hidden units reaches ~68 %, a 3-layer CNN with 25 channels ~94 %, so
architecture matters there.

Taught in: notebooks/00_welcome.ipynb, 01_grid_vs_random_search.ipynb.
"""

from __future__ import annotations

import math

from torch import nn

from naslab.utils import check_count, check_shape_arg, expect_input


def make_mlp(input_shape: tuple[int, ...], num_classes: int, hidden: tuple[int, ...] = (64,)) -> nn.Sequential:
    """Flatten -> [Linear(d_in, h) -> ReLU for h in hidden] -> Linear(., num_classes).

    A batch of the wrong shape raises a ValueError naming the expected shape.
    """
    input_shape = check_shape_arg(input_shape, dims=(1, 2, 3))
    check_count(num_classes, "num_classes")
    hidden = _widths(hidden, "hidden")
    layers: list[nn.Module] = [nn.Flatten()]
    d = math.prod(input_shape)  # (C, L) or (C, H, W) -> C*L or C*H*W
    for h in hidden:
        layers += [nn.Linear(d, h), nn.ReLU()]
        d = h
    layers.append(nn.Linear(d, num_classes))
    return expect_input(nn.Sequential(*layers), input_shape, "make_mlp")


def _widths(widths, name: str) -> tuple[int, ...]:
    if isinstance(widths, (int, str)) or not hasattr(widths, "__iter__"):
        raise ValueError(f"{name}={widths!r} must be a tuple of ints >= 1, e.g. (64,) or (100, 100)")
    return tuple(check_count(w, f"{name} entry") for w in widths)


def make_cnn(
    input_shape: tuple[int, ...], num_classes: int, channels: tuple[int, ...] = (16, 16), kernel_size: int = 3
) -> nn.Sequential:
    """[Conv(k, stride 2, same-ish padding) -> ReLU] per entry of `channels` -> global avg pool -> Linear."""
    input_shape = check_shape_arg(input_shape)
    check_count(num_classes, "num_classes")
    channels = _widths(channels, "channels")
    check_count(kernel_size, "kernel_size")
    conv = nn.Conv1d if len(input_shape) == 2 else nn.Conv2d
    pool = nn.AdaptiveAvgPool1d(1) if len(input_shape) == 2 else nn.AdaptiveAvgPool2d(1)
    layers: list[nn.Module] = []
    c = input_shape[0]
    for c_out in channels:
        layers += [conv(c, c_out, kernel_size, stride=2, padding=kernel_size // 2), nn.ReLU()]
        c = c_out
    layers += [pool, nn.Flatten(), nn.Linear(c, num_classes)]
    return expect_input(nn.Sequential(*layers), input_shape, "make_cnn")
