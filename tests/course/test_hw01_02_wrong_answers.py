"""Homeworks 01 and 02: the tests reject plausible wrong answers, and each hidden test earns its place.

Each wrong answer is planted in place of the student's function (`QuasiRandomSearch` of hw01, `rloo_loss` /
`rloo_advantages` of hw02) inside the public test module (homework/hw0N_*/test_hw0N.py) and the hidden one
(hidden/test_hw0N_hidden.py); every test function of the module is then run. Oracles: the reference solution
passes every test, each wrong answer fails the test named beside it with its message, and every hidden test
rejects at least one wrong answer that ALL the public tests accept (a hidden test that repeats a public one
would be a free point).
"""

from __future__ import annotations

import importlib
import math
import re
import sys
from pathlib import Path

import pytest
import torch
from scipy.stats import qmc

ROOT = Path(__file__).resolve().parents[2]
for _hw in ("hw01_searcher", "hw02_reinforce"):
    for _p in (ROOT / "homework" / _hw, ROOT / "homework" / _hw / "hidden"):
        if str(_p) not in sys.path:
            sys.path.insert(0, str(_p))
searcher_mod = importlib.import_module("my_searcher")
reinforce_mod = importlib.import_module("my_reinforce")
MODULES = {1: (importlib.import_module("test_hw01"), importlib.import_module("test_hw01_hidden")),
           2: (importlib.import_module("test_hw02"), importlib.import_module("test_hw02_hidden"))}
NAMES = {1: ("QuasiRandomSearch",), 2: ("rloo_advantages", "rloo_loss")}


# -- hw01: the wrong searchers ---------------------------------------------------------------------------------

class Reference(searcher_mod.QuasiRandomSearch):
    pass


class ChoiceByRounding(Reference):
    """Choice(values) -> values[round(u (len - 1))]: the end values get half the mass of the others."""

    def to_config(self, u):
        c = super().to_config(u)
        for (k, dom), x in zip(self.space.items(), u):
            if type(dom).__name__ == "Choice":
                c[k] = dom.values[round(float(x) * (len(dom.values) - 1))]
        return c


class IntByRounding(Reference):
    """IntRange(low, high) -> low + round(u (high - low)): the end values get half the mass."""

    def to_config(self, u):
        c = super().to_config(u)
        for (k, dom), x in zip(self.space.items(), u):
            if type(dom).__name__ == "IntRange":
                c[k] = int(dom.low + round(float(x) * (dom.high - dom.low)))
        return c


class Unscrambled(Reference):
    """Halton without scrambling: every seed gives the same sequence."""

    def __init__(self, space, *, seed=0, max_trials=None):
        super().__init__(space, seed=seed, max_trials=max_trials)
        self.sampler = qmc.Halton(d=len(self.keys), scramble=False)


class LinearLog(Reference):
    """LogUniform sampled uniformly on [low, high]."""

    def to_config(self, u):
        c = super().to_config(u)
        for (k, dom), x in zip(self.space.items(), u):
            if type(dom).__name__ == "LogUniform":
                c[k] = float(dom.low + float(x) * (dom.high - dom.low))
        return c


# -- hw02: the wrong losses and advantages ---------------------------------------------------------------------

def loss_over_all_m(log_prob, reward):
    """Divides by all m rewards, NaN ones included."""
    A = reinforce_mod.rloo_advantages(reward).to(log_prob.dtype)
    return -(A * log_prob.reshape(-1)).sum() / len(A)


def advantages_with_self(reward):
    """The baseline is the mean of all rewards, the child's own included (not leave-one-out)."""
    R = torch.as_tensor(reward, dtype=torch.float64).reshape(-1)
    ok = torch.isfinite(R)
    return torch.where(ok, R - R[ok].mean(), torch.zeros_like(R))


def advantages_nan_kept(reward):
    """NaN rewards stay inside the others' baselines (so every advantage turns NaN)."""
    R = torch.as_tensor(reward, dtype=torch.float64).reshape(-1)
    m = len(R)
    return R - (R.sum() - R) / (m - 1) if m > 1 else torch.zeros_like(R)


