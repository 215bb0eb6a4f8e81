"""A Zoph & Le style macro search space: a child network is a stack of conv layers chosen by tokens.

Zoph & Le (ICLR 2017, arXiv:1611.01578, §3.1-3.3): a controller emits, for every layer, a few
categorical tokens (number of filters, kernel size, stride...) and, optionally, "anchor" tokens that
choose skip connections to earlier layers. `MacroSpace` is that action space, small enough for a CPU.

API (stable; notebooks 02-04 use it):

    space = MacroSpace(n_layers=3, filters=(8, 32), kernels=(3, 7), strides=(1, 2), skips=False)
    space.size                       # number of architectures = prod(space.num_choices)
    space.num_choices                # choices per token, e.g. [2, 2, 2, 2, 2, 2, ...] (length T)
    space.decision_names             # "L0.filters", "L0.kernel", ..., "L2.skip0" (length T)
    arch = space.sample(rng)         # uniform; rng = int seed, numpy Generator or None (seed 0)
    space.enumerate()                # every architecture, in token order (only when size <= limit)
    tokens = space.encode(arch)      # list[int] of length T; space.decode(tokens) gives arch back
    str(arch), arch.key              # readable text; a compact stable string key ("8-3-2|32-7-1+0")
    arch.to_dict(), Architecture.from_dict(d), space.parse(arch.key)   # JSON round trips
    net = space.build(arch, input_shape, num_classes)   # nn.Module for (C, L) or (C, H, W) inputs; it
                                     # raises a clear ValueError for a batch of another shape

Tokens per layer i: [filters, kernel, stride, (pool if `pools`)] then, when `skips=True`, one binary token per earlier
layer j <= i-2 ("does layer j also feed layer i?"). Layer i always reads layer i-1 (the input for i = 0); chosen skip
inputs are average-pooled to its spatial size and concatenated along channels (the paper zero-pads instead). Each
layer is Conv -> BatchNorm -> ReLU (-> pool); the head is global average pooling -> Linear. Shrink rule (never crashes
mid-search): a stride s or a pool (window 2) reduces an axis of length n to ceil(n / s) and is skipped (factor 1) on
any axis whose length is already 1; with odd kernels and padding k // 2 no axis ever drops below length 1.
`space.shapes(arch, input_shape)` lists the per-layer shapes. The networks themselves (`ChildNet`, the shrink
rule, `build`) are in `naslab.controller.child_net`; this module holds the space: decisions, tokens, keys.

Taught in: notebooks/02_reinforce_controller.ipynb.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naslab.controller.child_net import ChildBuilder

POOLS = ("none", "max", "avg")


@dataclass(frozen=True)
class Architecture:
    """A decoded child network: per-layer choices plus the skip inputs of every layer.

    Attributes:
        ops: per layer, a tuple of (decision name, value) pairs, e.g. (("filters", 16), ("kernel", 3)).
        inputs: per layer, the earlier layers j (j <= i-2) whose outputs also feed layer i.
    """

    ops: tuple[tuple[tuple[str, Any], ...], ...]
    inputs: tuple[tuple[int, ...], ...]

    def __post_init__(self):
        ok = (isinstance(self.ops, tuple) and isinstance(self.inputs, tuple) and len(self.ops) == len(self.inputs)
              and all(isinstance(layer, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in layer)
                      for layer in self.ops))
        if not ok:
            raise TypeError(f"Architecture(ops={self.ops!r}, inputs={self.inputs!r}): ops must be one tuple of "
                            "(decision, value) pairs per layer and inputs one tuple of ints per layer; "
                            "build it with MacroSpace.decode or MacroSpace.sample")

    def layer(self, i: int) -> dict:
        """The choices of layer i as a dict, e.g. {"filters": 16, "kernel": 3, "stride": 2}."""
        return dict(self.ops[i])

    @property
    def n_layers(self) -> int:
        return len(self.ops)

    @property
    def key(self) -> str:
        """Compact, stable string: layers joined by "|", values by "-", skip inputs after "+"."""
        parts = []
        for op, inp in zip(self.ops, self.inputs):
            s = "-".join(str(v) for _, v in op)
            parts.append(s + ("+" + ",".join(map(str, inp)) if inp else ""))
        return "|".join(parts)

    def __str__(self) -> str:
        lines = []
        for i, (op, inp) in enumerate(zip(self.ops, self.inputs)):
            d = dict(op)
            text = f"L{i}: conv {d.get('filters')} k{d.get('kernel')} s{d.get('stride')}"
            text += "".join(f" {k}={v}" for k, v in op if k not in ("filters", "kernel", "stride"))
            lines.append(text + (f"  <- skip from {', '.join(f'L{j}' for j in inp)}" if inp else ""))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Plain JSON: {"layers": [{"filters": 16, "kernel": 3, "stride": 2, "inputs": []}, ...]}."""
        return {"layers": [{**dict(op), "inputs": list(inp)} for op, inp in zip(self.ops, self.inputs)]}

    @classmethod
    def from_dict(cls, d: dict) -> Architecture:
        layers = d["layers"]
        ops = tuple(tuple((k, v) for k, v in layer.items() if k != "inputs") for layer in layers)
        return cls(ops=ops, inputs=tuple(tuple(int(j) for j in layer.get("inputs", ())) for layer in layers))


