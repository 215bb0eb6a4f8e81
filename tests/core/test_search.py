"""The ask/tell searchers and the run_search loop: order, resume, interrupts, failures, executors."""

import functools
import json
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from naslab.domains import grid
from naslab.grid_vs_random.spaces import course_grid, course_space, synthetic_objective, synthetic_space
from naslab.search import run_search
from naslab.searchers import GridSearch, Proposal, RandomSearch, Searcher
from naslab.trial import load_jsonl


def _lr_objective(config):  # a cheap deterministic stand-in for training
    return {"val_acc": 1.0 - abs(np.log10(config["lr"]) + 1) / 5, "diverged": config["lr"] >= 10}


class _Counting:
    """Wraps an objective, counting calls (sequential runs only)."""

    def __init__(self, fn, interrupt_at=None):
        self.fn, self.calls, self.interrupt_at = fn, [], interrupt_at

    def __call__(self, config):
        if self.interrupt_at is not None and len(self.calls) == self.interrupt_at:
            raise KeyboardInterrupt  # what Ctrl-C raises in the middle of a trial
        self.calls.append(config)
        return self.fn(config)


def test_grid_search_in_order_and_shuffled():
    in_order = run_search(GridSearch(course_grid()), _lr_objective, 100)
    assert [t.config for t in in_order] == grid(course_grid())  # exhausted after 36
    assert [t.trial_id for t in in_order] == list(range(36))
    a = [t.config for t in run_search(GridSearch(course_grid(), shuffle=True, seed=1), _lr_objective, 36)]
    b = [t.config for t in run_search(GridSearch(course_grid(), shuffle=True, seed=1), _lr_objective, 36)]
    c = [t.config for t in run_search(GridSearch(course_grid(), shuffle=True, seed=2), _lr_objective, 36)]
    assert a == b != c
    key = sorted(map(json.dumps, a))
    assert key == sorted(map(json.dumps, grid(course_grid())))  # a permutation of the grid


def test_random_search_is_seeded_and_in_bounds():
    runs = [run_search(RandomSearch(course_space(), seed=s), _lr_objective, 20) for s in (0, 0, 1)]
    cfg = [[t.config for t in r] for r in runs]
    assert cfg[0] == cfg[1] != cfg[2]
    lrs = np.array([c["lr"] for c in cfg[0]])
    assert len(set(lrs)) == 20 and lrs.min() >= 1e-4 and lrs.max() <= 10
    assert len(run_search(RandomSearch(course_space(), seed=0, max_trials=5), _lr_objective, 20)) == 5


@pytest.mark.parametrize("budget", [0, -3, 2.5, True, "10"])
def test_bad_budget_is_a_clear_error(budget):
    with pytest.raises(ValueError, match="budget"):
        run_search(RandomSearch(course_space()), _lr_objective, budget)


def test_failures_and_divergence_are_recorded_and_the_search_goes_on():
    def objective(config):
        if 0.5 < config["lr"] < 5:
            raise RuntimeError(f"exploded at lr={config['lr']}")
        if config["weight_decay"] > 5:
            return "not a dict"
        return _lr_objective(config)

    trials = run_search(GridSearch(course_grid()), objective, 36)
    assert len(trials) == 36
    failed = [t for t in trials if t.status == "failed"]
    assert {t.config["lr"] for t in failed if "RuntimeError" in t.error} == {1.0}
    assert any("must return a dict" in t.error for t in failed)
    assert all(t.status == "diverged" for t in trials if t.config["lr"] == 10 and t.config["weight_decay"] < 5)
    assert all(np.isnan(t.score()) for t in failed)
    missing = run_search(GridSearch(course_grid()), lambda c: {"acc": 1.0}, 1)
    assert missing[0].status == "failed" and "'val_acc'" in missing[0].error


def test_resume_from_jsonl_does_not_repeat_finished_trials(tmp_path):
    path = tmp_path / "search.jsonl"
    first = _Counting(_lr_objective)
    run_search(RandomSearch(course_space(), seed=3), first, 5, path=path)
    second = _Counting(_lr_objective)
    resumed = run_search(RandomSearch(course_space(), seed=3), second, 8, path=path)
    fresh = run_search(RandomSearch(course_space(), seed=3), _lr_objective, 8)
    assert len(first.calls) == 5 and len(second.calls) == 3  # only the 3 new trials ran
    assert [t.config for t in resumed] == [t.config for t in fresh]
    assert [t.metrics for t in resumed] == [t.metrics for t in fresh]
    assert [t.trial_id for t in load_jsonl(path)] == list(range(8))
    with pytest.raises(ValueError, match="different search"):
        run_search(RandomSearch(course_space(), seed=4), _lr_objective, 8, path=path)


def test_keyboard_interrupt_returns_what_finished_and_a_rerun_resumes(tmp_path):
    path = tmp_path / "search.jsonl"
    interrupted = _Counting(_lr_objective, interrupt_at=4)
    got = run_search(GridSearch(course_grid(), shuffle=True, seed=0), interrupted, 36, path=path)
    assert len(got) == 4 and len(load_jsonl(path)) == 4
    rest = _Counting(_lr_objective)
    done = run_search(GridSearch(course_grid(), shuffle=True, seed=0), rest, 36, path=path)
    assert len(done) == 36 and len(rest.calls) == 32


