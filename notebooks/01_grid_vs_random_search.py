# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Grid vs random search
#
# We tune the learning rate and weight decay of a small network with grid search and random search, on a toy
# function and on a real landscape, and see why random search wins when one hyper-parameter matters more than another.
#
# **Time**: reading ≈ 15 min · class mode ≈ 0.5–0.6 min on a 2-core CPU · FAST ≈ 15 s.
# **Prerequisites**: [00 · Welcome](00_welcome.ipynb) (datasets, `naslab.train`, `Trial`).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - explain, with the *low effective dimensionality* argument of Bergstra & Bengio (2012), why random search beats grid search at the same budget;
# - define a search space whose scale parameters are sampled evenly per decade, and drive any searcher through the loop `run_search`, with a resumable log;
# - train a whole hyper-parameter grid at once with **population training**, and check it against one-by-one training;
# - compare two searchers fairly: best-so-far against the budget, mean and spread over 20 seeds, and a test set opened once;
# - size a random search with $1-(1-q)^n$.

# %%
# Setup: plots inline, the naslab imports, the seed and the device
# %matplotlib inline
import math
import tempfile
from collections import Counter
from pathlib import Path
import matplotlib.pyplot as plt
import numpy as np
import torch

import naslab
from naslab.anytime import best_trial, best_vs_seconds, best_vs_trials
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.data import load_dataset
from naslab.domains import Choice, Uniform, grid, sample
from naslab.exercise import exercise
from naslab.grid_vs_random import checks, plots
from naslab.grid_vs_random.landscape import TrainObjective, load_or_build, random_configs
from naslab.grid_vs_random.population import train_member, train_population
from naslab.grid_vs_random.spaces import COURSE_VALUES, course_grid, course_space
from naslab.grid_vs_random.spaces import synthetic_grid, synthetic_objective, synthetic_space
from naslab.grid_vs_random.widgets import draw_synthetic, landscape_panel, synthetic_panel
from naslab.models import make_mlp
from naslab.search import run_search
from naslab.searchers import GridSearch, RandomSearch, Searcher
from naslab.train import TrainConfig, evaluate, train
from naslab.utils import Timer, get_device, seed_everything, set_threads

seed_everything(0)
set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)
print(f"naslab {naslab.__version__} | torch {torch.__version__} | device: {get_device('auto')} | {mode_name()} mode")

# %% tags=["parameters"]
# Parameters: NASLAB_FAST=1 shrinks the budgets (no cell is ever skipped)
FAST = is_fast()
SEED = 0                                     # searcher seed of the single runs below
DATASET = "digits"                           # the live landscape: "digits" or "mnist1d"
EPOCHS = 20                                  # training length of every run; the cached tables use 20
N_LIVE = budget(full=36, fast=4)             # random-search trials trained one-by-one (section 4)
N_TIMED = budget(full=4, fast=1)             # grid runs also trained one-by-one, to time them (section 3)
N_CHECK = budget(full=720, fast=12)          # cached random runs re-trained live to check the table (section 5)
N_SEEDS = budget(full=20, fast=20)           # searcher seeds of the comparison: replays, milliseconds each
N_OWN = budget(full=20, fast=3)              # trials of your own searcher (exercise 2)
MOMENTUM_EPOCHS = budget(full=20, fast=2)    # training length in exercise 1
REBUILD = False                              # True: retrain and overwrite the cached tables (~10-30 s each)

# %% [markdown]
# ## Recap
#
# From [00 · Welcome](00_welcome.ipynb):
#
# - `naslab.train.train(model, data, cfg)` trains with SGD (momentum 0.9) and returns a `TrainResult`; a run whose loss explodes is a **result** (`diverged=True`, chance accuracy), not a crash.
# - Every dataset comes with a fixed **train / validation / test** split: we select on validation and open the test split once, at the very end.
# - An experiment is recorded as a `Trial` (config, metrics, seconds, status), one JSON line each.

# %% [markdown]
# ## 1 · The intuition: one parameter matters, the other barely does
#
# Hyper-parameter optimisation searches a space of configurations $\lambda$ for the best validation score $f(\lambda)$.
# Bergstra & Bengio (2012, Fig. 1) explain the weakness of grid search with a function of two parameters where only one matters:
#
# $$f(x, y) = g(x) + \varepsilon\, h(y), \qquad \varepsilon \ll 1 .$$
#
# A grid of $n$ trials over $d$ parameters tries only $n^{1/d}$ distinct values of each parameter; $n$ random trials try $n$ distinct values of **every** parameter.
# When $f$ depends mostly on $x$, the grid wastes its repeats of each $x$ on values of $y$ that do not matter.
# Our $g$ has a broad hill at $x \approx 0.3$ and a narrow, higher peak at $x \approx 0.72$; $h$ is one gentle bump.

# %%
# Build: 9 trials on a 3x3 grid and 9 random trials, through the same run_search loop
grid_trials = run_search(GridSearch(synthetic_grid(3)), synthetic_objective, 9, metric="score")
random_trials = run_search(RandomSearch(synthetic_space(), seed=SEED), synthetic_objective, 9, metric="score")
for name, trials in [("grid", grid_trials), ("random", random_trials)]:
    n_x = len({t.config["x"] for t in trials})
    print(f"{name:6s}: {n_x} distinct x values, best f = {best_trial(trials, metric='score').score('score'):.3f}")

