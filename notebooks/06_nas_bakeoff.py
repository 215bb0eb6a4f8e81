# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · The NAS bake-off: every searcher on one ground-truth table
#
# Every search notebook so far ended at a budget too small to tell the methods apart. Here a table that holds the trained accuracy of *every* cell of a NAS-Bench-201-style space turns each search into lookups, so six searchers can race over 50 seeds in seconds and be judged by the true test accuracy of what they would deploy.
#
# **Time**: reading ≈ 20 min · class mode ≈ 0.8 min on a 2-core CPU · FAST ≈ 14 s.
# **Prerequisites**: [01 · grid vs random search](01_grid_vs_random_search.ipynb) (ask/tell, anytime curves), [02 · the REINFORCE controller](02_reinforce_controller.ipynb), [03 · proxy evaluation](03_proxy_evaluation.ipynb) (tabular benchmarks, successive halving) and [05 · DARTS](05_darts.ipynb).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - explain what a **tabular benchmark** (a stored table of the trained result of every architecture in a space, here NAS-Bench-201, Dong & Yang 2020) makes possible: many seeds, one simulated cost axis, ground truth;
# - write the cycle of **regularised evolution** yourself (Real et al. 2019: tournament selection, mutation, *ageing*), then use naslab's version and **local search** (White et al. 2020) on the ask/tell interface;
# - write **Hyperband**'s schedule of brackets (Li et al. 2018), then run it on the epoch fidelity and the REINFORCE controller on a cell's tokens on the same footing;
# - compare searchers by the **test regret** of their incumbent with robust statistics: the **interquartile mean** and 95 % **bootstrap confidence intervals** over seeds (all defined below);
# - read where **DARTS** lands in the ground-truth ranking of its own space;
# - enter a searcher of your own in the bake-off.

# %%
# Setup: plots inline, the naslab imports, and the environment
# %matplotlib inline
import math
from collections import deque

import matplotlib.pyplot as plt
import numpy as np
import torch

import naslab
from naslab.bakeoff.checks import check_iqm, check_iqm_interval, check_mutation
from naslab.bakeoff.checks_hyperband import check_hyperband_schedule
from naslab.bakeoff.checks_search import check_evolution_cycle, check_searcher
from naslab.bakeoff.hyperband import hyperband_schedule
from naslab.bakeoff.plots import (
    plot_darts_vs_truth,
    plot_final_ranking,
    plot_order_gap,
    plot_regret_curves,
    plot_search_trace,
    plot_seed_vs_seed,
)
from naslab.bakeoff.race import Lookup, TableObjective, default_eta, default_searchers, load_table, race
from naslab.bakeoff.searchers import LocalSearch, RandomCellSearch, RegularizedEvolution, mutate, neighbours
from naslab.bakeoff.stats import bootstrap_band, curve_bands, final_ranking, iqm, separated
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.exercise import exercise
from naslab.utils import set_threads

set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)

print(f"naslab {naslab.__version__} | {mode_name()} mode | everything here is a table lookup: no training")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0                                 # which block of seeds: the bake-off runs seeds SEED*SEEDS .. (SEED+1)*SEEDS - 1
TABLE = "mnist1d_nb201"                  # the ground-truth table ("toy": a formula with a known optimum)
SEEDS = budget(full=50, fast=8)          # search seeds per searcher in the bake-off
BUDGET_TRAININGS = budget(full=100, fast=60)  # simulated budget: this many full trainings of an average cell
TRACE_SEEDS = budget(full=10, fast=3)    # seeds counted in section 2 (one of them is plotted)
DARTS_EPOCHS = budget(full=10, fast=1)   # epochs of each DARTS search on the table's space
DARTS_SEEDS = budget(full=2, fast=1)     # DARTS searches per order (first, second)
SN_CELLS = budget(full=100, fast=20)     # cells ranked with the supernet's shared weights
CHECK_SEEDS = budget(full=10, fast=3)    # seeds of your searcher in exercise 5

# %% [markdown]
# ## Recap
#
# - **01**: a search is an ask/tell loop — `ask()` proposes, an objective evaluates, `tell(config, trial)` feeds back; random search is a strong baseline, and searchers are compared by **anytime** curves (the best result found so far, at every moment of the run) over many seeds.
# - **02**: an LSTM controller emits an architecture token by token and learns from rewards with REINFORCE.
# - **03**: a tabular benchmark stores every architecture's learning curve, so a search is a lookup and its *cost* is simulated from the stored CPU seconds; successive halving spends little on many candidates and much on few.
# - **05**: DARTS relaxes the choice of op on every edge into a softmax over α and trains one supernet; it is known to drift towards parameter-free ops.

# %% [markdown]
# ## 1 · A table of every cell
#
# NAS-Bench-201 (Dong & Yang, ICLR 2020) fixes one cell: 4 nodes, node $j$ is the **sum** of an op applied to each earlier node, $x_j = \sum_{i<j} o_{j,i}(x_i)$, and each of the 6 edges carries one of 5 ops — `none` (zero), `skip_connect`, a 1-wide conv, a 3-wide conv, a 3-wide average pool. That is $5^6 = 15{,}625$ cells. NAS-Bench-201 trained every one of them on CIFAR-10/100 and ImageNet16-120 on GPUs (a 4.7 GB file) and reports each cell on its own, noting that some are **isomorphic** (they compute the same function: a `none` edge cuts a path, a skip merges two sums) without merging them. naslab's table, the same space in 1-D on MNIST-1D and small enough to build on a laptop, does merge them: it trains each group of isomorphic cells once, so equivalent cells share one entry.

# %%
# Load the ground-truth table and turn it into dense arrays over all 15,625 cells (one lookup each)
table = load_table(TABLE)
lookup = Lookup.from_table(table)
best_cell, best_test = table.best("test")
n_cells, n_train_seeds, n_epochs = lookup.val.shape
print(table)
print(f"{n_cells:,} cells ({len(table.unique_cells()):,} distinct), {n_epochs} epochs, {n_train_seeds} training seeds")
print(f"best test accuracy {best_test:.2%}; median cell {np.median(lookup.test):.2%}; "
      f"one full training costs {lookup.full_seconds():.2f} CPU s on average")
