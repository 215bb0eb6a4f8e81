"""Notebook 07's exercise checks: a right answer and a table of wrong ones per exercise; each wrong one is
rejected with a message naming the slip (the message text is asserted, not only the type)."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from naslab.bakeoff.searchers import mutate
from naslab.checking import CheckError
from naslab.signals import checks
from naslab.signals.bananas import Bananas
from naslab.signals.saliency import synflow


def reject(check, answer, fragment):
    with pytest.raises(CheckError, match=fragment):
        check(answer)


# ---- exercise 1: GradSign -----------------------------------------------------------------------------------


def per_example_grads(net, x, y, weights_only=True):
    """{name: (B, ...)} gradient of each example's own loss, by autograd (one backward per example)."""
    p = {k: v.detach().clone().requires_grad_(True) for k, v in net.params.items()}
    names = [k for k, v in p.items() if v.dim() >= 2 or not weights_only]
    losses = F.cross_entropy(net(x.to(torch.float64), p), y, reduction="none")  # (B,)
    out = {k: [] for k in names}
    for i in range(len(x)):
        g = torch.autograd.grad(losses[i], [p[k] for k in names], retain_graph=True, allow_unused=True)
        for k, gk in zip(names, g):
            out[k].append(torch.zeros_like(p[k]) if gk is None else gk)
    return {k: torch.stack(v) for k, v in out.items()}


def gradsign(net, x, y):
    return float(sum(torch.sign(g).sum(0).abs().sum() for g in per_example_grads(net, x, y).values()))


def _batch_sign(net, x, y):
    return float(sum(torch.sign(g.sum(0)).abs().sum() for g in per_example_grads(net, x, y).values()))


def _abs_inside(net, x, y):
    return float(sum(torch.sign(g).abs().sum() for g in per_example_grads(net, x, y).values()))


def _no_abs(net, x, y):
    return float(sum(torch.sign(g).sum() for g in per_example_grads(net, x, y).values()))


def _values(net, x, y):
    return float(sum(g.sum(0).abs().sum() for g in per_example_grads(net, x, y).values()))


def _with_biases(net, x, y):
    return float(sum(torch.sign(g).sum(0).abs().sum() for g in per_example_grads(net, x, y, False).values()))


def _mean(net, x, y):
    return gradsign(net, x, y) / len(x)


def _sign_pm(net, x, y):
    return float(sum(torch.where(g > 0, 1, -1).sum(0).abs().sum() for g in per_example_grads(net, x, y).values()))


def _mutates(net, x, y):
    s = gradsign(net, x, y)
    for v in net.params.values():
        v.mul_(1.0)
        v.add_(1e-3)
    return s


GRADSIGN_WRONG = {
    "sign of the batch gradient": (_batch_sign, "the sign of the batch's summed gradient"),
    "|.| inside the sum": (_abs_inside, r"\|·\| inside the sum over examples"),
    "no |.|": (_no_abs, r"no \|·\|"),
    "gradient values, not signs": (_values, "the gradient values summed, not their signs"),
    "biases counted": (_with_biases, "the bias gradients counted too"),
    "divided by the batch size": (_mean, "divided by the batch size"),
    "negated": (lambda n, x, y: -gradsign(n, x, y), "the negative of GradSign"),
    "sign(0) = -1": (_sign_pm, r"sign\(0\) taken as \+1 or -1"),
    "not a number": (lambda n, x, y: "high", "a proxy returns one number"),
    "changes the weights": (_mutates, "changed the weights of the net"),
    "the student's own error": (lambda n, x, y: 1 / 0, "raised ZeroDivisionError"),
    "another proxy (synflow)": (synflow, "compute each example's gradient of its own loss"),
}


def test_check_gradsign_accepts_gradsign():
    assert checks.check_gradsign(gradsign).startswith("✓")


@pytest.mark.parametrize("slip", list(GRADSIGN_WRONG))
def test_check_gradsign_names_the_slip(slip):
    fn, fragment = GRADSIGN_WRONG[slip]
    reject(checks.check_gradsign, fn, fragment)


def test_check_gradsign_reports_a_stub():
    def stub(net, x, y):
        raise NotImplementedError("Exercise 1")

    v = checks.check_gradsign(stub)
    assert not v.passed and "not implemented yet" in str(v)


# ---- exercise 2: the BANANAS acquisition step ----------------------------------------------------------------


