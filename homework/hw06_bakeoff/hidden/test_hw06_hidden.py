"""Homework 6, hidden test (instructor's copy only): the win over random search holds on another seed set."""

from my_cell_searcher import CellSearcher

from naslab.bakeoff.race import Lookup, default_searchers, load_table, race
from naslab.bakeoff.stats import final_ranking


def test_beats_random_search_on_held_out_seeds():
    lookup = Lookup.from_table(load_table())
    budget = 100 * lookup.full_seconds()
    res = race(lookup, {"yours": lambda s: CellSearcher(seed=s), "random": default_searchers(lookup)["random"]},
               seeds=range(900, 1000), max_seconds=budget)
    rows = {r.name: r for r in final_ranking(res)}
    assert rows["yours"].value < rows["random"].value, \
        f"IQM regret {100 * rows['yours'].value:.2f} vs random {100 * rows['random'].value:.2f} points"