top5 = np.mean(lookup.test >= np.quantile(lookup.test, 0.95))

# %%
# How the test accuracy is distributed over all cells, and what one search budget buys
budget_s = BUDGET_TRAININGS * lookup.full_seconds()
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
ax.hist(100 * lookup.test, bins=60, color="0.5")
ax.axvline(100 * best_test, color="k", ls=":", lw=1)
ax.set(xlabel="test accuracy of a cell (%, mean over training seeds)", ylabel="number of cells (of 15,625)",
       title=f"The ground truth; one search below may spend {budget_s:,.0f} simulated CPU s")
regret_random_cell = best_test - np.median(lookup.test)

# %% [markdown]
# **Expected result.** The histogram is wide with a long left tail (cells whose every path from input to output is cut by `none` are at chance, cells of pooling and skips only are weak), and the best cells are rare: the median cell is 10–40 points below the best one, and fewer than 5 % of the cells lie within one point of it. That gap is the **regret** a search has to close: the best cell's test accuracy minus that of the cell the search returns.
#
# **Q: what conclusion can we make?** Why is "how many points below the best cell" a better yardstick for a searcher than its raw accuracy when we compare across tables?

# %%
# Claims behind the expected result above (tolerances: this table; the README gives its build)
claim("06 §1", "regret of the median cell (points below the best)", 100 * regret_random_cell, 10, 40, fast="same")
claim("06 §1", "share of the 15,625 cells within 1 point of the best (%)", 100 * np.mean(lookup.test >= best_test - 0.01), 0, 5, fast="same")

# %% [markdown]
# ## 2 · Two searchers that walk the space: regularised evolution and local search
#
# **Idea.** Good cells have good *neighbours* (cells that differ on one edge), so a searcher that starts from good cells and changes them a little should beat independent random draws.
#
# - **Regularised evolution** (Real, Aggarwal, Huang, Le, AAAI 2019, Algorithm 1): keep a **population** of $P$ cells, oldest first. Each **cycle** draws $S$ members at random (a **tournament**), copies the best one and **mutates** it — one edge gets a different op — evaluates the child, appends it and removes the **oldest** member. This **ageing** (not "remove the worst") means a cell survives only through its descendants: a lucky noisy score cannot keep a cell alive for ever.
# - **Local search** (White, Nolen, Savani 2020): from a random cell, evaluate all its $6 \times 4 = 24$ neighbours, move to the best if it is better, and repeat; when no neighbour is better the cell is a **local optimum**: restart from a new random cell.

# %% [markdown]
# **Build it.** You write evolution's two moves first; naslab's `RegularizedEvolution` (a `naslab.Searcher`: `ask()` returns a cell, a tuple of 6 op indices; `tell(cell, trial)` receives its result) runs the race afterwards.
#
# **Exercise 1 · Mutation.** Write `my_mutate(cell, rng)`: choose one edge uniformly with `rng.integers(6)`, then a *different* op uniformly among the other four with `rng.integers(4)` (the list of the ops other than the current one, in increasing order, indexed by that draw), and return the new tuple. Every random number comes from `rng`.

# %%
# Exercise 1: mutation
def my_mutate(cell, rng):
    # BEGIN SOLUTION
    e = int(rng.integers(len(cell)))
    others = [op for op in range(5) if op != cell[e]]
    return tuple(cell[:e]) + (others[int(rng.integers(4))],) + tuple(cell[e + 1:])
    # END SOLUTION

# %%
# Check 1
with exercise(1):
    print(check_mutation(my_mutate))

# %% [markdown]
# **Exercise 2 · One cycle of regularised evolution.** Write `my_evolution_cycle(population, S, rng, evaluate)`. `population` is a `deque` of `(cell, score)` pairs, oldest first; `evaluate(cell)` returns a child's validation accuracy. One cycle:
#
# 1. draw the tournament: `S` distinct members, `rng.choice(len(population), size=S, replace=False)`;
# 2. the parent is the tournament's member with the highest score (the first one on a tie);
# 3. the child is `my_mutate(parent_cell, rng)`;
# 4. append `(child, evaluate(child))`, remove the oldest member, return the child.
#
# The check runs your cycle on a hand-made population, then on the table from the same $P$ random cells and the same seed as naslab's `RegularizedEvolution`: the two must evaluate exactly the same cells, cycle after cycle.

# %%
# Exercise 2: one cycle of regularised evolution
def my_evolution_cycle(population, S, rng, evaluate):
    # BEGIN SOLUTION
    picks = rng.choice(len(population), size=S, replace=False)
    parent_cell, _ = max((population[int(i)] for i in picks), key=lambda member: member[1])
    child = my_mutate(parent_cell, rng)
    population.append((child, evaluate(child)))
    population.popleft()  # ageing: the oldest dies, however good it was
    return child
    # END SOLUTION

# %%
# Check 2: your cycle against naslab's RegularizedEvolution, same seeds, same table
with exercise(2):
    print(check_evolution_cycle(my_evolution_cycle, lookup))

# %%
# Your cycle as a search: P = 20 random cells, then 200 cycles; the best validation accuracy every 20 cycles
with exercise(2):
    rng_mine, objective = np.random.default_rng(SEED), TableObjective(lookup, seed=SEED)
    def evaluate(cell):
        return objective(cell)["val_acc"]
    population = deque((c, evaluate(c)) for c in (tuple(int(o) for o in rng_mine.integers(5, size=6)) for _ in range(20)))
    best_so_far = [max(score for _, score in population)]
    for _ in range(200):
        my_evolution_cycle(population, 5, rng_mine, evaluate)
        best_so_far.append(max(best_so_far[-1], population[-1][1]))
    print("best validation accuracy after 0, 20, ..., 200 cycles:", np.round(best_so_far[::20], 3))

