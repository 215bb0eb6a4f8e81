import json

import pytest

from naslab.trial import Trial, append_jsonl, load_jsonl, save_jsonl
from naslab.utils import summarize


def test_trial_round_trips_through_jsonl(tmp_path):
    path = tmp_path / "runs" / "trials.jsonl"
    a = Trial(config={"lr": 0.1, "wd": (1e-4,)}, fidelity={"epochs": 3}, seed=2,
              metrics={"val_acc": 0.9, "val_loss": float("nan")}, seconds=1.5, trial_id=0)
    b = Trial(config=[1, 2, 3], status="failed", error="boom", trial_id=1, parent=0)
    append_jsonl(path, a)
    append_jsonl(path, b)
    back = load_jsonl(path)
    assert [t.trial_id for t in back] == [0, 1]
    assert back[0].config == {"lr": 0.1, "wd": [1e-4]}  # tuples become lists
    assert back[0].metrics["val_loss"] is None  # NaN is stored as null, never as invalid JSON
    assert back[1].status == "failed" and back[1].error == "boom" and back[1].parent == 0
    assert back[1].score() != back[1].score()  # failed -> NaN
    for line in path.read_text().splitlines():
        json.loads(line)  # strict JSON


def test_truncated_last_line_is_ignored_but_corruption_elsewhere_raises(tmp_path):
    path = tmp_path / "t.jsonl"
    save_jsonl(path, [Trial(config={"a": i}, trial_id=i) for i in range(3)])
    text = path.read_text()
    path.write_text(text + '{"config": {"a": 3}, "tri')  # a run killed mid-write
    with pytest.warns(RuntimeWarning, match="unterminated"):
        assert len(load_jsonl(path)) == 3
    lines = text.splitlines()
    path.write_text("\n".join([lines[0], "not json", lines[2]]) + "\n")
    with pytest.raises(ValueError, match="line 2"):
        load_jsonl(path)
    assert load_jsonl(tmp_path / "missing.jsonl") == []


def test_status_is_checked():
    with pytest.raises(ValueError, match="allowed"):
        Trial(config={}, status="weird")


def test_summary_rounds_floats_and_hides_the_timestamp():
    t = Trial(config={"model": "mlp", "lr": 0.01}, fidelity={"epochs": 3}, seed=1, trial_id=0,
              metrics={"val_acc": 0.29374998807907104, "curve": [0.26499998569488525, 0.5]}, seconds=12.3456)
    s = summarize(t)
    assert s == ("trial 0 (ok) | config {model: mlp, lr: 0.01} | fidelity {epochs: 3} | seed 1 | "
                 "metrics {val_acc: 0.294, curve: [0.265, 0.5]} | 12.3 s")
    assert "created" not in s and "0.2937" not in s
    assert "error: boom" in summarize(Trial(config="x", status="failed", error="boom"))
