"""Check for notebook 02's Exercise 1: the controller's autoregressive sampling of one child (Zoph & Le, ICLR 2017,
arXiv:1611.01578, §3.1), written by the student.

The student writes `sample_child(controller, generator) -> (tokens, log_prob, entropy)`: from the start input,
for t = 1..T one step of every LSTM layer, p_t = softmax(head_t(h_t)), a_t ~ p_t drawn with
`torch.multinomial(p_t, 1, generator=generator)`, log P += log p_t(a_t), H += H(p_t), next input E_t[a_t].

Oracle: naslab's own sampler, `Controller.forward` of `naslab.controller.lstm`, run on the same controller from a
generator with the same seed: tokens must agree exactly, log P(a_1:T) and H to 1e-5, and log P must keep its
gradient. The student may use the controller's parts (`start`, `cells`, `heads`, `embed`: torch modules), not
its forward (the profile hook of `call_student` forbids `naslab.controller.lstm`). A wrong answer is named by
running naslab's sampler on an altered copy of the controller (the same input at every step, a hidden state
reset at every step, one head for all positions, ...) or by naslab's greedy mode, never with a second copy of
the loop.

Taught in: notebooks/02_reinforce_controller.ipynb (§2.1, Exercise 1).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from naslab.checking import call_student, describe, expect, fail, graded, slip
from naslab.controller.lstm import Controller

FORBID = ("naslab.controller.lstm",)  # naslab's sampler (Controller.forward); the parts are torch modules
# (num_choices, init_range, seed, children): equal k_t with sharp distributions first (one shared head would
# still run there), then the notebook's own controller (3, 3, 2 choices, Zoph & Le's ±0.08 init)
CASES = (([4, 4, 4, 4], 1.0, 1, 3), ([3, 3, 2], 0.08, 0, 3))
TOL = 1e-5


class _Tap(nn.Module):
    """An LSTM cell that remembers its last output h (for `_Echo`), or forgets its state (`forget=True`)."""

    def __init__(self, cell, last: list, forget: bool = False):
        super().__init__()
        self.cell, self.last, self.forget = cell, last, forget

    def forward(self, x, state):
        out = self.cell(x, None if self.forget else state)
        self.last[0] = out[0]
        return out


class _Echo(nn.Module):
    """An 'embedding' that ignores the token: the start input, zeros, or the top layer's last output h."""

    def __init__(self, kind: str, start, last: list):
        super().__init__()
        self.kind, self.start, self.last = kind, start, last

    def forward(self, a):
        if self.kind == "start":
            return self.start.expand(len(a), -1)
        return torch.zeros_like(self.start.expand(len(a), -1)) if self.kind == "zeros" else self.last[0]


def _altered(ctrl: Controller, slip_name: str) -> Controller:
    """A copy of `ctrl` whose naslab sampler makes the slip `slip_name`."""
    alt, last = copy.deepcopy(ctrl), [None]
    alt.cells = nn.ModuleList(_Tap(c, last, forget=slip_name == "reset") for c in alt.cells)
    if slip_name in ("start", "zeros", "hidden"):
        alt.embed = nn.ModuleList(_Echo(slip_name, alt.start, last) for _ in alt.embed)
    elif slip_name == "shared":  # with unequal k_t it may draw a token the next embedding lacks (IndexError)
        alt.heads = nn.ModuleList([alt.heads[0]] * len(alt.heads))
    elif slip_name == "one layer":
        alt.cells = alt.cells[:1]
    return alt


SLIPS = {
    "start": "you fed the start input at every step: feed the chosen token's embedding controller.embed[t](a_t) "
             "as the next input",
    "zeros": "you fed zeros as the next input: feed the chosen token's embedding controller.embed[t](a_t)",
    "hidden": "you fed the top layer's output h back as the next input: feed the chosen token's embedding "
              "controller.embed[t](a_t) (h is carried over in the state, not as the input)",
    "reset": "you reset the hidden state at every step: keep each layer's (h, c) from one step to the next "
             "(start from zeros only once, before position 1)",
    "shared": "you used one head for all positions: position t has its own softmax head controller.heads[t]",
    "one layer": "you used only the first LSTM layer: run every cell of controller.cells in turn, each on the "
                 "output h of the layer below",
}


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a.detach().double(), b.detach().double(), rtol=0, atol=TOL)


def _sampling_slip(ctrl, state, tokens, lp, gen_moved) -> str:
    """Name a wrong child: naslab's greedy mode, or naslab's sampler on an altered copy, from `state`."""
    greedy = ctrl(1, greedy=True)
    if greedy.tokens[0].tolist() == tokens and not gen_moved:
        return ("you took the most likely token (argmax) at every step: sample a_t ~ p_t with "
                "torch.multinomial(p_t, 1, generator=generator)")
    if not gen_moved:
        return ("you never drew from the given generator (torch.distributions.Categorical(...).sample() uses torch's "
                "global random state): draw with torch.multinomial(p_t, 1, generator=generator)")
    for name, msg in SLIPS.items():
        try:
            s = _altered(ctrl, name)(1, generator=torch.Generator().set_state(state))
        except IndexError:  # one shared head drew a token that the next position's embedding does not have
            continue
        if s.tokens[0].tolist() == tokens and _same(s.log_prob[0], lp):
            return msg
    return ""