# %% [markdown]
# **Then use it.** From here on naslab's `mutate`, `neighbours` (local search's 24 moves) and `RegularizedEvolution` do the same with checks on their inputs.

# %%
# The two moves in the space: a mutation of one cell, and the size of its neighbourhood
rng = np.random.default_rng(0)
parent = (3, 1, 3, 0, 2, 4)
child = mutate(parent, rng)
print(f"parent {parent} -> child {child}: edge {next(e for e in range(6) if parent[e] != child[e])} changed")
print(f"{len(neighbours(parent))} neighbours, e.g. {neighbours(parent)[:3]} ...")
rea = RegularizedEvolution(population_size=20, sample_size=5, seed=0)
print(f"evolution: population P = {rea.P}, tournament S = {rea.S}")

# %% [markdown]
# **Check.** Runs of each on the table with the same seeds and half the budget: the plot shows the first seed (every dot is a trial, its validation accuracy; the line is the best so far); the printout counts, over `TRACE_SEEDS` seeds, how many trials land among the top 10 % of scores.

# %%
# Random search, regularised evolution and local search, trial by trial: one seed plotted, TRACE_SEEDS counted
top10 = np.quantile(lookup.val[:, :, -1], 0.9)        # a trial in the top 10 % of all (cell, seed) final scores
traces, share = {}, {}
for name, make in [("random", RandomCellSearch), ("evolution", RegularizedEvolution), ("local search", LocalSearch)]:
    share[name] = []
    for seed in range(SEED * TRACE_SEEDS, (SEED + 1) * TRACE_SEEDS):
        run = naslab.run_search(make(seed=seed), TableObjective(lookup, seed=seed), budget=10**6,
                                max_seconds=budget_s / 2)
        share[name].append(np.mean([t.score() >= top10 for t in run]))
        if seed == SEED * TRACE_SEEDS:
            traces[name] = ([t.seconds for t in run], [t.score() for t in run])
ax = plot_search_trace(traces, best=float(lookup.val[:, :, -1].max()),
                       title=f"Seed {SEED * TRACE_SEEDS}, half the budget: where each searcher spends its trials")
share = {n: float(np.median(v)) for n, v in share.items()}
print(f"median share of trials in the top 10 % over {TRACE_SEEDS} seeds:", {n: f"{v:.0%}" for n, v in share.items()})

# %% [markdown]
# **Expected result.** Random search's dots scatter over the whole accuracy range for the whole run. Evolution's dots climb after its first $P = 20$ random cells and then gather higher up; local search climbs in steps (one step = up to 24 neighbours) and drops back to a random cell at each restart. Over the seeds, random search spends 5–15 % of its trials in the top 10 % (about 10 % by definition), evolution 2–30 points more; local search stays within about ±10 points of random search — its restarts are random cells, and each sweep of 24 neighbours around a mediocre cell costs as much as 24 random draws.
#
# **Q: what conclusion can we make?** Local search spends 24 evaluations per step. When would that be a waste, and when is it exactly the right thing to do?

# %%
claim("06 §2", "random search: median share of trials in the top 10 % (%)", 100 * share["random"], 5, 15)
claim("06 §2", "evolution: median share in the top 10 % minus random's (points)", 100 * (share["evolution"] - share["random"]), 2, 30)
claim("06 §2", "local search: median share in the top 10 % minus random's (points)",
      100 * (share["local search"] - share["random"]), -10, 15)

# %% [markdown]
# ## 3 · Two searchers from earlier notebooks: REINFORCE on the cell's tokens, Hyperband on epochs
#
# - **REINFORCE** (notebook 02): a cell *is* a sequence of 6 tokens with 5 choices each, so naslab's `ControllerSearcher` runs unchanged with `num_choices = [5] * 6`; every 4 rewards (validation accuracies) make one policy-gradient step.
# - **Hyperband** (Li et al., JMLR 2018) on the **epoch fidelity** (a **fidelity** is how much a candidate is trained before it is scored: fewer epochs are cheaper and less accurate): the table stores the validation accuracy after every epoch, so "train for $r$ epochs" is a lookup that costs the stored seconds of $r$ epochs. With $R$ = the table's epochs and $\eta = 3$ ($\eta = 2$ for a table of fewer than 9 epochs), **bracket** $s$ (one run of successive halving) uses $n = \lceil \frac{s_{max}+1}{s+1}\eta^s \rceil$ random cells at $r = R\eta^{-s}$ epochs; **successive halving** alone is the most aggressive bracket, repeated.
#
# The **incumbent** of a search is the cell it would return if stopped now: for a multi-fidelity searcher, its best cell *among those trained longest so far* (a 1-epoch score never beats a full one).

# %% [markdown]
# **Exercise 3 · Hyperband's schedule.** Before naslab's `Hyperband` joins the race, write the plan it follows (Li et al., Algorithm 1). Write `my_hyperband(R, eta)`: it returns one list per bracket, $s = s_{max}$ first down to $s = 0$, and bracket $s$ is a list of $s + 1$ **rungs** (the rounds of its successive halving), each a pair $(n_i, r_i)$: the number of cells in rung $i$ and the epochs each of them is trained.
#
# - $s_{max} = \lfloor \log_\eta R \rfloor$, the largest $s$ with $\eta^s \le R$: find it with integers, because a floating-point logarithm can land just below a whole number;
# - $n = \lceil \frac{s_{max}+1}{s+1}\eta^s \rceil$ cells and $r = R\eta^{-s}$ epochs start the bracket;
# - rung $i = 0, \dots, s$ keeps $n_i = \lfloor n\eta^{-i} \rfloor$ cells for $r_i = r\eta^i$ epochs, so the last rung trains exactly $R$.
#
# For $R = 81$, $\eta = 3$ the first bracket is `[(81, 1.0), (27, 3.0), (9, 9.0), (3, 27.0), (1, 81.0)]`. The check compares your schedule with the paper's table for that case and with naslab's Hyperband on six pairs $(R, \eta)$.