# %%
# The classic figure: each axis' projection beside the plot (ticks = the distinct values tried)
fig = plt.figure(figsize=(10.5, 5.0), layout="constrained")
draw_synthetic(fig, budget=9, seed=SEED, importance=0.1)

# %% [markdown]
# **Expected result.** The grid tries $x \in \{1/6, 1/2, 5/6\}$, misses the peak at $x \approx 0.72$ and tops out at $f \approx 0.25$.
# Nine random trials try nine values of $x$; with searcher seed 0 one lands on the peak ($f \approx 0.9$).
# Seed 0 is one draw: over searcher seeds 0–19, the best of nine random trials beats the grid's best in 19 of 20 seeds and reaches the peak ($f \ge 0.8$) in 8 of 20.
# On the right-hand projections the grid's three values of $y$ cost six of its nine trials and bought almost nothing, because $h$ barely moves $f$.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
grid_x = sorted({round(t.config["x"], 4) for t in grid_trials})
claim("01 §1", "the grid tries three values of x, 1/6, 1/2 and 5/6", grid_x == [0.1667, 0.5, 0.8333])
claim("01 §1", "the grid tops out at f ≈ 0.25", best_trial(grid_trials, metric="score").score("score"), 0.22, 0.28,
      fast="same")
# seed 0 is one draw: the same search for searcher seeds 0-19 (milliseconds; exact, the same in FAST mode and for
# every SEED of the parameters cell, which moves only the plotted search)
best9 = np.array([best_trial(run_search(RandomSearch(synthetic_space(), seed=s), synthetic_objective, 9, metric="score"),
                             metric="score").score("score") for s in range(20)])
claim("01 §1", "searcher seed 0's nine random trials land on the peak (f ≈ 0.9)", best9[0], 0.8, 1.0, fast="same")
grid_best = best_trial(grid_trials, metric="score").score("score")
claim("01 §1", "over 20 seeds, nine random trials beat the grid's best in 19 (share of seeds)", np.mean(best9 > grid_best),
      0.95, 0.95, fast="same")
claim("01 §1", "... and reach the peak (f >= 0.8) in 8 of 20 (share of seeds)", np.mean(best9 >= 0.8), 0.4, 0.4,
      fast="same")

# %%
# Experiment: over 200 seeds, how often does 9-trial random search beat the 3x3 grid?
grid_best = best_trial(grid_trials, metric="score").score("score")
rand_best = np.array([best_trial(run_search(RandomSearch(synthetic_space(), seed=s), synthetic_objective, 9,
                                            metric="score"), metric="score").score("score") for s in range(200)])
print(f"grid best {grid_best:.3f} | random best: median {np.median(rand_best):.3f}, "
      f"beats the grid in {np.mean(rand_best > grid_best):.0%} of 200 seeds, finds the peak (f > 0.5) in "
      f"{np.mean(rand_best > 0.5):.0%}")

# %% [markdown]
# **Q: what conclusion can we make?** Why is the grid's result the same for every seed, and what would a 4×4 grid (16 trials) change? Use the panel below: move the budget, the seed, and how much $y$ matters. When both parameters matter equally, does random search still win?

# %%
# Widgets: budget (a k x k grid with k = floor(sqrt(budget)) vs `budget` random trials), seed, importance of y
synthetic_panel(budget=9)

# %% [markdown]
# ## 2 · The search machinery: spaces, ask / tell, `run_search`
#
# A **search space** is a dict of domains (`naslab.domains`): `Choice(values)`, `Uniform(a, b)`, `IntRange(a, b)` and `LogUniform(a, b)`.
# Learning rate and weight decay are *scale* parameters, so we make them **log-uniform**: uniform in the logarithm,
#
# $$u \sim \mathcal U(\log_{10} a, \log_{10} b), \qquad x = 10^{u}, \qquad p(x) \propto 1/x \text{ on } [a, b],$$
#
# which gives every decade the same probability. The course grid is $\{10^{-4}, 10^{-3}, 10^{-2}, 0.1, 1, 10\}^2$ (36 points); random search samples both parameters log-uniformly on $[10^{-4}, 10]$.
#
# A **searcher** speaks the **ask/tell** interface, two methods: `ask()` proposes a configuration (or `None` when it has nothing more), `tell(config, trial)` hands back the finished `Trial`.
# `run_search(searcher, objective, budget)` asks, evaluates `objective(config) -> metrics`, tells, and records every `Trial` — optionally to a JSONL file that a rerun **resumes** from.
# Ctrl-C (■ in Jupyter) stops the loop and returns what finished. With `executor=ProcessPoolExecutor(2)` trials run in parallel, with the same results for a fixed seed.
# The searchers of notebooks 02 and 03 speak this interface too.

# %%
# The course grid, and a check that log-uniform sampling puts 20 % of the draws in each decade
print(f"{len(grid(course_grid()))} grid configurations, the first two: {grid(course_grid())[:2]}")
rng = np.random.default_rng(SEED)
draws = np.array([sample(course_space(), rng)["lr"] for _ in range(10_000)])
per_decade = np.histogram(np.log10(draws), bins=np.arange(-4, 2))[0] / len(draws)
print("share of the lr draws in each decade from 1e-4 to 10:", np.round(per_decade, 3))
print(f"P(lr < 1): uniform on [1e-4, 10] would give {(1 - 1e-4) / (10 - 1e-4):.2f}; log-uniform gives {np.mean(draws < 1):.2f}")


