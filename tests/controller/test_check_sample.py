"""Notebook 02's Exercise 1 (sample one child): the right sampler passes beside naslab's `Controller.forward`
while using the controller's own parts, and each typical wrong sampler is rejected with a message naming the
slip (the message text is asserted)."""

import pytest
import torch

from naslab.checking import CheckError
from naslab.controller.check_sample import check_sample_child


def make_sampler(*, feed="embed", greedy=False, reset=False, shared_head=False, layers=None, lp="token",
                 detach=False, ent_sign=1.0, categorical=False, extra_draw=None, ret="triple"):
    """The right sampler with one slip switched on by a keyword."""

    def sample_child(controller, generator):
        x, T = controller.start, len(controller.heads)
        cells = list(controller.cells)[:layers]
        state = [None] * len(cells)
        tokens, log_prob, entropy = [], 0.0, 0.0
        for t in range(T):
            for layer, cell in enumerate(cells):
                state[layer] = cell(x, None if reset else state[layer])
                x = state[layer][0]
            logp = torch.log_softmax(controller.heads[0 if shared_head else t](x), dim=-1)  # (1, k_t)
            p = logp.exp()
            if greedy:
                a = p.argmax(-1, keepdim=True)
            elif categorical:
                a = torch.distributions.Categorical(logits=logp).sample()[:, None]
            else:
                a = torch.multinomial(p.detach(), 1, generator=generator)  # (1, 1)
                if extra_draw == "each":
                    torch.rand(1, generator=generator)
            if lp in ("token", "mean"):
                term = logp[0, a.item()]
            else:
                term = {"all": logp.sum(), "max": logp.max(), "prob": p[0, a.item()]}[lp]
            log_prob = log_prob + term
            entropy = entropy - ent_sign * (p * logp).sum()
            tokens.append(a.item())
            if t + 1 < T and feed == "embed":
                x = controller.embed[t](a[0])
            elif t + 1 < T and feed != "hidden":  # "hidden": x keeps the top layer's h
                x = controller.start if feed == "start" else torch.zeros_like(controller.start)
        if extra_draw == "end":
            torch.rand(1, generator=generator)
        if lp == "mean":
            log_prob = log_prob / T
        log_prob = log_prob.detach() if detach else log_prob
        return {"triple": (tokens, log_prob, entropy), "pair": (tokens, log_prob)}[ret]

    return sample_child


def calls_naslab(controller, generator):
    s = controller(1, generator=generator)
    return s.tokens[0].tolist(), s.log_prob[0], s.entropy[0]


def calls_favourite(controller, generator):
    tokens, _ = controller.favourite()
    return make_sampler()(controller, generator)[0] and tokens, torch.zeros(()), torch.zeros(())


WRONG = {
    "same input (start) at every step": (make_sampler(feed="start"), "fed the start input at every step"),
    "zeros as the next input": (make_sampler(feed="zeros"), "fed zeros as the next input"),
    "top layer's h fed back": (make_sampler(feed="hidden"), "fed the top layer's output h back"),
    "greedy argmax": (make_sampler(greedy=True), "most likely token \\(argmax\\)"),
    "Categorical without the generator": (make_sampler(categorical=True), "never drew from the given generator"),
    "hidden state reset each step": (make_sampler(reset=True), "reset the hidden state at every step"),
    "one shared head": (make_sampler(shared_head=True), "one head for all positions"),
    "first LSTM layer only": (make_sampler(layers=1), "only the first LSTM layer"),
    "log softmax of all choices summed": (make_sampler(lp="all"), "summed log p over all k_t choices"),
    "log-prob of the wrong (argmax) token": (make_sampler(lp="max"), "most likely token, not of the sampled"),
    "probabilities added, not logs": (make_sampler(lp="prob"), "for the same tokens: add log p_t\\(a_t\\)"),
    "mean over positions": (make_sampler(lp="mean"), "averaged log p over the T = 4 positions"),
    "log-prob detached": (make_sampler(detach=True), "right value but no gradient"),
    "entropy sign": (make_sampler(ent_sign=-1.0), "entropy is the negative of the expected values \\(a sign error\\)"),
    "an extra random draw per position": (make_sampler(extra_draw="each"), "drew a different amount of random"),
    "an extra random draw at the end": (make_sampler(extra_draw="end"), "right child, but you drew more random"),
    "no entropy returned": (make_sampler(ret="pair"), "return the triple \\(tokens, log_prob, entropy\\)"),
    "calls naslab's sampler": (calls_naslab, "called naslab's naslab.controller.lstm.forward"),
    "calls naslab's favourite": (calls_favourite, "called naslab's naslab.controller.lstm.favourite"),
}


def test_the_right_sampler_matches_naslabs_using_the_controllers_parts():
    verdict = check_sample_child(make_sampler())
    assert verdict.passed and "6 children of 2 controllers" in verdict


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_sampler_is_named(name):
    fn, fragment = WRONG[name]
    with pytest.raises(CheckError, match=fragment):
        check_sample_child(fn)


def test_a_shared_head_with_unequal_choices_names_the_position():
    def shared_on_notebook_controller(controller, generator):  # the equal-k controller passes, [3, 3, 2] does not
        heads = controller.heads if len(set(controller.num_choices)) == 1 and controller.num_choices[0] == 4 else None
        return make_sampler(shared_head=heads is None)(controller, generator)

    with pytest.raises(CheckError, match=r"controller \[3, 3, 2\] .*(one head for all positions|position \d has "
                                         r"only \d choices: position t has its own softmax head)"):
        check_sample_child(shared_on_notebook_controller)


def test_stub_and_wrong_type():
    assert not check_sample_child(None).passed
    with pytest.raises(TypeError, match=r"check_sample_child takes your function sample_child\(controller, "
                                        r"generator\)"):
        check_sample_child(0.5)