# %%
# Exercise 3: Hyperband's schedule
def my_hyperband(R, eta):
    # BEGIN SOLUTION
    s_max = 0
    while eta ** (s_max + 1) <= R:   # the largest s with eta^s <= R, in integers
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):   # the most aggressive bracket first
        n = math.ceil((s_max + 1) / (s + 1) * eta**s)
        r = R * eta**-s
        rungs = []
        for i in range(s + 1):
            rungs.append((n // eta**i, r * eta**i))   # n_i = floor(n eta^-i), r_i = r eta^i
        brackets.append(rungs)
    return brackets
    # END SOLUTION

# %%
# Check 3
with exercise(3):
    print(check_hyperband_schedule(my_hyperband))

# %% [markdown]
# **Q:** Bracket $s = 0$ trains only $s_{max} + 1$ cells, each for the full $R$ epochs: what does Hyperband insure itself against by keeping it beside the aggressive brackets?

# %%
# Hyperband's brackets for this table, from naslab's schedule: (n cells, r epochs) per rung
eta = default_eta(n_epochs)
print(f"R = {n_epochs} epochs, eta = {eta}")
for rungs in hyperband_schedule(n_epochs, eta):
    print(f"bracket s = {len(rungs) - 1}: " + " -> ".join(f"{n_i} x {r_i:.3g} ep" for n_i, r_i in rungs))
searchers = default_searchers(lookup)
print("the bake-off:", list(searchers))

# %% [markdown]
# **Reading the brackets.** The most aggressive bracket starts the most cells at one epoch and keeps 1/η of them at each rung (η = 2 for this 4-epoch table: a half; a third on a table of 9 epochs or more); the last bracket is plain random search at full budget. Whether the aggressive brackets pay off depends on how well a short training ranks cells — notebook 03 measured that for its macro space; the race below measures it for this one.
#
# **Q: what conclusion can we make?** If one epoch ranked cells perfectly, which bracket would you run? And if it ranked them no better than chance?

# %% [markdown]
# ## 4 · The race: six searchers, one simulated clock, many seeds
#
# Every (searcher, seed) run gets the same simulated budget. Each run sees one training seed per cell (a noisy validation score, as a real search would); the test accuracy — mean over the table's training seeds — is used only to judge the incumbent:
#
# $$\text{regret}(t) = \max_c \text{test}(c) - \text{test}(\text{incumbent}(t)).$$
#
# Over seeds we report the **interquartile mean** (IQM: the mean of the middle 50 % of runs, robust to a few lucky or unlucky ones, Agarwal et al. 2021) with a 95 % **percentile bootstrap** interval: resample the seeds with replacement 2,000 times and take the 2.5 % and 97.5 % quantiles of the IQM.

# %%
MY_PREDICTION = None  # predict first: evolution's final IQM regret minus random search's, in points (negative = evolution better)

# %%
# The bake-off: 6 searchers x SEEDS seeds over the table (a few seconds: every evaluation is a lookup)
result = race(lookup, searchers, seeds=range(SEED * SEEDS, (SEED + 1) * SEEDS), max_seconds=budget_s)
for name in result.names:
    print(f"{name:<20} {result.wall_seconds[name]:5.1f} s wall, {result.n_trials[name].mean():6.0f} trials per run")
bands = curve_bands(result)
plot_regret_curves(result.times, bands, title=f"Test regret of the incumbent, {SEEDS} seeds per searcher");

# %% [markdown]
# **Expected result.** All curves fall quickly in the first tenth of the budget and then flatten far above zero: after the budget of 100 trainings, every searcher's IQM regret lies between 4 and 13 points (the best cells are rare, section 1), and the best and the worst searcher end within 3 points of each other. Regularised evolution ends below random search, by 0.1–3 points. This is the picture NAS-Bench-201 reported on CIFAR-10, where random search, REINFORCE and regularised evolution ended within a few tenths of a point of each other: on a table, the search strategy matters much less than the papers that introduced each one suggested.
#
# **Q: what conclusion can we make?** Why do all curves flatten long before the regret is zero? (Hint: what does the search see, and what is it judged by?)

# %%
final = {n: result.final(n) for n in result.names}
iqm_final = {n: float(iqm(v)) for n, v in final.items()}
claim("06 §4", "the best searcher's final IQM regret (points)", 100 * min(iqm_final.values()), 4, 12)
claim("06 §4", "the worst searcher's final IQM regret (points)", 100 * max(iqm_final.values()), 6, 13)
claim("06 §4", "spread between the best and the worst searcher's final IQM regret (points)",
      100 * (max(iqm_final.values()) - min(iqm_final.values())), 0, 3)
# class mode, SEED = 0 / 1 / 2 (disjoint blocks of 50 seeds): best 6.47 / 6.78 / 7.27, worst 8.17 / 7.96 / 7.86,
# spread 1.70 / 1.18 / 0.59, evolution minus random -1.70 / -1.18 / -0.55 points
claim("06 §4", "evolution's final IQM regret minus random's (points, negative = evolution better)",
      100 * (iqm_final["evolution"] - iqm_final["random"]), -3, -0.1, predicted=MY_PREDICTION)

# %% [markdown]
# ## 5 · The final ranking, with intervals
#
# A ranking by one number hides how sure we are. The plot shows each searcher's final IQM regret with its 95 % bootstrap interval and, as grey dots, every seed.

# %%
rows = final_ranking(result)
for row in rows:
    print(row)
ax = plot_final_ranking(rows, final, title=f"Final regret after {budget_s:,.0f} simulated CPU s, {SEEDS} seeds")
n_separated = sum(separated(a, b) for i, a in enumerate(rows) for b in rows[i + 1:])
print(f"{n_separated} of {len(rows) * (len(rows) - 1) // 2} pairs of searchers have non-overlapping intervals")

# %% [markdown]
# **Expected result.** At most 6 of the 15 pairs of searchers are separated (their 95 % intervals do not overlap), and every interval is less than 3 points wide: most of the order in this ranking could flip with another set of seeds. The grey dots show why a robust summary helps: a few seeds end far off (or exactly at the best cell) and would drag a plain mean around.
#
# **Q: what conclusion can we make?** A paper reports "our searcher: 93.9 %, baseline: 93.7 %" from 3 seeds. What would you need to see before believing the order?

# %%
claim("06 §5", "pairs of searchers (of 15) with non-overlapping 95 % intervals", n_separated, 0, 6)
claim("06 §5", "width of the widest final interval (points)", 100 * max(r.hi - r.lo for r in rows), 0, 3)

# %% [markdown]
# ## 5b · The noise ceiling: what one training run says about another
#
# Every regret above is measured against the table's *test accuracy averaged over its training seeds*, and each entry is a short training run (a few epochs on a few hundred MNIST-1D examples). How much would the table change if it were trained again? The table holds every cell trained with two seeds: plotting one against the other shows the **noise ceiling**: the rank agreement between two training runs of the same cells, the best agreement any predictor of "the" accuracy can hope for. It is measured with **Kendall's τ** (the share of pairs of cells the two runs order the same way minus the share they order oppositely: 1 = the same ranking, 0 = unrelated).

# %%
# The noise ceiling: every distinct cell's test accuracy under training seed 0 against seed 1
seed_a, seed_b = table.seeds[:2]
acc_a, acc_b = table.accuracies("test", seed=seed_a), table.accuracies("test", seed=seed_b)  # (4,930,) each
tau_seeds = table.noise_ceiling()                                # Kendall tau between the seeds, over all cells
top50 = np.argsort(-(acc_a + acc_b))[:50]                        # the 50 best cells by the mean over seeds
seed_gap_top = 100 * np.median(np.abs(acc_a[top50] - acc_b[top50]))   # points: one run vs the other
best_a_rank_b = int(1 + np.sum(acc_b > acc_b[np.argmax(acc_a)]))       # seed 0's best cell, ranked by seed 1
winners_curse = 100 * (max(acc_a.max(), acc_b.max()) - best_test)   # best single run vs best mean over seeds
searcher_spread = 100 * (max(iqm_final.values()) - min(iqm_final.values()))  # section 4: best vs worst searcher
plot_seed_vs_seed(acc_a, acc_b, top=50, labels=(f"seed {seed_a}", f"seed {seed_b}"),
                  title=f"Two trainings of every cell: Kendall tau {tau_seeds:.2f}")
print(f"{n_train_seeds} training seeds x {n_epochs} epochs | Kendall tau between the seeds {tau_seeds:.2f} | "
      f"top 50 cells: median |seed {seed_a} - seed {seed_b}| = {seed_gap_top:.1f} points")
print(f"seed {seed_a}'s best cell is number {best_a_rank_b} under seed {seed_b}; the best single run beats the best "
      f"mean over seeds by {winners_curse:.1f} points | searchers' final IQM regrets span {searcher_spread:.1f} points")

# %% [markdown]
# **Expected result.** The cloud is wide: Kendall's τ between the two training seeds is only 0.2–0.45, and among the 50 best cells one training run differs from the other by a median of 2–8 points. Seed 0's best cell is not even among the 10 best under seed 1, and the best *single* run lies 1–10 points above the best mean over seeds (the **winner's curse**: the maximum of noisy scores is biased upwards).

# %% [markdown]
# **What this means for the bake-off.** (1) The regret is measured against the **mean over seeds**, which is itself an estimate: each of the two runs lies half the seed-to-seed gap away from it, and a third seed would move it again. (2) A search sees one seed's *validation* score, a noisy version of what it is judged by, so even a perfect searcher would not reach zero regret — one reason all curves in section 4 flatten far above zero. (3) The differences between the searchers' final IQM regrets are **smaller than the seed-to-seed spread of the top cells**: a searcher that wins here by a point would not necessarily find the better cell if the table were trained again. The intervals of section 5 cover the *search* seeds, not this training noise; separating the searchers for real needs more training seeds per cell (which raise the ceiling), not more search seeds.
#
# **Q: what conclusion can we make?** A tabular benchmark with a noise ceiling of τ = 0.3 reports that searcher A beats searcher B by half a point. What would you ask for before believing it?

# %%
# Claims behind the expected result above (from the shipped table: the same in every run and mode)
claim("06 §5b", "Kendall tau between the two training seeds (noise ceiling)", tau_seeds, 0.2, 0.45, fast="same")
claim("06 §5b", "median |seed 0 - seed 1| among the 50 best cells (points)", seed_gap_top, 2, 8, fast="same")
claim("06 §5b", "seed 0's best cell is not among the 10 best under seed 1", best_a_rank_b > 10, fast="same")
claim("06 §5b", "best single run minus best mean over seeds (points)", winners_curse, 1, 10, fast="same")
# class mode: the searchers' spread is at most 3 points (section 4's claim); FAST's 8 seeds are too few to check it
claim("06 §5b", "the searchers' final IQM regrets span less than the top cells' seed-to-seed gap",
      bool(searcher_spread < seed_gap_top))

# %% [markdown]
# ## 6 · DARTS against the ground truth
#
# NAS-Bench-201 ran DARTS on its own space: first and second order both returned a cell of skip connections only (54.30 % on CIFAR-10, against 94.37 % for the best cell) — the **skip-connection collapse** of notebook 05. Here the same experiment takes seconds: `darts_on_table` runs DARTS (Liu et al. 2019, Algorithm 1) with the real supernet of the table's network on MNIST-1D — every edge a softmax(α)-weighted sum of the 5 ops — and after every epoch derives the cell as NAS-Bench-201 does (the argmax op on each edge, `none` included) and **looks it up**: its true test accuracy, its rank among the distinct cells, and how many of its 6 edges are parameter-free (`none`, skip, pooling).

# %%
# DARTS on the table's space, first and second order, DARTS_SEEDS seeds each; every epoch's cell looked up
from naslab.bakeoff.oneshot import darts_on_table
from naslab.bakeoff.supernet import supernet_ranking

unique_test = table.accuracies("test")                    # (n distinct,) the truth that ranks are taken in
darts = {}
for order in ("first", "second"):
    for seed in range(SEED * DARTS_SEEDS, (SEED + 1) * DARTS_SEEDS):
        run = darts_on_table(table, order=order, epochs=DARTS_EPOCHS, seed=seed)
        darts[f"{order} order, seed {seed}"] = run
        h = run.history[-1]
        print(f"{order:>6} order, seed {seed}: {h['genotype']}  rank {h['rank']:,} of {len(unique_test):,} | "
              f"test {h['test_acc']:.1%} | {h['n_parameter_free']}/6 parameter-free edges | {h['cpu_seconds']:.0f} CPU s")

# %%
# Where DARTS lands, against the cells the bake-off's searchers return (median over seeds)
def true_rank(regret):
    return int(1 + np.sum(unique_test > best_test - regret + 1e-9))

reference = {f"{n}: median final cell": true_rank(np.median(result.final(n))) for n in ("random", "evolution")}
ax = plot_darts_vs_truth({k: r.history for k, r in darts.items()}, len(unique_test), reference=reference,
                         title="DARTS's derived cell in the ground-truth ranking, epoch by epoch")
darts_final = [r.history[-1] for r in darts.values()]
darts_median_rank = float(np.median([h["rank"] for h in darts_final]))
darts_param_free = float(np.mean([h["n_parameter_free"] for h in darts_final]))
random_median_rank = reference["random: median final cell"]
print(f"DARTS: median final rank {darts_median_rank:,.0f}, {darts_param_free:.1f} parameter-free edges on average; "
      f"random search's median final cell: rank {random_median_rank:,}")

# %%
# The weight-sharing supernet as a ranker: its accuracy (DARTS's shared weights, one-hot paths) vs the truth
sn = supernet_ranking(table, params=darts[f"first order, seed {SEED * DARTS_SEEDS}"].params, n_cells=SN_CELLS)
print(f"Kendall tau between supernet accuracy and true test accuracy on {SN_CELLS} cells: {sn['tau']:.2f}")

# %% [markdown]
# **Expected result.** DARTS does not find a good cell here: the median true rank of its final cells is worse than that of the cell random search returns after the bake-off's budget (the dotted line), by several hundred to a few thousand places (300–3,500) among the 4,930 distinct cells, and the supernet's own ranking of cells hardly agrees with the truth (Kendall τ between −0.3 and 0.3). Unlike NAS-Bench-201 on CIFAR-10, this tiny 4-epoch setting does not collapse to skip connections: at most 3 of the 6 edges of DARTS's final cells are parameter-free on average. Weight sharing fails here in the milder way notebook 03 showed for the macro space — the shared weights rank cells poorly — rather than by collapse.
#
# **Q: what conclusion can we make?** DARTS cost a few CPU seconds; the bake-off's searchers spent the equivalent of a hundred full trainings. Which one would you trust with your next search space, and what would you check first?

# %%
# class mode, SEED = 0 / 1 / 2 (DARTS seeds 0-1 / 2-3 / 4-5): rank gap 1118 / 768.5 / 2261 places, parameter-free
# edges 1.75 / 1 / 3, supernet tau 0.007 / 0.157 / -0.006
claim("06 §6", "DARTS's median final cell ranks this many places below random search's median final cell",
      darts_median_rank - random_median_rank, 300, 3500)
claim("06 §6", "DARTS: parameter-free edges of the final cells, on average (of 6)", darts_param_free, 0, 3)
claim("06 §6", "Kendall tau of the supernet's ranking against the truth", sn["tau"], -0.3, 0.3)

# %% [markdown]
# ### First or second order: the same cell?
#
# The runs above derive the same cell — or nearly — with both orders, as NAS-Bench-201 found on CIFAR-10 (both orders returned one all-skip cell). Each alpha step does use its order: $\xi$ is the current weight learning rate, and the second-order gradient is eq. 7 through the virtual step. So look at the evidence: how far apart the two runs' softmax(α) are after every epoch (solid), against how far apart the two best ops of an edge are (dashed: the margin an argmax needs to flip), and the angle between the two gradients on the same batches.

# %%
# First vs second order on the same seed: the gap between their softmax(alpha), the top-2 margins, the derived cells
from naslab.bakeoff.oneshot import alpha_grad
from naslab.bakeoff.supernet import supernet_loss

gaps, margins, differ, agree = {}, {}, {}, []
for seed in range(SEED * DARTS_SEEDS, (SEED + 1) * DARTS_SEEDS):
    a1, a2 = darts[f"first order, seed {seed}"], darts[f"second order, seed {seed}"]
    gaps[f"seed {seed}"] = np.abs(a1.alpha - a2.alpha).max((1, 2))     # (epochs,) largest weight gap
    top2 = np.sort(a1.alpha, -1)[..., -2:]                              # (epochs, 6, 2) the two best weights
    margins[f"seed {seed}"] = np.median(top2[..., 1] - top2[..., 0], -1)  # (epochs,) median over the 6 edges
    differ[f"seed {seed}"] = [c1 != c2 for c1, c2 in zip(a1.column("cell"), a2.column("cell"))]
    agree.append(sum(x == y for x, y in zip(a1.history[-1]["cell"], a2.history[-1]["cell"])))  # edges of 6
plot_order_gap(gaps, margins, differ, title="DARTS first vs second order, same seed, same batches")

# the two architecture gradients at the end of a search, on 4 fixed batches, xi = the largest w lr of the search
run, data_1d = darts[f"first order, seed {SEED * DARTS_SEEDS}"], naslab.load_dataset("mnist1d")
names, w = list(run.params), [p.clone().requires_grad_(True) for p in run.params.values()]
alpha_end = torch.tensor(np.log(run.alpha[-1])).requires_grad_(True)   # softmax is all the loss sees
cosines = []
for b in range(4):
    sl = slice(64 * b, 64 * (b + 1))
    lt = supernet_loss(names, data_1d.X_train[sl], data_1d.y_train[sl], run.config.net)
    lv = supernet_loss(names, data_1d.X_val[sl], data_1d.y_val[sl], run.config.net)
    g1, g2 = (alpha_grad(o, lt, lv, w, alpha_end, xi=run.config.search.w_lr) for o in ("first", "second"))
    cosines.append(float(torch.nn.functional.cosine_similarity(g1.flatten(), g2.flatten(), 0)))
cost_ratio = np.median([darts[f"second order, seed {s}"].history[-1]["cpu_seconds"]
                        / darts[f"first order, seed {s}"].history[-1]["cpu_seconds"]
                        for s in range(SEED * DARTS_SEEDS, (SEED + 1) * DARTS_SEEDS)])
print(f"final cells agree on {agree} of 6 edges; largest softmax(alpha) gap {max(g[-1] for g in gaps.values()):.3f}; "
      f"cosine between the first- and second-order gradients {np.round(cosines, 3)}; "
      f"second order costs {cost_ratio:.1f}x the CPU time of first order")

# %% [markdown]
# **Expected result.** The two orders end on the same cell or on cells that differ on one edge (at least 5 of 6 edges agree for every seed), and their softmax(α) stay within 0.05 of each other through the search; the crosses mark the epochs at which an edge whose two best ops are closer than the gap flips. The two gradients point almost the same way (cosine between 0.8 and 1). Why? Both runs start from the same α and weights and see the same batches; the second-order term $-\xi \nabla^2_{\alpha,w} L_{train} \cdot \nabla_{w'} L_{val}$, with $\xi$ at most the weight learning rate of 0.025, turns the gradient only a little; and Adam moves α by about lr × the sign of its averaged gradient, so a slightly rotated gradient gives almost the same path. Second order costs 1.5–5 times the CPU time of first order here, for a cell that first order finds anyway.

# %% [markdown]
# One more lesson hides in this check: eq. 8 estimates the Hessian-vector product by a central difference with $\epsilon = 0.01/\lVert v \rVert$. On a network this small, $w \pm \epsilon v$ crosses ReLU kinks and the difference quotient is off by more than the product itself, so the search here uses the exact product (a second backward pass) instead of the paper's finite difference.
#
# **Q: what conclusion can we make?** When would you expect first and second order to part ways? (Hint: what would make $\xi \nabla^2 L \cdot v$ comparable to the gradient itself?)

# %%
# bounds from 5 seeds x 10 epochs (seeds 0-4): final cells agree on 6/5/6/6/6 edges, largest gap over the search
# 0.003/0.025/0.002/0.002/0.007, second/first CPU time 2.4-3.4 (load 2-6); FAST (1 epoch, seeds 0-2): 6/5/4 edges,
# gap 0.002/0.002/0.0004; gradient cosines: median 0.97 over 4 batches (class run). Per-seed gaps and agreeing edges:
# `OMP_NUM_THREADS=1 python tools/experiments/darts_on_table.py --seeds 5`
claim("06 §6", "edges (of 6) on which the two orders' final cells agree, fewest over seeds", min(agree), 5, 6,
      fast=(3, 6))
claim("06 §6", "largest gap between the two orders' softmax(alpha) over the search", max(g.max() for g in gaps.values()),
      0, 0.05, fast=(0, 0.05))
claim("06 §6", "median cosine between the first- and second-order alpha gradients", float(np.median(cosines)), 0.8, 1,
      fast=(0.8, 1))
claim("06 §6", "second order's CPU time over first order's (median over seeds)", cost_ratio, 1.5, 5, fast=(1.2, 6))

# %% [markdown]
# ## Explore
#
# Move the budget slider to see the race at any simulated time: the left plot shows the curves up to there, the right one the ranking at that budget. Pick searchers in the list (ctrl/shift-click). Everything comes from the finished race, so each redraw is instant.

# %%
from naslab.bakeoff.widgets import bakeoff_panel

bakeoff_panel(result)

# %% [markdown]
# ## Exercises
#
# Exercises 1 and 2 (mutation, the evolution cycle) are in section 2, exercise 3 (Hyperband's schedule) in section 3.
#
# **4. The interquartile mean and its interval.** (a) Write `my_iqm(x)` for a 1-D array of final regrets: sort, drop the lowest and the highest quarter ($\lfloor n/4 \rfloor$ runs at each end, `n // 4`) and average the rest. (b) Write `my_iqm_interval(x, rng, n_boot=2000)`, the 95 % percentile-bootstrap interval of your IQM: draw `n_boot` resamples of the `n` runs *with* replacement (`rng.integers(n, size=(n_boot, n))` gives their indices), compute `my_iqm` of each resample, and return the 2.5th and 97.5th percentiles of those values as `(lo, hi)`. Then compare the IQM with the median and the mean on the final regrets of random search, and your interval with the one in section 5.

# %%
# Exercise 4: the interquartile mean and its bootstrap interval
def my_iqm(x):
    # BEGIN SOLUTION
    x = np.sort(np.asarray(x, dtype=float))
    q = len(x) // 4
    return x[q:len(x) - q].mean()
    # END SOLUTION


def my_iqm_interval(x, rng, n_boot=2000):
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=float)
    resamples = x[rng.integers(len(x), size=(n_boot, len(x)))]   # (n_boot, n) runs drawn with replacement
    values = np.array([my_iqm(row) for row in resamples])         # (n_boot,) the IQM of each resample
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)
    # END SOLUTION