# %%
# Check: random search written from scratch gives exactly naslab's RandomSearch (same seed, same draws)
def my_random_search(space, objective, n, seed):
    rng = np.random.default_rng(seed)
    configs = [sample(space, rng) for _ in range(n)]
    return configs, [objective(c)["score"] for c in configs]

configs, scores = my_random_search(synthetic_space(), synthetic_objective, 9, SEED)
assert configs == [t.config for t in random_trials] and scores == [t.score("score") for t in random_trials]
print("from-scratch random search == run_search(RandomSearch(...)): same configurations, same scores")

# %%
# Resume: a second run with the same JSONL file reads the finished trials back instead of repeating them
log = Path(tempfile.mkdtemp()) / "random.jsonl"
calls = []

def counted(config):
    calls.append(config)
    return synthetic_objective(config)

first = run_search(RandomSearch(synthetic_space(), seed=1), counted, 5, path=log, metric="score")
again = run_search(RandomSearch(synthetic_space(), seed=1), counted, 8, path=log, metric="score")
print(f"{len(again)} trials, but the objective ran {len(calls)} times in both runs together (5 + 3); {log.name} holds "
      f"{len(log.read_text().splitlines())} lines: a header with the search's fingerprint (searcher, seed, space, "
      "metric, objective), which a different search may not resume, then one line per trial")

# %% [markdown]
# **Optional · scaling out.** The same search on 2 worker processes: only the `executor=` line changes, and a fixed seed gives the very same trials. On a cluster that line becomes `executor=naslab.RayExecutor("auto")` (with the optional `ray` extra installed) or Dask's `client.get_executor()`.

# %%
from concurrent.futures import ProcessPoolExecutor

with ProcessPoolExecutor(2) as pool:  # or naslab.RayExecutor(), or a Dask client.get_executor()
    on_pool = run_search(RandomSearch(synthetic_space(), seed=SEED), synthetic_objective, 9, metric="score",
                         executor=pool, max_workers=2)
assert [(t.config, t.metrics) for t in on_pool] == [(t.config, t.metrics) for t in random_trials]
print("2 worker processes: the same 9 trials as the sequential run")

# %% [markdown]
# **Q: what conclusion can we make?** Why must a searcher take a seed for the resume to work? What would go wrong if `RandomSearch` drew from NumPy's global random state?

# %% [markdown]
# ## 3 · The real landscape: the 6×6 grid, trained as one population
#
# Thirty-six small networks trained one after another leave a CPU mostly idle: each step of a 64-64-10 MLP is a few tiny matrix products plus Python overhead.
# **Population training** (`naslab.grid_vs_random.population`) trains all $K$ members at once. Their weights are stacked, $W \in \mathbb R^{K \times h \times d}$, so the first layer of every member is **one** matrix product with the shared batch $X \in \mathbb R^{B \times d}$; each member keeps its own learning rate $\eta_k$, weight decay $\lambda_k$ and momentum buffer $b_k$:
#
# $$g_k = \nabla L_k(w_k) + \lambda_k w_k, \qquad b_k \leftarrow \mu\, b_k + g_k, \qquad w_k \leftarrow w_k - \eta_k\, b_k .$$
#
# Member $k$ starts from the same initial weights (same seed) and sees the same batches in the same order as its one-by-one twin, so the two give the same result.
# A member whose loss explodes is recorded as diverged and dropped from the stack; the others never notice.

# %%
# The 36 grid configurations, trained as one population (SGD with momentum 0.9, batch 64, MLP 64-64-10)
data = load_dataset(DATASET)
cfg = TrainConfig(epochs=EPOCHS, seed=0)
grid_configs = grid(course_grid())
with Timer() as t_pop:
    pop = train_population(data, grid_configs, cfg)
print(data)
print(f"population: {len(grid_configs)} runs x {EPOCHS} epochs in {t_pop.seconds:.1f} s; {int(pop.diverged.sum())} diverged")

# %%
# Check: N_TIMED runs of the lr = 0.01 row trained one-by-one give the same accuracies (and time them)
train_member(data, grid_configs[12], cfg, max_steps=3)  # warm-up, so first-call costs stay out of the timing
with Timer() as t_one:
    ones = [train_member(data, c, cfg) for c in grid_configs[12:12 + N_TIMED]]
diff = max(abs(r.val_acc - pop.val_acc[12 + i]) for i, r in enumerate(ones))
per_run = t_one.seconds / N_TIMED
print(f"one-by-one: {per_run:.2f} s per run, so ≈ {36 * per_run:.0f} s for the grid (less: diverged runs stop early); "
      f"population: {t_pop.seconds:.1f} s")
print(f"largest accuracy difference: {diff:.4f} (one validation example is {1 / len(data.y_val):.4f})")

# %%
# The landscape: validation accuracy of the 6x6 grid on log axes; crosses mark diverged runs
acc, div = pop.val_acc.reshape(6, 6), pop.diverged.reshape(6, 6)
plots.plot_landscape_heatmap(acc, COURSE_VALUES, COURSE_VALUES, diverged=div,
                             title=f"{DATASET}: the 6x6 grid, {EPOCHS} epochs");

