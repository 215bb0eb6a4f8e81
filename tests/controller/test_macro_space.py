"""naslab.controller.macro_space: tokens <-> architectures, keys, sampling, enumeration (building: test_child_net)."""

import itertools
import json
import math
from collections import Counter

import numpy as np
import pytest

from naslab.controller.macro_space import Architecture, MacroSpace

SPACES = [
    MacroSpace(),
    MacroSpace(n_layers=3, filters=(8, 32), kernels=(3, 7), strides=(1, 2), skips=False),
    MacroSpace(n_layers=5, filters=(4, 6), kernels=(1, 3, 5, 7), strides=(1, 2, 3), pools=("none", "max", "avg")),
    MacroSpace(n_layers=1, filters=(3,), kernels=(5,), strides=(2,)),
]


@pytest.mark.parametrize("space", SPACES, ids=lambda s: f"L{s.n_layers}")
def test_decode_encode_roundtrip_for_many_samples(space):
    rng = np.random.default_rng(0)
    for _ in range(200):
        arch = space.sample(rng)
        tokens = space.encode(arch)
        assert len(tokens) == len(space.num_choices) == len(space.decision_names)
        assert space.decode(tokens) == arch
        assert space.parse(arch.key) == arch
        assert Architecture.from_dict(json.loads(json.dumps(arch.to_dict()))) == arch
        assert hash(arch) == hash(space.decode(tokens))


def test_size_matches_formula_and_enumeration():
    s = MacroSpace(n_layers=3, filters=(8, 32), kernels=(3, 7), strides=(1, 2), skips=True)
    per_layer = 2 * 2 * 2
    assert s.size == per_layer ** 3 * 2 ** 1  # one skip token: layer 2 may read layer 0
    archs = list(s.enumerate())
    assert len(archs) == s.size == len(set(archs)) == len({a.key for a in archs})
    assert MacroSpace().size == 18 ** 4 * 2 ** 3
    with pytest.raises(ValueError, match="limit"):
        next(MacroSpace().enumerate(limit=1000))


def test_sampling_is_uniform_and_seeded():
    s = MacroSpace(n_layers=3, filters=(8, 16), kernels=(3,), strides=(1, 2), skips=False)  # 2^6 = 64 archs
    rng = np.random.default_rng(1)
    n = 64 * 100
    counts = Counter(s.sample(rng).key for _ in range(n))
    assert len(counts) == s.size
    expected, sd = n / s.size, math.sqrt(n / s.size)
    assert all(abs(c - expected) < 5 * sd for c in counts.values())
    assert s.sample(7) == s.sample(7)
    assert len({s.sample(seed).key for seed in range(30)}) > 10


def test_key_and_str_are_readable():
    s = MacroSpace(n_layers=3)
    arch = s.decode([2, 0, 1, 0, 1, 0, 1, 2, 1, 1])
    assert arch.key == "32-3-2|8-5-1|16-7-2+0"
    assert "L2: conv 16 k7 s2" in str(arch) and "skip from L0" in str(arch)
    assert arch.layer(0) == {"filters": 32, "kernel": 3, "stride": 2}


def test_bad_tokens_give_clear_errors():
    s = MacroSpace(n_layers=2)
    with pytest.raises(ValueError, match="expected 6 tokens"):
        s.decode([0, 0, 0])
    with pytest.raises(ValueError, match=r"L0.kernel.*allowed: ints 0..2"):
        s.decode([0, 3, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="out of range"):
        s.decode([0, 0, -1, 0, 0, 0])
    with pytest.raises(ValueError, match="out of range"):
        s.decode([0, 0, True, 0, 0, 0])
    with pytest.raises(ValueError, match="allowed"):
        s.encode(Architecture.from_dict({"layers": [{"filters": 99, "kernel": 3, "stride": 1}] * 2}))
    with pytest.raises(ValueError, match="n_layers=2"):
        s.encode(MacroSpace(n_layers=3).sample(0))
    with pytest.raises(ValueError, match="not one of"):
        s.parse("8-4-1|8-3-1")
    with pytest.raises(ValueError, match="must be"):
        s.sample("seed")
    with pytest.raises(ValueError, match=r"\(C, L\) or \(C, H, W\)"):
        s.build(s.sample(0), (40,), 10)


@pytest.mark.parametrize("kwargs, match", [
    ({"kernels": (2, 3)}, "odd"), ({"filters": ()}, "filters"), ({"strides": (0,)}, "strides"),
    ({"pools": ("max", "median")}, "pools"), ({"n_layers": 0}, "n_layers"),
])
def test_bad_space_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MacroSpace(**kwargs)


def test_enumerate_order_is_token_order():
    s = MacroSpace(n_layers=2, filters=(4, 8), kernels=(3,), strides=(1, 2), skips=False)
    got = [s.encode(a) for a in s.enumerate()]
    assert got == [list(t) for t in itertools.product(*(range(k) for k in s.num_choices))]