def _log_prob_slip(ref, got: torch.Tensor, T: int) -> str:
    """Name a wrong log P when the tokens are right: naslab's output transformed the way the slip transforms it."""
    want = ref.log_prob[0].detach()
    logs = [torch.log(p[0].detach()) for p in ref.probs]  # log p_t over all k_t choices, t = 1..T
    wrong = [
        (sum(lt.sum() for lt in logs), "you summed log p over all k_t choices of every position (the whole "
                                       "log-softmax): add only log p_t(a_t), the entry of the sampled token"),
        (sum(lt.max() for lt in logs), "you added the log-probability of the most likely token, not of the sampled "
                                       "token a_t"),
        (want.exp(), "you returned P(a_1:T), not log P(a_1:T): add the logs of the probabilities"),
        (want / T, f"you averaged log p over the T = {T} positions: log P of a sequence is their sum"),
    ]
    for value, msg in wrong:
        if _same(got, value):
            return msg
    return "your log P has the wrong sign: add log p_t(a_t), which is <= 0" if _same(-got, want) else ""


def _unpack(out, T: int, where: str):
    expect(isinstance(out, tuple) and len(out) == 3, f"{where}: your function returned {describe(out)}: return "
           "the triple (tokens, log_prob, entropy)")
    tokens, lp, H = out
    try:
        tokens = [int(a) for a in torch.as_tensor(tokens).reshape(-1).tolist()]
    except (TypeError, ValueError, RuntimeError):
        fail(f"{where}: the tokens you returned are {describe(tokens)}: return a list of T = {T} ints")
    expect(len(tokens) == T, f"{where}: you returned {len(tokens)} tokens {tokens}, the controller has T = {T} "
           "positions: return one token per position")
    vals = []
    for x, what in ((lp, "log_prob"), (H, "entropy")):
        expect(isinstance(x, torch.Tensor) and x.numel() == 1, f"{where}: the {what} you returned is "
               f"{describe(x)}: return a scalar tensor")
        vals.append(x.reshape(()))
    return tokens, vals[0], vals[1]


def _check_child(fn, ctrl, g_ref, g_mine, where) -> None:
    T = len(ctrl.num_choices)
    with torch.no_grad():
        ref = ctrl(1, generator=g_ref)  # naslab's sampler: the reference child (values only)
    state = g_mine.get_state()
    out = call_student(fn, ctrl, g_mine, what=f"{where} (a seeded torch.Generator)", forbid=FORBID)
    tokens, lp, H = _unpack(out, T, where)
    gen_moved = not torch.equal(g_mine.get_state(), state)
    bad = [(t, a, k) for t, (a, k) in enumerate(zip(tokens, ctrl.num_choices)) if not 0 <= a < k]
    if bad and len(set(ctrl.num_choices)) > 1:
        t, a, k = bad[0]
        fail(f"{where}: your token a_{t + 1} = {a} but position {t + 1} has only {k} choices: position t has its "
             "own softmax head controller.heads[t]")
    want = ref.tokens[0].tolist()
    if tokens != want or not _same(lp, ref.log_prob[0]):
        with torch.no_grad():
            msg = _sampling_slip(ctrl, state, tokens, lp, gen_moved)
        if not msg and tokens == want:
            msg = _log_prob_slip(ref, lp, T)
        if not msg and not torch.equal(g_mine.get_state(), g_ref.get_state()):
            msg = (f"your tokens are {tokens}, naslab's sampler drew {want} from the same seed, and your function "
                   "drew a different amount of random numbers: draw exactly one torch.multinomial(p_t, 1, "
                   "generator=generator) per position, and nothing else from the generator")
        fail(f"{where}: " + (msg or (
            f"your tokens are {tokens}, naslab's sampler drew {want} from the same seed: run the LSTM layers, take "
            "head t's softmax, draw a_t with torch.multinomial(p_t, 1, generator=generator) and feed "
            "controller.embed[t](a_t) back" if tokens != want else
            f"your log P = {float(lp.detach()):.6g}, naslab's sampler gives {float(ref.log_prob[0]):.6g} for the "
            "same tokens: add log p_t(a_t) over the positions")))
    expect(lp.requires_grad, f"{where}: your log P has the right value but no gradient (detached, .item(), or "
           "computed under no_grad): REINFORCE differentiates it, so keep it a tensor built from the controller")
    if not _same(H, ref.entropy[0]):
        how = slip(float(H.detach()), float(ref.entropy[0]), atol=TOL, rtol=0)
        fail(f"{where}: your entropy is {how or f'{float(H.detach()):.6g}'}, naslab's sampler gives "
             f"{float(ref.entropy[0]):.6g}: add H(p_t) = −Σ_a p_t(a) log p_t(a) over the positions")
    expect(torch.equal(g_mine.get_state(), g_ref.get_state()), f"{where}: right child, but you drew more random "
           "numbers than naslab's sampler: one torch.multinomial(p_t, 1, generator=generator) per position")


@graded("Exercise 1 (sample one child)")
def check_sample_child(fn) -> str:
    """Run the student's `fn` beside naslab's sampler on the same controllers and generator seeds."""
    if not callable(fn):
        raise TypeError(f"check_sample_child takes your function sample_child(controller, generator) -> (tokens, "
                        f"log_prob, entropy), got {describe(fn)}")
    n = 0
    for num_choices, init_range, seed, children in CASES:
        ctrl = Controller(num_choices, init_range=init_range, seed=seed)
        g_ref, g_mine = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        for k in range(children):
            _check_child(fn, ctrl, g_ref, g_mine, f"controller {num_choices} (init ±{init_range}), child {k + 1}")
            n += 1
    return (f"✓ your sampler matches naslab's on {n} children of {len(CASES)} controllers (tokens exactly, log P "
            f"and entropy within {TOL:g}, log P with its gradient)")