# %%
# Which parameter matters? Move one at a time away from the best cell
i, j = np.unravel_index(acc.argmax(), acc.shape)
print(f"best cell: lr = {COURSE_VALUES[i]:g}, weight decay = {COURSE_VALUES[j]:g}, validation accuracy {acc[i, j]:.3f}")
print(f"changing lr at that weight decay moves the accuracy over {np.ptp(acc[:, j]):.2f}")
print(f"changing weight decay within 1e-4..1e-2 at that lr moves it over {np.ptp(acc[i, :3]):.3f}")

# %% [markdown]
# **Expected result.** The learning rate is the important parameter: along a column the accuracy runs from chance (lr = 10 diverges, lr = $10^{-4}$ barely moves in 20 epochs) to ≈ 0.98 on digits (≈ 0.54 on MNIST-1D with this MLP).
# Weight decay hardly matters while it is small ($\le 10^{-2}$ changes a few tenths of a point to a few points); once $\eta\lambda$ approaches 1 it shrinks the weights as fast as they learn, and the run dies.
# Population training reproduces one-by-one training to within a validation example on the stable runs; at large learning rates (lr ≳ 0.1, towards the **edge of stability**, where a step overshoots the loss's curvature, so the loss stops falling smoothly) tiny rounding differences can grow and change a result (so can a different CPU): section 5 re-trains 720 runs and finds a few dozen such mismatches, all at large learning rates.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# the grid is trained with one fixed seed, so these are exact up to float rounding; bounds cover both datasets
TOP = {"digits": (0.96, 0.99), "mnist1d": (0.5, 0.6)}[DATASET]
claim("01 §3", "along a column, lr moves the accuracy from chance to the top", np.ptp(acc[:, j]), low=0.4, fast="same")
claim("01 §3", f"the best cell reaches ≈ {np.mean(TOP):.2f} on {DATASET}", acc.max(), *TOP, fast="same")
claim("01 §3", "weight decay within 1e-4..1e-2 moves it by a few points at most", np.ptp(acc[i, :3]), high=0.05,
      fast="same")
claim("01 §3", "population = one-by-one training on the lr = 0.01 row (one validation example)", diff,
      high=1 / len(data.y_val) + 1e-6, fast="same")

# %% [markdown]
# **Q: what conclusion can we make?** The grid put 6 of its 36 trials on lr = 10, where every run diverges. How many of the 36 trials landed in the two rows that contain all the good results? What does that suggest about where the budget should go?

# %% [markdown]
# ## 4 · Random search with the same budget
#
# Now the same budget, but each trial draws lr and weight decay log-uniformly from $[10^{-4}, 10]$.
# Each trial is an ordinary one-by-one training run (`TrainObjective`), driven by `run_search` and logged to a JSONL file: stop the cell and run it again, and it resumes.

# %%
# Random search: N_LIVE log-uniform configurations, each trained one-by-one by run_search
objective = TrainObjective(data, cfg)
random_log = Path(tempfile.mkdtemp()) / "random_search.jsonl"
with Timer() as t_rand:
    rand_trials = run_search(RandomSearch(course_space(), seed=SEED), objective, N_LIVE, path=random_log,
                             progress=True)  # a bar that disappears when done
best_r = best_trial(rand_trials)
print(f"{len(rand_trials)} random trials in {t_rand.seconds:.0f} s; statuses {dict(Counter(t.status for t in rand_trials))}")
print(f"best: val acc {best_r.score():.3f} at lr = {best_r.config['lr']:.3g}, weight decay = {best_r.config['weight_decay']:.3g} "
      f"(grid best: {acc.max():.3f})")

# %%
# The random trials over the grid's heatmap (each cell spans one decade of each parameter)
ax = plots.plot_landscape_heatmap(acc, COURSE_VALUES, COURSE_VALUES, diverged=div, annotate=False)
plots.plot_points_on_landscape([t.config["lr"] for t in rand_trials], [t.config["weight_decay"] for t in rand_trials],
                               acc=[t.score() for t in rand_trials], ax=ax);  # its legend sits above the map

# %% [markdown]
# **Expected result.** The random points fall *between* the grid's lines, so they try many learning rates inside the good band (0.01–0.5) instead of two: the band covers 1.7 of the 5 decades, so about a third of the 36 draws, roughly 12, land in it.
# On digits, where many configurations reach ≈ 0.98, 36 random trials end within about a point of the grid's best (slightly below it for some seeds, up to about one point above for others); on MNIST-1D random search ends one to four points ahead.
# A single run is one draw, though: the next section repeats it over 20 seeds.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# the table's 20 seeds of 36 random trials (data/bench) give the spread of the seed-to-seed difference:
# best of 36 random minus the grid's best: digits -0.0035..0.0104, MNIST-1D 0.010..0.041 (all 20 seeds)
in_band = sorted({round(t.config["lr"], 3) for t in rand_trials if 0.01 <= t.config["lr"] <= 0.5})
# SEED 0 / 1 / 2 / 3 / 4 / 5: 15 / 12 / 16 / 13 / 11 / 13 distinct learning rates in the band (36 draws expect 12.2)
claim("01 §4", "about 12 of the 36 random learning rates land inside the good band 0.01–0.5 (the grid: 2)",
      len(in_band), 9, 17)
if DATASET == "digits":
    claim("01 §4", "36 random trials end within about a point of the grid's best", best_r.score() - acc.max(), -0.01,
          0.015)
else:
    claim("01 §4", "36 random trials end one to four points above the grid's best", best_r.score() - acc.max(),
          0.005, 0.05)

# %% [markdown]
# **Q: what conclusion can we make?** Random search also spent trials on hopeless regions (lr < $10^{-3}$, large weight decay). Why is that not a reason to prefer the grid?

