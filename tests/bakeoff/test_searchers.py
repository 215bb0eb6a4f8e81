"""Bake-off searchers on toy cell tables with a planted optimum (the oracle: `ToyTable.opt`)."""

from __future__ import annotations

import numpy as np
import pytest

import naslab
from naslab.bakeoff.hyperband import Hyperband, SuccessiveHalvingCells, hyperband_brackets
from naslab.bakeoff.race import Lookup, TableObjective
from naslab.bakeoff.searchers import (
    CellController,
    LocalSearch,
    RandomCellSearch,
    RegularizedEvolution,
    mutate,
    neighbours,
    random_cell,
)
from naslab.bakeoff.toy import ToyTable


@pytest.fixture(scope="module")
def toy():
    table = ToyTable(seed=0)
    return table, Lookup.from_table(table)


def hits(make, lookup, opt, budget, seeds):
    """How many seeds evaluate the optimum within `budget` trials."""
    out = 0
    for s in seeds:
        trials = naslab.run_search(make(s), TableObjective(lookup, s), budget=budget)
        out += any(tuple(t.config) == opt for t in trials)
    return out


def test_toy_table_has_its_planted_optimum(toy):
    table, lookup = toy
    assert table.best("test")[0] == table.opt and table.rank_of(table.opt) == 1
    assert lookup.best_test == pytest.approx(table.best("test")[1])
    assert all(table.test_acc(n) < table.test_acc(table.opt) for n in neighbours(table.opt))
    with pytest.raises(ValueError, match="bump"):
        ToyTable(step=0.01, bump=0.02)


def test_neighbours_and_mutation_change_exactly_one_edge():
    rng = np.random.default_rng(0)
    cell = random_cell(rng)
    nb = neighbours(cell)
    assert len(nb) == len(set(nb)) == 6 * 4
    assert all(sum(a != b for a, b in zip(cell, n)) == 1 for n in nb)
    children = {mutate(cell, rng) for _ in range(2000)}
    assert children == set(nb)  # every neighbour is reachable, nothing else is


def test_random_cell_search_is_seeded_and_uniform():
    a = [RandomCellSearch(seed=3).ask() for _ in range(1)]
    assert a == [RandomCellSearch(seed=3).ask()]
    s = RandomCellSearch(seed=0)
    ops = np.array([s.ask() for _ in range(2000)])
    assert ops.shape == (2000, 6) and set(np.unique(ops)) == set(range(5))
    with pytest.raises(ValueError, match="n_ops"):
        RandomCellSearch(n_ops=1)


def test_evolution_removes_the_oldest_not_the_worst():
    rea = RegularizedEvolution(population_size=3, sample_size=2, seed=0)
    scores = [0.99, 0.1, 0.2, 0.3]  # the first member is the best, and it still dies first
    for i, sc in enumerate(scores):
        cell = rea.ask().config
        rea.tell(cell, naslab.Trial(config=cell, metrics={"val_acc": sc}, trial_id=i))
    assert [m[1] for m in rea.population] == [0.1, 0.2, 0.3]
    child = rea.ask()
    assert child.info["op"] == "mutate" and child.parent in (1, 2, 3)
    with pytest.raises(ValueError, match="sample_size"):
        RegularizedEvolution(population_size=3, sample_size=5)


def test_evolution_finds_the_optimum_where_random_search_does_not(toy):
    table, lookup = toy
    seeds = range(10)
    rea = hits(lambda s: RegularizedEvolution(seed=s), lookup, table.opt, 300, seeds)
    rnd = hits(lambda s: RandomCellSearch(seed=s), lookup, table.opt, 300, seeds)
    assert rea >= 9 and rnd <= 2, (rea, rnd)  # random: P(hit in 300 of 15,625) = 1.9 % per seed


