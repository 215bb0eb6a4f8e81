# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Hardware-aware NAS: accuracy against latency on your own CPU
#
# Where NAS is used in industry, the question is rarely "which cell is most accurate?" but "which cell is most accurate *within 5 ms on this phone*?" (MnasNet, ProxylessNAS, Once-for-All). Here we measure the latency of the cells of notebook 06's table on the machine in front of you, ask whether FLOPs or parameter counts predict it, draw the exact trade-off between error and latency, and race searchers that look for the whole trade-off at once.
#
# **Time**: reading ≈ 13 min · class mode ≈ 0.5–0.6 min on a 2-core CPU · FAST ≈ 13 s.
# **Prerequisites**: [03 · proxy evaluation](03_proxy_evaluation.ipynb) (rank correlation) and [06 · the NAS bake-off](06_nas_bakeoff.ipynb) (the cell table, regularised evolution, IQM and bootstrap intervals).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - **measure** the inference latency of a network properly: one thread, warm-up, the median of many runs and its interquartile range, at batch 1 and at a larger batch;
# - judge **latency models** (FLOPs, #params, an op-level lookup table, a fitted predictor) on held-out cells by Spearman's ρ and the mean absolute percentage error;
# - compute the exact **Pareto front** of two objectives and its **hypervolume**, and write both yourself;
# - run **multi-objective searchers** (NSGA-II-style evolution, random scalarisation, constrained search) and score them by the share of the exact front's hypervolume they reach.

# %%
# Setup: plots inline, the naslab imports, and the environment
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import naslab
from naslab.bakeoff.cells import OPS, all_cells
from naslab.bakeoff.network import forward
from naslab.bakeoff.race import Lookup, load_table
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.exercise import exercise
from naslab.hardware.checks import check_front_ranks, check_hypervolume, check_lut_latency
from naslab.hardware.deploy import deployed
from naslab.hardware.latency import CellTimer, TimingSpec, machine_info, summarise, time_runs
from naslab.hardware.models import fit_affine, fit_predictor, lut_predict, measure_lut, score
from naslab.hardware.pareto import hypervolume, nondominated_ranks, pareto_front
from naslab.hardware.plots import plot_front, plot_hv_fraction, plot_live_vs_shipped, plot_models, plot_run_times
from naslab.hardware.race import (
    MOObjective,
    MORaceResult,
    cost_per_cell,
    default_reference,
    default_searchers,
    mo_race,
    noise_ceiling,
)
from naslab.hardware.live import live_check_verbose
from naslab.hardware.table import LatencyTable
from naslab.proxies.ranking import spearman_rho
from naslab.utils import set_threads

set_threads()  # one torch thread: latency is measured on one core, as the shipped table was

print(f"naslab {naslab.__version__} | {mode_name()} mode | accuracy from the table, latency measured here")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0                                   # seeds the live sample, the train/test split and the race
LIVE_SECONDS = budget(full=20, fast=3)     # seconds of live timing of random cells (section 1)
DEMO_RUNS = budget(full=60, fast=30)       # timed runs of one cell in the warm-up demo (section 1)
RACE_SEEDS = budget(full=10, fast=3)       # search seeds per searcher in section 4 (the README's table: 50)
CHECKPOINTS = (50, 100, 200)               # trainings after which the race is scored
RACE_SEED_LIST = [100 * SEED + s for s in range(RACE_SEEDS)]

# %% [markdown]
# ## Recap
#
# - **03**: a cheap proxy is judged by how well it **ranks** candidates: Spearman's ρ is the correlation of the ranks, 1 for the same order, 0 for no relation.
# - **06**: a **tabular benchmark** holds the trained accuracy of every cell of a NAS-Bench-201-style space (5 ops on 6 edges, 4,930 distinct cells), so a search is a series of lookups; searchers are compared over many seeds by the **IQM** (mean of the middle half of the runs) with 95 % bootstrap intervals. Each lookup sees one training seed's validation score; the search is judged by the test accuracy.