def loss_wrong_sign(log_prob, reward):
    return -reinforce_mod.rloo_loss(log_prob, reward)


WRONG = {  # name -> (hw, {function name: wrong answer}, the test that rejects it, fragment of its message)
    "hw01 Choice by rounding": (1, {"QuasiRandomSearch": ChoiceByRounding}, "test_every_choice_gets_an_equal_share",
                                "Rounding u \\* \\(len - 1\\)"),
    "hw01 IntRange by rounding": (1, {"QuasiRandomSearch": IntByRounding}, "test_every_int_gets_an_equal_share",
                                  "Rounding u \\* \\(high - low\\)"),
    "hw01 unscrambled Halton": (1, {"QuasiRandomSearch": Unscrambled}, "test_seeded_and_deterministic",
                                "another seed must scramble differently"),
    "hw01 LogUniform sampled linearly": (1, {"QuasiRandomSearch": LinearLog},
                                         "test_to_config_maps_corners_and_log_scale",
                                         "u = 0.5 is 1e-2"),
    "hw02 loss over all m, NaN included": (2, {"rloo_loss": loss_over_all_m},
                                           "test_the_loss_averages_over_the_finite_rewards_only",
                                           "the NaN one included"),
    "hw02 baseline includes the child itself": (2, {"rloo_advantages": advantages_with_self},
                                                "test_advantages_by_hand", "mean of the \\*other\\* rewards"),
    "hw02 NaN kept in the baselines": (2, {"rloo_advantages": advantages_nan_kept}, "test_nan_rewards_are_dropped",
                                       "NaN gets 0"),
    "hw02 loss with the wrong sign": (2, {"rloo_loss": loss_wrong_sign}, "test_loss_gradient_matches_the_formula",
                                      "want -A_k / m"),
}


def _tests(hw):
    return [(mod, name) for mod in MODULES[hw] for name in dir(mod) if name.startswith("test_")]


def _plant(monkeypatch, hw, answers):
    for mod in MODULES[hw]:
        for name, fn in answers.items():
            monkeypatch.setattr(mod, name, fn)


def _failures(monkeypatch, hw, answers) -> dict[str, str]:
    """Run every public and hidden test of homework `hw` with `answers` planted: test name -> message."""
    out = {}
    with monkeypatch.context() as m:
        _plant(m, hw, answers)
        for mod, name in _tests(hw):
            try:
                getattr(mod, name)()
            except AssertionError as e:
                out[name] = str(e)
    return out


@pytest.mark.parametrize("hw", [1, 2])
def test_the_reference_passes_every_test(monkeypatch, hw):
    reference = {1: {"QuasiRandomSearch": Reference}, 2: {}}[hw]
    assert _failures(monkeypatch, hw, reference) == {}


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_answer_is_rejected_with_its_message(monkeypatch, name):
    hw, answers, test, fragment = WRONG[name]
    failed = _failures(monkeypatch, hw, answers)
    assert test in failed, f"{name}: {test} accepted it; failures: {sorted(failed)}"
    assert re.search(fragment, failed[test]), failed[test]


@pytest.mark.parametrize("hw", [1, 2])
def test_every_hidden_test_rejects_an_answer_all_public_tests_accept(monkeypatch, hw):
    public, hidden = MODULES[hw]
    public_names = {n for n in dir(public) if n.startswith("test_")}
    caught = set()
    for hw_, answers, _, _ in WRONG.values():
        if hw_ != hw:
            continue
        failed = _failures(monkeypatch, hw, answers)
        if not public_names & set(failed):
            caught |= set(failed)
    hidden_names = {n for n in dir(hidden) if n.startswith("test_")}
    assert hidden_names and hidden_names <= caught, f"hidden tests that reject nothing new: {hidden_names - caught}"


def test_hw02_reference_handles_nan_exactly():
    # the oracle of the hidden test, by hand: A = (0.2 - 0.75, 0, 0.6 - 0.55, 0.9 - 0.4), m' = 3
    A = reinforce_mod.rloo_advantages([0.2, float("nan"), 0.6, 0.9])
    assert A.tolist() == pytest.approx([-0.55, 0.0, 0.05, 0.5]) and not math.isnan(A.sum().item())
