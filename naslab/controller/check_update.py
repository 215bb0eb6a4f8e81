"""Check for notebook 02's Exercise 2: one REINFORCE update of the LSTM controller, written by the student.

The student writes `update(controller, optimizer, tokens, rewards, b, *, decay, beta) -> (loss, new_b)`:

    b_used = b, or the batch's mean finite reward when b is None (first batch)
    loss   = -(1/m') Σ_k (R_k - b_used) · log P(a^k_1:T)  -  β (1/m') Σ_k H_k     over the m' finite rewards
    one optimiser step on loss; then b <- decay · b + (1 - decay) · R_k for each finite R_k in order
                                  (the first finite reward ever seen starts b)

Oracle: naslab's own loop. Two `ControllerSearcher`s start from the same seed on the toy reward table of
`naslab.controller.toy`; the reference one runs `ControllerSearcher.update` (the loop the notebook uses after
the exercise), the student's function updates the other one's controller and optimiser with the very same
children. After every update the loss, the gradients, the parameters and the new baseline must agree.
A wrong answer is named by comparing the student's loss with `reinforce_loss` called on altered inputs (a
zero baseline, the baseline after the update, a sum instead of a mean, ...), never with a second copy of
the formula.

Taught in: notebooks/02_reinforce_controller.ipynb (§2.3, Exercise 2).
"""

from __future__ import annotations

import copy
import math

import torch

from naslab.checking import call_student, describe, expect, fail, graded
from naslab.controller.reinforce import EMABaseline, reinforce_loss
from naslab.controller.searcher import ControllerConfig, ControllerSearcher
from naslab.controller.toy import TOY_DECISIONS, toy_rewards

FORBID = ("naslab.controller.reinforce", "naslab.controller.searcher")  # naslab's own loss, baseline and update
UPDATES, NAN_AT = 4, (2, 1)  # updates compared; the child whose reward is NaN (update 2, child 1)
DECAY, BETA, LR = 0.8, 0.01, 0.05
RTOL, ATOL = 1e-4, 1e-6  # float32 loss, gradients and parameters: agreement up to summation order


def _close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL) if math.isfinite(a) and math.isfinite(b) else False


def _diagnose(loss: float, before, tokens, R, b_used, b_after, rec_loss: float) -> str:
    """Name the slip whose loss equals the student's: naslab's `reinforce_loss` on altered inputs."""
    s = before(tokens=tokens)
    lp = s.log_prob.detach()
    ok = torch.isfinite(R)
    m, m_ok, T = len(R), int(ok.sum()), tokens.shape[1]
    policy = float(reinforce_loss(lp, R, b_used))
    bonus = rec_loss - policy  # -β · mean(H) over the finite children
    if not math.isfinite(loss):
        return ("your loss is NaN: a NaN reward (a crashed child) reached it. Leave out the children whose reward is "
                "NaN: use torch.isfinite(rewards) to keep the others")
    wrong = [
        (-rec_loss, "your loss has the wrong sign: we maximise E[R], so the loss is −(1/m) Σ (R − b) log P − β·mean(H) "
                    "and gradient descent on it climbs J"),
        (-policy + bonus, "the policy term has the wrong sign: the loss is −(1/m) Σ (R − b) log P (we maximise)"),
        (policy - bonus, "the entropy bonus has the wrong sign: subtract β·mean(H) (higher entropy, lower loss)"),
        (policy, "you left out the entropy bonus: subtract beta times the children's mean entropy"),
        (float(reinforce_loss(lp, R, 0.0)) + bonus, "you did not subtract the baseline: the advantage is R − b"),
        (float(reinforce_loss(lp, R, b_after)) + bonus, "you updated the baseline before using it: compute the loss "
                                                        "with b from earlier batches, then move b towards the rewards"),
        (m_ok * rec_loss, f"your loss is {m_ok} times too large: you summed over the children; take the mean"),
        (m_ok / m * rec_loss, f"you divided by all m = {m} children, the NaN one included: average over the "
                              f"{m_ok} children with a finite reward"),
        (float(reinforce_loss(lp / T, R, b_used)) + bonus, f"you averaged log p over the T = {T} tokens: log P of a "
                                                           "sequence is the sum over its tokens"),
    ]
    if b_used is not None:
        batch_mean = float(R[ok].mean())
        wrong.append((float(reinforce_loss(lp, R, batch_mean)) + bonus, "you used this batch's own mean reward as "
                      "b: b must come from earlier batches (only the very first batch, b = None, uses its own mean)"))
    for value, msg in wrong:
        if m_ok < m or "NaN" not in msg:
            if _close(loss, value):
                return msg
    return (f"your loss is {loss:.6g}, naslab's loop gives {rec_loss:.6g} on the same children: score the given "
            "tokens with controller(tokens=tokens) and follow (3) term by term")


