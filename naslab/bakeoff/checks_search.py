"""Exercise checks of notebook 06 that run a student's *search*: the evolution cycle and a searcher entered
in the bake-off (Real, Aggarwal, Huang, Le, AAAI 2019, Algorithm 1; NAS-Bench-201's race, Dong & Yang 2020).

* `check_evolution_cycle(fn, lookup)`: the student's one cycle of regularised evolution,
  `fn(population, S, rng, evaluate) -> child`, first on a hand-made population (its invariants: one
  member in, the *oldest* out; the parent is one mutation away; tournaments of S, their best wins; every
  draw from `rng`), then against naslab's full `RegularizedEvolution` loop on the same seeds: the two must
  evaluate the identical sequence of cells.
* `check_searcher(make, lookup)`: a searcher entered in the bake-off: valid cells, seeded, explores, follows
  the scores that `tell` gives it (higher is better), writes its own search; then raced against random search.
* `guarded(make)`: a searcher factory whose asks and tells run under `call_student(forbid=SEARCHER_MODULES)`
  (also used by homework 06).

Taught in: notebooks/06_nas_bakeoff.ipynb (section 2, exercise 2; the exercises, exercise 5).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from naslab.bakeoff.race import Lookup, TableObjective
from naslab.bakeoff.searchers import N_EDGES, N_OPS, RegularizedEvolution
from naslab.checking import call_student, fail, graded
from naslab.search import run_search
from naslab.searchers import Proposal, Searcher
from naslab.trial import Trial

# the modules that hold naslab's own searchers, and the table a searcher must not read (only tell() informs it)
SEARCHER_MODULES = ("naslab.bakeoff.searchers", "naslab.bakeoff.hyperband", "naslab.controller.searcher",
                    "naslab.bakeoff.race", "naslab.bakeoff.table")
# ten cells pairwise >= 3 edges apart: a one-edge child names its parent unambiguously
_PROBE = [(0, 0, 0, 0, 0, 0), (0, 0, 0, 1, 1, 1), (0, 0, 0, 2, 2, 2), (0, 0, 0, 3, 3, 3), (0, 0, 0, 4, 4, 4),
          (0, 0, 1, 0, 1, 2), (0, 0, 1, 1, 0, 3), (0, 0, 1, 2, 3, 0), (0, 0, 1, 3, 2, 1), (0, 0, 2, 0, 2, 3)]


def _need(value, kind, what: str):
    if not isinstance(value, kind) or (kind is not Lookup and not callable(value)):
        want = "a function" if kind is object else kind.__name__
        raise TypeError(f"{what} must be {want}, got {type(value).__name__}")


def _edges_apart(a, b) -> int:
    return sum(x != y for x, y in zip(a, b))


def _one_cycle(fn, population, S, rng, evaluate) -> tuple[int, ...]:
    child = call_student(fn, population, S, rng, evaluate, what=f"a population of {len(population)}, S={S}",
                         forbid=("naslab.bakeoff.searchers",))
    try:
        child = tuple(int(o) for o in (child.config if isinstance(child, Proposal) else child))
    except (TypeError, ValueError):
        fail(f"your cycle returned {child!r}; return the child: a tuple of {N_EDGES} op indices")
    if len(child) != N_EDGES:
        fail(f"your cycle returned {child!r} with {len(child)} ops; a cell has {N_EDGES}")
    return child


def _probe_population(rng) -> tuple[deque, dict]:
    scores = rng.permutation(len(_PROBE)) / 10  # distinct scores in a random order of age
    return deque((c, float(s)) for c, s in zip(_PROBE, scores)), dict(zip(_PROBE, scores))


def _invariants(fn, S: int = 3, n: int = 300) -> str:
    """One cycle at a time on a hand-made population of 10: what goes in, what goes out, who the parent is."""
    def evaluate(cell):
        return 0.5 + 0.01 * sum(cell)

    rng, ranks = np.random.default_rng(11), []
    for _ in range(n):
        pop, score = _probe_population(rng)
        before = list(pop)
        child = _one_cycle(fn, pop, S, rng, evaluate)
        after = list(pop)
        if len(after) != len(before):
            fail(f"the population went from {len(before)} to {len(after)} members in one cycle (off by one): append "
                 "the child and remove exactly one member, the oldest")
        if not after or tuple(after[-1][0]) != child or not np.isclose(float(after[-1][1]), evaluate(child)):
            fail(f"after a cycle the newest member is {after[-1] if after else None!r}; append (child, "
                 f"evaluate(child)) = ({child}, {evaluate(child):.2f}) at the end (the population is oldest first)")
        if after[:-1] != before[1:]:
            worst = min(before, key=lambda m: m[1])
            if after[:-1] == [m for m in before if m != worst]:
                fail("you removed the worst member instead of the oldest: regularised evolution removes the "
                     "oldest (ageing), however good it is")
            fail("the members that survive a cycle must be all but the oldest, in order: remove the first "
                 "(oldest) member with population.popleft()")
        if child in score:
            fail(f"the child {child} equals a member of the population: your mutation returned its parent "
                 "unchanged (the new op must differ from the current one)")
        parents = [c for c in score if _edges_apart(c, child) == 1]
        if len(parents) != 1:
            fail(f"the child {child} is not one mutation of any member: change exactly one edge of the parent")
        ranks.append(int(np.sum(np.array(list(score.values())) < score[parents[0]])))  # 0 = worst, 9 = best
    best, worst = np.mean(np.array(ranks) == 9), np.mean(np.array(ranks) == 0)
    want = S / len(_PROBE)  # P(the best member is in a tournament of S of 10) = S/10
    if best > 0.8:
        fail(f"the population's best member was the parent in {best:.0%} of cycles, where a tournament of S={S} "
             f"of 10 gives {want:.0%}: your tournament runs over the whole population; draw S members first")
    if worst > 0.1 and best < 0.1:
        fail(f"the population's worst member was the parent in {worst:.0%} of cycles and its best in {best:.0%}: "
             "you take the tournament's worst; the parent is the member with the highest score")
    if abs(best - want) > 0.1 or worst > 0.02:
        fail(f"the best member was the parent in {best:.0%} of cycles (a tournament of S={S} of 10 gives {want:.0%}) "
             f"and the worst in {worst:.0%} (never, with S >= 2): draw S distinct members and keep their best")
    return f"{n} cycles on a hand-made population"


def _uses_rng(fn) -> None:
    def evaluate(cell):
        return 0.5

    runs = []
    for seed in (3, 3, 4, 5, 6):
        rng = np.random.default_rng(seed)
        runs.append([_one_cycle(fn, _probe_population(np.random.default_rng(0))[0], 3, rng, evaluate)
                     for _ in range(8)])
    if runs[0] != runs[1]:
        fail("two runs from rngs in the same state gave different children: your cycle ignores its rng (draw "
             "every random number, tournament and mutation, from the rng it is given)")
    if all(r == runs[0] for r in runs[2:]):
        fail("rngs with different seeds gave the same children: your cycle ignores its rng")


@graded("Exercise 2")
def check_evolution_cycle(fn, lookup, *, seeds=range(3), population_size: int = 20, sample_size: int = 5,
                          n_cycles: int = 200) -> str:
    """Check `fn(population, S, rng, evaluate) -> child`, one cycle of regularised evolution.

    `population` is a deque of (cell, score), oldest first. Then the same cycle runs `n_cycles` times per
    seed after the P random cells `RegularizedEvolution` starts with; the cells it evaluates must be those
    naslab's `RegularizedEvolution(population_size, sample_size, seed)` evaluates on the same table and seed.
    """
    _need(fn, object, "fn")
    _need(lookup, Lookup, "lookup")
    probe = _invariants(fn)
    _uses_rng(fn)
    P, S = population_size, sample_size
    for seed in seeds:
        objective = TableObjective(lookup, seed)

        def evaluate(cell, objective=objective):
            return objective(cell)["val_acc"]

        rng = np.random.default_rng(seed)
        first = [tuple(int(o) for o in rng.integers(N_OPS, size=N_EDGES)) for _ in range(P)]  # the random start
        population = deque((c, evaluate(c)) for c in first)
        yours = first + [_one_cycle(fn, population, S, rng, evaluate) for _ in range(n_cycles)]
        theirs = [tuple(t.config) for t in run_search(RegularizedEvolution(population_size=P, sample_size=S, seed=seed),
                                                      objective, budget=P + n_cycles)]
        k = next((i for i, (a, b) in enumerate(zip(yours, theirs)) if a != b), None)
        if k is not None:
            fail(f"seed {seed}, cycle {k - P + 1}: your cycle evaluated {yours[k]} where naslab's RegularizedEvolution "
                 f"evaluated {theirs[k]}; draw the tournament as rng.choice(len(population), size=S, replace=False), "
                 "keep the first best, then mutate it with your my_mutate(cell, rng)")
    return (f"✓ {probe}: one in, the oldest out, tournaments of S; {len(list(seeds))} seeds x {n_cycles} cycles on the "
            "table evaluate exactly the cells naslab's RegularizedEvolution evaluates")


class _Guarded(Searcher):
    """The student's searcher, every ask and tell watched: a call into naslab's own searchers is refused."""

    def __init__(self, inner, forbid):
        self.inner, self.forbid = inner, forbid
        self.seed, self.name = getattr(inner, "seed", 0), getattr(inner, "name", type(inner).__name__)
        self.adaptive = getattr(inner, "adaptive", True)
        if hasattr(inner, "metric"):
            self.metric = inner.metric

    def ask(self):
        return call_student(self.inner.ask, name=f"{type(self.inner).__name__}.ask", what="ask()", forbid=self.forbid)

    def tell(self, config, trial) -> None:
        call_student(self.inner.tell, config, trial, name=f"{type(self.inner).__name__}.tell",
                     what=f"tell({config!r}, trial)", forbid=self.forbid)


def guarded(make, forbid=SEARCHER_MODULES):
    """make(seed) -> the student's searcher, built and run under `call_student(forbid=forbid)`."""
    return lambda seed: _Guarded(call_student(make, seed, name="make", what=f"seed={seed}", forbid=forbid), forbid)


