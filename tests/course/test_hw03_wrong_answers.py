"""Homework 03's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong answer below is planted as a function and handed to the check helpers of the public tests
(homework/hw03_proxy/test_hw03.py) and the hidden tests (hidden/test_hw03_hidden.py), which take the function
under test as an argument. Oracles: the message text each helper raises. Also: the reference solution passes
every helper, and every hidden test rejects at least one wrong answer that ALL the public checks accept (a
hidden test that only repeats a public one would be a free point).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from .wrong_answers import hidden_only_rejects, hidden_tests_covered, homework, rejects

ROOT = Path(__file__).resolve().parents[2]
HW, public, hidden = homework("hw03_proxy")  # the assignment's own test modules


# -- the wrong answers ---------------------------------------------------------------------------------

def jacobian(model, x, *, weights_only=False, last_only=False, rows="sum", y=None, mode=None, allow_unused=True,
             none_as_zero=True):
    """J with a choice of slips: which parameters, what each row differentiates, the mode, unused params."""
    params = [p for n, p in model.named_parameters() if not weights_only or n.endswith("weight")]
    params = params[-2:] if last_only else params  # the last layer's weight and bias
    was = model.training
    if mode is not None:
        model.train(mode)
    try:
        out = model(x)
    finally:
        model.train(was)
    s = {"sum": lambda: out.sum(1), "mean": lambda: out.mean(1), "first": lambda: out[:, 0],
         "logits": lambda: out.reshape(-1), "loss": lambda: F.cross_entropy(out, y, reduction="none")}[rows]()
    j = []
    for si in s:
        g = torch.autograd.grad(si, params, retain_graph=True, allow_unused=allow_unused)
        j.append(torch.cat([(torch.zeros_like(p) if gi is None and none_as_zero else gi).flatten()
                            for p, gi in zip(params, g)]))
    return torch.stack(j).detach().double()


def ntk(**slip):
    def fn(model, x):
        j = jacobian(model, x, **slip)
        return j @ j.T
    return fn


def ntk_jtj(model, x):
    j = jacobian(model, x)
    return j.T @ j


def ntk_by_backward(model, x):
    """Rows through .backward(): the last row's .grad stays on the parameters."""
    out, rows = model(x).sum(1), []
    for i in range(len(x)):
        for p in model.parameters():
            p.grad = None
        out[i].backward(retain_graph=True)
        rows.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    j = torch.stack(rows).double()
    return j @ j.T


def condition(how="eigvalsh", check=True, tensor=False, **slip):
    def fn(model, x, y):
        if check and len(x) < 2:
            raise ValueError(f"need at least 2 examples, got {len(x)}")
        j = jacobian(model, x, y=y, **slip)
        if how == "svd":  # κ of J: its singular values
            s = torch.linalg.svdvals(j)
            return float(s[0] / s[-1])
        lam = torch.linalg.eigvalsh(j @ j.T)
        if how == "inverted":
            return float(lam[0] / lam[-1])
        if how == "unguarded":
            return float(lam[-1] / lam[0])
        k = lam[-1] / lam[0] if lam[0] > 1e-12 * lam[-1] else torch.tensor(float("inf"))
        return k if tensor else float(k)
    return fn


def plain(*, absolute=False, sign=1.0, weights_only=False, reduction="mean", target="loss", mode=None,
          allow_unused=True, backward=False):
    def fn(model, x, y):
        params = [p for n, p in model.named_parameters() if not weights_only or n.endswith("weight")]
        was = model.training
        if mode is not None:
            model.train(mode)
        try:
            out = model(x)
        finally:
            model.train(was)
        f = F.cross_entropy(out, y, reduction=reduction) if target == "loss" else out.sum()
        if backward:
            f.backward()  # .grad left on every parameter
            grads = [p.grad for p in params]
        else:
            grads = torch.autograd.grad(f, params, allow_unused=allow_unused)
        terms = [(p.detach() * g) for p, g in zip(params, grads) if g is not None]
        return float(sign * sum((t.abs() if absolute else t).sum() for t in terms))
    return fn


