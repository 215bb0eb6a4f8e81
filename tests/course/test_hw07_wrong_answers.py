"""Homework 07's tests reject plausible wrong answers, each with a message naming the slip.

Each wrong answer below is planted as a function and handed to the check helpers of the public tests
(homework/hw07_signals/test_hw07.py) and the hidden tests (hidden/test_hw07_hidden.py), which take the function
under test as an argument. Oracles: the message text each helper raises. Also: the reference solution passes
every helper, and every hidden test rejects at least one wrong answer that ALL the public checks accept (a
hidden test that only repeats a public one would be a free point).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from .wrong_answers import hidden_only_rejects, hidden_tests_covered, homework, rejects

ROOT = Path(__file__).resolve().parents[2]
HW, public, hidden = homework("hw07_signals")  # the assignment's own test modules


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


def score(check=True, tensor=False, g=None, log="layers", mu="abs", spread="std", ddof=0, over="examples",
          layers="weights", skip=True, skip_layer=True, split=None, **slip):
    """ZiCo with a choice of slips: the log, μ, σ, which axis, which tensors are layers, the skips, the batches."""
    def fn(model, x, y):
        if check and len(x) < 2:
            raise ValueError(f"need at least 2 examples, got {len(x)}")
        G = (g or grads(**slip))(model, x, y)
        if split:
            G = torch.stack([rows.mean(0) for rows in G.chunk(split)])  # the paper's mini-batches
        names = [(n, p) for n, p in model.named_parameters()]
        pick = {"weights": lambda n, p: p.dim() >= 2, "all": lambda n, p: True,
                "named": lambda n, p: n.endswith("weight"),
                "last": lambda n, p: n == [k for k, q in names if q.dim() >= 2][-1]}[layers]
        terms, start = [], 0
        for n, p in names:
            block, start = G[:, start:start + p.numel()], start + p.numel()
            if not pick(n, p):
                continue
            if over == "params":  # mean and std over the parameters of each example, summed over the examples
                terms.append((block.abs().mean(1) / block.std(1, correction=ddof)).sum())
                continue
            m = {"abs": block.abs().mean(0), "signed": block.mean(0), "abs_of_mean": block.mean(0).abs()}[mu]
            sd = block.std(0, correction=ddof)
            keep = sd > 0 if skip else torch.ones_like(sd, dtype=torch.bool)
            ratio = {"std": m / sd, "var": m / sd ** 2, "inverted": sd / m}[spread]
            terms.append(ratio[keep].sum() if log != "inside" else ratio[keep].log().sum())
        if log in ("inside", "none"):
            out = sum(terms, torch.tensor(0.0))
        elif log == "total":
            out = torch.log(sum(terms, torch.tensor(0.0)))
        else:
            out = sum((torch.log(t) for t in terms if not skip_layer or t != 0), torch.tensor(0.0))
        return out if tensor else float(out)
    return fn


# -- which check rejects which wrong answer, and with what message --------------------------------------

def linear_gradients(fn):
    for seed in (0, 1, 2):
        public.check_linear_gradients(fn, seed)


def zico_public(fn):
    """Every public check of zico's value, in the order of the public file."""
    public.check_zico_by_hand(fn)
    public.check_zico_adds_layers(fn)
    public.check_zico_scale_free(fn)
    public.check_zico_skips_zero_std(fn)


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
    ("ZiCo: no log", score(log="none"), public.check_zico_by_hand, "ZiCo = 12 = S, not log S"),
    ("ZiCo: std with ddof 1", score(ddof=1), public.check_zico_by_hand, "that std divides by n - 1"),
    ("ZiCo: the variance, not the std", score(spread="var"), public.check_zico_by_hand,
     "that divides mean |g| by the variance"),
    ("ZiCo: the variance (scale check)", score(spread="var"), public.check_zico_scale_free,
     "that divides by the variance"),
    ("ZiCo: std / mean, inverted", score(spread="inverted"), public.check_zico_by_hand, "the ratio is upside down"),
    ("ZiCo: the mean of g, not of |g|", score(mu="signed"), public.check_zico_by_hand,
     "that takes the mean of g, not of |g|"),
    ("ZiCo: |mean of g|", score(mu="abs_of_mean"), public.check_zico_by_hand, "that takes |mean of g|"),
    ("ZiCo: the log inside the sum", score(log="inside"), public.check_zico_by_hand,
     "the log is inside the sum over the parameters"),
    ("ZiCo: std over the parameters", score(over="params"), public.check_zico_by_hand,
     "mean and std run over the parameters of each example"),
    ("ZiCo: the log of the total", score(log="total"), public.check_zico_adds_layers,
     "that is the log of the total over all layers"),
    ("ZiCo: only the last layer", score(layers="last"), public.check_zico_adds_layers,
     "only one of the two layers was counted"),
    ("ZiCo: zero-std parameters kept", score(skip=False), public.check_zico_skips_zero_std,
     "a parameter whose gradient has std 0 over the examples was not skipped"),
    ("ZiCo: a tensor, not a float", score(tensor=True), public.check_zico_by_hand, "return ZiCo as a Python float"),
    ("ZiCo: one example accepted", score(check=False), public.check_needs_two_examples,
     "one example gave no ValueError"),
    ("ZiCo: naslab's gradients", score(g=grads_through_naslab), public.check_zico_by_hand,
     "called naslab's naslab.signals.measures.module_net"),
]