# %% [markdown]
# ## 1 · Measuring latency properly
#
# **Latency** is the wall time of one forward pass: what a user waits for. It is easy to measure badly. The first passes are slow (memory is allocated, code paths are loaded: that is why we run a few untimed **warm-up** passes); another process can interrupt any single run (so we take the **median** of many runs, and report their spread as the **interquartile range**, IQR = 75th − 25th percentile); and PyTorch may use several threads, which makes the time depend on what else runs (so we pin **one thread**). Finally, a latency means nothing without its **batch size**: a batch of 64 costs more than a batch of 1, but much less than 64 times as much, because every pass pays fixed overheads once.
#
# Below, one cell runs `DEMO_RUNS` times from a cold start, at batch 1 and batch 64; hollow markers are the first 5 runs, which the shipped table treats as warm-up.

# %%
# The shipped latency table (every distinct cell, batch 1 and 64) and this machine
lat_table = LatencyTable.load()
print(lat_table)
print("this machine:", machine_info())
bench = load_table("mnist1d_nb201")
cells = lat_table.unique_cells()
assert cells == bench.unique_cells()           # the two tables list the same cells in the same order
lat1, lat64 = lat_table.latencies(1), lat_table.latencies(64)          # (4930,) seconds per forward pass
iqr1 = lat_table.latencies(1, "q75") - lat_table.latencies(1, "q25")  # (4930,) spread of the 30 runs

# %%
# One cell from a cold start: every run timed, warm-up included
demo_cell = bench.best("test")[0]
timer = CellTimer(spec=TimingSpec(batch_sizes=(1, 64), runs=DEMO_RUNS, warmup=0), seed=SEED)
runs = {f"batch {b}": time_runs(lambda x=x: forward(timer.params, timer.buffers, demo_cell, x, timer.cfg),
                                TimingSpec(runs=DEMO_RUNS, warmup=0))
        for b, x in timer.inputs.items()}
plot_run_times(runs, warmup=5, title=f"Cell {demo_cell}, {DEMO_RUNS} runs each, one thread")
stats = {b: summarise(t[5:]) for b, t in runs.items()}
for b, s in stats.items():
    print(f"{b}: median {1e3 * s['median']:.3f} ms, IQR {1e3 * s['iqr']:.3f} ms, first run {1e3 * runs[b][0]:.3f} ms")
per_image_64 = np.median(lat64 / 64 / lat1)   # over the table: one image's share of a batch of 64, vs batch 1

# %% [markdown]
# **Expected result.** The very first pass is the slowest (several times the median), then the times settle into a narrow band with a few slow outliers: the median moves little when an outlier comes or goes, the mean would. In the shipped table the spread is small (a median IQR of a few % of the median), a batch of 64 costs 2–20 times one image, so one image in a batch of 64 costs 5–50 % of its batch-1 latency.
#
# **Q: what conclusion can we make?** A phone app classifies one photo at a time; a server classifies thousands per second. Which of the two latencies should each optimise?

# %%
# bounds from SEED 0/1/2 in class mode (load 8): first run / median 40.1 / 5.8 / 46.2; the table's claims are the
# same in every run: IQR/median 0.025, batch 64 / batch 1 6.09, one image's share 9.5 %
first_over_median = runs["batch 1"][0] / stats["batch 1"]["median"]
claim("08 §1", "first (cold) run over the median after warm-up, batch 1", first_over_median, 1.5, None)
claim("08 §1", "median IQR / median over the table's cells (batch 1)", float(np.median(iqr1 / lat1)), 0, 0.15,
      fast="same")
claim("08 §1", "batch 64 over batch 1, median over cells", float(np.median(lat64 / lat1)), 2, 20, fast="same")
claim("08 §1", "one image's share of a batch of 64, vs batch 1 (%)", 100 * per_image_64, 5, 50, fast="same")

# %% [markdown]
# ### Your machine against the shipped table
#
# The table was measured on one CPU. Is it right for yours? We time a random sample of cells for `LIVE_SECONDS` seconds, exactly as the table was built (one thread, 5 warm-up and 30 timed runs, the median), and compare two things: the **ratio** of your latency to the table's (the speed of your CPU) and the **rank correlation** (whether the *order* of the cells is the same, which is all a search needs).

# %%
# Live: random cells timed on this machine, against the shipped table
live = live_check_verbose(lat_table, seconds=LIVE_SECONDS, batch=1, seed=SEED)  # live_check, with progress
print(f"{live['n']} cells timed in {LIVE_SECONDS} s on {live['machine']['cpu']!r}; "
      f"table measured on {live['shipped_machine']['cpu']!r}")