def near_share(searcher, scores_one: bool = True, n_first: int = 30, n_later: int = 60) -> float:
    """Tell a fresh searcher that one of its first asks scored 1 and the others 0 (`scores_one`), or the reverse;
    return the share of its next asks within 2 edges of that cell (about 2 % for random cells)."""
    first = [searcher.ask() for _ in range(n_first)]
    first = [tuple(p.config if isinstance(p, Proposal) else p) for p in first if p is not None]
    if not first:
        fail("ask() returned None before any result: a searcher must propose a first cell")
    mark = first[-1]
    for cell in first:
        score = float(cell == mark) if scores_one else float(cell != mark)
        searcher.tell(cell, Trial(config=list(cell), metrics={"val_acc": score}))
    later = [searcher.ask() for _ in range(n_later)]
    later = [tuple(p.config if isinstance(p, Proposal) else p) for p in later if p is not None]
    return float(np.mean([_edges_apart(c, mark) <= 2 for c in later])) if later else 0.0


@graded("Exercise 5")
def check_searcher(make, lookup, *, seeds=range(10), max_seconds: float | None = None) -> str:
    """Enter `make(seed) -> Searcher` in the bake-off against random search, over the same seeds.

    Rejects: asks that are not cells, a searcher that ignores its seed, asks only a few cells, ignores or
    inverts the scores `tell` gives it, or calls naslab's own searchers or reads the table. Returns the two
    IQM final regrets and whether their 95 % intervals separate.
    """
    from naslab.bakeoff.race import default_searchers, race
    from naslab.bakeoff.stats import final_ranking

    _need(make, object, "make")
    _need(lookup, Lookup, "lookup")
    safe = guarded(make)
    s = safe(0)
    if not (hasattr(s.inner, "ask") and hasattr(s.inner, "tell")):
        fail(f"make(0) returned a {type(s.inner).__name__}, not a searcher with ask() and tell(config, trial) "
             "(subclass naslab.searchers.Searcher)")
    for _ in range(5):
        p = s.ask()
        if p is None:
            fail("ask() returned None before any result: a searcher must propose a first cell")
        cfg = p.config if isinstance(p, Proposal) else p
        cell = tuple(cfg) if isinstance(cfg, (tuple, list, np.ndarray)) else (cfg,)
        if not (len(cell) == N_EDGES and all(isinstance(o, (int, np.integer)) and 0 <= o < N_OPS for o in cell)):
            fail(f"ask() returned {cfg!r}; a cell is a tuple of {N_EDGES} op indices in 0..{N_OPS - 1}")
    runs = [[tuple(t.config) for t in run_search(safe(3), TableObjective(lookup, 3), budget=50)] for _ in (0, 1)]
    if runs[0] != runs[1]:
        fail("two runs with seed 3 asked different cells: draw from np.random.default_rng(seed), "
             "never from np.random or random without a seed")
    if len(set(runs[0])) < 10:
        fail(f"your searcher asked only {len(set(runs[0]))} distinct cells in {len(runs[0])} trials: a search must "
             "explore (a constant searcher tells you nothing about the method)")
    up, down = near_share(safe(5), True), near_share(safe(5), False)
    if up < 0.15:
        if down >= 0.15:
            fail(f"after one cell scored 0 and the others 1, {down:.0%} of your next asks were within 2 edges of it: "
                 "your searcher follows the lowest scores (a minimiser); a higher validation accuracy is better")
        fail(f"after one cell scored 1 and the others 0, only {up:.0%} of your next 60 asks were within 2 edges of it "
             "(random cells: about 2 %): your searcher ignores what tell() gives it, so it is random search")
    max_seconds = 30 * lookup.full_seconds() if max_seconds is None else max_seconds
    res = race(lookup, {"yours": safe, "random": default_searchers(lookup)["random"]}, seeds=seeds,
               max_seconds=max_seconds)
    rows = {r.name: r for r in final_ranking(res)}
    y, r = rows["yours"], rows["random"]
    verdict = "better than" if y.hi < r.lo else ("worse than" if y.lo > r.hi else "not separable from")
    return (f"✓ your searcher ran in the bake-off ({len(list(seeds))} seeds, {max_seconds:,.0f} simulated s): "
            f"IQM regret {100 * y.value:.2f} [{100 * y.lo:.2f}, {100 * y.hi:.2f}] points vs random "
            f"{100 * r.value:.2f} [{100 * r.lo:.2f}, {100 * r.hi:.2f}]: {verdict} random search")
