"""Claims as code (naslab.claims): a claim's verdict, its record, and every Expected result has one."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from naslab.claims import Claim, claim, load_claims, per_seed_lines

NB_DIR = Path(__file__).resolve().parents[2] / "notebooks"
SOURCES = sorted(NB_DIR.glob("[0-9]*.py"))


def test_claim_holds_and_fails_with_observed_and_bound(capsys, monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "0")
    ok = claim("01 §2", "grid tops out near 0.25", np.float32(0.2497), low=0.22, high=0.28)
    assert ok.status == "holds" and ok.holds and ok.bound() == "in [0.22, 0.28]"
    bad = claim("05 §7", "at least two skips", torch.tensor(1), low=2)
    assert bad.status == "fails" and not bad.holds and bad.observed == 1.0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "claim 01 §2 · grid tops out near 0.25: holds · observed 0.2497 · bound in [0.22, 0.28]"
    assert out[1] == "CLAIM 05 §7 · at least two skips: DOES NOT HOLD · observed 1 · bound >= 2"
    assert claim("03 §1", "upper bound", 3, high=3).holds and not claim("03 §1", "upper", 3.01, high=3).holds
    assert claim("04 §2", "a bool", True).holds and not claim("04 §2", "a bool", np.bool_(False)).holds
    assert not claim("04 §2", "NaN never holds", float("nan"), low=0).holds


def test_a_cell_ending_in_a_claim_shows_only_its_printed_line(capsys, monkeypatch):
    # Jupyter displays a cell's last value through IPython's display formatter: a Claim gives it nothing to show
    # (no `Claim(where=...)` repr under the printed line), while repr() stays informative for code and tests
    from IPython.core.formatters import DisplayFormatter

    monkeypatch.setenv("NASLAB_FAST", "0")
    c = claim("00 §3", "val acc", 0.6, 0.55, 0.65)
    assert capsys.readouterr().out.startswith("claim 00 §3 · val acc: holds")
    assert DisplayFormatter().format(c) == ({}, {})
    assert repr(c).startswith("Claim(where='00 §3'")
    assert "text/plain" in DisplayFormatter().format(load_claims)[0]  # the formatter does show other objects


def test_fast_mode_records_unchecked_or_checks_fast_bounds(monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "1")
    assert claim("02 §5", "class-only", 0.1, low=0.5).status == "unchecked"
    assert claim("02 §5", "same bounds", 0.1, low=0.5, fast="same").status == "fails"
    c = claim("02 §5", "fast bounds", 0.1, low=0.5, fast=(0.0, None))
    assert c.status == "holds" and (c.low, c.high, c.mode) == (0.0, None, "FAST")


def test_records_are_appended_to_the_file_named_by_the_env(tmp_path, monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "0")
    monkeypatch.setenv("NASLAB_CLAIMS", str(tmp_path / "c.jsonl"))
    a = claim("00 §3", "val acc", 0.6, 0.55, 0.65)
    b = claim("05 §7", "fails", 0.1, low=0.5)
    assert load_claims(tmp_path / "c.jsonl") == [a, b]
    assert isinstance(a, Claim) and [c.status for c in load_claims(tmp_path / "c.jsonl")] == ["holds", "fails"]


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("5 §7", "x", 1, 0), {}, "where='5 §7'"),
    (("05 §7", " ", 1, 0), {}, "what"),
    (("05 §7", "x", "many", 0), {}, "observed='many'"),
    (("05 §7", "x", 1.0), {}, "needs a bound"),
    (("05 §7", "x", True, 0), {}, "bool claim takes no bounds"),
    (("05 §7", "x", 1.0, 2, 1), {}, "low=2.0 is above high=1.0"),
    (("05 §7", "x", 1.0, 0), {"fast": "maybe"}, "fast='maybe'"),
    (("05 §7", "x", 1.0, "low"), {}, "low='low'"),
])
def test_bad_claims_are_rejected_with_the_bad_value(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        claim(*args, **kwargs)


def _cells(src: Path) -> list[tuple[str, str]]:
    """(kind, text) of every cell of a py:percent source."""
    parts = re.split(r"^# %%(.*)$", src.read_text(encoding="utf-8"), flags=re.M)
    return [("markdown" if "[markdown]" in head else "code", body) for head, body in zip(parts[1::2], parts[2::2])]


def test_every_expected_result_is_followed_by_its_claim():
    """The code cell right after each "Expected result" markdown cell calls claim("NN §S", ...) for its
    own notebook (the claims run in FAST mode through tests/course/test_notebooks.py)."""
    assert len(SOURCES) >= 6
    n_expected = 0
    for src in SOURCES:
        cells = _cells(src)
        for i, (kind, text) in enumerate(cells):
            if kind == "markdown" and "**Expected result" in text:
                n_expected += 1
                nxt = next((t for k, t in cells[i + 1:] if k == "code"), "")
                assert re.search(r'claim\(\s*f?"' + src.name[:2] + " §", nxt), (
                    f"{src.name}: the Expected result {text.strip()[:80]!r} is not followed by a claim cell")
    assert n_expected >= 20


def _c(where, what, observed, status, low=None, high=0.5):
    return Claim(where, what, observed, low, high, status, "class")


B = ("05 §8", "b", True, "holds", None, None)  # a bool claim


def test_per_seed_lines_match_claims_across_seeds_and_give_range_and_count():
    runs = {  # seed -> the claims its run recorded; "05 §7 · x" is made twice per run (matched by position)
        0: [_c("05 §7", "x", 0.1, "holds"), _c("05 §7", "x", 0.4, "holds"), _c(*B)],
        1: [_c("05 §7", "x", 0.3, "holds"), _c("05 §7", "x", 0.7, "fails"), _c(*B)],
        2: [_c("05 §7", "x", 0.2, "holds"), _c("05 §7", "x", 0.45, "holds")],  # stopped before 05 §8
    }
    assert per_seed_lines(runs) == [
        "holds  05 §7 · x: held on 3 of 3 seeds · observed (SEED: value) 0: 0.1 / 1: 0.3 / 2: 0.2 · range 0.1..0.3 · "
        "bound <= 0.5",
        "FAILS  05 §7 · x: held on 2 of 3 seeds · observed (SEED: value) 0: 0.4 / 1: 0.7 / 2: 0.45 · range 0.4..0.7 · "
        "bound <= 0.5",
        "FAILS  05 §8 · b: held on 2 of 3 seeds, missing on SEED 2 · observed (SEED: value) 0: True / 1: True / 2: - · "
        "range True..True · bound True",
    ]
    fast = {s: [_c("01 §1", "y", v, "unchecked")] for s, v in ((0, 1.0), (1, 2.0))}
    assert per_seed_lines(fast) == ["unchecked 01 §1 · y: not checked in FAST on 2 of 2 seeds · observed "
                                    "(SEED: value) 0: 1 / 1: 2 · range 1..2 · bound <= 0.5"]


def test_a_prediction_is_printed_beside_what_happened(capsys, monkeypatch):
    monkeypatch.delenv("NASLAB_FAST", raising=False)
    monkeypatch.delenv("NASLAB_CLAIMS", raising=False)
    c = claim("05 §7", "collapsed seeds", 3, 2, 8, predicted=5)
    assert capsys.readouterr().out.strip().endswith("observed 3 · bound in [2, 8] · you predicted 5")
    assert c.predicted == "5" and c.holds
    claim("05 §7", "collapsed seeds", 3, 2, 8, predicted=None)
    assert "you predicted nothing yet (fill in the prediction cell" in capsys.readouterr().out
    claim("05 §7", "which order wins", True, predicted="second order")
    assert capsys.readouterr().out.strip().endswith("you predicted second order")
    claim("05 §7", "collapsed seeds", 3, 2, 8)
    assert "predicted" not in capsys.readouterr().out