def acquire(predict, seen, rng, k, *, mode="its", parents="best", drop_seen=True, dedupe=True, n=100):
    """BANANAS's step, with switches for the slips the check must catch."""
    ranked = sorted(seen, key=seen.get, reverse=True)
    top = ranked[:10] if parents == "best" else ranked[-10:]
    cands = []
    for i in range(n):
        c = mutate(top[i % len(top)], rng) if parents != "random" else tuple(int(o) for o in rng.integers(5, size=6))
        if rng.random() < 0.5:
            c = mutate(c, rng)
        if c not in seen or not drop_seen:
            cands.append(c)
    if dedupe:
        cands = list(dict.fromkeys(cands))
    P = predict(cands)
    mu, sd = P.mean(0), P.std(0)
    a = {"its": mu + sd * rng.standard_normal(len(cands)), "ucb": mu + 2 * sd, "mean": mu,
         "min": -(mu + sd * rng.standard_normal(len(cands)))}[mode]
    return [cands[i] for i in np.argsort(-a, kind="stable")[:k]]


def _seen_too(predict, seen, rng, k):
    best = sorted(seen, key=seen.get, reverse=True)[:1]
    return best + acquire(predict, seen, rng, k - 1)


def _dupes(predict, seen, rng, k):
    out = acquire(predict, seen, rng, k - 1)
    return out[:1] + out


def _global_rng(predict, seen, rng, k):
    return acquire(predict, seen, np.random.default_rng(), k)


def _fixed_rng(predict, seen, rng, k):
    return acquire(predict, seen, np.random.default_rng(0), k)


def _naslab(predict, seen, rng, k):
    b = Bananas(seed=0, batch=k)
    b.seen = dict(seen)
    return b.candidates()[:k]


ACQ_WRONG = {
    "mean only, no exploration": (lambda p, s, r, k: acquire(p, s, r, k, mode="mean"), "you ranked by the mean only"),
    "minimises": (lambda p, s, r, k: acquire(p, s, r, k, mode="min"), r"the \*lowest\* values"),
    "random candidates": (lambda p, s, r, k: acquire(p, s, r, k, parents="random"), "not a mutation .* at random"),
    "mutates the worst cells": (lambda p, s, r, k: acquire(p, s, r, k, parents="worst"), "it mutates a poor cell"),
    "re-proposes a seen cell": (_seen_too, "a cell already evaluated"),
    "duplicates": (_dupes, "the same cell twice"),
    "too few cells": (lambda p, s, r, k: acquire(p, s, r, k - 1), "you returned 9 cells for k=10"),
    "global random numbers": (_global_rng, "two calls with rng seed 0 gave different cells"),
    "ignores rng": (_fixed_rng, "three different rng seeds gave the same cells"),
    "calls naslab's BANANAS": (_naslab, "called naslab's .*write that step yourself"),
    "not cells": (lambda p, s, r, k: 7, "return a list of k cells"),
}


@pytest.mark.parametrize("mode", ["its", "ucb"])
def test_check_acquisition_accepts_thompson_and_ucb(mode):
    assert checks.check_acquisition(lambda p, s, r, k: acquire(p, s, r, k, mode=mode)).startswith("✓")


@pytest.mark.parametrize("slip", list(ACQ_WRONG))
def test_check_acquisition_names_the_slip(slip):
    fn, fragment = ACQ_WRONG[slip]
    reject(checks.check_acquisition, fn, fragment)


def test_the_planted_seen_cells_separate_the_best_from_the_rest():
    seen = checks._seen()
    best = sorted(seen, key=seen.get, reverse=True)[:10]
    rest = [c for c in seen if c not in best]
    assert len(seen) == 30 and min(checks._hamming(a, b) for a in best for b in rest) >= 3


def _unranked(predict, seen, rng, k):
    cands = acquire(predict, seen, rng, 100)  # every candidate, then a random k of them
    return [cands[i] for i in rng.permutation(len(cands))[:k]]


def _not_scored(predict, seen, rng, k):
    out = acquire(predict, seen, rng, k)
    return out[:-1] + [mutate(out[-1], rng)]


@pytest.mark.parametrize("fn, fragment", [(_unranked, "rank the candidates by the acquisition"),
                                          (_not_scored, "a cell you never passed to predict")])
def test_check_acquisition_rejects_unranked_and_unscored_cells(fn, fragment):
    reject(checks.check_acquisition, fn, fragment)


@pytest.mark.parametrize("n", [20, 50, 300])
def test_check_acquisition_accepts_any_pool_size(n):
    assert checks.check_acquisition(lambda p, s, r, k: acquire(p, s, r, k, n=n)).startswith("✓")
