"""Homework 6, hidden tests (instructor's copy only). Each rejects a wrong searcher the public tests accept
(tests/course/test_hw06_wrong_answers.py plants them):

* a relabelled table (the ops of every edge renamed at random) and held-out seeds: a searcher that learned the
  shipped table (a ranking read from the data file when its module is imported) does worse there than on the
  shipped table by more than seed noise;
* asks made before any result carry no knowledge of the table: their test accuracy is that of random cells;
* four workers over a long run: a searcher that remembers a cell when it is *told*, not when it is asked, asks
  the same cell twice within one round of four.
"""

import numpy as np
from my_cell_searcher import CellSearcher
from test_hw06 import guarded, run

from naslab.bakeoff.race import Lookup, load_table, race
from naslab.bakeoff.stats import final_ranking


def make(seed):
    return CellSearcher(seed=seed)


def relabelled(lookup, seed=0):
    """The same table with the 5 ops of each edge renamed by a random permutation (a symmetric searcher does not
    care; one that memorised the shipped table does)."""
    n, m = lookup.n_ops, lookup.n_edges
    ids = np.arange(n**m)
    digits = (ids[:, None] // n ** np.arange(m - 1, -1, -1)) % n  # (N, m) the ops of every cell
    perms = np.array([np.random.default_rng([seed, e]).permutation(n) for e in range(m)])  # (m, n)
    old = (perms[np.arange(m), digits] * n ** np.arange(m - 1, -1, -1)).sum(1)  # (N,) the renamed cell's row
    return Lookup(lookup.val[old], lookup.test[old], lookup.sec[old], n, m, f"{lookup.name}, relabelled")


def check_relabelled_table_is_no_harder(make, lookup, seeds=range(900, 1000), gap=2.0):
    # a searcher that only learns from tell() does the same on any renaming of the ops (up to seed noise, about
    # 0.6 points of IQM over 100 seeds); one that learned the shipped table does much better there than here
    table = relabelled(lookup, seed=1)
    budget = 100 * table.full_seconds()
    y, shipped = (100 * final_ranking(race(t, {"yours": guarded(make)}, seeds=seeds, max_seconds=budget))[0].value
                  for t in (table, lookup))
    assert y - shipped < gap, (f"relabelled table: IQM regret {y:.2f} points, {y - shipped:.2f} more than on the "
                               f"shipped table ({shipped:.2f}), same held-out seeds: your searcher uses knowledge of "
                               "the shipped table")


def check_first_asks_know_nothing(make, lookup, n=20):
    # before any tell, a searcher knows nothing: the mean test accuracy of its first n asks over 20 seeds must look
    # like that of random cells (z below 4 standard errors of 20 x n random cells)
    first = [guarded(make)(s) for s in range(20)]
    accs = [lookup.test[sum(int(o) * 5 ** (5 - e) for e, o in enumerate(tuple(f.ask())))] for f in first
            for _ in range(n)]
    z = (np.mean(accs) - lookup.test.mean()) / (lookup.test.std() / np.sqrt(len(accs)))
    assert z < 4, (f"the first {n} asks, before any result, average {np.mean(accs):.1%} test accuracy where random "
                   f"cells average {lookup.test.mean():.1%} (z = {z:.1f}): your searcher reads the table instead of "
                   "learning from tell()")


def check_four_workers_never_repeat(make, lookup, n=600):
    cells, _ = run(make, 7, lookup, n=n, batch_size=4)
    again = [c for i, c in enumerate(cells) if c in cells[:i]]
    assert not again, (f"with four workers {len(again)} of {n} asks repeat an earlier cell, e.g. {again[0]}: remember "
                       "a cell when you ask it, not when its result comes back")


def test_a_relabelled_table_is_no_harder_on_held_out_seeds():
    check_relabelled_table_is_no_harder(make, Lookup.from_table(load_table()))


def test_first_asks_know_nothing_of_the_table():
    check_first_asks_know_nothing(make, Lookup.from_table(load_table()))


def test_four_workers_never_ask_a_cell_twice():
    check_four_workers_never_repeat(make, Lookup.from_table(load_table()))
