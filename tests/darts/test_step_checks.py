"""Notebook 05's "build it, then use it" checks (naslab.darts.step_checks): the right answer passes, and each
typical wrong answer is rejected with a message naming the slip (the message text is asserted). Oracles: the
supernet's own mixed edge and naslab's own search step on the same seed; the answers that call them are
rejected by name (call_student's forbid)."""

import pytest
import torch
from torch.nn import functional as F

from naslab.checking import CheckError
from naslab.darts.search import search_step
from naslab.darts.step_checks import check_darts_step, check_mixed_op
from naslab.darts.supernet import weighted_sum


def reject(check, answer, fragment):
    with pytest.raises(CheckError, match=fragment):
        check(answer)


# ---- exercise 1: the mixed operation ------------------------------------------------------------------------------

def mixed(weights_of):
    def fn(x, alpha, edge, ops):
        w = weights_of(alpha, edge)
        return sum(w[k] * op(x) for k, op in enumerate(ops))
    return fn


def my_mixed_op(x, alpha, edge, ops):
    weights = torch.softmax(alpha[edge], dim=-1)
    return sum(w * op(x) for w, op in zip(weights, ops))


MIXED_WRONG = {
    "no softmax": (mixed(lambda a, e: a[e]), "no softmax"),
    "softmax over the edges": (mixed(lambda a, e: torch.softmax(a, 0)[e]), "softmax over the wrong axis"),
    "softmax over the whole matrix": (mixed(lambda a, e: torch.softmax(a.flatten(), 0).view_as(a)[e]),
                                      "softmax over the whole α matrix"),
    "argmax": (mixed(lambda a, e: F.one_hot(a[e].argmax(), a.shape[1]).float()), "argmax instead of softmax"),
    "plain sum": (mixed(lambda a, e: torch.ones(a.shape[1])), "not weighted \\(a plain sum\\)"),
    "mean": (mixed(lambda a, e: torch.full((a.shape[1],), 1 / a.shape[1])), "the mean of the ops"),
    "wrong row": (mixed(lambda a, e: torch.softmax(a[0], -1)), "the wrong row of α"),
    "detached weights": (mixed(lambda a, e: torch.softmax(a[e], -1).detach()), "no gradient reaches α"),
    "stacked, not summed": (lambda x, a, e, ops: torch.stack([w * op(x)
                                                              for w, op in zip(torch.softmax(a[e], -1), ops)]),
                            "output shape \\(8, 3, 4, 16\\)"),
    "calls naslab's weighted_sum": (lambda x, a, e, ops: weighted_sum(torch.softmax(a[e], -1), [op(x) for op in ops]),
                                    "called naslab's naslab.darts.supernet.weighted_sum"),
    "raises": (lambda x, a, e, ops: ops[99](x), "my_mixed_op raised IndexError"),
}


def test_mixed_op_right_answer_passes():
    v = check_mixed_op(my_mixed_op)
    assert v.passed and v.startswith("✓ your mixed edge")


@pytest.mark.parametrize("name", list(MIXED_WRONG))
def test_mixed_op_wrong_answers_are_named(name):
    reject(check_mixed_op, *MIXED_WRONG[name])


def test_mixed_op_stub_and_type():
    assert not check_mixed_op(None).passed
    with pytest.raises(TypeError, match="a callable"):
        check_mixed_op("my_mixed_op")


# ---- exercise 2: one first-order DARTS step -----------------------------------------------------------------------

def step(order="alpha_first", alpha_on="val", w_on="train", zero_w=True, zero_alpha=True):
    def fn(net, train_batch, val_batch, w_opt, alpha_opt):
        data = {"train": train_batch, "val": val_batch}

        def alpha_step():
            if zero_alpha:
                alpha_opt.zero_grad()
            X, y = data[alpha_on]
            F.cross_entropy(net(X), y).backward()
            alpha_opt.step()

        def w_step():
            if zero_w:
                w_opt.zero_grad()
            X, y = data[w_on]
            F.cross_entropy(net(X), y).backward()
            w_opt.step()

        for part in ((alpha_step, w_step) if order == "alpha_first" else (w_step, alpha_step)):
            part()
    return fn


def my_darts_step(net, train_batch, val_batch, w_opt, alpha_opt):
    (Xt, yt), (Xv, yv) = train_batch, val_batch
    alpha_opt.zero_grad()
    F.cross_entropy(net(Xv), yv).backward()  # ∇α L_val(w, α)
    alpha_opt.step()
    w_opt.zero_grad()
    loss = F.cross_entropy(net(Xt), yt)  # ∇w L_train(w, α) at the new α
    loss.backward()
    w_opt.step()
    return loss.item()


def one_loss(which):
    def fn(net, train_batch, val_batch, w_opt, alpha_opt):
        (Xt, yt), (Xv, yv) = train_batch, val_batch
        w_opt.zero_grad()
        alpha_opt.zero_grad()
        lt, lv = F.cross_entropy(net(Xt), yt), F.cross_entropy(net(Xv), yv)
        {"sum": lt + lv, "train": lt, "val": lv}[which].backward()
        alpha_opt.step()
        w_opt.step()
    return fn


def calls_naslab(net, train_batch, val_batch, w_opt, alpha_opt):
    from naslab.darts.architect import Architect
    search_step(net, Architect(net), w_opt, train_batch, val_batch, xi=0.0)


STEP_WRONG = {
    "w before alpha": (step(order="w_first"), "w stepped before α"),
    "alpha on training data": (step(alpha_on="train"), "α stepped on the training batch"),
    "w on validation data": (step(w_on="val"), "w stepped on the validation batch"),
    "batches swapped": (step(alpha_on="train", w_on="val"), "the two batches swapped"),
    "w gradients not zeroed": (step(zero_w=False), "gradients not zeroed between the two updates"),
    "alpha gradients not zeroed": (step(zero_alpha=False), "step 1 matches, but α differs after step 2: gradients "
                                                           "not zeroed"),
    "one loss, the sum": (one_loss("sum"), "both optimisers stepped on one loss \\(L_train \\+ L_val\\)"),
    "one loss, L_train": (one_loss("train"), "both optimisers stepped on one loss \\(L_train\\)"),
    "one loss, L_val": (one_loss("val"), "both optimisers stepped on one loss \\(L_val\\)"),
    "no step at all": (lambda net, t, v, w_opt, a_opt: None, "your step changed nothing"),
    "calls naslab's step": (calls_naslab, "called naslab's naslab.darts"),
}


def test_darts_step_right_answer_passes():
    v = check_darts_step(my_darts_step)
    assert v.passed and "equals naslab's first-order step" in v


@pytest.mark.parametrize("name", list(STEP_WRONG))
def test_darts_step_wrong_answers_are_named(name):
    reject(check_darts_step, *STEP_WRONG[name])


def test_darts_step_stub_and_type():
    assert not check_darts_step(None).passed
    with pytest.raises(TypeError, match="a callable"):
        check_darts_step(3)
