"""Largest output difference of noise-free Net2Net over many random shapes.

    python tools/experiments/net2net_preservation.py --n 1000

Draws random teachers for every supported pair (Linear->Linear, Conv1d->Conv1d, Conv2d->Conv2d,
Conv->Flatten->Linear in 1-D and 2-D), with and without BatchNorm (random gamma, beta and running
statistics), applies a random sequence of 1-4 Net2Wider / Net2Deeper moves, and reports the max
|student(X) - teacher(X)| in eval mode (float32). tests/test_net2net.py asserts <= 1e-5 on the
same kinds of cases (hypothesis); this script measures how far below that bound we are.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from naslab.net2net.network import deepen_layer, make_plain_net, weight_layers, widen_layer
from naslab.net2net.preservation import measure_preservation
from naslab.utils import script_threads

ARCHS = {  # pair kinds, as EAS-style tokens (the output Linear is appended)
    "linear->linear": ("fc-{a} fc-{b}", 1),
    "conv1d->conv1d": ("conv-{a}-3 conv-{b}-{k}", 1),
    "conv2d->conv2d": ("conv-{a}-3 conv-{b}-{k}", 2),
    "conv1d->flatten->linear": ("conv-{a}-{k} pool fc-{b}", 1),
    "conv2d->flatten->linear": ("conv-{a}-{k} pool fc-{b}", 2),
}


def case(rng: np.random.Generator, kind: str, bn: bool, seed: int) -> float:
    tokens, dim = ARCHS[kind]
    arch = tokens.format(a=rng.integers(1, 9), b=rng.integers(1, 9), k=rng.choice([1, 3, 5]))
    size = int(rng.integers(2, 13))
    shape = (int(rng.integers(1, 4)), size) if dim == 1 else (int(rng.integers(1, 4)), size, size)
    torch.manual_seed(seed)
    teacher = make_plain_net(shape, int(rng.integers(2, 11)), arch, bn=bn).eval()
    with torch.no_grad():
        for m in teacher.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.normal_(), m.bias.normal_(), m.running_mean.normal_()
                m.running_var.uniform_(0.5, 2.0)
    X = torch.randn(32, *shape) * float(rng.uniform(0.5, 3.0))
    student = teacher
    for s in range(int(rng.integers(1, 5))):
        k = int(rng.integers(0, len(weight_layers(student)) - 1))
        if rng.random() < 0.5:
            n = student[weight_layers(student)[k]].weight.shape[0]
            student = widen_layer(student, k, n + int(rng.integers(1, 9)), seed=seed + s)
        else:
            student = deepen_layer(student, k, kernel_size=int(rng.choice([1, 3, 5])), X=X)
    return measure_preservation(teacher, student, X, modes=("eval",)).max_abs["eval"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=1000, help="random cases (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    script_threads()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    worst: dict = {}
    for i in range(args.n):
        kind, bn = str(rng.choice(list(ARCHS))), bool(rng.random() < 0.5)
        gap = case(rng, kind, bn, args.seed * 100_000 + i)
        key = f"{kind}{' +BN' if bn else ''}"
        worst[key] = max(worst.get(key, 0.0), gap)
    for key, gap in sorted(worst.items()):
        print(f"{key:<32} max |diff| = {gap:.2e}")
    print(f"{args.n} cases in {time.perf_counter() - t0:.0f} s: largest output difference {max(worst.values()):.2e} "
          "(bound asserted by the tests: 1e-5)")


if __name__ == "__main__":
    main()
