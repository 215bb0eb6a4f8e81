"""One status rule for every number type (see `naslab.Trial`), failed trials that name the bad key and
type, and one warning when a search's first trials all fail for the same reason."""

import json
import math
import warnings

import numpy as np
import pytest
import torch
from torch import nn

import naslab
from naslab.asktell import FailureWatch
from naslab.trial import trial_from_output

NAN_KINDS = {
    "python nan": float("nan"), "numpy nan": np.float64("nan"), "numpy float32 nan": np.float32("nan"),
    "torch nan": torch.tensor(float("nan")), "torch 1-elem nan": torch.tensor([float("nan")]).squeeze(),
    "numpy 0-d nan": np.array(float("nan")), "None": None,
    "python inf": float("inf"), "numpy -inf": -np.inf, "torch inf": torch.tensor(float("inf")),
    "numpy 0-d inf": np.array(np.inf, dtype=np.float32),
}


def _one(score, **extra):
    """run_search with one trial whose objective returns {"val_acc": score, **extra}."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return naslab.run_search(naslab.GridSearch({"a": naslab.Choice([1])}),
                                 lambda c: {"val_acc": score, **extra}, 1)[0]


@pytest.mark.parametrize("score", NAN_KINDS.values(), ids=NAN_KINDS.keys())
def test_every_nan_and_non_finite_score_gives_the_same_status(score, tmp_path):
    t = _one(score)
    assert t.status == "diverged" and t.error is None
    assert math.isnan(t.score())  # and best-so-far curves skip it
    assert np.isnan(naslab.best_so_far([t])[0])
    back = naslab.Trial.from_dict(json.loads(t.to_json()))  # strict JSON, same status and score on reload
    assert back.status == "diverged" and math.isnan(back.score())


FINITE_KINDS = {"python": 0.75, "numpy f64": np.float64(0.75), "numpy f32": np.float32(0.75),
                "torch 0-d": torch.tensor(0.75), "torch f16": torch.tensor(0.75, dtype=torch.float16),
                "numpy 0-d": np.array(0.75), "python int": 1, "numpy int": np.int64(1)}


@pytest.mark.parametrize("score", FINITE_KINDS.values(), ids=FINITE_KINDS.keys())
def test_finite_scores_of_every_type_are_ok_and_normalised_to_python_numbers(score):
    t = _one(score, loss=np.float32(0.5), curve=torch.tensor([1.0, 2.0]), diverged=np.bool_(False))
    assert t.status == "ok"
    assert type(t.metrics["val_acc"]) in (float, int) and t.score() == pytest.approx(float(score))
    assert type(t.metrics["loss"]) is float and t.metrics["curve"] == [1.0, 2.0]
    assert t.metrics["diverged"] is False
    json.loads(t.to_json())


def test_diverged_flag_must_be_a_bool_and_true_means_diverged():
    assert _one(0.9, diverged=True).status == "diverged"
    assert _one(0.9, diverged=torch.tensor(True)).status == "diverged"
    t = _one(0.9, diverged="no")
    assert t.status == "failed" and "'diverged' must be a bool, got str 'no'" in t.error


@pytest.mark.parametrize("score, fragment", [("0.9", "got str '0.9'"), (True, "got bool True"),
                                             ([0.9], "got list"), ({"a": 1}, "got dict")])
def test_a_non_numeric_score_is_a_failed_trial_naming_key_and_type(score, fragment):
    t = _one(score)
    assert t.status == "failed" and "'val_acc' must be a real number" in t.error and fragment in t.error
    assert math.isnan(t.score())


@pytest.mark.parametrize("value, typename", [(nn.Linear(2, 2), "Linear"), ({1, 2}, "set"), (object(), "object"),
                                             (np.array(["a"]), "ndarray of dtype <U1")])
def test_a_non_serialisable_metric_fails_one_trial_not_the_search(value, typename, tmp_path):
    def objective(config):
        return {"val_acc": 0.5, "model": value} if config["a"] == 1 else {"val_acc": 0.7}
    trials = naslab.run_search(naslab.GridSearch({"a": naslab.Choice([1, 2])}), objective, 2,
                               path=tmp_path / "s.jsonl")
    assert [t.status for t in trials] == ["failed", "ok"]
    assert "metric 'model'" in trials[0].error and typename in trials[0].error
    assert len(naslab.load_jsonl(tmp_path / "s.jsonl")) == 2


def test_a_config_that_cannot_be_recorded_is_an_early_clear_error():
    class SetSearcher(naslab.RandomSearch):
        def _draw(self):
            return {"layers": {1, 2}}
    with pytest.raises(TypeError, match=r"config\['layers'\] is a set"):
        naslab.run_search(SetSearcher({"x": naslab.Uniform(0, 1)}), lambda c: {"val_acc": 1.0}, 3)


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf"), "3"])
def test_negative_or_non_finite_seconds_are_refused(seconds):
    with pytest.raises((ValueError, TypeError), match="seconds"):
        naslab.Trial(config={}, seconds=seconds)
    t = _one(0.5, seconds=seconds)
    assert t.status == "failed" and "'seconds' must be a finite number >= 0" in t.error


def test_simulated_seconds_of_numpy_type_replace_the_wall_clock():
    t = _one(0.5, seconds=np.float32(2.5))
    assert t.seconds == 2.5 and type(t.seconds) is float


def test_a_train_result_returned_by_mistake_fails_with_a_hint_and_the_search_warns_once():
    res = naslab.TrainResult(val_acc=0.5, val_loss=1.0)
    with pytest.warns(RuntimeWarning, match="first 3 trials all failed .* got TrainResult") as rec:
        trials = naslab.run_search(naslab.RandomSearch({"x": naslab.Uniform(0, 1)}, seed=0), lambda c: res, 6)
    assert len([w for w in rec if "first 3 trials" in str(w.message)]) == 1
    assert all(t.status == "failed" and "result.metrics" in t.error for t in trials)


def test_a_forgotten_metric_key_warns_once_with_the_reason():
    with pytest.warns(RuntimeWarning, match=r"objective returned no 'val_acc'; its keys: \['acc'\]"):
        naslab.run_search(naslab.RandomSearch({"x": naslab.Uniform(0, 1)}), lambda c: {"acc": 1.0}, 5)


def test_no_warning_when_the_reasons_differ_or_a_trial_succeeds():
    w = FailureWatch(3)
    for err in ["a", "b", "a"]:
        w.see(naslab.Trial(config={}, status="failed", error=err))
    ok = FailureWatch(3)
    ok.see(naslab.Trial(config={}, status="failed", error="a"))
    ok.see(naslab.Trial(config={}, metrics={"val_acc": 1.0}))
    ok.see(naslab.Trial(config={}, status="failed", error="a"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.close()
        ok.close()


def test_trial_from_output_keeps_an_exception_message():
    t = trial_from_output(None, "val_acc", seconds=0.1, error="RuntimeError: boom", config={"a": 1})
    assert t.status == "failed" and t.error == "RuntimeError: boom" and t.metrics == {}
