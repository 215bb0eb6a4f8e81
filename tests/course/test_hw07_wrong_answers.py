"""Homework 07's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong answer below is planted as a function and handed to the check helpers of the public tests
(homework/hw07_signals/test_hw07.py) and the hidden tests (hidden/test_hw07_hidden.py), which take the function
under test as an argument. Oracles: the message text each helper raises. Also: the reference solution passes
every helper, and every hidden test rejects at least one wrong answer that ALL the public checks accept (a
hidden test that only repeats a public one would be a free point).
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[2]
HW = ROOT / "homework" / "hw07_signals"
for _p in (HW, HW / "hidden"):  # the assignment's own imports: my_gradsign, test_hw07 (the hidden file uses it)
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))
public = importlib.import_module("test_hw07")
hidden = importlib.import_module("test_hw07_hidden")


# -- the wrong answers ---------------------------------------------------------------------------------

def gradients(model, x, y, *, weights_only=False, last_only=False, target="loss", share=False, mode=None,
              alone=False, allow_unused=True, none_as_zero=True, detach=True):
    """G with a choice of slips: which parameters, what each row differentiates, the mode, unused params."""
    params = [p for n, p in model.named_parameters() if not weights_only or n.endswith("weight")]
    params = params[-2:] if last_only else params  # the last layer's weight and bias
    was = model.training
    if mode is not None:
        model.train(mode)
    try:
        out = torch.cat([model(x[i:i + 1]) for i in range(len(x))]) if alone else model(x)
    finally:
        model.train(was)
    rows = {"loss": lambda: F.cross_entropy(out, y, reduction="none"), "outputs": lambda: out.sum(1),
            "log_p": lambda: -F.cross_entropy(out, y, reduction="none")}[target]()
    if share:
        rows = rows / len(x)
    g = []
    for r in rows:
        gs = torch.autograd.grad(r, params, retain_graph=True, allow_unused=allow_unused, create_graph=not detach)
        g.append(torch.cat([(torch.zeros_like(p) if gi is None and none_as_zero else gi).flatten()
                            for p, gi in zip(params, gs)]))
    g = torch.stack(g)
    return g.detach().double() if detach else g


def grads(**slip):
    return lambda model, x, y: gradients(model, x, y, **slip)


def grads_transposed(model, x, y):
    return gradients(model, x, y).T


def grads_batch_mean(model, x, y):
    """Every row the gradient of the batch's mean loss."""
    params = list(model.parameters())
    g = torch.autograd.grad(F.cross_entropy(model(x), y), params)
    return torch.cat([gi.flatten() for gi in g]).double().expand(len(x), -1).clone()


def grads_by_backward(model, x, y):
    """Rows through .backward(): the last row's .grad stays on the parameters."""
    losses, rows = F.cross_entropy(model(x), y, reduction="none"), []
    for i in range(len(x)):
        for p in model.parameters():
            p.grad = None
        losses[i].backward(retain_graph=True)
        rows.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    return torch.stack(rows).double()


def grads_through_naslab(model, x, y):
    """naslab's own per-batch gradients, one example at a time (what the exercise asks you to write)."""
    from naslab.signals.measures import module_net
    from naslab.signals.saliency import loss_and_grads

    net = module_net(model, tuple(x.shape[1:]))
    rows = [torch.cat([g.flatten() for g in loss_and_grads(net, x[i:i + 1], y[i:i + 1])[2].values()])
            for i in range(len(x))]
    return torch.stack(rows).detach()


def score(how="signs", check=True, tensor=False, g=None, **slip):
    def fn(model, x, y):
        if check and len(x) < 2:
            raise ValueError(f"need at least 2 examples, got {len(x)}")
        G = (g or grads(**slip))(model, x, y)
        s = torch.sign(G)
        out = {"signs": lambda: s.sum(0).abs().sum(), "raw": lambda: G.sum(0).abs().sum(),
               "no_abs": lambda: s.sum(), "batch": lambda: torch.sign(G.sum(0)).abs().sum(),
               "count": lambda: s.abs().sum(), "axis": lambda: s.sum(1).abs().sum(),
               "mean": lambda: s.sum(0).abs().sum() / len(x),
               "ge0": lambda: (2.0 * (G >= 0) - 1).sum(0).abs().sum()}[how]()
        return out if tensor else float(out)
    return fn