print(f"Spearman rho {live['spearman']:.2f}, median ratio (this machine / table) {live['median_ratio']:.2f}")
plot_live_vs_shipped(live["shipped"], live["measured"],
                     title=f"{live['n']} cells: rho {live['spearman']:.2f}, ratio {live['median_ratio']:.2f}")

# %% [markdown]
# **Expected result.** On the machine that built the table the points hug the diagonal: the median ratio is within a factor of 3 of 1 (busy neighbours slow every run), but Spearman's ρ is only 0.3 or more, often well below 1 (lowest when another program keeps the CPU busy): half of the cells lie within ±15 % of the median latency, so the noise of measuring reorders neighbours. On another CPU the ratio moves (a faster CPU gives a ratio below 1), and the ranking can move too: a table built on one device is only a guess for another.
#
# **Q: what conclusion can we make?** HW-NAS-Bench measured NAS-Bench-201 on six devices. When would you need your own table, and when is a table from a similar device enough?

# %%
# SEED 0/1/2 in class mode (load 8): rho 0.59 / 0.85 / 0.75, ratio 1.024 / 1.002 / 1.013; SEED 0 quiet 0.80 / 0.997,
# beside the test suite 0.88 / 1.008, beside one busy loop (make claims LOAD=1) 0.39 / 1.57
claim("08 §1", "live sample vs shipped table: Spearman rho (batch 1)", live["spearman"], 0.3, 1)
claim("08 §1", "live sample vs shipped table: median latency ratio", live["median_ratio"], 1 / 3, 3)

# %% [markdown]
# ## 2 · Do FLOPs predict time?
#
# A search cannot time every candidate on the target device, so it predicts latency. Four **latency models**, each fitted on a random half of the cells and scored on the other half (held out) by Spearman's ρ and the **mean absolute percentage error**, MAPE $= \frac{1}{n}\sum_c |\hat y(c) - y(c)| / y(c)$:
#
# - **FLOPs** (here multiply-accumulates, MACs) and **#params**, each calibrated to seconds by a line $\hat y = a + b\,x$;
# - the **op-level lookup table** of ProxylessNAS and Once-for-All: each op timed *alone* at its input shape, summed over the edges and the stages, plus a constant for the rest of the network (the network with the all-`none` cell); nothing is fitted;
# - a **fitted predictor** on which op sits on which edge (24 one-hot features): least squares, or gradient boosting.
#
# nn-Meter reports 99 % of its predictions within ±10 % on a phone CPU. Before running it, predict what FLOPs will do here.

# %%
MY_PREDICTION = None  # predict first: Spearman's rho between FLOPs (MACs) and measured batch-1 latency, -1 to 1

# %%
# The op-level lookup table, measured now on this machine (each live op alone, at each stage's shape)
lut, lut_base = measure_lut(batch=1, timer=CellTimer(spec=TimingSpec(batch_sizes=(1,)), seed=SEED))
for (stage, op), t in lut.items():
    print(f"stage {stage} {op:<13} {1e6 * t:6.1f} us", end="   " if op != OPS[-1] else "\n")
print(f"constant (the all-none network): {1e6 * lut_base:.1f} us")

