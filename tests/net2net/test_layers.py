"""Net2Net preserves the function: property tests over random shapes (hypothesis), plus the formulas.

Oracle: the teacher's own outputs. Every supported pair (Linear->Linear, Conv1d->Conv1d,
Conv2d->Conv2d, Conv->Linear through a flatten), with and without BatchNorm, widened or deepened
without noise, must give the same outputs within 1e-5 (float32, eval mode); so must sequences of
several transformations.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from naslab.net2net.layers import replica_counts, widen_pair, wider_mapping
from naslab.net2net.network import deepen_layer, describe, make_plain_net, weight_layers, widen_layer
from naslab.net2net.preservation import measure_preservation

TOL = 1e-5
PROP = settings(max_examples=25, deadline=None, derandomize=True)
GAPS: list[float] = []  # every eval-mode gap the property tests measured


@pytest.fixture(scope="module", autouse=True)
def _report_largest_gap():
    """`pytest -s tests/net2net/test_layers.py` prints the largest output difference seen (the README quotes it)."""
    yield
    if GAPS:
        print(f"\nlargest output difference over {len(GAPS)} property-test cases: {max(GAPS):.2e} (bound {TOL})")


def randomise_bn(model: nn.Module, seed: int) -> nn.Module:
    """Give every BatchNorm non-trivial gamma, beta and running statistics (so remapping is tested)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                c = m.num_features
                m.weight.copy_(torch.randn(c, generator=g))
                m.bias.copy_(torch.randn(c, generator=g))
                m.running_mean.copy_(torch.randn(c, generator=g))
                m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
    return model.eval()


def eval_gap(teacher, student, X) -> float:
    return measure_preservation(teacher, student, X, modes=("eval",)).max_abs["eval"]


def assert_preserved(teacher, student, X) -> None:
    """The property: eval-mode outputs equal within TOL (the gap is kept for the report)."""
    GAPS.append(eval_gap(teacher, student, X))
    assert GAPS[-1] <= TOL


def pair_model(kind: str, bn: bool, n: int, p: int, c: int, size: int, pool: bool, seed: int):
    """A two-layer model of the given pair kind, and an input batch."""
    torch.manual_seed(seed)
    if kind == "linear":
        mods = [nn.Linear(c, n), *([nn.BatchNorm1d(n)] if bn else []), nn.ReLU(), nn.Linear(n, p)]
        return randomise_bn(nn.Sequential(*mods), seed), torch.randn(6, c)
    dim = 1 if kind.endswith("1d") else 2
    conv, norm = (nn.Conv1d, nn.BatchNorm1d) if dim == 1 else (nn.Conv2d, nn.BatchNorm2d)
    pooling = [(nn.MaxPool1d if dim == 1 else nn.MaxPool2d)(2)] if pool and size >= 2 else []
    mods = [conv(c, n, 3, padding=1), *([norm(n)] if bn else []), nn.ReLU(), *pooling]
    if kind.startswith("conv-linear"):
        out = size // 2 if pooling else size
        mods += [nn.Flatten(), nn.Linear(n * out ** dim, p)]
    else:
        mods += [conv(n, p, 3, padding=1)]
    X = torch.randn(6, c, size) if dim == 1 else torch.randn(6, c, size, size)
    return randomise_bn(nn.Sequential(*mods), seed), X


PAIRS = ["linear", "conv1d", "conv2d", "conv-linear1d", "conv-linear2d"]


@PROP
@given(kind=st.sampled_from(PAIRS), bn=st.booleans(), n=st.integers(1, 6), extra=st.integers(1, 6),
       p=st.integers(1, 5), c=st.integers(1, 3), size=st.integers(1, 6), pool=st.booleans(),
       seed=st.integers(0, 10_000))
def test_widen_preserves_every_pair(kind, bn, n, extra, p, c, size, pool, seed):
    teacher, X = pair_model(kind, bn, n, p, c, size, pool, seed)
    student = widen_layer(teacher, 0, n + extra, seed=seed)
    assert student[0].weight.shape[0] == n + extra
    assert_preserved(teacher, student, X)