# -- which check rejects which wrong answer, and with what message --------------------------------------

def linear_gradients(fn):
    for seed in (0, 1, 2):
        public.check_linear_gradients(fn, seed)


def linear_gradsign(fn):
    for seed in (0, 1, 2):
        public.check_linear_gradsign(fn, seed)


def left(name):
    return lambda f: public.check_left_as_found(name, f)


REJECTED = [  # (wrong answer, the check that rejects it, a fragment of its message)
    ("G: transposed", grads_transposed, linear_gradients, "one column per example"),
    ("G: biases left out", grads(weights_only=True), linear_gradients, "the bias gradients are missing"),
    ("G: the batch gradient in every row", grads_batch_mean, linear_gradients, "the gradient of the batch's mean loss"),
    ("G: each row 1/n", grads(share=True), linear_gradients, "each row is 1/n of ∂ℓ_i/∂θ"),
    ("G: the sign flipped", grads(target="log_p"), linear_gradients, "the sign is flipped"),
    ("G: the summed logits", grads(target="outputs"), linear_gradients, "that differentiates the summed logits"),
    ("G: a graph left on", grads(detach=False), linear_gradients, "G still carries an autograd graph"),
    ("G: .grad left behind", grads_by_backward, left("sample_gradients"),
     "sample_gradients: a .grad was left on a parameter"),
    ("G: naslab's gradients", grads_through_naslab, linear_gradients,
     "called naslab's naslab.signals.measures.module_net"),
    ("GradSign: gradients, not signs", score("raw"), linear_gradsign, "that sums the gradients themselves"),
    ("GradSign: no absolute value", score("no_abs"), linear_gradsign, "the absolute value is missing"),
    ("GradSign: the batch gradient's sign", score("batch"), linear_gradsign, "the sign of the batch gradient"),
    ("GradSign: |sign| summed", score("count"), linear_gradsign, "|sign| summed counts the gradients"),
    ("GradSign: the wrong axis", score("axis"), linear_gradsign, "the sum runs over the wrong axis"),
    ("GradSign: divided by n", score("mean"), linear_gradsign, "GradSign is normalised"),
    ("GradSign: a tensor, not a float", score(tensor=True), linear_gradsign, "return GradSign as a Python float"),
    ("GradSign: one example accepted", score(check=False), public.check_needs_two_examples,
     "one example gave no ValueError"),
    ("GradSign: naslab's gradients", score(g=grads_through_naslab), linear_gradsign,
     "called naslab's naslab.signals.measures.module_net"),
]