# -- which check rejects which wrong answer, and with what message --------------------------------------

def linear_ntk(fn):
    for seed in (0, 1, 2):
        public.check_linear_ntk(fn, seed)


def linear_condition(fn):
    for seed in (0, 1, 2):
        public.check_linear_condition(fn, seed)


def plain_checks(fn):
    for seed in (0, 1, 2):
        public.check_plain(fn, seed)


REJECTED = [  # (wrong answer, the check that rejects it, a fragment of its message)
    ("ntk: biases left out of J", ntk(weights_only=True), linear_ntk, "the bias gradients are missing from J"),
    ("ntk: one row per logit", ntk(rows="logits"), linear_ntk, "one row of J per logit"),
    ("ntk: mean of the logits", ntk(rows="mean"), linear_ntk, "you averaged the logits"),
    ("ntk: the first logit only", ntk(rows="first"), linear_ntk, "the sum of ALL K logits, not one"),
    ("ntk: Jᵀ J instead of J Jᵀ", ntk_jtj, linear_ntk, "that is Jᵀ J"),
    ("ntk: .grad left behind", ntk_by_backward, lambda f: public.check_left_as_found("empirical_ntk", f),
     "empirical_ntk: a .grad was left on a parameter"),
    ("κ: λ_min / λ_max", condition("inverted"), linear_condition, "that is λ_min / λ_max"),
    ("κ: of J, not of J Jᵀ", condition("svd"), linear_condition, "that is κ of J (its singular values)"),
    ("κ: biases left out of J", condition(weights_only=True), linear_condition, "the bias gradients are missing"),
    ("κ: the loss gradients", condition(rows="loss"), linear_condition, "not the loss"),
    ("κ: a tensor, not a float", condition(tensor=True), linear_condition, "return κ as a Python float"),
    ("κ: one example accepted", condition(check=False), public.check_needs_two_examples,
     "one example gave no ValueError"),
    ("plain: absolute values (SNIP)", plain(absolute=True), plain_checks, "that is SNIP's"),
    ("plain: the sign flipped", plain(sign=-1.0), plain_checks, "the sign is flipped"),
    ("plain: biases left out", plain(weights_only=True), plain_checks, "the bias terms are missing"),
    ("plain: summed loss", plain(reduction="sum"), plain_checks, "L is the MEAN cross-entropy"),
    ("plain: the outputs' gradient", plain(target="outputs"), plain_checks, "that differentiates the summed outputs"),
    ("plain: .grad left behind", plain(backward=True), lambda f: public.check_left_as_found("plain", f),
     "plain: a .grad was left on a parameter"),
]