@PROP
@given(kind=st.sampled_from(PAIRS), bn=st.booleans(), n=st.integers(1, 6), ks=st.sampled_from([1, 3, 5]),
       c=st.integers(1, 3), size=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_deepen_preserves_every_layer_kind(kind, bn, n, ks, c, size, seed):
    teacher, X = pair_model(kind, bn, n, 3, c, size, False, seed)
    student = deepen_layer(teacher, 0, kernel_size=ks, X=X)
    assert len(weight_layers(student)) == len(weight_layers(teacher)) + 1
    assert_preserved(teacher, student, X)


@PROP
@given(dim=st.sampled_from([1, 2]), bn=st.booleans(), n_steps=st.integers(2, 5), seed=st.integers(0, 10_000),
       data=st.data())
def test_sequences_of_transformations_preserve(dim, bn, n_steps, seed, data):
    shape = (1, 12) if dim == 1 else (1, 8, 8)
    arch = data.draw(st.sampled_from(["conv-3-3 pool fc-4", "conv-2-3 conv-3-1 pool conv-2-5 fc-3 fc-2",
                                      "fc-5", "conv-2-3 gap fc-3", "conv-4-3-s2 conv-3-3"]))
    torch.manual_seed(seed)
    teacher = randomise_bn(make_plain_net(shape, 4, arch, bn=bn), seed)
    X = torch.randn(8, *shape)
    student = teacher
    for s in range(n_steps):
        k = data.draw(st.integers(0, len(weight_layers(student)) - 2))
        if data.draw(st.booleans()):
            w = student[weight_layers(student)[k]].weight.shape[0]
            student = widen_layer(student, k, w + data.draw(st.integers(1, 4)), seed=seed + s)
        else:
            student = deepen_layer(student, k, kernel_size=data.draw(st.sampled_from([1, 3])), X=X)
    assert_preserved(teacher, student, X)


def test_widen_pair_matches_the_formulas():
    """U1[j] = W1[g(j)], c1[j] = b1[g(j)], U2[:, j] = W2[:, g(j)] / count(g(j)); BN remapped with g."""
    torch.manual_seed(0)
    a, b, bn = nn.Linear(3, 4), nn.Linear(4, 2), randomise_bn(nn.BatchNorm1d(4), 1)
    g = torch.tensor([0, 1, 2, 3, 1, 1, 0])
    w = widen_pair(a, b, 7, bn=bn, g=g)
    counts = replica_counts(g, 4)
    assert counts.tolist() == [2, 3, 1, 1]
    for j in range(7):
        assert torch.equal(w.layer.weight[j], a.weight[g[j]]) and w.layer.bias[j] == a.bias[g[j]]
        assert torch.allclose(w.next_layer.weight[:, j], b.weight[:, g[j]] / counts[g[j]])
        assert w.bn.running_var[j] == bn.running_var[g[j]] and w.bn.weight[j] == bn.weight[g[j]]
    assert torch.equal(w.next_layer.bias, b.bias)


def test_wider_mapping_keeps_old_units_and_samples_new_ones():
    g = wider_mapping(5, 40, generator=torch.Generator().manual_seed(0))
    assert g[:5].tolist() == list(range(5)) and g.min() >= 0 and g.max() < 5
    assert len(set(g[5:].tolist())) > 1  # random copies, not always the same unit


def test_noise_changes_outputs_slightly_and_breaks_replicas():
    torch.manual_seed(0)
    teacher = make_plain_net((1, 8, 8), 10, "conv-4-3 pool fc-8").eval()
    X = torch.randn(16, 1, 8, 8)
    exact = widen_layer(teacher, 0, 8, seed=3)
    noisy = widen_layer(teacher, 0, 8, noise=1e-2, seed=3)
    gap = eval_gap(teacher, noisy, X)
    out_scale = teacher(X).abs().max().item()
    assert 1e-6 < gap < 0.05 * out_scale  # changed, but only a little
    i, j = weight_layers(teacher)[:2]
    g = widen_pair(teacher[i], teacher[j], 8, seed=3).g  # the same seed draws the same mapping
    W_exact, W_noisy = exact[0].weight, noisy[0].weight
    for j in range(4, 8):  # replicas: identical without noise, different with it
        assert torch.equal(W_exact[j], W_exact[g[j]])
        assert not torch.allclose(W_noisy[j], W_noisy[g[j]])
    assert torch.equal(W_noisy[:4], teacher[0].weight)  # the original units are untouched


def test_random_init_students_change_the_function():
    torch.manual_seed(0)
    teacher = make_plain_net((1, 12), 3, "conv-3-3 fc-4").eval()
    X = torch.randn(8, 1, 12)
    for student in (widen_layer(teacher, 0, 6, init="random"), deepen_layer(teacher, 0, init="random")):
        assert eval_gap(teacher, student, X) > 1e-3
    assert describe(widen_layer(teacher, 0, 6, init="random")) == describe(widen_layer(teacher, 0, 6))


def test_widened_batchnorm_is_exact_in_train_mode_but_inserted_batchnorm_is_not():
    torch.manual_seed(0)
    teacher = randomise_bn(make_plain_net((1, 8, 8), 10, "conv-4-3 pool fc-8", bn=True), 0)
    X, X_other = torch.randn(32, 1, 8, 8), torch.randn(32, 1, 8, 8) * 2 + 1
    wide = measure_preservation(teacher, widen_layer(teacher, 0, 9), X_other)
    assert wide.max_abs["train"] <= TOL and wide.max_abs["eval"] <= TOL
    deep = measure_preservation(teacher, deepen_layer(teacher, 0, X=X), X_other)
    assert deep.max_abs["eval"] <= TOL < deep.max_abs["train"]
    assert "batch" in deep.explanation and "1 new BatchNorm" in deep.explanation
    assert teacher[1].running_mean.abs().sum() > 0 and teacher.training is False  # the teacher is untouched


def test_plain_net_tokens_round_trip_and_shapes():
    for shape in [(1, 40), (1, 8, 8)]:
        for arch in ["conv-8-3 pool conv-16-5 pool fc-32", "fc-16 fc-8", "conv-4-1-s2 gap"]:
            net = make_plain_net(shape, 10, arch, bn=True)
            assert describe(net) == arch
            assert net.eval()(torch.zeros(2, *shape)).shape == (2, 10)


@pytest.mark.parametrize("call, words", [
    (lambda m: deepen_layer(m, 0, kernel_size=2), "even"),
    (lambda m: deepen_layer(m, 0, kernel_size=4), "centre"),
    (lambda m: widen_layer(m, 2, 20), "output layer"),
    (lambda m: widen_layer(m, 0, 4), "larger than the current width"),
    (lambda m: deepen_layer(m, 0, bn=True), "needs X"),
    (lambda m: widen_layer(m, 0, 8, init="copy"), "allowed"),
])
def test_refusals_are_clear(call, words):
    model = make_plain_net((1, 8, 8), 10, "conv-4-3 pool fc-8")
    with pytest.raises(ValueError, match=words):
        call(model)


@pytest.mark.parametrize("act", [nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.LeakyReLU()])
def test_deepen_refuses_non_idempotent_activations(act):
    model = nn.Sequential(nn.Linear(3, 4), act, nn.Linear(4, 2))
    with pytest.raises(ValueError, match="not idempotent"):
        deepen_layer(model, 0)
    widen_layer(model, 0, 6)  # widening does not care about the activation


def test_deepen_accepts_other_idempotent_activations():
    X = torch.randn(8, 3) * 5
    for act in (nn.ReLU6(), nn.Hardtanh()):
        model = nn.Sequential(nn.Linear(3, 4), act, nn.Linear(4, 2))
        assert eval_gap(model, deepen_layer(model, 0), X) <= TOL


def test_unsupported_pairs_and_modules_are_refused():
    with pytest.raises(ValueError, match="supported pairs"):
        widen_pair(nn.Linear(4, 8), nn.Conv1d(8, 3, 1), 9)
    with pytest.raises(ValueError, match="supported pairs"):
        widen_pair(nn.Conv1d(1, 4, 3), nn.Conv2d(4, 3, 1), 9)
    with pytest.raises(ValueError, match="cannot widen through"):
        widen_layer(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Unflatten(1, (2, 4)), nn.Conv1d(2, 3, 1)), 0, 9)
    with pytest.raises(ValueError, match="cannot widen through"):
        widen_layer(nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 2)), 0, 9)
    with pytest.raises(ValueError, match="unknown token"):
        make_plain_net((1, 8, 8), 10, "conv-4 fc-8")
    with pytest.raises(ValueError, match="nn.Sequential"):
        widen_layer(nn.Linear(3, 3), 0, 5)