# %% [markdown]
# ## 5 · A fair comparison: the same budget, 20 seeds
#
# One run of each searcher proves nothing. We compare **anytime** curves, the best validation accuracy found so far after $n = 1, \dots, 36$ trials (or seconds of budget), over 20 searcher seeds: the line is the **median** over the seeds, the band runs from the first to the third quartile. (Why not the mean? Early on, a few seeds' best run so far is a diverged one at chance accuracy; they drag the mean below its own 25–75 % band, while the median stays inside it.)
# Two details make it fair:
#
# - grid search visits the grid in a **seeded random order** (in order it would spend its first six trials on lr = $10^{-4}$);
# - every run uses the same *training* seed, so the landscape is one fixed function of (lr, weight decay) and the spread comes from the searchers alone.
#
# That is 36 grid runs plus 20 × 36 random runs, 756 trainings: population training builds the table in 10–30 s on a 2-core CPU (one-by-one it would take a few minutes). It is cached on disk (`REBUILD = True` rebuilds it), class mode re-trains all 720 random runs below to check it, and the searches are replayed on it with `run_search` in milliseconds.

# %%
# The cached table (rebuilt with population training when missing or when REBUILD = True)
with Timer() as t_land:
    land = load_or_build(DATASET, epochs=EPOCHS, n_seeds=N_SEEDS, n_trials=36, rebuild=REBUILD)
print(f"{land.dataset}: 36 grid runs + {land.n_seeds} x {land.n_trials} random runs, read in {t_land.seconds:.2f} s "
      f"(building it took {land.build_seconds:.0f} s)")

# %%
# Check: re-train N_CHECK of the cached random runs right now (all 720 in class mode), with population training
cached = [c for run in random_configs(land.n_seeds, land.n_trials) for c in run][:N_CHECK]
fresh = train_population(data, cached, cfg)
same = np.abs(fresh.val_acc - land.rand_acc.ravel()[:N_CHECK]) <= 1 / len(data.y_val) + 1e-6
odd = sorted(round(c["lr"], 2) for c, s in zip(cached, same) if not s)
print(f"{same.sum()} of {N_CHECK} re-trained runs match the table to one validation example"
      + (f"; the others have lr = {odd}" if odd else ""))
print(f"the live grid matches the table in {np.sum(np.abs(pop.val_acc - land.grid_acc) <= 1 / len(data.y_val) + 1e-6)} of 36 cells")

# %%
MY_PREDICTION = None  # predict first: after 9 trials, how many points is random search's mean best above the grid's? (accuracy points, e.g. 0.5)

# %%
# Replay grid search (random order) and random search for every seed on the table
grid_runs = [land.grid_search(seed=s) for s in range(N_SEEDS)]
rand_runs = [land.random_search(seed=s) for s in range(N_SEEDS)]
curves = {"grid": best_vs_trials(grid_runs, 36), "random": best_vs_trials(rand_runs, 36)}
top = float(curves["random"].max())
plots.plot_anytime(curves, spread="quartiles", ylim=(max(0.0, top - 0.3), top + 0.01));

# %%
# Mean best validation accuracy after 9 and 36 trials (± std over the seeds)
for n in (9, 36):
    g, r = curves["grid"][:, n - 1], curves["random"][:, n - 1]
    print(f"after {n:2d} trials: grid {g.mean():.4f} ± {g.std():.4f} | random {r.mean():.4f} ± {r.std():.4f} | "
          f"random ahead in {np.mean(r > g):.0%} of seeds, tied in {np.mean(r == g):.0%}")

# %%
# The same comparison against training seconds (diverged runs stop early and cost less)
t_max = min(sum(t.seconds for t in run) for run in grid_runs + rand_runs)
times = np.linspace(0, t_max, 120)
secs = {"grid": best_vs_seconds(grid_runs, times), "random": best_vs_seconds(rand_runs, times)}
plots.plot_anytime(secs, x=times, spread="quartiles", xlabel="training seconds spent (each run's share of the population)",
                   ylim=(max(0.0, top - 0.3), top + 0.01));

# %% [markdown]
# **Expected result.** On digits random search is ahead (on average) within the first few trials; after 9 trials its mean is about 1.5 points above the grid's (≈ 0.971 against ≈ 0.956). The check above re-trains the table's 720 random runs: more than 90 % match to one validation example, and every mismatch has a large learning rate (lr > 0.1, see section 3).
# By 36 trials the grid has tried every point it has and ends at its best cell (0.979); random search ends a little higher on average (≈ 0.981), but from seed to seed anywhere between about half a point below the grid's best and one point above it — digits is nearly saturated.
# On MNIST-1D (set `DATASET = "mnist1d"` or use the panel below) the gap is large: ≈ 0.45 vs 0.53 after 9 trials (random ahead in 3 seeds out of 4) and 0.54 vs 0.57 after 36 (random ahead for every seed).


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# replays on the cached table over N_SEEDS = 20 seeds: the same numbers in class and FAST mode
g_mean, r_mean = curves["grid"].mean(0), curves["random"].mean(0)
ahead_from = next(n for n in range(1, 37) if (r_mean[n - 1:] >= g_mean[n - 1:]).all())
claim("01 §5", "random search is ahead (on average) within the first few trials", ahead_from, 1, 6, fast="same")
claim("01 §5", "after 9 trials random search's mean is above the grid's (in accuracy, 0.01 = one point)", r_mean[8] - g_mean[8],
      low=0.005, fast="same", predicted=MY_PREDICTION)
