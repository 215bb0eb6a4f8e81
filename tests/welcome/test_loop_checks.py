"""Notebook 00's "build it" check (naslab.welcome.loop_checks): one epoch of mini-batch training by hand. The right
answer passes; each typical wrong answer is rejected with a message naming the slip (the message text is asserted).
Oracle: naslab's own `train` for one epoch on the same seed, run inside the check; an answer that calls it (or its
`batch_order`) is rejected by name."""

import pytest
import torch
from torch.nn import functional as F

from naslab.checking import CheckError
from naslab.train import TrainConfig, batch_order, train
from naslab.welcome.loop_checks import check_train_one_epoch


def loop(*, train_mode=True, zero=True, order="perm", reduction="mean", step_first=False, drop_last=False,
         result="mean"):
    """A hand-written epoch with one switch per slip (the defaults are the right answer)."""
    def fn(model, opt, X, y, batch_size, g):
        if train_mode:
            model.train()
        n = len(y)
        perm = {"perm": lambda: torch.randperm(n, generator=g), "none": lambda: torch.arange(n),
                "global": lambda: torch.randperm(n)}[order]()
        batches = list(perm.split(batch_size))
        if drop_last and len(batches[-1]) < batch_size:
            batches = batches[:-1]
        losses = []
        for idx in batches:
            loss = F.cross_entropy(model(X[idx]), y[idx], reduction=reduction)
            if zero:
                opt.zero_grad()
            if step_first:
                opt.step()
                loss.backward()
            else:
                loss.backward()
                opt.step()
            losses.append(loss.item())
        return {"mean": lambda: sum(losses) / len(losses), "last": lambda: losses[-1], "sum": lambda: sum(losses),
                "list": lambda: losses, "tensor": lambda: torch.tensor(losses), "none": lambda: None}[result]()
    fn.__name__ = fn.__qualname__ = "train_one_epoch"
    return fn


def model_zero_grad(model, opt, X, y, batch_size, g):
    """Right too: model.zero_grad() instead of opt.zero_grad(), the loss kept as tensors."""
    model.train()
    losses = []
    for idx in torch.randperm(len(y), generator=g).split(batch_size):
        model.zero_grad()
        loss = F.nll_loss(F.log_softmax(model(X[idx]), 1), y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    return torch.stack(losses).mean()


def calls_train(model, opt, X, y, batch_size, g):
    data = type("D", (), dict(X_train=X, y_train=y, X_val=X, y_val=y, num_classes=4))()
    return sum(train(model, data, TrainConfig(batch_size=batch_size, epochs=1, device="cpu")).train_loss)


def calls_batch_order(model, opt, X, y, batch_size, g):
    model.train()
    for idx in batch_order(len(y), batch_size, 1, 0):
        opt.zero_grad()
        F.cross_entropy(model(X[idx]), y[idx]).backward()
        opt.step()
    return 0.0


def own_error(model, opt, X, y, batch_size, g):
    return X[len(y)]


WRONG = {
    "classic: forgets zero_grad": (loop(zero=False), "gradients accumulate: zero_grad\\(\\) ran 0 times for 7 steps"),
    "no shuffling": (loop(order="none"), "no shuffling: the first batch is the first 32 training samples"),
    "global random state": (loop(order="global"), "wrong order: batch 0 is not piece 0 of torch.randperm"),
    "drops the last batch": (loop(drop_last=True), "the last, smaller batch \\(8 samples\\) is missing"),
    "summed loss": (loop(reduction="sum"), "the loss is summed over the batch \\(reduction='sum'\\): it and its "
                    "gradient are 32 times the mean's"),
    "step before backward": (loop(step_first=True), "opt.step\\(\\) found no gradient at the first batch: the step "
                             "came before loss.backward\\(\\)"),
    "eval mode": (loop(train_mode=False), "the model stayed in eval mode"),
    "returns the last batch's loss": (loop(result="last"), "the last batch's loss; return the mean over the 7 batches"),
    "returns the sum of the losses": (loop(result="sum"), "the sum of the batch losses; return the mean"),
    "wrong shape: the list of losses": (loop(result="list"), "returned a list of 7 values: return one number, the "
                                        "mean of the per-batch losses, not a list or tensor of them \\(wrong shape"),
    "wrong shape: a tensor of losses": (loop(result="tensor"), "not a list or tensor of them \\(wrong shape\\)"),
    "returns nothing": (loop(result="none"), "returned None"),
    "calls naslab's train": (calls_train, "called naslab's naslab.train.train: this exercise asks you to write"),
    "calls naslab's batch_order": (calls_batch_order, "called naslab's naslab.train.batch_order"),
    "own IndexError": (own_error, "your function own_error raised IndexError: index 200 is out of bounds"),
}


def test_the_right_answer_passes():
    v = check_train_one_epoch(loop())
    assert v.passed and v.startswith("✓ train_one_epoch matches naslab's train on 2 seeds")


def test_another_right_answer_passes():
    assert check_train_one_epoch(model_zero_grad).passed


@pytest.mark.parametrize("name", list(WRONG))
def test_each_wrong_answer_is_named(name):
    fn, fragment = WRONG[name]
    with pytest.raises(CheckError, match=fragment):
        check_train_one_epoch(fn)


def test_a_stub_is_not_implemented_yet():
    def stub(model, opt, X, y, batch_size, g):
        raise NotImplementedError("Exercise 3: one epoch by hand")

    v = check_train_one_epoch(stub)
    assert not v.passed and "not implemented yet (Exercise 3: one epoch by hand)" in v
    assert not check_train_one_epoch(None).passed


def test_a_wrong_argument_type_raises_the_checks_type_error():
    with pytest.raises(TypeError, match="check_train_one_epoch takes your function train_one_epoch\\(model, opt, X, "
                                        "y, batch_size, g\\), got 0.5"):
        check_train_one_epoch(0.5)
    with pytest.raises(TypeError, match="got Sequential"):
        check_train_one_epoch(torch.nn.Sequential())