with exercise(4):
    r = final["random"]
    lo, hi = my_iqm_interval(r, np.random.default_rng(0))
    print(f"random search, final regret: IQM {100 * my_iqm(r):.2f} [{100 * lo:.2f}, {100 * hi:.2f}], "
          f"median {100 * np.median(r):.2f}, mean {100 * r.mean():.2f} points")

# %%
# Check 4
with exercise(4):
    print(check_iqm(my_iqm))
    print(check_iqm_interval(my_iqm_interval, my_iqm))

# %% [markdown]
# **5. Enter your own searcher.** Write a searcher — a subclass of `naslab.Searcher` with `ask()` returning a cell and `tell(cell, trial)` — and enter it in the bake-off against random search. It must draw all its randomness from `np.random.default_rng(seed)`, learn only from what `tell` gives it (`trial.score()`, the validation accuracy: higher is better), and be your own code: the check refuses calls into naslab's searchers or its table. Ideas: evolution that never re-evaluates a cell it has seen, local search with first improvement, a population that mutates two edges early on. The check rejects asks that are not cells, searchers that ignore their seed, ask the same few cells, or ignore or invert their scores, then races yours against random search over `CHECK_SEEDS` seeds.

# %%
# Exercise 5: your own searcher
class MySearcher(naslab.Searcher):
    name = "my searcher"

    def __init__(self, seed=0, population_size=20, sample_size=5):
        # BEGIN SOLUTION
        # one answer: regularised evolution that never pays twice for a cell
        self.seed, self.rng = seed, np.random.default_rng(seed)
        self.P, self.S = population_size, sample_size
        self.population, self.seen = deque(), set()   # (cell, score) oldest first; every cell asked
        # END SOLUTION

    def ask(self):
        # BEGIN SOLUTION
        for _ in range(50):   # a few tries for a cell not seen yet
            if len(self.population) < self.P:
                cell = tuple(int(o) for o in self.rng.integers(5, size=6))
            else:
                picks = self.rng.choice(len(self.population), size=self.S, replace=False)
                parent, _ = max((self.population[int(i)] for i in picks), key=lambda m: m[1])
                cell = my_mutate(parent, self.rng)
            if cell not in self.seen:
                break
        self.seen.add(cell)
        return cell
        # END SOLUTION

    def tell(self, cell, trial):
        # BEGIN SOLUTION
        self.population.append((tuple(cell), trial.score()))
        if len(self.population) > self.P:
            self.population.popleft()
        # END SOLUTION