# %%
# Every model on the same held-out half of the cells (the truth: the shipped batch-1 latencies)
macs, params = lat_table.arrays["macs"].astype(float), lat_table.arrays["params"].astype(float)
perm = np.random.default_rng(SEED).permutation(len(cells))
tr, te = perm[: len(cells) // 2], perm[len(cells) // 2:]
held_out = [cells[i] for i in te]
preds = {"FLOPs": fit_affine(macs[tr], lat1[tr])(macs[te]),
         "#params": fit_affine(params[tr], lat1[tr])(params[te]),
         "lookup table": lut_predict(held_out, lut, lut_base),
         "fitted (linear)": fit_predictor([cells[i] for i in tr], lat1[tr], "linear")(held_out),
         "fitted (boosting)": fit_predictor([cells[i] for i in tr], lat1[tr], "boosting", seed=SEED)(held_out)}
scores = {name: score(p, lat1[te]) for name, p in preds.items()}
for name, s in scores.items():
    print(f"{name:<18} Spearman {s['spearman']:5.2f} | MAPE {100 * s['mape']:5.1f} %")
lut_bias = float(np.median(preds["lookup table"] / lat1[te]))
print(f"lookup table: median predicted / measured {lut_bias:.2f}; over the speed ratio of section 1 "
      f"{lut_bias / live['median_ratio']:.2f}")
fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
plot_models({k: preds[k] for k in ("FLOPs", "#params")}, lat1[te], ax=axes[0], title="The proxies, calibrated")
plot_models({k: preds[k] for k in ("lookup table", "fitted (linear)", "fitted (boosting)")}, lat1[te], ax=axes[1],
            title="Op-level models");

# %% [markdown]
# **Expected result.** FLOPs and #params rank the cells only moderately (ρ between 0.5 and 0.85) and miss by 8–30 % on average: this network is so small that fixed costs per op (a Python call, a memory pass) matter as much as arithmetic, and a skip connection or a pooling costs time but no FLOPs. The lookup table ranks better than FLOPs, and its median prediction is 0.5–1.25 times the measurement (once divided by this machine's speed ratio from section 1, since the table was timed elsewhere or at another time): it leaves out the additions of the node sums and the glue between ops, but counts each op's own call overhead, and which one wins depends on how busy the machine is. The fitted predictors learn those from the data and are best, with ρ ≥ 0.85 and MAPE ≤ 10 % — short of nn-Meter's mark. What is left is mostly the noise of measuring, which no model of the network can predict: on the held-out cells whose timed runs spread little (relative IQR below the median), the best predictor's ρ is 0.97 or more, 0.1–0.3 above its ρ on the noisier half.
#
# **Q: what conclusion can we make?** A paper reports "30 % fewer FLOPs". What would you ask before believing its network is faster?

# %%
# SEED 0/1/2 (class mode): FLOPs rho 0.717 / 0.715 / 0.709, MAPE 11.2 / 11.5 / 11.5 %; lookup table
# predicted / measured over the speed ratio 0.84 / 0.96 / 0.86 at load 8, 1.05 quiet (SEED 0), and ranks better than FLOPs on all 3; best fitted rho 0.884 / 0.893 / 0.881,
# MAPE 6.7 / 7.1 / 7.0 %
s = scores
claim("08 §2", "FLOPs: Spearman rho on held-out cells", s["FLOPs"]["spearman"], 0.5, 0.85, fast="same",
      predicted=MY_PREDICTION)
claim("08 §2", "FLOPs: MAPE on held-out cells (%)", 100 * s["FLOPs"]["mape"], 8, 30, fast="same")
claim("08 §2", "lookup table: median predicted / measured, over this machine's speed ratio (section 1)",
      lut_bias / live["median_ratio"], 0.5, 1.25)
claim("08 §2", "lookup table ranks better than FLOPs (Spearman)", bool(s["lookup table"]["spearman"]
                                                                     > s["FLOPs"]["spearman"]))
best_fit = max(("fitted (linear)", "fitted (boosting)"), key=lambda k: s[k]["spearman"])
claim("08 §2", "best fitted predictor: Spearman rho", s[best_fit]["spearman"], 0.85, 1, fast="same")
claim("08 §2", "best fitted predictor: MAPE (%)", 100 * s[best_fit]["mape"], 0, 10, fast="same")
# where the best predictor misses: held-out cells whose runs spread little (relative IQR below the median)
# against the noisy half; SEED 0-4: 0.993 / 0.990 / 0.990 / 0.990 / 0.990 vs 0.804 / 0.807 / 0.789 / 0.790 / 0.825
# (differences 0.164-0.201)
rel_iqr = (lat_table.latencies(1, "q75") - lat_table.latencies(1, "q25")) / lat1
quiet = rel_iqr[te] < np.median(rel_iqr)
rho_quiet = score(preds[best_fit][quiet], lat1[te][quiet])["spearman"]
rho_noisy = score(preds[best_fit][~quiet], lat1[te][~quiet])["spearman"]
print(f"{best_fit}: Spearman {rho_quiet:.3f} on the quietly timed half of the held-out cells, {rho_noisy:.3f} on the rest")
claim("08 §2", "best fitted predictor on the quietly timed held-out cells: Spearman rho", rho_quiet, 0.97, 1,
      fast="same")
claim("08 §2", "best fitted predictor: rho on the quietly timed half minus rho on the noisy half", rho_quiet - rho_noisy,
      0.1, 0.3, fast="same")

# %% [markdown]
# ## 3 · The exact Pareto front
#
# With two objectives to minimise — test error and latency — there is no single best cell. Cell $a$ **dominates** $b$ when $a$ is no worse in both objectives and strictly better in one. The **Pareto front** is the set of cells no cell dominates: every other cell is beaten outright by one of them, and moving along the front trades error for latency. The table lets us compute it *exactly*, over all 4,930 cells.
#
# One number for a whole front: its **hypervolume**, the area dominated by the front and bounded by a **reference point** $r$ (a "worst acceptable" corner; a point not better than $r$ in both objectives adds nothing). For a front sorted by the first objective it is a staircase of rectangles, $\mathrm{HV} = \sum_i (r_1 - f_{1,i})(f_{2,i-1} - f_{2,i})$ with $f_{2,0} = r_2$. We take $r$ = the front's worst point in each objective (its **nadir**) pushed out by 10 % of the front's range. A search is then scored by the share of this area that the cells it found dominate.

# %%
# The exact fronts of (test error, latency) and (test error, #params) over all distinct cells
err = 1.0 - bench.accuracies("test")                                    # (4930,) mean over training seeds
front_lat, front_par = pareto_front(err, lat1), pareto_front(err, params)
ref_lat, ref_par = default_reference(err, lat1), default_reference(err, params)
hv_lat, hv_par = hypervolume(err, lat1, ref_lat), hypervolume(err, params, ref_par)
best = int(np.argmin(err))
near_best = np.flatnonzero(err <= err[best] + 0.05)                     # within five points of the best cell
fast_near = near_best[np.argmin(lat1[near_best])]
overlap = len(set(front_lat) & set(front_par)) / len(set(front_lat) | set(front_par))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
plot_front(err, lat1, front_lat, ref=ref_lat, ax=axes[0], highlight={"fastest within 5 points": fast_near},
           title=f"Error vs latency: {len(front_lat)} cells on the front")
plot_front(err, params, front_par, ref=ref_par, cost_scale=1.0, cost_label="#params", ax=axes[1],
           title=f"Error vs #params: {len(front_par)} cells on the front")
print(f"latency front: {len(front_lat)} cells, HV {1e3 * hv_lat:.4f} (error x ms) against r = "
      f"({ref_lat[0]:.3f}, {1e3 * ref_lat[1]:.3f} ms)")
print(f"#params front: {len(front_par)} cells, HV {hv_par:.1f} (error x params) against r = "
      f"({ref_par[0]:.3f}, {ref_par[1]:.0f})")
print(f"best cell {cells[best]}: {err[best]:.1%} error, {1e3 * lat1[best]:.3f} ms; fastest within 5 points "
      f"{cells[fast_near]}: {err[fast_near]:.1%}, {1e3 * lat1[fast_near]:.3f} ms; fronts share {overlap:.0%} of cells")

# %% [markdown]
# **Expected result.** Of 4,930 cells, only 8–30 lie on each front. The latency front spans more than a factor of 2 in latency, from cells at chance level (every path cut by `none`: fast and useless) to the most accurate cell; the fastest cell within five points of the best error runs in 60–95 % of the best cell's time. The two fronts share fewer than half of their cells: the smallest network is not the fastest, so a search for a small model and a search for a fast one return different cells.
#
# **Q: what conclusion can we make?** Your product has a budget of 0.15 ms. Which cells of the figure are candidates, and how would the answer change on a CPU twice as fast?

# %%
# exact: computed from the shipped tables, the same in every run and mode: 16 and 9 cells, span 3.54,
# 80.6 %, Jaccard 0.25
claim("08 §3", "cells on the (error, latency) front", len(front_lat), 8, 30, fast="same")
claim("08 §3", "cells on the (error, #params) front", len(front_par), 5, 30, fast="same")
claim("08 §3", "latency span of the front (slowest / fastest)", lat1[front_lat].max() / lat1[front_lat].min(), 2, 20,
      fast="same")
claim("08 §3", "fastest cell within 5 points of the best: its latency / the best cell's (%)",
      100 * lat1[fast_near] / lat1[best], 60, 95, fast="same")
claim("08 §3", "share of cells on both fronts (Jaccard)", overlap, 0, 0.5, fast="same")

# %% [markdown]
# ## 4 · Multi-objective searchers
#
# Every searcher of notebook 06 maximises one number. Three ways to search for a front, all built on regularised evolution's loop (population, tournament, one-edge mutation, ageing), differing only in who wins a tournament:
#
# - **MO evolution**, after NSGA-II: rank the population by **non-dominated sorting** (rank 0 = the front, rank 1 = the front of the rest, …) and break ties by the **crowding distance** (how far a member's neighbours on its front are: sparse regions win);
# - **random scalarisation**, after ParEGO: each tournament draws a weight λ and picks the member minimising $\max(\lambda f_1', (1-\lambda) f_2')$ on objectives scaled to [0, 1], so different λ pull towards different parts of the front;
# - **constrained search**, after MnasNet: never train a cell over a latency budget (here the median latency; latency is cheap to look up, training is not) and maximise accuracy under it: one point of the front, not the whole.
#
# Optuna's NSGA-II sampler runs too when Optuna is installed, and random search is the baseline. After $n$ trainings a search deploys the cells it observed as non-dominated, judged by their test error: score = their hypervolume / the exact front's. A search that trained *every* cell once still misses some, because it chooses by one noisy validation score: the **noise ceiling**.

# %%
# The race: every searcher, RACE_SEEDS seeds, scored after 50, 100 and 200 trainings
lookup = Lookup.from_table(bench)
cost = cost_per_cell(lat_table, lat1)                    # (15625,) latency of every cell id
searchers = default_searchers(cost)
parts = {}
for name, make in searchers.items():  # one searcher at a time, to print progress
    parts[name] = mo_race(lookup, cost, {name: make}, seeds=RACE_SEED_LIST, checkpoints=CHECKPOINTS)
    print(f"{name}: {RACE_SEEDS} runs done")
result = MORaceResult(CHECKPOINTS, {n: r.fraction[n] for n, r in parts.items()}, parts[name].exact_hv,
                      parts[name].ref, RACE_SEED_LIST, {n: r.cpu_seconds[n] for n, r in parts.items()})
rows = result.summary()
ceiling = float(np.median(noise_ceiling(lookup, cost, seeds=RACE_SEED_LIST)))
for name in result.fraction:
    line = " | ".join(f"{r['trainings']}: {r['iqm']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}]"
                      for r in rows if r["searcher"] == name)
    print(f"{name:<22} {line} | {np.median(result.cpu_seconds[name]):.1f} CPU s per run")
plot_hv_fraction(rows, ceiling=ceiling, title=f"Share of the exact front's hypervolume, {RACE_SEEDS} seeds");

# %% [markdown]
# **Expected result.** Every searcher's share grows with the trainings, and they all end close together, just below the noise ceiling (0.9–1 here): after 200 trainings random search reaches 0.85–0.97 of the exact front's hypervolume, and no multi-objective searcher beats it by more than 0.03. The constrained search ends lowest: it only looks below its budget, so the fast end of the front stays unexplored — the price of answering one question instead of all of them. Why the tie? 200 random cells of 4,930 already land near most of the 16 front cells, and most of the hypervolume comes from the large, easy part of the front (fast cells of mediocre accuracy), which every searcher finds. As in notebook 06, a table this small hardly separates search strategies: the differences lie in the last few percent, and with 10 seeds their intervals overlap.
#
# **Q: what conclusion can we make?** When is a constrained search the right tool despite its low hypervolume?

# %%
# SEED 0/1/2, 10 race seeds each (class mode): grows on all 3; ceiling 0.973 / 0.973 / 0.973; random 0.955 / 0.958 /
# 0.955; best multi-objective minus random -0.0002 / -0.0008 / -0.0002; constrained lowest on all 3
iqm200 = {r["searcher"]: r["iqm"] for r in rows if r["trainings"] == CHECKPOINTS[-1]}
grows = all(r200["iqm"] > r50["iqm"] for r50 in rows for r200 in rows
            if r50["searcher"] == r200["searcher"] and (r50["trainings"], r200["trainings"]) == CHECKPOINTS[::2])
claim("08 §4", "every searcher's IQM share is larger after 200 trainings than after 50", bool(grows))
claim("08 §4", "noise ceiling (median share when every cell is trained once)", ceiling, 0.9, 1, fast="same")
claim("08 §4", "random search: IQM share after 200 trainings", iqm200["random"], 0.85, 0.97)
multi = [k for k in iqm200 if k not in ("random", "constrained evolution")]
claim("08 §4", "best multi-objective searcher minus random search: IQM share after 200 trainings",
      max(iqm200[k] for k in multi) - iqm200["random"], -0.03, 0.03)
claim("08 §4", "constrained search: the lowest IQM share of the multi-objective searchers",
      bool(iqm200["constrained evolution"] <= min(v for k, v in iqm200.items() if k != "random")))

# %% [markdown]
# ## Explore
#
# Move the latency budget: the star is the best cell the table holds under that budget (it always sits on the exact front), the other markers are the cells each searcher would deploy after one run of 200 trainings (seed `SEED`), chosen by their observed validation error. Pick searchers in the list (ctrl/shift-click).

# %%
# One run per searcher (seed SEED, 200 trainings) and what it would deploy: the panel below only looks up
from naslab.hardware.widgets import budget_panel
from naslab.search import run_search

id_to_row = np.array([lat_table.row(c) for c in all_cells()])   # cell id -> row of its distinct cell
fronts = {name: deployed(run_search(make(SEED), MOObjective(lookup, cost, SEED), budget=CHECKPOINTS[-1]))
          for name, make in searchers.items()}
print({name: f"{len(f['ids'])} cells deployed" for name, f in fronts.items()})

# %%
budget_panel(err, lat1, front_lat, fronts, to_row=lambda i: int(id_to_row[i]))

# %% [markdown]
# ## Exercises
#
# **1. Non-dominated sorting.** Write `my_front_ranks(points)`: `points` is an array of shape (n, 2), both columns minimised; return an integer array of n ranks, 0 for the Pareto front, 1 for the front of what is left once rank 0 is removed, and so on. Identical points do not dominate each other. A double loop over the points is fine.

# %%
# Exercise 1: non-dominated sorting (worked answer)
def my_front_ranks(points):
    # BEGIN SOLUTION
    P = np.asarray(points, dtype=float)
    ranks = np.full(len(P), -1)
    k = 0
    while np.any(ranks < 0):
        left = P[ranks < 0]                        # the points not ranked yet
        for j in np.flatnonzero(ranks < 0):
            dominated = np.all(left <= P[j], 1) & np.any(left < P[j], 1)
            if not dominated.any():                # nothing left dominates j: it is on front k
                ranks[j] = k
        k += 1
    return ranks
    # END SOLUTION

# %%
# Check 1, then your ranks of the cells of section 3's front region against naslab's
with exercise(1):
    print(check_front_ranks(my_front_ranks))
    sample = np.random.default_rng(SEED).choice(len(cells), 300, replace=False)
    mine = my_front_ranks(np.stack([err[sample], lat1[sample]], 1))
    print(f"300 random cells: {mine.max() + 1} fronts; the same as naslab's: "
          f"{np.array_equal(mine, nondominated_ranks(err[sample], lat1[sample]))}")

# %% [markdown]
# **2. The hypervolume.** Write `my_hypervolume(points, ref)` for points of shape (n, 2), both minimised, and a reference point `ref = (r1, r2)`: the area of the union of the boxes $[p_1, r_1] \times [p_2, r_2]$. Drop points that are not strictly better than `ref` in both objectives, do not assume the points are sorted or non-dominated, and count every overlap once.

# %%
# Exercise 2: the 2-D hypervolume (worked answer)
def my_hypervolume(points, ref):
    # BEGIN SOLUTION
    P = np.asarray(points, dtype=float).reshape(-1, 2)
    P = P[(P[:, 0] < ref[0]) & (P[:, 1] < ref[1])]
    P = P[np.lexsort((P[:, 1], P[:, 0]))]          # by f1, then f2
    area, top = 0.0, ref[1]
    for x, y in P:
        if y < top:                                # not dominated by a point already swept
            area += (ref[0] - x) * (top - y)
            top = y
    return area
    # END SOLUTION

# %%
# Check 2, then your hypervolume of section 3's latency front
with exercise(2):
    print(check_hypervolume(my_hypervolume))
    print(f"latency front: yours {1e3 * my_hypervolume(np.stack([err, lat1], 1), ref_lat):.5f}, "
          f"naslab's {1e3 * hv_lat:.5f} (error x ms)")

# %% [markdown]
# **3. The lookup-table predictor.** Write `my_lut_latency(cell, lut, base, n_stages, cells_per_stage)`: `cell` is a tuple of 6 op indices (`OPS[o]` is the name of op `o`, `OPS[0]` is `none`), `lut[(stage, op name)]` the seconds of that op alone at that stage's shape, `base` the seconds of the network with the all-`none` cell. The network has `n_stages` stages of `cells_per_stage` cells each, all with the same cell. Return the predicted seconds.

# %%
# Exercise 3: the op-level lookup table (worked answer)
def my_lut_latency(cell, lut, base, n_stages, cells_per_stage):
    # BEGIN SOLUTION
    t = base
    for stage in range(n_stages):
        for o in cell:
            if OPS[o] != "none":
                t += cells_per_stage * lut[(stage, OPS[o])]
    return t
    # END SOLUTION

# %%
# Check 3, then your predictor on the held-out cells of section 2
with exercise(3):
    print(check_lut_latency(my_lut_latency))
    mine = np.array([my_lut_latency(c, lut, lut_base, timer.cfg.n_stages, timer.cfg.cells_per_stage)
                     for c in held_out])
    print(f"your lookup table on {len(held_out)} held-out cells: Spearman {spearman_rho(mine, lat1[te]):.2f}, "
          f"MAPE {100 * score(mine, lat1[te])['mape']:.1f} %")

# %% [markdown]
# ## Summary
#
# - **Latency** is measured with one thread, warm-up passes and the median of many runs, its spread as the IQR, and always with its batch size and the machine: a table for one CPU is a guess for another, though the ranking travels better than the absolute times.
# - **FLOPs and #params** predict latency only roughly on small networks: fixed per-op costs and parameter-free ops take time without arithmetic. A **lookup table** of ops timed alone ranks better but misses the glue between ops; a predictor fitted to measurements is best.
# - With two objectives the answer is a **Pareto front**; a table gives it exactly, and the **hypervolume** against a stated reference point turns it into one number.
# - **Multi-objective searchers** (non-dominated sorting with crowding, random scalarisation) cover the front; a **constrained** search answers one budget well and the rest not at all. All are capped by the **noise ceiling** of choosing by one noisy validation score.

# %% [markdown]
# ## Questionnaire
#
# 1. Why are the first forward passes slower than the rest, and what does the shipped table do about it?
# 2. Why report the median and the IQR of the runs rather than their mean and standard deviation?
# 3. A batch of 64 takes 6 times as long as a batch of 1. What is the latency of one request, and what is the throughput?
# 4. Define dominance for two objectives to minimise. Can two different points dominate each other?
# 5. Why do identical points share a front in non-dominated sorting?
# 6. Compute the hypervolume of the points (1, 3) and (2, 1) against r = (4, 5).
# 7. Why does the hypervolume need a reference point, and what happens to a point beyond it?
# 8. Why can a cell with fewer FLOPs be slower? Name two reasons from this notebook.
# 9. What does the op-level lookup table leave out, and in which direction does that bias it?
# 10. What is the difference between random scalarisation and constrained search? When is each the right tool?

# %% [markdown]
# ## Further reading
#
# - M. Tan et al. *MnasNet: Platform-Aware Neural Architecture Search for Mobile.* CVPR 2019, arXiv:1807.11626 — latency measured on the phone, in the reward.
# - H. Cai, L. Zhu, S. Han. *ProxylessNAS: Direct Neural Architecture Search on Target Task and Hardware.* ICLR 2019, arXiv:1812.00332 — the op-level latency lookup table.
# - H. Cai et al. *Once-for-All: Train One Network and Specialize it for Efficient Deployment.* ICLR 2020, arXiv:1908.09791.
# - C. Li et al. *HW-NAS-Bench: Hardware-Aware Neural Architecture Search Benchmark.* ICLR 2021, arXiv:2103.10584 — NAS-Bench-201 measured on six devices.
# - L. L. Zhang et al. *nn-Meter: Towards Accurate Latency Prediction of Deep-Learning Model Inference on Diverse Edge Devices.* MobiSys 2021.
# - K. Deb, A. Pratap, S. Agarwal, T. Meyarivan. *A Fast and Elitist Multiobjective Genetic Algorithm: NSGA-II.* IEEE TEC 2002.
# - E. Zitzler, L. Thiele. *Multiobjective Optimization Using Evolutionary Algorithms — A Comparative Case Study.* PPSN 1998 — the hypervolume.
# - J. Knowles. *ParEGO: A Hybrid Algorithm with On-Line Landscape Approximation for Expensive Multiobjective Optimization Problems.* IEEE TEC 2006 — random scalarisation.
