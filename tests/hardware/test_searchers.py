"""naslab.hardware.searchers and race: ask/tell contracts, tournament winners by hand, and an oracle race."""

from __future__ import annotations

import numpy as np
import pytest

from naslab.bakeoff.cells import all_cells, canonical
from naslab.bakeoff.race import Lookup, cell_id, load_table
from naslab.hardware.pareto import pareto_front
from naslab.hardware.race import (
    MOObjective,
    cost_per_cell,
    default_reference,
    default_searchers,
    deployed_hypervolume,
    exact_front,
    mo_race,
    noise_ceiling,
)
from naslab.hardware.searchers import ConstrainedEvolution, MultiObjectiveEvolution, RandomScalarisation
from naslab.search import run_search
from naslab.searchers import Searcher
from naslab.trial import Trial


@pytest.fixture(scope="module")
def bench():
    table = load_table()
    lookup = Lookup.from_table(table)
    return table, lookup, cost_per_cell(table, table.arrays["macs"])


def member(cell, acc, cost, tid=0):
    return (cell, -acc, cost, tid)


def test_mo_evolution_winner_is_nsga2s_crowded_comparison():
    s = MultiObjectiveEvolution(seed=0, metrics=("val_acc", "macs"))
    a, b, c = member((1,) * 6, 0.9, 10.0), member((2,) * 6, 0.8, 20.0), member((3,) * 6, 0.5, 5.0)
    s.population.extend([a, b, c])  # b is dominated by a: rank 1; a and c: rank 0
    assert s.winner([b, c]) is c and s.winner([a, b]) is a
    ends, mid = member((0,) * 6, 0.9, 30.0), member((4,) * 6, 0.7, 9.0)
    s.population.clear()
    s.population.extend([ends, mid, c])  # one front: mid is interior (finite crowding), the ends are infinite
    assert s.winner([mid, c]) is c and s.winner([mid, ends]) is ends


def test_random_scalarisation_prefers_a_dominating_member_for_every_weight():
    s = RandomScalarisation(seed=0)
    good, bad, other = member((1,) * 6, 0.9, 1.0), member((2,) * 6, 0.8, 2.0), member((3,) * 6, 0.1, 0.5)
    s.population.extend([good, bad, other])
    assert all(s.winner([bad, good]) is good for _ in range(50))
    picks = {s.winner([good, other])[0] for _ in range(200)}  # neither dominates: the weight decides
    assert picks == {good[0], other[0]}


def test_constrained_evolution_never_trains_over_budget(bench):
    _, lookup, cost = bench
    budget = float(np.quantile(cost, 0.2))
    s = ConstrainedEvolution(lambda c: cost[cell_id(c, 5)], budget, seed=1, metrics=("val_acc", "macs"))
    trials = run_search(s, MOObjective(lookup, cost, 1, "macs"), budget=120)
    assert len(trials) == 120 and all(t.metrics["macs"] <= budget for t in trials) and s.rejected > 0
    with pytest.raises(ValueError, match="no cell with cost <= budget=-1.0 in 5 draws"):
        ConstrainedEvolution(lambda c: 1.0, -1.0, max_tries=5).ask()
    with pytest.raises(TypeError, match="must be callable"):
        ConstrainedEvolution(3.0, 1.0)


def test_population_search_argument_checks_and_failed_trials():
    with pytest.raises(ValueError, match="sample_size=9 must be an int in 1..population_size=4"):
        MultiObjectiveEvolution(population_size=4, sample_size=9)
    with pytest.raises(ValueError, match="two metric names"):
        RandomScalarisation(metrics=("val_acc",))
    s = MultiObjectiveEvolution()
    s.tell((1,) * 6, Trial(config=[1] * 6, metrics={}, status="failed"))
    s.tell((1,) * 6, Trial(config=[1] * 6, metrics={"val_acc": 0.5, "latency": 2.0}))
    assert list(s.population) == [((1,) * 6, -0.5, 2.0, s.population[0][3])]


@pytest.mark.parametrize("name", ["random", "MO evolution", "random scalarisation", "constrained evolution",
                                  "Optuna NSGA-II"])
def test_every_searcher_runs_on_the_table_and_is_seeded(bench, name):
    _, lookup, cost = bench
    factories = default_searchers(cost, cost_name="macs")
    if name not in factories:
        pytest.importorskip("optuna", reason="Optuna is an optional extra: pip install -e '.[bench]'")
    runs = [[tuple(t.config) for t in run_search(factories[name](3), MOObjective(lookup, cost, 3, "macs"), budget=60)]
            for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 60
    assert all(len(c) == 6 and all(0 <= o < 5 for o in c) for c in runs[0])
    assert len(set(runs[0])) > 20  # it explores


class FrontOracle(Searcher):
    """Asks the given cells, in order: the cells of the exact front."""

    def __init__(self, cells):
        self.cells = list(cells)

    def ask(self):
        return self.cells.pop(0) if self.cells else None


def test_race_of_an_oracle_reaches_the_whole_front(bench):
    _, lookup, cost = bench
    exact = Lookup(np.repeat(lookup.test[:, None, None], 2, 1), lookup.test, lookup.sec, 5, 6)  # val = test
    front, hv = exact_front(1.0 - exact.test, cost)
    ref = default_reference(1.0 - exact.test, cost)
    assert hv > 0 and ref[0] > (1 - exact.test[front]).max() and ref[1] > cost[front].max()
    cells = all_cells()
    r = mo_race(exact, cost, {"oracle": lambda s: FrontOracle([cells[i] for i in front])}, seeds=[0, 1],
                checkpoints=(1, len(front)), cost_name="macs")
    assert r.fraction["oracle"][:, -1] == pytest.approx([1.0, 1.0]) and np.all(r.fraction["oracle"][:, 0] < 1)
    trials = run_search(FrontOracle([cells[i] for i in front[:2]]), MOObjective(exact, cost, 0, "macs"), budget=5)
    assert deployed_hypervolume(trials, exact, cost, ref, "macs") < hv
    assert noise_ceiling(exact, cost, seeds=[0, 1]) == pytest.approx([1.0, 1.0])  # no noise: the whole front
    noisy = noise_ceiling(lookup, cost, seeds=[0, 1, 2])
    assert noisy.shape == (3,) and np.all((noisy > 0) & (noisy < 1))  # one seed's val scores mislead


def test_race_fractions_and_summary(bench):
    _, lookup, cost = bench
    r = mo_race(lookup, cost, seeds=range(3), checkpoints=(10, 40), cost_name="macs")
    for name, f in r.fraction.items():
        assert f.shape == (3, 2) and np.all(f >= 0) and np.all(f <= 1 + 1e-12), name
        assert r.cpu_seconds[name].shape == (3,) and np.all(r.cpu_seconds[name] >= 0)
    rows = r.summary(n_resamples=200)
    assert len(rows) == 2 * len(r.fraction) and all(row["lo"] <= row["iqm"] <= row["hi"] for row in rows)


def test_cost_per_cell_follows_the_isomorphism_classes(bench):
    table, _, cost = bench
    assert cost.shape == (5**6,)
    for c in [(1, 0, 0, 3, 0, 0), (2, 4, 3, 1, 2, 3), (0, 0, 0, 0, 0, 0)]:
        assert cost[cell_id(c, 5)] == cost[cell_id(canonical(c), 5)] == table.flops(c)
    with pytest.raises(ValueError, match="one per distinct cell"):
        cost_per_cell(table, [1.0, 2.0])
    assert set(pareto_front(np.zeros(3), np.arange(3.0)).tolist()) == {0}