# %%
# Check 5
with exercise(5):
    print(check_searcher(lambda s: MySearcher(seed=s), lookup, seeds=range(CHECK_SEEDS),
                         max_seconds=budget_s / 2))

# %% [markdown]
# ## Summary
#
# - A **tabular benchmark** turns a search into lookups: searchers can be compared on one simulated cost axis over many seeds, and judged by the *test* accuracy of what they would return (regret), not by the validation score they optimised.
# - **Regularised evolution** (tournament + mutation + ageing) and **local search** (best neighbour, restart at local optima) exploit that good cells have good neighbours; on this table they lead, as on NAS-Bench-201.
# - The gaps between searchers are **small**: report the IQM over many seeds with bootstrap intervals, and say which differences are separated; three seeds and a mean hide everything.
# - **Hyperband** and successive halving only help when short trainings rank cells well; the REINFORCE controller needs many samples before its policy concentrates.
# - DARTS's cell can be looked up too: weight sharing finds cells that train well together, not necessarily the best alone. First and second order end on (nearly) the same cell: the second-order term barely turns the gradient here.
# - The table has a **noise ceiling**: two trainings of the same cells agree only loosely, by more than the searchers differ. More training seeds per cell, not more search seeds, would be needed to tell the searchers apart.

# %% [markdown]
# ## Questionnaire
#
# 1. How many cells does the NAS-Bench-201 space have, and why does the table hold fewer distinct entries?
# 2. Define the test regret of a search at time $t$. Why is the incumbent chosen by validation accuracy but judged by test accuracy?
# 3. In regularised evolution, what is removed from the population each cycle, and why not the worst member?
# 4. How many neighbours does a cell have here? When does local search restart?
# 5. Write Hyperband's brackets for $R = 27$, $\eta = 3$. Which bracket is random search?
# 6. What is the interquartile mean, and why is it preferred to the mean and to the median over a few dozen seeds?
# 7. How is a 95 % percentile-bootstrap interval computed? What does it mean when two searchers' intervals overlap?
# 8. NAS-Bench-201 reported that DARTS collapses to a cell of skip connections on CIFAR-10. What does "collapse" mean, and how would you check for it in this table?
# 9. What is the noise ceiling of a tabular benchmark? Why is the regret measured against the mean over training seeds, and what does a ceiling of τ ≈ 0.3 mean for a one-point difference between two searchers?
# 10. Why can first- and second-order DARTS return the same cell even though their gradients differ?

# %% [markdown]
# ## Further reading
#
# - X. Dong, Y. Yang. *NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture Search.* ICLR 2020, arXiv:2001.00326 — the space, the protocol, and the comparison of search methods.
# - E. Real, A. Aggarwal, Y. Huang, Q. V. Le. *Regularized Evolution for Image Classifier Architecture Search.* AAAI 2019, arXiv:1802.01548 — Algorithm 1 and the ageing argument.
# - C. White, S. Nolen, Y. Savani. *Local Search is State of the Art for Neural Architecture Search Benchmarks.* arXiv:2005.02960, 2020.
# - L. Li, K. Jamieson, G. DeSalvo, A. Rostamizadeh, A. Talwalkar. *Hyperband.* JMLR 2018, arXiv:1603.06560.
# - R. Agarwal, M. Schwarzer, P. S. Castro, A. Courville, M. G. Bellemare. *Deep Reinforcement Learning at the Edge of the Statistical Precipice.* NeurIPS 2021 — IQM and bootstrap intervals (the `rliable` library).
# - M. Lindauer, F. Hutter. *Best Practices for Scientific Research on Neural Architecture Search.* JMLR 2020 — the checklist behind fair comparisons.