claim("01 §5", "more than 90 % of the re-trained runs match the table", same.mean(), low=0.9)
claim("01 §5", "every mismatch has a large learning rate (lr > 0.1)", min(odd, default=10.0), low=0.1)

# %% [markdown]
# **Q: what conclusion can we make?** Why does the grid's band collapse to a single line at 36 trials while random search's does not? Which of the two would you rather run with a budget of 9 trials, and why would your answer be the same for a brand-new dataset?

# %% [markdown]
# ## 6 · How many random trials are enough?
#
# Call a configuration *good* if it lies in the top $q$ of the sampling distribution. Each independent random trial is good with probability $q$, so after $n$ trials
#
# $$P(\text{at least one good trial}) = 1 - (1 - q)^n, \qquad n \ge \frac{\log(1 - p)}{\log(1 - q)} \text{ for a target probability } p .$$
#
# For the top 5 % with 95 % confidence this gives $n = 59$: the popular "60 random trials" rule. The argument is usually credited to Bergstra & Bengio but was popularised by Alice Zheng's blog post (Dato, 2015) summarising their paper.
# Three caveats: "top 5 %" is a quantile of the **sampling distribution**, not closeness to the optimum; the number does **not** depend on the dimension; it assumes noise-free evaluations.

# %%
# The formula and the worked example: the top 5 % with 95 % confidence
n_star = math.ceil(math.log(1 - 0.95) / math.log(1 - 0.05))
print(f"n* = {n_star}: 1 - 0.95^{n_star} = {1 - 0.95 ** n_star:.4f}, while 1 - 0.95^{n_star - 1} = {1 - 0.95 ** (n_star - 1):.4f}")
plots.plot_hit_probability((0.01, 0.05, 0.1), n_max=100);