@dataclass(frozen=True)
class MacroSpace(ChildBuilder):
    """The macro search space. Every field is a tuple of choices; see the module docstring. Building a
    child (`build`, `make_layer`, `shapes`) comes from `naslab.controller.child_net.ChildBuilder`."""

    n_layers: int = 4
    filters: tuple[int, ...] = (8, 16, 32)
    kernels: tuple[int, ...] = (3, 5, 7)  # odd only: padding k // 2 keeps the length at stride 1
    strides: tuple[int, ...] = (1, 2)
    pools: tuple[str, ...] | None = None  # e.g. ("none", "max"): adds a pool token per layer
    skips: bool = True  # anchor tokens: one binary choice per earlier layer j <= i-2

    def __post_init__(self):
        if isinstance(self.n_layers, bool) or not isinstance(self.n_layers, int) or self.n_layers < 1:
            raise ValueError(f"n_layers={self.n_layers!r} must be a positive int")
        for name, vals, ok in (("filters", self.filters, lambda v: v >= 1),
                               ("kernels", self.kernels, lambda v: v >= 1 and v % 2 == 1),
                               ("strides", self.strides, lambda v: v >= 1)):
            if not isinstance(vals, tuple | list) or not vals \
                    or not all(isinstance(v, int) and not isinstance(v, bool) and ok(v) for v in vals):
                odd = " (odd kernel sizes only, e.g. (1, 3, 5, 7))" if name == "kernels" else ""
                raise ValueError(f"{name}={vals!r} must be a non-empty tuple of positive ints{odd}")
        if self.pools is not None and (not isinstance(self.pools, tuple | list) or not self.pools
                                       or any(p not in POOLS for p in self.pools)):
            raise ValueError(f"pools={self.pools!r} must be None or a non-empty tuple from {list(POOLS)}")
        if not isinstance(self.skips, bool):
            raise ValueError(f"skips={self.skips!r} must be True or False")

    # -- decisions and tokens ------------------------------------------------------------------

    def layer_decisions(self) -> list[tuple[str, tuple]]:
        """The per-layer (name, choices) in token order. Override to add a token type."""
        out = [("filters", tuple(self.filters)), ("kernel", tuple(self.kernels)),
               ("stride", tuple(self.strides))]
        return out + ([("pool", tuple(self.pools))] if self.pools is not None else [])

    def _skip_sources(self, i: int) -> range:
        return range(i - 1) if self.skips else range(0)  # layers j <= i-2 (i-1 is always connected)

    @property
    def decision_names(self) -> list[str]:
        names = []
        for i in range(self.n_layers):
            names += [f"L{i}.{n}" for n, _ in self.layer_decisions()]
            names += [f"L{i}.skip{j}" for j in self._skip_sources(i)]
        return names

    @property
    def num_choices(self) -> list[int]:
        """Number of choices of every token, in order (the controller has one softmax per entry)."""
        per_layer = [len(c) for _, c in self.layer_decisions()]
        return [n for i in range(self.n_layers) for n in per_layer + [2] * len(self._skip_sources(i))]

    @property
    def size(self) -> int:
        return math.prod(self.num_choices)

    def decode(self, tokens: Sequence[int]) -> Architecture:
        """Tokens (ints, one per decision) -> Architecture. ValueError on a bad length or value."""
        tokens = list(tokens)
        n = self.num_choices
        if len(tokens) != len(n):
            raise ValueError(f"expected {len(n)} tokens ({self.n_layers} layers; decisions "
                             f"{self.decision_names}), got {len(tokens)}")
        for t, (a, k, name) in enumerate(zip(tokens, n, self.decision_names)):
            if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not 0 <= a < k:
                raise ValueError(f"token {t} ({name}) = {a!r} is out of range; allowed: ints 0..{k - 1}")
        it = iter(int(a) for a in tokens)
        ops, inputs = [], []
        for i in range(self.n_layers):
            ops.append(tuple((name, choices[next(it)]) for name, choices in self.layer_decisions()))
            inputs.append(tuple(j for j in self._skip_sources(i) if next(it) == 1))
        return Architecture(tuple(ops), tuple(inputs))

    def encode(self, arch: Architecture) -> list[int]:
        """Architecture -> tokens (the inverse of `decode`). ValueError if it is not in this space."""
        if not isinstance(arch, Architecture):
            raise ValueError(f"arch must be an Architecture, got {type(arch).__name__}")
        if arch.n_layers != self.n_layers:
            raise ValueError(f"arch has {arch.n_layers} layers; this space has n_layers={self.n_layers}")
        tokens = []
        for i, (op, inp) in enumerate(zip(arch.ops, arch.inputs)):
            d = dict(op)
            for name, choices in self.layer_decisions():
                if name not in d or d[name] not in choices:
                    raise ValueError(f"layer {i} {name}={d.get(name)!r}; allowed: {list(choices)}")
                tokens.append(choices.index(d[name]))
            allowed = list(self._skip_sources(i))
            if any(j not in allowed for j in inp):
                raise ValueError(f"layer {i} skip inputs {list(inp)} not allowed; allowed sources: {allowed}")
            tokens += [int(j in inp) for j in allowed]
        return tokens

    def parse(self, key: str) -> Architecture:
        """Architecture from its `key` string (values matched by their text)."""
        ops, inputs = [], []
        for part in str(key).split("|"):
            head, _, skip = part.partition("+")
            vals = head.split("-")
            decisions = self.layer_decisions()
            if len(vals) != len(decisions):
                names = [n for n, _ in decisions]
                raise ValueError(f"key part {part!r} needs {len(decisions)} values ({names})")
            op = []
            for v, (name, choices) in zip(vals, decisions):
                match = [c for c in choices if str(c) == v]
                if not match:
                    raise ValueError(f"{name}={v!r} in key {key!r} is not one of {list(choices)}")
                op.append((name, match[0]))
            ops.append(tuple(op))
            inputs.append(tuple(int(j) for j in skip.split(",")) if skip else ())
        arch = Architecture(tuple(ops), tuple(inputs))
        self.encode(arch)  # validates layer count and skip sources
        return arch

    # -- sampling and enumeration --------------------------------------------------------------

    def sample(self, rng=None) -> Architecture:
        """A uniformly random architecture (uniform tokens = uniform architectures: decode is a bijection)."""
        if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0):
            rng = np.random.default_rng(0 if rng is None else int(rng))
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng={rng!r} must be an int seed >= 0, a numpy Generator or None")
        return self.decode([int(rng.integers(k)) for k in self.num_choices])

    def enumerate(self, limit: int = 100_000) -> Iterator[Architecture]:
        """Every architecture in token (lexicographic) order; ValueError when size > limit."""
        if self.size > limit:
            raise ValueError(f"space has {self.size:,} architectures, more than limit={limit:,}; "
                             "use a smaller space or pass a larger limit")
        for tokens in itertools.product(*(range(k) for k in self.num_choices)):
            yield self.decode(tokens)