# wrong answers that every public check accepts and one hidden check rejects:
# (label, the function, the wrong answer, the hidden file's check_* helper, a fragment of its message)
HIDDEN_ONLY = [
    ("ntk: only the last layer in J", "empirical_ntk", ntk(last_only=True), "check_mlp",
     "empirical_ntk: only the last layer is in J"),
    ("κ: only the last layer in J", "ntk_condition", condition(last_only=True), "check_mlp",
     "ntk_condition: only the last layer is in J"),
    ("ntk: forced train mode (TE-NAS's code)", "empirical_ntk", ntk(mode=True), "check_mode",
     "this is the value in train mode"),
    ("κ: forced eval mode", "ntk_condition", condition(mode=False), "check_mode", "this is the value in eval mode"),
    ("plain: forced train mode", "plain", plain(mode=True), "check_mode", "this is the value in train mode"),
    ("plain: the score computed in eval mode", "plain", plain(mode=False), "check_mode",
     "plain: the model is in train mode but this is the value in eval mode"),
    ("ntk: the score computed in eval mode", "empirical_ntk", ntk(mode=False), "check_mode",
     "empirical_ntk: the model is in train mode but this is the value in eval mode"),
    ("ntk: allow_unused=False", "empirical_ntk", ntk(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
    ("ntk: a None gradient flattened", "empirical_ntk", ntk(none_as_zero=False), "check_unused",
     "is None: count it as zeros"),
    ("κ: allow_unused=False", "ntk_condition", condition(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
    ("plain: allow_unused=False", "plain", plain(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
    ("κ: no guard for a singular Θ", "ntk_condition", condition("unguarded"), "check_singular", "make Θ singular"),
]
# the hidden file's tests: which helper each calls, and for which functions (its parametrize list)
HIDDEN_TESTS = {"test_mlp_against_torch_func": ("check_mlp", ["empirical_ntk", "ntk_condition"]),
                "test_run_in_the_models_own_mode": ("check_mode", ["empirical_ntk", "ntk_condition", "plain"]),
                "test_unused_parameters_count_zero": ("check_unused", ["empirical_ntk", "ntk_condition", "plain"]),
                "test_a_singular_kernel_has_infinite_condition_number": ("check_singular", ["ntk_condition"])}


def run_hidden(check: str, name: str, fn):
    return hidden.check_singular(fn) if check == "check_singular" else getattr(hidden, check)(name, fn)


PUBLIC_CHECKS = {
    "empirical_ntk": [linear_ntk, lambda f: public.check_left_as_found("empirical_ntk", f)],
    "ntk_condition": [linear_condition, lambda f: public.check_left_as_found("ntk_condition", f),
                      public.check_needs_two_examples],
    "plain": [plain_checks, lambda f: public.check_left_as_found("plain", f)],
}


@pytest.mark.parametrize("label, wrong, check, says", REJECTED, ids=[r[0] for r in REJECTED])
def test_public_checks_reject_the_wrong_answer_by_name(label, wrong, check, says):
    rejects(check, wrong, says)


@pytest.mark.parametrize("label, name, wrong, check, says", HIDDEN_ONLY, ids=[r[0] for r in HIDDEN_ONLY])
def test_hidden_checks_reject_what_the_public_ones_accept(label, name, wrong, check, says):
    hidden_only_rejects(PUBLIC_CHECKS[name], lambda: run_hidden(check, name, wrong), wrong, says)


def test_every_hidden_test_has_a_wrong_answer_only_it_rejects():
    hidden_tests_covered(HW, "test_hw03_hidden.py", HIDDEN_TESTS, HIDDEN_ONLY)


def test_the_reference_solution_passes_every_check():
    import my_proxy

    fns = {"empirical_ntk": my_proxy.empirical_ntk, "ntk_condition": my_proxy.ntk_condition, "plain": my_proxy.plain}
    for name, checks in PUBLIC_CHECKS.items():
        for check in checks:
            check(fns[name])
    for check, names in HIDDEN_TESTS.values():
        for name in names:
            run_hidden(check, name, fns[name])


def test_the_grader_prints_the_slip(tmp_path):
    """End to end: course/grade.py on a submission whose `plain` takes |θ ⊙ g| reports SNIP by name (the
    message is the last line of the failure, as `expect` raises it; a rewritten assert would end on its
    `+ where ...` introspection instead)."""
    sys.path.insert(0, str(ROOT / "course"))
    import grade

    sub = tmp_path / "hw03_proxy"
    sub.mkdir()
    src = (HW / "my_proxy.py").read_text()
    wrong = src.replace("return float(sum((p.detach() * g).sum()", "return float(sum((p.detach() * g).abs().sum()")
    assert wrong != src
    (sub / "my_proxy.py").write_text(wrong)
    s = grade.score(HW, sub)
    failed = {t.split("::")[-1]: m for t, (o, m) in s.tests.items() if o == "failed"}
    assert set(failed) == {f"test_plain_against_the_hand_derived_gradient[{i}]" for i in range(3)} | {
        "test_run_in_the_models_own_mode[plain]", "test_unused_parameters_count_zero[plain]"}, failed
    assert failed["test_plain_against_the_hand_derived_gradient[0]"] == \
        "AssertionError: that is SNIP's Σ |θ ⊙ ∂L/∂θ|: plain keeps the sign"
