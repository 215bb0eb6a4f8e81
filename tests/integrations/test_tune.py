"""naslab.integrations.tune: any naslab searcher through Ray Tune gives the trials of `run_search`, and resumes
from the same Trial JSONL.

Shares the Ray instance set-up and the objectives of `tests/core/test_executors.py` (the Ray workers
import the objectives from that module). Skipped, with the install command, without the `tune` extra.
"""

from __future__ import annotations

import pytest

from naslab.domains import Choice
from naslab.proxies.halving import SuccessiveHalving
from naslab.search import run_search
from naslab.searchers import GridSearch
from naslab.trial import load_jsonl

from ..core.test_executors import halving_objective, key, lr_objective, ray_cluster  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("ray_cluster")  # one local Ray instance, started as for the executors


def test_tune_adapter_gives_the_trials_of_run_search_and_resumes_from_jsonl(tmp_path):
    pytest.importorskip("ray.tune", reason="Ray Tune is an optional extra: pip install -e '.[tune]'")
    from naslab.integrations.tune import run_tune

    space = {"lr": Choice([1e-3, 10.0]), "weight_decay": Choice([1e-4, 1.0])}  # ok, failed, diverged trials
    path = tmp_path / "grid.jsonl"
    run_search(GridSearch(space, shuffle=True, seed=2), lr_objective, 1, path=path)  # 1 trial on the laptop
    grid = run_tune(GridSearch(space, shuffle=True, seed=2), lr_objective, 10, path=path, storage_path=tmp_path)
    assert key(grid) == key(run_search(GridSearch(space, shuffle=True, seed=2), lr_objective, 10))
    assert [bool(t.info.get("resumed")) for t in grid] == [True] + [False] * 3
    assert {t.status for t in grid} == {"ok", "failed", "diverged"}
    assert [t.to_dict()["metrics"] for t in sorted(load_jsonl(path), key=lambda t: t.trial_id)] == \
        [t.to_dict()["metrics"] for t in grid]  # the same Trial JSONL as run_search writes

    def halving():
        return SuccessiveHalving(list(range(6)), eta=3, r_min=1, r_max=3)

    sh = halving()
    tuned = run_tune(sh, halving_objective, 50, storage_path=tmp_path)
    assert key(tuned) == key(run_search(halving(), halving_objective, 50)) and len(tuned) == 6 + 2
    assert sh.done