def test_process_pool_gives_the_same_trials_as_sequential():
    objective = functools.partial(synthetic_objective, importance=0.3)  # picklable
    seq = run_search(RandomSearch(synthetic_space(), seed=5), objective, 12, metric="score")
    with ProcessPoolExecutor(max_workers=2) as pool:
        par = run_search(RandomSearch(synthetic_space(), seed=5), objective, 12, metric="score", executor=pool)
    assert [(t.trial_id, t.config, t.metrics) for t in par] == [(t.trial_id, t.config, t.metrics) for t in seq]


class _Adaptive(Searcher):
    """Asks in rounds of 3; the next round needs every tell of the previous one (like a halving rung)."""

    name = "adaptive"

    def __init__(self):
        self.round, self.waiting, self.told = 0, 0, []

    def ask(self):
        if self.waiting == 3:
            return None  # wait for the tells of this round
        if self.round == 2:
            return None  # done after two rounds
        self.waiting += 1
        return Proposal({"lr": 10.0 ** -(self.waiting + 3 * self.round)}, fidelity=self.round + 1, parent=self.round)

    def tell(self, config, trial):
        self.told.append(config["lr"])
        if len(self.told) % 3 == 0:
            self.round, self.waiting = self.round + 1, 0


def _slow_first(config, fidelity):
    time.sleep(0.05 if config["lr"] > 0.05 else 0.0)  # the first asked finishes last
    return {"val_acc": fidelity + config["lr"]}


def test_batched_asks_tell_in_ask_order_with_fidelity_and_parent():
    with ThreadPoolExecutor(max_workers=3) as pool:
        s = _Adaptive()
        trials = run_search(s, _slow_first, 50, executor=pool, batch_size=3)
    assert len(trials) == 6
    assert s.told == [t.config["lr"] for t in trials] == [10.0 ** -k for k in range(1, 7)]
    assert [t.fidelity for t in trials] == [1, 1, 1, 2, 2, 2]
    assert [t.parent for t in trials] == [0, 0, 0, 1, 1, 1]
    seq = run_search(_Adaptive(), _slow_first, 50, batch_size=3)
    assert [t.metrics for t in seq] == [t.metrics for t in trials]


def test_max_seconds_stops_on_simulated_cost_and_on_trial_sees_every_trial():
    seen = []
    trials = run_search(RandomSearch(course_space(), seed=0), lambda c: {"val_acc": 0.5, "seconds": 2.0}, 100,
                        max_seconds=9.0, on_trial=seen.append)
    assert len(trials) == 5 and sum(t.seconds for t in trials) == 10.0  # stops once 9 s are spent
    assert seen == trials


def test_bad_batch_size_is_a_clear_error():
    with pytest.raises(ValueError, match="batch_size"):
        run_search(RandomSearch(course_space()), _lr_objective, 3, batch_size=0)


class _Recording:
    """An objective (thread pools only) that records when each trial starts and ends; trial 0 is slow."""

    def __init__(self):
        self.log, self.live, self.most = {}, 0, 0

    def __call__(self, config):
        t0 = time.perf_counter()
        self.live += 1
        self.most = max(self.most, self.live)
        time.sleep(0.4 if config["i"] == 0 else 0.02)
        self.live -= 1
        self.log[config["i"]] = (t0, time.perf_counter())
        return {"val_acc": float(config["i"])}


class _Counter(Searcher):
    name, adaptive = "counter", False

    def __init__(self, n):
        self.n, self.i, self.told = n, 0, []

    def ask(self):
        if self.i == self.n:
            return None
        self.i += 1
        return {"i": self.i - 1}

    def tell(self, config, trial):
        self.told.append(config["i"])


def test_non_adaptive_searchers_keep_every_worker_busy_and_tell_in_ask_order():
    rec, s = _Recording(), _Counter(10)
    with ThreadPoolExecutor(max_workers=2) as pool:
        trials = run_search(s, rec, 10, executor=pool, max_workers=2)
    assert s.told == [t.config["i"] for t in trials] == list(range(10))  # ask order, though 0 finished last
    slow_end = rec.log[0][1]
    assert all(rec.log[i][1] < slow_end for i in range(1, 10))  # the other worker ran 1..9 meanwhile
    assert rec.most == 2  # never more than max_workers in flight
    rec = _Recording()  # batches (batch_size=2): trial 2 waits for the slow trial 0
    run_search(_Counter(4), rec, 4, executor=ThreadPoolExecutor(2), batch_size=2)
    assert rec.log[2][0] >= rec.log[0][1]


class _ThreeWorkers(ThreadPoolExecutor):
    max_workers = 3  # the public attribute run_search reads


def test_max_workers_comes_from_a_public_argument_or_attribute():
    rec = _Recording()
    with _ThreeWorkers(max_workers=8) as pool:
        run_search(_Counter(9), rec, 9, executor=pool)
    assert rec.most == 3
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="max_workers"):
            run_search(_Counter(2), _lr_objective, 2, executor=ThreadPoolExecutor(1), max_workers=bad)


def test_a_trial_that_cannot_be_shipped_to_a_worker_is_a_failed_trial():
    class _Refuses(ThreadPoolExecutor):
        def submit(self, fn, *args):
            raise TypeError("cannot serialize this config")

    trials = run_search(RandomSearch(course_space(), seed=0), _lr_objective, 3, executor=_Refuses(1))
    assert [t.status for t in trials] == ["failed"] * 3  # (a worker that cannot unpickle: tests/core/test_executors.py)
    assert "could not run the trial" in trials[0].error and "cannot serialize" in trials[0].error
