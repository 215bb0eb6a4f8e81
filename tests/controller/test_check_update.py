"""Notebook 02's Exercise 2 (one REINFORCE update): the right answer passes beside naslab's loop, and each
typical wrong answer is rejected with a message naming the slip (the message text is asserted)."""

import pytest
import torch

from naslab.checking import CheckError
from naslab.controller.check_update import check_reinforce_update
from naslab.controller.reinforce import reinforce_loss


def make_update(*, sign=1.0, ent_sign=1.0, use_b=True, b_first=False, reduce="mean", nan_mask=True,
                denom_all=False, tokens_mean=False, detach=False, zero_grad=True, step=True, swap=False,
                nan_b=False, own_mean=False, pair=True):
    """The right update with one slip switched on by a keyword."""

    def update(controller, optimizer, tokens, rewards, b, *, decay, beta):
        ok = torch.isfinite(rewards) if nan_mask else torch.ones_like(rewards, dtype=torch.bool)
        R = rewards[ok]
        finite = rewards[torch.isfinite(rewards)].tolist()
        b_new = b
        for r in (rewards.tolist() if nan_b else finite):
            w = (1 - decay) if swap else decay
            b_new = r if b_new is None else w * b_new + (1 - w) * r
        b_used = R.mean().item() if (b is None or own_mean) else b
        if b_first:
            b_used = b_new
        s = controller(tokens=tokens)
        lp = s.log_prob / tokens.shape[1] if tokens_mean else s.log_prob
        lp = lp.detach() if detach else lp
        adv = (R - (b_used if use_b else 0.0)).detach()
        n = len(rewards) if denom_all else (1 if reduce == "sum" else len(R))
        loss = -sign * (adv * lp[ok]).sum() / n - ent_sign * beta * s.entropy[ok].sum() / n
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        if step:
            optimizer.step()
        return (loss, b_new) if pair else loss

    return update


def calls_naslab(controller, optimizer, tokens, rewards, b, *, decay, beta):
    s = controller(tokens=tokens)
    loss = reinforce_loss(s.log_prob, rewards, 0.0 if b is None else b, entropy=s.entropy, entropy_weight=beta)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss, b


WRONG = {
    "sign of the loss": (make_update(sign=-1.0, ent_sign=-1.0), "wrong sign: we maximise"),
    "sign of the policy term": (make_update(sign=-1.0), "policy term has the wrong sign"),
    "sign of the entropy bonus": (make_update(ent_sign=-1.0), "entropy bonus has the wrong sign"),
    "no entropy bonus": (make_update(ent_sign=0.0), "left out the entropy bonus"),
    "no baseline": (make_update(use_b=False), "did not subtract the baseline"),
    "baseline updated before use": (make_update(b_first=True), "updated the baseline before using it"),
    "own batch mean as b": (make_update(own_mean=True), "this batch's own mean reward"),
    "sum over children": (make_update(reduce="sum"), "4 times too large: you summed over the children"),
    "mean over tokens": (make_update(tokens_mean=True), "averaged log p over the T = 3 tokens"),
    "log-prob detached": (make_update(detach=True), "right value but the wrong gradient: was log_prob"),
    "NaN reward included": (make_update(nan_mask=False), "update 2: your loss is NaN: a NaN reward"),
    "divided by all m, NaN included": (make_update(denom_all=True), "divided by all m = 4 children, the NaN one"),
    "no zero_grad": (make_update(zero_grad=False), "update 1: your gradients add up across updates"),
    "no optimizer step": (make_update(step=False), "parameters did not change: call optimizer.step"),
    "decay swapped": (make_update(swap=True), "swapped the weights: decay = 0.8 is the weight of the old b"),
    "NaN averaged into b": (make_update(nan_b=True), "update 2: your new baseline is NaN"),
    "returns only the loss": (make_update(pair=False), "return the pair \\(loss, new_b\\)"),
    "calls naslab's loss": (calls_naslab, "called naslab's naslab.controller.reinforce.reinforce_loss"),
}


def test_the_right_update_matches_naslabs_loop():
    verdict = check_reinforce_update(make_update())
    assert verdict.passed and "4 updates" in verdict


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_update_is_named(name):
    fn, fragment = WRONG[name]
    with pytest.raises(CheckError, match=fragment):
        check_reinforce_update(fn)


def test_stub_and_wrong_type():
    assert not check_reinforce_update(None).passed
    with pytest.raises(TypeError, match="check_reinforce_update takes your function"):
        check_reinforce_update(0.5)