# wrong answers that every public check accepts and one hidden check rejects:
# (label, the function, the wrong answer, the hidden file's check_* helper, a fragment of its message)
HIDDEN_ONLY = [
    ("ZiCo: the biases counted as layers", "zico", score(layers="all"), "check_linear_zico",
     "zico: the biases were counted"),
    ("G: only the last layer", "sample_gradients", grads(last_only=True), "check_mlp",
     "sample_gradients: only the last layer is in G"),
    ("ZiCo: std over 2 mini-batches", "zico", score(split=2), "check_mlp",
     "zico: the std runs over the gradients of 2 mini-batches"),
    ("G: forced eval mode", "sample_gradients", grads(mode=False), "check_mode", "this is the value in eval mode"),
    ("G: one forward per example", "sample_gradients", grads(alone=True), "check_mode",
     "a forward of one example alone fails in train mode"),
    ("ZiCo: forced eval mode", "zico", score(mode=False), "check_mode", "this is the value in eval mode"),
    ("ZiCo: every tensor named weight", "zico", score(layers="named"), "check_mode",
     "zico: the BatchNorm's 1-D weight (its scale) was counted as a layer"),
    ("G: allow_unused=False", "sample_gradients", grads(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
    ("G: a None gradient flattened", "sample_gradients", grads(none_as_zero=False), "check_unused",
     "is None: count it as zeros"),
    ("ZiCo: allow_unused=False", "zico", score(allow_unused=False), "check_unused",
     "autograd refused (allow_unused=False)"),
    ("ZiCo: a layer with sum 0 kept", "zico", score(skip_layer=False), "check_unused",
     "zico is -inf: a layer that forward never uses"),
]
# the hidden file's tests: which helper each calls, and for which functions (its parametrize list)
HIDDEN_TESTS = {"test_zico_against_the_oracle_on_linear_models_with_biases": ("check_linear_zico", ["zico"]),
                "test_mlp_against_torch_func": ("check_mlp", ["sample_gradients", "zico"]),
                "test_run_in_the_models_own_mode": ("check_mode", ["sample_gradients", "zico"]),
                "test_unused_parameters_count_zero": ("check_unused", ["sample_gradients", "zico"])}


def run_hidden(check: str, name: str, fn):
    return hidden.check_linear_zico(fn) if check == "check_linear_zico" else getattr(hidden, check)(name, fn)


PUBLIC_CHECKS = {
    "sample_gradients": [linear_gradients, left("sample_gradients")],
    "zico": [zico_public, left("zico"), public.check_needs_two_examples],
}


@pytest.mark.parametrize("label, wrong, check, says", REJECTED, ids=[r[0] for r in REJECTED])
def test_public_checks_reject_the_wrong_answer_by_name(label, wrong, check, says):
    rejects(check, wrong, says)


@pytest.mark.parametrize("label, name, wrong, check, says", HIDDEN_ONLY, ids=[r[0] for r in HIDDEN_ONLY])
def test_hidden_checks_reject_what_the_public_ones_accept(label, name, wrong, check, says):
    hidden_only_rejects(PUBLIC_CHECKS[name], lambda: run_hidden(check, name, wrong), wrong, says)


def test_every_hidden_test_has_a_wrong_answer_only_it_rejects():
    hidden_tests_covered(HW, "test_hw07_hidden.py", HIDDEN_TESTS, HIDDEN_ONLY)


def test_the_public_file_holds_no_zico_formula():
    """The public tests ship readable: they check ZiCo through a case worked by hand and invariants, never by
    computing it (no std / log of gradients in the file); the oracle lives in the hidden file."""
    src = (HW / "test_hw07.py").read_text()
    assert not re.search(r"\.std\(|\.var\(|torch\.log\(", src), "a readable ZiCo in the public tests"
    assert "def zico_of(" in (HW / "hidden" / "test_hw07_hidden.py").read_text()


def test_the_reference_solution_passes_every_check():
    import my_zico

    fns = {"sample_gradients": my_zico.sample_gradients, "zico": my_zico.zico}
    for name, checks in PUBLIC_CHECKS.items():
        for check in checks:
            check(fns[name])
    for check, names in HIDDEN_TESTS.values():
        for name in names:
            run_hidden(check, name, fns[name])


def test_no_shipped_naslab_function_answers_the_homework():
    """ZiCo and per-example gradients are not in naslab: no registered proxy, no public name."""
    import naslab
    from naslab.signals.registry import REGISTRY

    assert not [n for n in REGISTRY if "zico" in n.lower()], sorted(REGISTRY)
    assert not [n for n in naslab._API if "zico" in n.lower() or "sample_grad" in n.lower()]
    src = "\n".join(p.read_text() for p in (ROOT / "naslab").rglob("*.py"))
    assert "zico" not in src.lower() and "sample_gradients" not in src


def test_the_grader_prints_the_slip(tmp_path):
    """End to end: course/grade.py on a submission whose `zico` leaves out the log reports it by name in the
    public test, and the hidden tests that score ZiCo fail too."""
    sys.path.insert(0, str(ROOT / "course"))
    import grade

    sub = tmp_path / "hw07_signals"
    sub.mkdir()
    src = (HW / "my_zico.py").read_text()
    wrong = src.replace("score += math.log(s)", "score += s")
    assert wrong != src
    (sub / "my_zico.py").write_text(wrong)
    s = grade.score(HW, sub)
    failed = {t.split("::")[-1]: m for t, (o, m) in s.tests.items() if o == "failed"}
    assert {"test_zico_of_a_case_worked_by_hand", "test_zico_against_the_oracle_on_linear_models_with_biases",
            "test_mlp_against_torch_func[zico]"} <= set(failed), failed
    assert not [t for t in failed if "sample_gradients" in t], failed
    assert failed["test_zico_of_a_case_worked_by_hand"] == \
        "AssertionError: ZiCo = 12 = S, not log S: take the log of each layer's sum (on the two-example case worked " \
        "by hand)"


def test_the_level_3_recipe_runs():
    """The README's question 7 recipe (the ProxyNet wrapped as an nn.Module, the reference zico in the registry),
    run on 3 cells instead of 200: every score finite, every ρ a number."""
    from naslab.signals.registry import unregister_proxy

    text = (HW / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, flags=re.S).group(1)
    code = "\n".join(line[3:] for line in code.splitlines())  # the block sits indented under item 7
    assert "choice(len(cells), 200," in code
    code = code.replace("choice(len(cells), 200,", "choice(len(cells), 3,")
    ns = {}
    try:
        exec(compile(code, "README.md (question 7)", "exec"), ns)
    finally:
        unregister_proxy("zico")
    assert ns["mine"].shape == (3,) and np.isfinite(ns["mine"]).all(), ns["mine"]