# wrong answers that every public check accepts and one hidden check rejects:
# (label, the function, the wrong answer, the hidden file's check_* helper, a fragment of its message)
HIDDEN_ONLY = [
    ("GradSign: sign(0) counted as +1", "gradsign", score("ge0"), "check_zero_sign", "a zero gradient was counted"),
    ("G: only the last layer", "sample_gradients", grads(last_only=True), "check_mlp",
     "sample_gradients: only the last layer is in G"),
    ("GradSign: only the last layer", "gradsign", score(last_only=True), "check_mlp",
     "gradsign: only the last layer is in G"),
    ("G: forced eval mode", "sample_gradients", grads(mode=False), "check_mode", "this is the value in eval mode"),
    ("G: one forward per example", "sample_gradients", grads(alone=True), "check_mode",
     "a forward of one example alone fails in train mode"),
    ("GradSign: forced eval mode", "gradsign", score(mode=False), "check_mode", "this is the value in eval mode"),
    ("G: allow_unused=False", "sample_gradients", grads(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
    ("G: a None gradient flattened", "sample_gradients", grads(none_as_zero=False), "check_unused",
     "is None: count it as zeros"),
    ("GradSign: allow_unused=False", "gradsign", score(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
]
# the hidden file's tests: which helper each calls, and for which functions (its parametrize list)
HIDDEN_TESTS = {"test_a_weight_no_example_moves_has_sign_zero": ("check_zero_sign", ["gradsign"]),
                "test_mlp_against_torch_func": ("check_mlp", ["sample_gradients", "gradsign"]),
                "test_run_in_the_models_own_mode": ("check_mode", ["sample_gradients", "gradsign"]),
                "test_unused_parameters_count_zero": ("check_unused", ["sample_gradients", "gradsign"])}


def run_hidden(check: str, name: str, fn):
    return hidden.check_zero_sign(fn) if check == "check_zero_sign" else getattr(hidden, check)(name, fn)


PUBLIC_CHECKS = {
    "sample_gradients": [linear_gradients, left("sample_gradients")],
    "gradsign": [linear_gradsign, left("gradsign"), public.check_needs_two_examples],
}


@pytest.mark.parametrize("label, wrong, check, says", REJECTED, ids=[r[0] for r in REJECTED])
def test_public_checks_reject_the_wrong_answer_by_name(label, wrong, check, says):
    with pytest.raises(AssertionError, match=re.escape(says)):
        check(wrong)


@pytest.mark.parametrize("label, name, wrong, check, says", HIDDEN_ONLY, ids=[r[0] for r in HIDDEN_ONLY])
def test_hidden_checks_reject_what_the_public_ones_accept(label, name, wrong, check, says):
    for public_check in PUBLIC_CHECKS[name]:
        public_check(wrong)  # accepted: the public tests do not see this slip
    with pytest.raises(AssertionError, match=re.escape(says)):
        run_hidden(check, name, wrong)


def test_every_hidden_test_has_a_wrong_answer_only_it_rejects():
    src = (HW / "hidden" / "test_hw07_hidden.py").read_text()
    assert set(re.findall(r"^def (test_\w+)", src, flags=re.M)) == set(HIDDEN_TESTS)
    sys.path.insert(0, str(ROOT / "course"))
    import grade  # course/grade.py: how many tests each hidden test function is

    counts = {k.split("::")[-1]: n for k, n in grade.expected_tests(HW).items() if "/hidden/" in k}
    for test, (check, names) in HIDDEN_TESTS.items():
        assert counts[test] == len(names), (test, counts[test])
        assert f"{check}(" in src.split(f"def {test}(", 1)[1].split("\ndef ", 1)[0], (test, check)
        covered = {n for _, n, _, c, _ in HIDDEN_ONLY if c == check}
        assert covered == set(names), f"{test}: no hidden-only wrong answer for {set(names) - covered}"


def test_the_reference_solution_passes_every_check():
    import my_gradsign

    fns = {"sample_gradients": my_gradsign.sample_gradients, "gradsign": my_gradsign.gradsign}
    for name, checks in PUBLIC_CHECKS.items():
        for check in checks:
            check(fns[name])
    for check, names in HIDDEN_TESTS.values():
        for name in names:
            run_hidden(check, name, fns[name])


def test_no_shipped_naslab_function_answers_the_homework():
    """GradSign and per-example gradients are not in naslab: no registered proxy, no public name."""
    import naslab
    from naslab.signals.registry import REGISTRY

    assert not [n for n in REGISTRY if "sign" in n.lower()], sorted(REGISTRY)
    assert not [n for n in naslab._API if "gradsign" in n.lower() or "sample_grad" in n.lower()]
    src = "\n".join(p.read_text() for p in (ROOT / "naslab").rglob("*.py"))
    assert "gradsign" not in src.lower() and "sample_gradients" not in src


def test_the_grader_prints_the_slip(tmp_path):
    """End to end: course/grade.py on a submission whose `gradsign` leaves out the absolute value reports it by
    name in the public test, and the hidden tests that score GradSign fail too."""
    sys.path.insert(0, str(ROOT / "course"))
    import grade

    sub = tmp_path / "hw07_signals"
    sub.mkdir()
    src = (HW / "my_gradsign.py").read_text()
    wrong = src.replace("sample_gradients(model, x, y)).sum(0).abs().sum())", "sample_gradients(model, x, y)).sum())")
    assert wrong != src
    (sub / "my_gradsign.py").write_text(wrong)
    s = grade.score(HW, sub)
    failed = {t.split("::")[-1]: m for t, (o, m) in s.tests.items() if o == "failed"}
    assert {f"test_gradsign_of_a_linear_model[{i}]" for i in range(3)} <= set(failed), failed
    assert not [t for t in failed if "sample_gradients" in t], failed
    assert failed["test_gradsign_of_a_linear_model[0]"] == \
        "AssertionError: the absolute value is missing or outside the sum over k: GradSign = Σ_k |Σ_i sign(G[i, k])|"