def test_local_search_climbs_to_the_optimum_of_a_smooth_table():
    table = ToyTable(bump=0.0, seed=1)  # no local optima: every cell but opt has a better neighbour
    lookup = Lookup.from_table(table)
    for s in range(5):  # distance <= 6, <= 24 neighbours per step: at most 1 + 6 * 24 evaluations
        ls = LocalSearch(seed=s)
        trials = naslab.run_search(ls, TableObjective(lookup, s), budget=1 + 6 * 24)
        assert any(tuple(t.config) == table.opt for t in trials)
        assert len({tuple(t.config) for t in trials}) == len(trials)  # never pays twice for a cell


def test_local_search_restarts_only_at_local_optima(toy):
    table, lookup = toy
    ls = LocalSearch(seed=0)
    naslab.run_search(ls, TableObjective(lookup, 0), budget=400)
    assert len(ls.local_optima) >= 2
    for cell, score in ls.local_optima:  # no neighbour scored better than a recorded local optimum
        assert max(ls.seen[n] for n in neighbours(cell)) <= score


def test_controller_learns_the_optimum_more_often_than_random_search(toy):
    table, lookup = toy
    seeds = range(6)
    rl = hits(lambda s: CellController(seed=s), lookup, table.opt, 300, seeds)
    assert rl >= 3, rl  # random search: 1.9 % per seed
    c = CellController(seed=0)
    assert c.controller.num_choices == [5] * 6


def test_hyperband_brackets_match_the_paper_example():
    # Li et al. (2018), R = 81, eta = 3: (n, r) = (81, 1), (34, 3), (15, 9), (8, 27), (5, 81)
    b = hyperband_brackets(81, 3)
    assert [(n, r) for _, n, r in b] == [(81, 1), (34, 3), (15, 9), (8, 27), (5, 81)]
    hb = Hyperband(lambda rng: random_cell(rng), 81, eta=3)
    assert [n for n, _ in hb.sh.schedule] == [81, 27, 9, 3, 1]
    with pytest.raises(ValueError, match="brackets"):
        Hyperband(lambda rng: random_cell(rng), 81, brackets=[7])


def test_successive_halving_keeps_the_best_when_low_fidelity_ranks_perfectly():
    table = ToyTable(tau_spread=0.0, noise=0.0, n_epochs=9, seed=2)  # one epoch already ranks perfectly
    lookup = Lookup.from_table(table)
    sh = SuccessiveHalvingCells(lambda rng: random_cell(rng), 9, seed=0)
    naslab.run_search(sh, TableObjective(lookup, 0), budget=9 + 3 + 1)  # one full bracket
    first = sh.sh.history[0] if not sh.finished else sh.finished[0].history[0]
    winner = max(first, key=lambda cs: table.val_acc(cs[0], epoch=9))[0]
    last = (sh.finished[0] if sh.finished else sh.sh).best()[0]
    assert tuple(last) == tuple(winner)


def test_hyperband_and_halving_find_the_optimum_of_a_small_table_more_often_than_random_search():
    table = ToyTable(n_ops=3, n_edges=4, n_epochs=9, tau_spread=0.5, seed=3)  # 81 cells
    lookup = Lookup.from_table(table)
    budget = 15 * lookup.full_seconds()  # 15 full trainings: random search sees ~15 of 81 cells
    found = {"random": 0, "hyperband": 0, "successive halving": 0}
    makers = {"random": lambda s: RandomCellSearch(3, 4, seed=s),
              "hyperband": lambda s: Hyperband(lambda rng: random_cell(rng, 3, 4), 9, seed=s),
              "successive halving": lambda s: SuccessiveHalvingCells(lambda rng: random_cell(rng, 3, 4), 9, seed=s)}
    for s in range(20):
        for name, make in makers.items():
            trials = naslab.run_search(make(s), TableObjective(lookup, s), budget=10**5, max_seconds=budget)
            found[name] += any(tuple(t.config) == table.opt and t.metrics["epoch"] == 9 for t in trials)
    assert found["hyperband"] >= found["random"] + 4, found  # measured: 9 vs 2 of 20 seeds
    assert found["successive halving"] >= found["random"] + 4, found  # measured: 11 vs 2