def _new_baseline_slip(got: float, b_in, rewards: list[float], want: float) -> str:
    """Name a wrong baseline update by replaying naslab's EMABaseline with altered settings."""
    finite = [r for r in rewards if math.isfinite(r)]
    if not math.isfinite(got):
        return "your new baseline is NaN: a NaN reward was averaged in; skip non-finite rewards"
    swapped = EMABaseline(1 - DECAY)
    swapped.value = b_in
    for r in rewards:
        swapped.update(r)
    if swapped.value is not None and _close(got, swapped.value):
        return f"you swapped the weights: decay = {DECAY} is the weight of the old b, (1 − decay) that of the reward"
    if _close(got, sum(finite) / len(finite)):
        return "your new b is this batch's mean reward: move the old b towards each reward, b ← decay·b + (1 − decay)·R"
    if b_in is not None and _close(got, b_in):
        return "your baseline never moves: update b with every finite reward after the step"
    return f"your new baseline is {got:.6g}, naslab's EMA gives {want:.6g} (decay = {DECAY}, rewards {rewards})"


def _compare_step(k, ref, mine, before, tokens, R, b_in, rec, out, old_params) -> None:
    expect(isinstance(out, tuple) and len(out) == 2, f"update {k}: your function returned {describe(out)}: return "
           "the pair (loss, new_b)")
    loss_t, new_b = out
    try:
        loss = float(loss_t.detach() if isinstance(loss_t, torch.Tensor) else loss_t)
    except (TypeError, ValueError, RuntimeError):
        fail(f"update {k}: the loss you returned is {describe(loss_t)}: return the scalar loss tensor")
    b_after = ref.baseline.value
    if not _close(loss, rec["loss"]):
        fail(f"update {k}: " + _diagnose(loss, before, tokens, R, rec["baseline"], b_after, rec["loss"]))
    pairs = list(zip(ref.controller.parameters(), mine.controller.parameters()))
    grads = [(p.grad, q.grad) for p, q in pairs]
    if any(q is None for _, q in grads) or all(float(q.abs().max()) == 0 for _, q in grads):
        fail(f"update {k}: your loss has the right value but no gradient reached the controller: call "
             "loss.backward() on a loss built from the controller's log_prob (not detached, not under no_grad)")
    if not all(torch.allclose(q, p, rtol=RTOL, atol=ATOL) for p, q in grads):
        if k > 0:
            prev = [q - p for p, q in grads]
            if all(torch.allclose(d, o, rtol=1e-3, atol=1e-5) for d, o in zip(prev, mine._last_grads)):
                fail(f"update {k}: your gradients add up across updates: call optimizer.zero_grad() before "
                     "loss.backward()")
        fail(f"update {k}: your loss has the right value but the wrong gradient: was log_prob (or the entropy) "
             "detached, or did a gradient flow through the baseline?")
    if all(torch.equal(q.detach(), o) for (_, q), o in zip(pairs, old_params)):
        fail(f"update {k}: the controller's parameters did not change: call optimizer.step() after loss.backward()")
    if not all(torch.allclose(q, p, rtol=RTOL, atol=ATOL) for p, q in pairs):
        fail(f"update {k}: right loss and gradient, but the parameters differ from naslab's after the step: call "
             "optimizer.step() exactly once per update")
    try:
        got_b = float(new_b)
    except (TypeError, ValueError, RuntimeError):
        fail(f"update {k}: the new baseline you returned is {describe(new_b)}: return b as a number")
    if not _close(got_b, b_after):
        fail(f"update {k}: " + _new_baseline_slip(got_b, b_in, R.tolist(), b_after))
    mine._last_grads = [q.detach().clone() for _, q in grads]


@graded("Exercise 2 (one REINFORCE update)")
def check_reinforce_update(fn) -> str:
    """Run the student's `fn` beside naslab's `ControllerSearcher.update` on the same children (toy table)."""
    if not callable(fn):
        raise TypeError(f"check_reinforce_update takes your function update(controller, optimizer, tokens, "
                        f"rewards, b, *, decay, beta), got {describe(fn)}")
    table = toy_rewards()
    cfg = ControllerConfig(lr=LR, batch_size=4, baseline_decay=DECAY, entropy_weight=BETA, record_favourite=False)
    nc = [len(c) for _, c in TOY_DECISIONS]
    ref, mine = ControllerSearcher(nc, cfg, seed=7), ControllerSearcher(nc, cfg, seed=7)
    b = None
    for k in range(UPDATES):
        seen = []

        def reward(tokens, k=k, seen=seen):
            r = float("nan") if (k, len(seen)) == NAN_AT else float(table[tuple(tokens)])
            seen.append((list(tokens), r))
            return r

        rec = ref.step(reward)  # naslab's loop: sample m children, score them, one REINFORCE update
        tokens = torch.tensor([t for t, _ in seen])  # (m, T) the same children for the student
        R = torch.tensor([r for _, r in seen])  # (m,) float32, as in naslab's loop
        before = copy.deepcopy(mine.controller)
        old_params = [q.detach().clone() for q in mine.controller.parameters()]
        out = call_student(fn, mine.controller, mine.optimizer, tokens.clone(), R.clone(), b, decay=DECAY,
                           beta=BETA, what=f"update {k}: tokens {tuple(tokens.shape)}, rewards {R.tolist()}, b={b}",
                           forbid=FORBID)
        _compare_step(k, ref, mine, before, tokens, R, b, rec, out, old_params)
        b = float(out[1])
    return (f"✓ your update matches naslab's loop for {UPDATES} updates of m = 4 children (loss, gradients, "
            f"parameters and baseline within rtol {RTOL:g}), a NaN reward included")