# %%
# Check on the real landscape: resample n of the table's random runs, how often is one in the top 5 %?
pool = land.rand_acc.ravel()
good = np.zeros(pool.size, bool)
good[np.argsort(-pool, kind="stable")[: pool.size // 20]] = True      # the top 5 % by rank (ties by order)
q = good.mean()
rng = np.random.default_rng(SEED)
picks = np.argsort(rng.random((40000, pool.size)), axis=1)[:, :70]    # 40000 searches of 70 distinct runs
hit = np.maximum.accumulate(good[picks], axis=1).mean(0)              # P(a good run among the first n)
ax = plots.plot_hit_probability((q,), n_max=70)
ax.plot(np.arange(1, 71), hit, "k.", ms=4, label="resampled from the table")
ax.legend(loc="lower right");

# %% [markdown]
# **Expected result.** The dots (random searches replayed on the table) follow the curve $1-(1-q)^n$ and cross 95 % within a few trials of $n = 59$.
# Sampling from a finite table without replacement makes hits slightly *more* likely than the formula says.
#
# **Q: what conclusion can we make?** The rule needs 59 trials in 2 dimensions and in 20. Why, then, does random search still get harder in high dimensions?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
formula = 1 - (1 - q) ** np.arange(1, 71)
n_replay = int(np.argmax(hit >= 0.95)) + 1  # the first n at which the replayed dots reach 95 %
# 40000 replays (0.7 s): SEED 0-19 on digits and on mnist1d, the dots reach 95 % at n = 55-57 (exact without
# replacement: 57), lie within 0.012 of the formula, and sit above it by 0.003-0.008 on average (the exact curve:
# +0.005). With 4000 replays the Monte Carlo noise hid that margin (SEED 5: -0.0005).
claim("01 §6", "the replayed dots reach 95 % within a few trials of 59", n_replay, 52, 62, fast="same")
claim("01 §6", "the replayed dots follow 1 - (1 - q)^n", np.abs(hit - formula).max(), high=0.05, fast="same")
claim("01 §6", "sampling without replacement makes hits slightly more likely", (hit - formula).mean(), low=0.0,
      fast="same")

# %% [markdown]
# ## 7 · The test set, touched once
#
# All the choices above were made on the **validation** split. The best of many noisy validation scores is optimistically biased (the winner's curse): we picked the configuration partly *because* its validation sample favoured it.
# The test split has played no part, so one evaluation of the chosen configuration on it is an unbiased estimate. Opening it more than once — to compare candidates, to tune again — turns it into a second validation set and the estimate is biased again.

# %%
# The chosen configuration: the best validation accuracy among everything trained live in sections 3 and 4
candidates = pop.trials() + rand_trials
chosen = best_trial(candidates)
seed_everything(0)                                   # the member's seed: the same initial weights
model = make_mlp(data.input_shape, data.num_classes, hidden=(64,))
res = train(model, data, cfg, lr=chosen.config["lr"], weight_decay=chosen.config["weight_decay"], seed=0)
test_loss, test_acc = evaluate(model, data.X_test, data.y_test)  # the one and only look at the test split
print(f"chosen lr = {chosen.config['lr']:.3g}, weight decay = {chosen.config['weight_decay']:.3g}: "
      f"validation {res.val_acc:.3f}, test {test_acc:.3f}")

# %% [markdown]
# **Expected result.** The retrained model reproduces the selected validation accuracy exactly (same seed), and the test accuracy lands within a couple of points of it. On average it is a little lower (the winner's curse); with only 359 test images, one point either way is noise.
#
# **Q: what conclusion can we make?** Suppose you now try 100 more configurations and keep the one with the best *test* accuracy. What happens to the number you report?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# SEED 0, 1, 2 (sections 3, 4 and 7 of this notebook re-run per seed): the same chosen configuration each time (the
# grid's best beats all 36 random trials), validation 0.979 reproduced exactly, test 0.981: |test - val| 0.0013
claim("01 §7", "the retrained model reproduces the selected validation accuracy", abs(res.val_acc - chosen.score()),
      high=1 / len(data.y_val) + 1e-6)
claim("01 §7", "the test accuracy lands within a couple of points of it", abs(test_acc - res.val_acc), high=0.03)

# %% [markdown]
# ## Explore
#
# The panel replays grid and random search on the cached landscapes of both datasets: choose the budget, the searcher seed and the dataset.
# Left: this seed's first trials of each searcher on the grid's heatmap. Right: mean best-so-far over all 20 seeds (band: quartiles), with this seed's two results marked.

# %%
# Widgets: budget, searcher seed and dataset, redrawn from the cached (population-trained) tables
landscapes = {name: (land if name == land.dataset else load_or_build(name, epochs=EPOCHS, n_seeds=N_SEEDS, rebuild=REBUILD))
              for name in ("digits", "mnist1d")}
landscape_panel(landscapes, budget=9)

# %% [markdown]
# ## Exercises
#
# Write your answer in each exercise cell (inside its `with exercise(n):` block where it has one) and run the check cell after it.
#
# ### Exercise 1 · Momentum as a third dimension
#
# Add momentum to the course grid as a third axis with the values $\{0, 0.5, 0.9, 0.99\}$ (`space3`), and write `my_grid(space)`: the list of **every** configuration of a space of `Choice` axes (each a dict name → value, keys in the space's order), the first key changing slowest and the last fastest, as a grid search visits them. Use `space[name].values`; naslab's own `grid` is not allowed here. The 3-D grid is then trained with your list. How many runs does the grid need now, and with 4 or 5 hyper-parameters at 6 values each? Then give random search the old budget of 36 runs in the 3-D space.

# %%
# Exercise 1: the course grid plus momentum as a third axis, and every configuration of a grid
def my_grid(space):
    # BEGIN SOLUTION
    configs = [{}]
    for name, dom in space.items():  # each new axis multiplies the list: earlier keys change slowest
        configs = [{**c, name: v} for c in configs for v in dom.values]
    return configs
    # END SOLUTION


with exercise(1):
    # BEGIN SOLUTION
    space3 = {**course_grid(), "momentum": Choice([0.0, 0.5, 0.9, 0.99])}
    # END SOLUTION

# %%
# Check exercise 1
with exercise(1):
    print(checks.check_momentum_space(space3))
    print(checks.check_grid(my_grid))

# %%
# Grid search's cost grows as 6^d (one-by-one seconds per run measured in section 3)
for d in (2, 3, 4, 5):
    print(f"{d} hyper-parameters x 6 values: {6 ** d:5d} runs ≈ {6 ** d * per_run / 60:7.1f} min one-by-one, "
          f"{6 ** d * t_pop.seconds / 36 / 60:6.2f} min as a population")
with exercise(1), Timer() as t3:
    pop3 = train_population(data, my_grid(space3), cfg, epochs=MOMENTUM_EPOCHS)
    print(f"the 3-D grid ({len(pop3)} runs, {MOMENTUM_EPOCHS} epochs) took {t3.seconds:.1f} s; "
          f"best {pop3.val_acc.max():.3f}")

# %%
# Random search in 3-D with the 2-D grid's budget: 36 runs, momentum uniform on [0, 0.99]
searcher3 = RandomSearch({**course_space(), "momentum": Uniform(0.0, 0.99)}, seed=SEED)
configs3 = [searcher3.ask() for _ in range(36)]
rand3 = train_population(data, configs3, cfg, epochs=MOMENTUM_EPOCHS)
k = int(np.argmax(rand3.val_acc))
print(f"best of 36 random 3-D runs: {rand3.val_acc[k]:.3f} at " + ", ".join(f"{n} = {v:.3g}" for n, v in configs3[k].items()))


# %% [markdown]
# ### Exercise 2 · Write your own searcher
#
# Write a class with `ask()` and `tell(config, trial)` (subclass `Searcher`), built as `cls(space, seed=...)`. One idea, the instructor's example: a **local search**: random warm-up trials, then steps of `step` decades around the best configuration so far.
# The check runs it on a smooth stand-in landscape for 30 seeds: the contract (keys, plain floats, bounds, seeding, JSON) and a mean best clearly above random search's (by 0.02), so your searcher must use what `tell` reports; naming naslab's `RandomSearch` does not count.
# Other ideas: coarse-to-fine grids, a search that samples lr log-uniformly only inside the band where the first trials did well.

# %%
# Exercise 2: your own searcher (the worked example: random warm-up, then local steps in log space)
class LocalSearch(Searcher):
    name = "local"

    def __init__(self, space, *, seed=0, n_init=10, step=0.5):
        # BEGIN SOLUTION
        self.space, self.seed, self.n_init, self.step = space, seed, n_init, step
        self.rng = np.random.default_rng(seed)
        self.best, self.best_score, self.asked = None, -np.inf, 0
        # END SOLUTION

    def ask(self):
        # BEGIN SOLUTION
        self.asked += 1
        if self.asked <= self.n_init or self.best is None:
            return sample(self.space, self.rng)                    # warm-up: plain random search
        lo_hi = {k: np.log10([self.space[k].low, self.space[k].high]) for k in self.best}
        return {k: float(10 ** np.clip(np.log10(v) + self.step * self.rng.normal(), *lo_hi[k]))
                for k, v in self.best.items()}                     # a step of ~step decades per axis
        # END SOLUTION

    def tell(self, config, trial):
        # BEGIN SOLUTION
        if trial.score() > self.best_score:
            self.best, self.best_score = config, trial.score()
        # END SOLUTION


# %%
# Check exercise 2
with exercise(2):
    print(checks.check_searcher(LocalSearch))

# %%
# Your searcher on the real landscape: N_OWN one-by-one runs, against random search's first N_OWN trials
with exercise(2):
    own = run_search(LocalSearch(course_space(), seed=SEED, n_init=max(2, N_OWN // 2)), objective, N_OWN)
    print(f"LocalSearch: best {best_trial(own).score():.3f} after {N_OWN} trials; "
          f"random search: {best_trial(rand_trials[:N_OWN]).score():.3f}")


# %% [markdown]
# ### Exercise 3 · Size a random search on a finite table
#
# Section 6's formula assumes independent draws, which may repeat a configuration. The replay drew *distinct* runs from a table of $N$ runs, $G$ of them good, and its dots ran a little above the formula. Write `trials_needed(N, G, p)`: the smallest number $n$ of distinct draws with $P(\text{at least one good run among them}) \ge p$. Hint: the first draw misses with probability $(N-G)/N$; given that it missed, the second misses with $(N-G-1)/(N-1)$, and so on. Then compare your $n$ for the table of section 6 with 59 and with the point where the dots crossed 95 %.

# %%
# Exercise 3: the smallest number n of distinct draws from N runs (G good) with P(a good one) >= p
def trials_needed(N, G, p):
    # BEGIN SOLUTION
    n, miss = 0, 1.0                       # P(no good run among the first n draws)
    while 1 - miss < p:
        miss *= (N - G - n) / (N - n)      # the (n+1)-th draw misses too
        n += 1
    return n
    # END SOLUTION


# %%
# Check exercise 3, then size the search on section 6's table
with exercise(3):
    print(checks.check_trials_needed(trials_needed))
    print(f"top 5 % of {pool.size} runs at 95 %: {trials_needed(pool.size, int(good.sum()), 0.95)} distinct draws; "
          f"the formula says {n_star}, the replayed dots crossed 95 % at n = {n_replay}")

# %% [markdown]
# ## Summary
#
# - A grid of $n$ trials over $d$ parameters tries $n^{1/d}$ values of each; random search tries $n$. When only a few parameters matter (*low effective dimensionality*), random search explores them far better at the same budget.
# - On the course landscape the learning rate is the important parameter; weight decay matters only when it is large. Random search beat the grid at 9 trials on both datasets, by a lot on MNIST-1D.
# - Scale parameters are sampled log-uniformly; every searcher speaks ask / tell, and `run_search` records resumable `Trial`s.
# - Population training fits 36 (or 756) small networks into one batched computation, reproducing one-by-one training, with diverged members isolated.
# - Compare searchers with best-so-far curves over many seeds at matched budgets, and open the test set once.

# %% [markdown]
# ## Questionnaire
#
# 1. Give the formula for the number of distinct values per parameter of a full grid with $n$ points over $d$ parameters.
# 2. Why is the learning rate sampled log-uniformly rather than uniformly on $[10^{-4}, 10]$? What fraction of uniform draws would fall below 1?
# 3. What does `run_search` do when `ask()` returns `None`? What happens to finished trials when you press Ctrl-C?
# 4. What must a searcher do so that a rerun with the same JSONL file resumes correctly?
# 5. In population training, why does summing the $K$ members' losses give every member exactly its own gradient?
# 6. Why does grid search visit its points in a random order in the comparison of section 5?
# 7. How many random trials give a 99 % chance of hitting the top 1 %? What does "top 1 %" refer to?
# 8. Why is the validation accuracy of the chosen configuration an optimistic estimate, and why is one test evaluation not?

# %% [markdown]
# ## Further reading
#
# - J. Bergstra & Y. Bengio, *Random Search for Hyper-Parameter Optimization*, JMLR 13:281–305, 2012 — §1 and Fig. 1 (grid vs random, low effective dimensionality), §2 (neural-network experiments), §3 (Gaussian-process analysis of which parameters matter).
# - A. Zheng, *Evaluating Machine Learning Models* (O'Reilly, 2015) and her Dato blog post on hyper-parameter tuning — the popular form of the "60 random trials" argument.
# - L. Li & A. Talwalkar, *Random Search and Reproducibility for Neural Architecture Search*, UAI 2019 (arXiv:1902.07638) — §4: random search as a strong reference point for NAS.
# - T. Elsken, J. H. Metzen & F. Hutter, *Neural Architecture Search: A Survey*, JMLR 20, 2019 — §3 (search strategies).
# - A. Zhang et al., *Dive into Deep Learning*, chapter "Hyperparameter Optimization" — the searcher / scheduler API that `naslab.search` follows.
# - Next: [02 · REINFORCE](02_reinforce_controller.ipynb) — a searcher that learns from its `tell`s.
