"""The bake-off runner, its statistics, plots, widget and exercise checks, on toy tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import naslab  # noqa: E402
from naslab.bakeoff import stats  # noqa: E402
from naslab.bakeoff.plots import (  # noqa: E402
    plot_darts_vs_truth,
    plot_final_ranking,
    plot_regret_curves,
    plot_search_trace,
)
from naslab.bakeoff.race import (  # noqa: E402
    Lookup,
    TableObjective,
    cell_id,
    default_searchers,
    incumbent_path,
    race,
)
from naslab.bakeoff.searchers import RandomCellSearch  # noqa: E402
from naslab.bakeoff.toy import ToyTable  # noqa: E402
from naslab.search import run_search  # noqa: E402


@pytest.fixture(scope="module")
def toy():
    table = ToyTable(seed=0)
    return table, Lookup.from_table(table)


@pytest.fixture(scope="module")
def result(toy):
    _, lookup = toy
    return race(lookup, seeds=range(8), max_seconds=40 * lookup.full_seconds(), n_times=12)


class _NoDense:
    """A table exposing only the public per-cell interface (the slow path of Lookup.from_table)."""

    def __init__(self, table):
        self.t = table
        self.n_epochs, self.n_seeds = table.n_epochs, table.n_seeds

    def __getattr__(self, name):
        if name == "dense":
            raise AttributeError(name)
        return getattr(self.t, name)


def test_lookup_reads_the_table_exactly():
    table = ToyTable(n_ops=3, n_edges=4, n_epochs=5, seed=4)
    fast, slow = Lookup.from_table(table), Lookup.from_table(_NoDense(table))
    for a, b in ((fast.val, slow.val), (fast.test, slow.test), (fast.sec, slow.sec)):
        np.testing.assert_allclose(a, b)
    c = (2, 0, 1, 2)
    assert cell_id(c, 3) == 2 * 27 + 0 + 3 + 2
    assert fast.val[cell_id(c, 3), 1, 2] == pytest.approx(table.val_acc(c, epoch=3, seed=1))
    assert fast.test[cell_id(c, 3)] == pytest.approx(table.test_acc(c))


def test_objective_is_a_seeded_lookup_with_the_table_cost(toy):
    table, lookup = toy
    cell = (1, 2, 3, 4, 0, 1)
    f = TableObjective(lookup, seed=5)
    out = f(cell)
    s = int(f.obs_seed[cell_id(cell, 5)])
    assert out == {"val_acc": pytest.approx(table.val_acc(cell, seed=s)), "seconds": pytest.approx(table.seconds(cell)),
                   "epoch": 12}
    assert f(list(cell), 3.4)["epoch"] == 3 and f(cell, 3.4)["seconds"] == pytest.approx(table.seconds(cell, epoch=3))
    assert f({"tokens": list(cell)}) == out
    assert f(cell) == TableObjective(lookup, seed=5)(cell)  # deterministic per (run seed, cell)
    with pytest.raises(ValueError, match="6 op indices in 0..4"):
        f((0, 1, 7, 0, 0, 0))
    trial = naslab.run_search(RandomCellSearch(n_ops=8, seed=0), f, budget=3)[0]  # a bad cell: a failed trial
    assert trial.status == "failed" and "not a cell of this table" in trial.error


def test_incumbent_prefers_the_highest_fidelity(toy):
    _, lookup = toy
    a, b = (0,) * 6, (1,) * 6
    trials = [naslab.Trial(config=a, metrics={"val_acc": 0.9, "epoch": 1}, seconds=1.0),
              naslab.Trial(config=b, metrics={"val_acc": 0.5, "epoch": 12}, seconds=2.0),
              naslab.Trial(config=a, metrics={"val_acc": 0.4, "epoch": 12}, seconds=2.0)]
    done, val, test = incumbent_path(trials, lookup)
    np.testing.assert_allclose(done, [1, 3, 5])
    np.testing.assert_allclose(val, [0.9, 0.5, 0.5])  # the 1-epoch 0.9 never beats a full 0.5
    assert test[1] == pytest.approx(lookup.test[cell_id(b, 5)])


def test_race_regret_is_zero_for_an_oracle_and_never_rises_for_full_fidelity(toy, result):
    table, lookup = toy

    class Oracle(naslab.Searcher):
        def __init__(self, seed=0):
            self.seed = seed

        def ask(self):
            return table.opt

    res = race(lookup, {"oracle": Oracle, "random": lambda s: RandomCellSearch(seed=s)}, seeds=range(3),
               max_seconds=10 * lookup.full_seconds())
    assert np.all(res.regret["oracle"] == 0)
    assert np.all(res.regret["random"] >= 0)
    for name in ("random", "evolution", "local search", "REINFORCE"):
        assert np.all(np.diff(result.val[name], axis=1) >= 0), name  # best-so-far validation never drops
    assert set(result.names) == {"random", "evolution", "local search", "REINFORCE", "successive halving", "hyperband"}
    assert result.regret["random"].shape == (8, 12) and not np.isnan(result.regret["hyperband"]).any()
    with pytest.raises(TypeError, match="Lookup.from_table"):
        race(table)
    with pytest.raises(ValueError, match="max_seconds=-1.0"):
        race(lookup, seeds=range(2), max_seconds=-1)


def test_iqm_and_bootstrap_band():
    x = np.array([0.0, 1, 2, 3, 4, 5, 6, 100])
    assert stats.iqm(x) == pytest.approx(np.mean([2, 3, 4, 5]))  # drops 2 runs at each end
    v, lo, hi = stats.bootstrap_band(np.random.default_rng(0).normal(size=(40, 3)), n_resamples=500)
    assert v.shape == (3,) and np.all(lo <= v) and np.all(v <= hi) and np.all(hi - lo < 1.5)
    v, lo, hi = stats.bootstrap_band(np.zeros(10))
    assert v == lo == hi == 0
    with pytest.raises(ValueError, match="NaN"):
        stats.bootstrap_band(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="statistic"):
        stats.bootstrap_band(np.ones(4), statistic="mode")


def test_final_ranking_orders_by_regret(result):
    rows = stats.final_ranking(result, n_resamples=300)
    assert [r.value for r in rows] == sorted(r.value for r in rows)
    assert all(r.lo <= r.value <= r.hi for r in rows)
    best, worst = rows[0], rows[-1]
    assert best.name in ("local search", "evolution", "REINFORCE") and worst.name not in ("local search",)
    assert "optimum in" in str(best)


def _font_sizes(ax):
    return [t.get_fontsize() for t in ax.figure.findobj(matplotlib.text.Text) if t.get_text()]


def test_plots_are_legible(result):
    bands = stats.curve_bands(result, n_resamples=200)
    ax = plot_regret_curves(result.times, bands, budget=result.times[5])
    assert len(ax.lines) >= len(bands) and min(_font_sizes(ax)) >= 8
    rows = stats.final_ranking(result, n_resamples=200)
    ax = plot_final_ranking(rows, {n: result.final(n) for n in result.names})
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.name for r in rows] and min(_font_sizes(ax)) >= 8
    ax = plot_search_trace({"random": (np.ones(5), np.linspace(0.5, 0.9, 5))}, best=0.95)
    assert min(_font_sizes(ax)) >= 8
    hist = [{"epoch": e, "rank": r, "n_parameter_free": p} for e, r, p in [(1, 900, 2), (2, 300, 4), (3, 4000, 6)]]
    ax = plot_darts_vs_truth({"first order": hist}, 4930, reference={"random": 12})
    assert list(ax.lines[0].get_ydata()) == [900, 300, 4000] and ax.get_ylim()[0] > ax.get_ylim()[1]  # best on top
    assert any("6/6" in t.get_text() for t in ax.texts) and min(_font_sizes(ax)) >= 8
    plt.close("all")


def test_widget_panel_redraws(result):
    pytest.importorskip("ipywidgets")
    from naslab.bakeoff.widgets import bakeoff_panel

    box = bakeoff_panel(result)
    budget, searchers = box.children[-2].children
    budget.value = float(result.times[4])
    searchers.value = ("random", "evolution")
    plt.close("all")


def test_an_interrupted_race_keeps_the_searchers_that_finished(toy, capsys):
    _, lookup = toy

    class Interrupted(RandomCellSearch):
        def ask(self):
            if self._asked == 3 and not getattr(self, "_raised", False):
                self._raised = True
                raise KeyboardInterrupt  # what Ctrl-C does inside run_search
            return super().ask()

    budget = 10 * lookup.full_seconds()
    res = race(lookup, {"random": lambda s: RandomCellSearch(seed=s), "ctrl-c": lambda s: Interrupted(seed=s),
                        "never": lambda s: RandomCellSearch(seed=s)}, seeds=range(2), max_seconds=budget)
    assert res.names == ["random"] and "interrupted during 'ctrl-c'" in capsys.readouterr().out
    with pytest.raises(KeyboardInterrupt):
        race(lookup, {"ctrl-c": lambda s: Interrupted(seed=s)}, seeds=range(2), max_seconds=budget)

    class Exhausted(RandomCellSearch):  # stops on its own after 3 cells: a finished run, not an interrupt
        def __init__(self, seed=0):
            super().__init__(seed=seed, max_trials=3)

    res = race(lookup, {"short": Exhausted}, seeds=range(2), max_seconds=budget)
    assert res.names == ["short"] and res.n_trials["short"].tolist() == [3, 3]


def test_lookup_reads_a_cell_benchmark_through_its_classes():
    # a CellBenchmark over the 4,930 distinct cells (toy numbers): the dense fast path must agree with
    # the public per-cell lookups for every one of the 15,625 cells, isomorphic ones included
    from naslab.bakeoff.cells import OPS, canonical, unique_cells
    from naslab.bakeoff.table import CellBenchmark

    toy = ToyTable(n_epochs=4, seed=5)
    U = unique_cells()
    idx = [toy.index(c) for c in U]
    bench = CellBenchmark({"cells": np.array(U, np.int8), "val_acc": toy.val[idx].astype(np.float32),
                           "test_acc": toy.test[idx].astype(np.float32), "train_loss": np.zeros((len(U), 2, 4)),
                           "params": np.ones(len(U), np.int64), "macs": np.ones(len(U), np.int64),
                           "seconds_per_epoch": (toy.sec[idx, 0] / 10).astype(np.float32)},
                          {"ops": list(OPS), "seeds": [0, 1], "epochs": 4, "name": "toy-classes"})
    lk = Lookup.from_table(bench)
    rng = np.random.default_rng(0)
    for i in rng.choice(5**6, size=200, replace=False):
        cell = bench.cells()[i]
        assert cell_id(cell, 5) == i
        assert lk.test[i] == pytest.approx(bench.test_acc(cell), abs=1e-6)
        assert lk.val[i, 1, 2] == pytest.approx(bench.val_acc(cell, epoch=3, seed=1), abs=1e-6)
        assert lk.sec[i, 3] == pytest.approx(bench.seconds(cell), rel=1e-6)
        assert lk.test[i] == lk.test[cell_id(canonical(cell), 5)]  # isomorphic cells share their class's row
    assert lk.best_test == pytest.approx(bench.best("test")[1], abs=1e-6)


def _incumbent_path_before_issue_20(trials, lookup):  # the implementation anytime.incumbents replaced, frozen
    done = np.cumsum([t.seconds for t in trials])
    epoch = np.array([t.metrics.get("epoch", lookup.n_epochs) if t.status == "ok" else 0 for t in trials])
    score = np.array([t.score() if t.status == "ok" else -1.0 for t in trials])
    key = epoch * 10.0 + score
    best = np.maximum.accumulate(key)
    new = np.r_[True, key[1:] > best[:-1]]
    inc = np.maximum.accumulate(np.where(new, np.arange(len(trials)), 0))
    test = np.array([lookup.test[cell_id(trials[j].config, lookup.n_ops)] for j in inc])
    return done, score[inc], test


def test_incumbent_path_gives_what_it_gave_before_the_incumbent_rule(toy):
    _, lookup = toy
    a, b, c = (0,) * 6, (1,) * 6, (2,) * 6
    # oracle 1, by hand: a failed first trial is the incumbent (score -1) until a real one; a tie goes to the
    # earlier trial; a diverged trial never counts; the 12-epoch b beats the 1-epoch 0.9
    hand = [naslab.Trial(config=c, status="failed", seconds=1.0),
            naslab.Trial(config=a, metrics={"val_acc": 0.9, "epoch": 1}, seconds=1.0),
            naslab.Trial(config=c, metrics={"val_acc": 0.9, "epoch": 1}, seconds=1.0),
            naslab.Trial(config=c, metrics={"val_acc": 0.99, "epoch": 12, "diverged": True}, seconds=1.0,
                         status="diverged"),
            naslab.Trial(config=b, metrics={"val_acc": 0.5, "epoch": 12}, seconds=2.0)]
    done, val, test = incumbent_path(hand, lookup)
    np.testing.assert_allclose(val, [-1, 0.9, 0.9, 0.9, 0.5])
    np.testing.assert_allclose(test, lookup.test[[cell_id(x, 5) for x in (c, a, a, a, b)]])
    for x, y in zip((done, val, test), _incumbent_path_before_issue_20(hand, lookup)):
        np.testing.assert_array_equal(x, y)
    # oracle 2: the old implementation on real runs of every bake-off searcher against the toy table
    for name, make in default_searchers(lookup).items():
        trials = run_search(make(1), TableObjective(lookup, 1), budget=60)
        for x, y in zip(incumbent_path(trials, lookup), _incumbent_path_before_issue_20(trials, lookup)):
            np.testing.assert_array_equal(x, y, err_msg=name)
