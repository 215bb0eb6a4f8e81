# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Cheap signals checked against the truth: zero-cost proxies, predictors and Bayesian optimisation
#
# Training a network to find out how good it is costs the most in any search. This notebook tests three ways to spend less — score an untrained network from one mini-batch, learn a predictor from the cells already trained, and let that predictor choose what to train next — against the ground truth of notebook 06's table, where every claim from the papers can be checked in minutes.
#
# **Time**: reading ≈ 15 min · class mode ≈ 0.7–0.8 min on a 2-core CPU · FAST ≈ 16 s.
#
# **Prerequisites**: [03 · proxy evaluation](03_proxy_evaluation.ipynb) (Kendall τ, Spearman ρ, the proxy ladder) and [06 · the NAS bake-off](06_nas_bakeoff.ipynb) (the cell table, the race, IQM and bootstrap intervals, the noise ceiling).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - compute the **zero-cost proxies** of Abdelfattah et al. (ICLR 2021) — synflow, snip, grasp, grad_norm, fisher, jacob_cov, NASWOT — and the #params and FLOPs baselines on an untrained network, and say what each one measures;
# - judge a proxy as a scientist would: **signed** rank correlations with bootstrap intervals, precision among the top 5 %, correlations inside the top 10 %, against the size baselines and the table's noise ceiling;
# - say which of the paper's numbers held on this table, and why a different table can change them;
# - measure how many trained cells a **performance predictor** needs, and what proxy features add;
# - explain **BANANAS** (an ensemble on the path encoding, Thompson sampling, acquisition by mutation) and **BOHB**, and race them, TPE and proxy-warm-started evolution against random search and evolution;
# - write a proxy that naslab does not ship (GradSign) and BANANAS's acquisition step yourself.

# %%
# Setup: plots inline, the naslab imports, and the environment
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.nn import functional as F

import naslab
from naslab.bakeoff.cells import canonical
from naslab.bakeoff.race import Lookup, default_searchers, load_table, race
from naslab.bakeoff.stats import bootstrap_band
from naslab.bakeoff.searchers import mutate
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.data import load_dataset
from naslab.exercise import exercise
from naslab.integrations.optuna import OptunaSearch
from naslab.signals import plots
from naslab.signals.bananas import Bananas
from naslab.signals.build import ProxyConfig
from naslab.signals.checks import check_acquisition, check_gradsign
from naslab.signals.encoding import path_encoding
from naslab.signals.judge import ANCHORS, format_rows, judge, judge_one
from naslab.signals.measures import BUILTIN, score
from naslab.signals.nets import cell_net, mlp_net
from naslab.signals.predictor_lab import MODELS, format_taus, tau_curve
from naslab.signals.race import TRAININGS, format_table, pi_matrix, signal_race, signal_searchers
from naslab.signals.registry import register_proxy
from naslab.signals.table import ProxyTable
from naslab.utils import set_threads

set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)

print(f"naslab {naslab.__version__} | {mode_name()} mode | proxies: {list(BUILTIN)}")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0                                   # picks the live cells, the bootstrap, the lab's splits, the race's seeds
LIVE_CELLS = budget(full=8, fast=3)        # cells whose nine proxies are recomputed live in section 1
N_BOOT = budget(full=200, fast=30)         # bootstrap resamples behind every interval of section 2
LAB_SIZES = budget(full=(10, 20, 50, 100, 200), fast=(10, 50))  # training cells of the predictors (section 3)
LAB_SEEDS = budget(full=2, fast=1)         # train/test splits per training size
RACE_SEEDS = budget(full=10, fast=2)       # search seeds per searcher in the race (section 4)
STUDENT_CELLS = budget(full=100, fast=20)  # cells your proxy scores in exercise 1
MACRO_ARCHS = budget(full=48, fast=16)     # notebook 03's architectures your proxy scores in exercise 1
MY_RACE_SEEDS = budget(full=3, fast=2)     # seeds of your BANANAS in exercise 2

# %% [markdown]
# ## Recap
#
# - **03**: a proxy is judged by how it *ranks* architectures against the full-training truth — Kendall τ, Spearman ρ, top-k overlap — and by what it costs.
# - **06**: a tabular benchmark holds the trained accuracy of all 4,930 distinct cells of a NAS-Bench-201-style space, so a search is a lookup; searchers race over many seeds on one simulated clock and are judged by the **test regret** of their incumbent, with the IQM and bootstrap intervals; two training runs of the same cells agree only up to the table's **noise ceiling** (Kendall τ ≈ 0.3).

# %% [markdown]
# ## 1 · Zero-cost proxies on an untrained network
#
# A **zero-cost proxy** scores an untrained network from one mini-batch — one forward and one backward pass, about a thousandth of a training — in the hope that the score ranks networks as their trained accuracy would. Every proxy here follows one sign rule: **higher = predicted better**, so a proxy that points the wrong way shows a *negative* correlation instead of being rescued by `abs()`.

# %% [markdown]
# With $L$ the batch's mean cross-entropy, $\theta$ the weights and $g = \partial L / \partial \theta$:
#
# | proxy | score | from |
# |---|---|---|
# | grad_norm | $\sum_{\text{layers}} \lVert g \rVert_2$ | Abdelfattah et al. 2021 |
# | snip | $\sum \lvert \theta \odot g \rvert$ | Lee et al. 2019 (pruning saliency) |
# | grasp | $\sum -\theta \odot (H g)$, $H$ the Hessian | Wang et al. 2020 |
# | fisher | $\sum_{\text{channels}} \frac{1}{2B}\sum_n (a \cdot \partial L/\partial a)^2$ | Turner et al. 2020 |
# | synflow | $\sum \lvert\theta\rvert \odot \partial R/\partial \lvert\theta\rvert$, $R = \mathbf{1}^\top f(\mathbf{1}; \lvert\theta\rvert)$, no data | Tanaka et al. 2020 |
# | jacob_cov | how uncorrelated the input Jacobians of the batch are | Mellor et al. 2020 |
# | NASWOT | $\log\lvert\det K_H\rvert$, $K_H$ counts the ReLUs on which two inputs agree | Mellor et al. 2021 |
# | #params, FLOPs | the size of the network, the multiply-accumulates of one forward pass | baselines |
#
# A **saliency** is a per-weight score of how much the loss would change if the weight were removed; the first five proxies sum one over the whole network.

# %%
# The shipped proxy table (every distinct cell, 3 initialisation seeds x 2 mini-batches) and notebook 06's truth
ptable, table = ProxyTable.load(), load_table("mnist1d_nb201")
cells = table.unique_cells()
rows = ptable.rows_of(cells)                                  # align the two tables
truth = {m: table.accuracies(m) for m in ("test", "val")}     # (4,930,) seed-mean accuracy of every cell
print(ptable)

# synflow on a 2-layer net with positive weights: R = 1ᵀ W2 W1 1, and each layer's sum of |θ| ∂R/∂|θ| is R itself
W1, W2 = torch.rand(6, 5, dtype=torch.float64), torch.rand(3, 6, dtype=torch.float64)
R = float(torch.ones(3, dtype=torch.float64) @ W2 @ W1 @ torch.ones(5, dtype=torch.float64))
synflow_2R = score(mlp_net([W1, W2]), None, None, ["synflow"])[0]["synflow"] / (2 * R)
print(f"synflow / (2 R) on a positive 2-layer net: {synflow_2R:.12f}")

# Recompute all nine proxies live for a few cells: seed-0 weights, the table's first mini-batch
rng = np.random.default_rng(SEED)
data = load_dataset("mnist1d")
batch = ProxyConfig().batch_rows(len(data.y_train))[0]
x, y = data.X_train[batch].to(torch.float64), data.y_train[batch]
worst, seconds = 0.0, []
print(f"{'cell':<20}" + "".join(f"{p:>11}" for p in BUILTIN))
for i in rng.choice(len(cells), LIVE_CELLS, replace=False):
    t0 = time.process_time()
    live, _ = score(cell_net(cells[i], seed=0), x, y, BUILTIN)
    seconds.append(time.process_time() - t0)
    shipped = {p: float(ptable.raw(p)[rows[i], 0, 0]) for p in BUILTIN}
    print(f"{str(cells[i]):<20}" + "".join(f"{live[p]:>11.4g}" for p in BUILTIN))
    worst = max([worst] + [abs(live[p] - shipped[p]) / max(abs(shipped[p]), 1e-12) for p in BUILTIN
                           if np.isfinite(shipped[p])])
one_training = float(np.mean(table.arrays["seconds_per_epoch"])) * table.n_epochs
print(f"largest relative difference live vs shipped: {worst:.1e} | all nine proxies of one cell: "
      f"{np.median(seconds):.2f} CPU s, one training {one_training:.1f} CPU s")

# %% [markdown]
# **Expected result.** Every proxy recomputed here equals the shipped table's value up to the float32 rounding of the file (relative difference below $10^{-4}$), and synflow on a network with positive weights is exactly $2R$ for two layers — each layer passes all of $R$ through its weights. All nine proxies of one cell cost a fraction of a CPU second: less than a tenth of one (short) training of the same cell.
#
# **Q: what conclusion can we make?** Which of the nine proxies need no data at all, and what does that say about what they can and cannot know about the task?

# %%
# Exact and seed-free (float32 rounding; the same in every run and mode)
claim("07 §1", "largest relative difference between live proxies and the shipped table", worst, 0, 1e-4, fast="same")
claim("07 §1", "synflow / (2R) on a positive 2-layer net", synflow_2R, 1 - 1e-9, 1 + 1e-9, fast="same")
# class mode, SEED 0 / 1 / 2 (load 7-8): 0.061 / 0.053 / 0.052
claim("07 §1", "all nine proxies of one cell / one training of it (CPU time)", np.median(seconds) / one_training,
      0, 0.2)

# %% [markdown]
# ## 2 · Judging proxies like a scientist
#
# Against the truth $t$ (the seed-mean accuracy of every cell), a proxy's scores $p$ get:
#
# - **signed** Spearman ρ and Kendall τ over all 4,930 cells, each with a 95 % **bootstrap interval** (resample the cells with replacement, recompute, take the 2.5 % and 97.5 % quantiles);
# - **precision@5 %**: the share of the proxy's top 5 % that are among the truly best 5 % — what a search that keeps the proxy's favourites gets;
# - ρ and τ **inside the top 10 %** of cells by $t$: can the proxy order the good cells among themselves?
# - the **baselines** #params and FLOPs: a proxy that does not beat "bigger is better" adds nothing;
# - the **noise ceiling**: one training seed's accuracies judged as if they were a proxy of the other's;
# - a **vote**: the mean rank over synflow, jacob_cov and snip, which Abdelfattah et al. found better than each alone.
#
# The paper's anchors on NAS-Bench-201 CIFAR-10 (Spearman ρ): synflow 0.74, jacob_cov 0.73, snip 0.60, grad_norm 0.59, grasp 0.51, fisher 0.36.

# %%
MY_PREDICTION = None  # predict first: synflow's signed Spearman rho with test accuracy on this table (paper: 0.74)

# %%
# Every proxy of the table (mean over its 3 seeds x 2 batches), the vote and the noise ceiling, vs test and val
t0 = time.perf_counter()
judged = {}
for m in ("test", "val"):
    judged[m] = judge(ptable, table, m, n_boot=N_BOOT, seed=SEED)
    print(format_rows(judged[m], f"against {m} accuracy ({N_BOOT} bootstrap resamples) "
                                 f"[{time.perf_counter() - t0:.0f} s]"), end="\n\n")
by = {m: {r["name"]: r for r in judged[m]} for m in judged}
plots.plot_judge(judged["test"], title="Zero-cost proxies against the test accuracy of every cell");

# %%
# Which anchors held? The paper's rho inside our interval; the order of the six proxies; the baselines
six = list(ANCHORS)
held = [p for p in six if by["test"][p]["rho_lo"] <= ANCHORS[p] <= by["test"][p]["rho_hi"]]
order_tau = judge_one("order", [by["test"][p]["rho"] for p in six], [ANCHORS[p] for p in six], n_boot=0)["tau"]
best_zc = max((p for p in BUILTIN if p not in ("params", "flops")), key=lambda p: by["test"][p]["rho"])
ceiling = next(r for r in judged["test"] if r["name"].startswith("ceiling: "))
proxy_rows = [by["test"][p] for p in BUILTIN]
print(f"anchors inside our 95 % interval: {held or 'none'} | Kendall tau between our order of the six and the "
      f"paper's: {order_tau:.2f}")
print(f"best zero-cost proxy: {best_zc} (rho {by['test'][best_zc]['rho']:.3f}); #params rho "
      f"{by['test']['params']['rho']:.3f}; one training seed against the other: rho {ceiling['rho']:.3f}")
print(f"inside the top 10 %: largest rho {max(r['rho_top10'] for r in proxy_rows):.2f} | largest precision@5 % "
      f"{max(r['prec_top5'] for r in proxy_rows):.2f}")

# %% [markdown]
# **Expected result.** None of the paper's values holds here: synflow reaches ρ ≈ 0.6, not 0.74, every proxy lands below its anchor, and fisher even points the wrong way (ρ < 0). Yet the paper's *order* of the six holds almost exactly: synflow, jacob_cov, snip, grad_norm, grasp, fisher. Plain #params ranks about as well as synflow (within 0.05 in ρ), as the model-zoo measurements on CIFAR-100 found; NASWOT is the best single zero-cost proxy here, and the vote of synflow, jacob_cov and snip beats each of its three members. The intervals are narrow (at most ±0.04): with 4,930 cells these gaps are real. Inside the top 10 % every proxy nearly loses the order (ρ below 0.35), and precision@5 % stays below a third. The validation accuracy gives the same picture (within 0.05 in ρ for every proxy).
#
# **Q: what conclusion can we make?** A proxy with ρ = 0.6 over all cells and ρ ≈ 0.2 inside the top 10 %: what is it good for in a search, and what not?

# %%
# Seed-free except the intervals (the bootstrap's seed). Class mode, SEED 0 / 1 / 2: synflow rho 0.590 (all seeds),
# fisher -0.135, order tau 1.00, anchors held 0 / 0 / 0, |params - synflow| 0.009, vote - best member 0.038,
# top-10 % rho 0.244, precision@5 % 0.251, widest interval 0.063 / 0.056 / 0.063, |val - test| 0.034
claim("07 §2", "synflow's signed Spearman rho with test accuracy", by["test"]["synflow"]["rho"], 0.5, 0.7,
      fast="same", predicted=MY_PREDICTION)
claim("07 §2", "fisher points the wrong way (signed rho)", by["test"]["fisher"]["rho"], -0.25, 0, fast="same")
claim("07 §2", "Kendall tau between our order of the six proxies and the paper's", order_tau, 0.6, 1, fast="same")
claim("07 §2", "paper anchors inside our 95 % interval (of 6)", len(held), 0, 1)
claim("07 §2", "|rho of #params - rho of synflow|", abs(by["test"]["params"]["rho"] - by["test"]["synflow"]["rho"]),
      0, 0.05, fast="same")
claim("07 §2", "the best zero-cost proxy here is NASWOT", best_zc == "naswot", fast="same")
vote_row = next(r for r in judged["test"] if r["name"].startswith("vote"))
claim("07 §2", "vote's rho minus its best member's", vote_row["rho"] - max(by["test"][p]["rho"] for p in
      ("synflow", "jacob_cov", "snip")), 0, 0.15, fast="same")
claim("07 §2", "largest rho of any proxy inside the top 10 %", max(r["rho_top10"] for r in proxy_rows), -1, 0.35,
      fast="same")
claim("07 §2", "largest precision@5 % of any proxy", max(r["prec_top5"] for r in proxy_rows), 0, 0.34, fast="same")
claim("07 §2", "widest 95 % interval of a proxy's rho", max(r["rho_hi"] - r["rho_lo"] for r in proxy_rows), 0, 0.08)
claim("07 §2", "largest |rho vs val - rho vs test| over the proxies",
      max(abs(by["val"][p]["rho"] - by["test"][p]["rho"]) for p in BUILTIN), 0, 0.05, fast="same")

# %% [markdown]
# ### The noise ceiling, and why a proxy can beat it
#
# The **noise ceiling** row judges one training seed's accuracies as if they were a proxy of the other's. No proxy should beat one retraining — or should it? The truth here is the *mean* over two seeds, which is less noisy than either run, and a score without training noise (a proxy) can correlate with it better than a single noisy run does. The row "ceiling vs the 2-seed mean" estimates what a noise-free perfect score would reach (the **Spearman-Brown** correction: how reliable a mean of $k$ noisy runs is, from how well two single runs agree).
#
# **Expected result.** The two training seeds agree at ρ ≈ 0.45, and at least three proxies score above that, while a perfect score could reach about 0.79: the best proxies get about three quarters of the way. Inside the top 10 % the two seeds hardly agree at all (ρ between −0.2 and 0.2): there this table cannot say which good cell is better, so no proxy can be shown to — a more precise table (more seeds per cell) would be needed.

# %%
# Seed-free (the table's own two seeds): 0.446, 5 proxies above it, 0.076 inside the top 10 %, 0.786 (SEED 0-2)
ceiling_top10 = ceiling["rho_top10"]
print(f"one seed against the other: rho {ceiling['rho']:.3f} over all cells, {ceiling_top10:.3f} inside the top 10 %")
claim("07 §2", "noise ceiling: rho between the two training seeds", ceiling["rho"], 0.35, 0.55, fast="same")
claim("07 §2", "proxies above the noise ceiling's rho (of 9)", sum(r["rho"] > ceiling["rho"] for r in proxy_rows), 3, 9,
      fast="same")
claim("07 §2", "noise ceiling inside the top 10 % (rho)", ceiling_top10, -0.2, 0.2, fast="same")
mean_row = next(r for r in judged["test"] if r["name"].startswith("ceiling vs"))
claim("07 §2", "what a noise-free score could reach against the 2-seed mean (rho)", mean_row["rho"], 0.7, 0.85,
      fast="same")

# %% [markdown]
# ## 3 · The predictor lab: how many trained cells does a predictor need?
#
# A **performance predictor** is a regression model from a cell's features to its accuracy, trained on cells already evaluated. BANANAS (White et al., AAAI 2021) feeds an ensemble of small MLPs with the **path encoding**: one bit for every possible input-to-output path and sequence of ops on it (100 bits here), so cells that compute the same paths look alike. Baselines: a random forest and a Gaussian process (GP) on the same bits. Each model is trained on $n$ random cells and judged by Kendall τ on 500 held-out cells; then again with five **proxy features** appended (the ranks of #params, FLOPs, synflow, jacob_cov and NASWOT).

# %%
# Kendall tau on 500 held-out cells against the number of training cells, with and without proxy features
X = path_encoding(cells)                                              # (4,930, 100) path encoding
feats = np.column_stack([np.argsort(np.argsort(ptable.scores(p)[rows])) / len(cells)
                         for p in ("params", "flops", "synflow", "jacob_cov", "naswot")])  # (4,930, 5) ranks in [0, 1)
t0 = time.perf_counter()
parts = []
for n in LAB_SIZES:  # one size at a time (the same splits as all at once), to see progress
    parts.append(tau_curve(X, truth["test"], features=feats, sizes=(n,), models=MODELS,
                           seeds=range(SEED * 10, SEED * 10 + LAB_SEEDS)))
    print(f"{n:>4} training cells done [{time.perf_counter() - t0:.0f} s]")
lab = {**parts[0], "sizes": list(LAB_SIZES), "tau": np.concatenate([q["tau"] for q in parts], axis=2)}
print(format_taus(lab))
ax = plots.plot_tau_curves(lab, title="Held-out Kendall tau of three predictors (dashed: with proxy features)")
tau = {(m, f, n): float(lab["tau"][i, j, k].mean()) for i, m in enumerate(lab["models"])
       for j, f in enumerate(lab["feature_sets"]) for k, n in enumerate(lab["sizes"])}
n_lo, n_hi = lab["sizes"][0], lab["sizes"][-1]
gain_lo = np.mean([tau[(m, "encoding + proxies", n_lo)] - tau[(m, "encoding", n_lo)] for m in MODELS])
gain_hi = np.mean([tau[(m, "encoding + proxies", n_hi)] - tau[(m, "encoding", n_hi)] for m in MODELS])
best_hi = max(tau[(m, "encoding", n_hi)] for m in MODELS)
print(f"proxy features add {gain_lo:+.2f} tau at {n_lo} cells and {gain_hi:+.2f} at {n_hi} (mean over the models); "
      f"best encoding-only tau at {n_hi} cells: {best_hi:.2f}")

# %% [markdown]
# **Expected result.** On the path encoding alone, every predictor climbs with the number of training cells, from τ ≈ 0.15–0.2 at 10 cells to about 0.45–0.5 at 200 — roughly where NASWOT alone stands over all cells (τ ≈ 0.45), so on this table a predictor needs a couple of hundred trained cells to match a free proxy. The proxy features help most when little is trained: at 10 cells they add on average 0.05–0.2 τ over the three models, more to the random forest than to the GP (the predictor starts where the proxies are), and at 200 cells less. That is the case for zero-cost proxies inside a search: free information at the start, when a predictor knows nothing.
#
# **Q: what conclusion can we make?** If a training costs a minute and a proxy a tenth of a second, at how many trained cells would you stop computing proxy features?

# %%
# class mode, SEED 0 / 1 / 2 (2 splits each): gain at 10 cells 0.148 / 0.215 / 0.068, less at 200 on every seed,
# best encoding-only tau at 200 cells 0.474 / 0.494 / 0.485 (FAST: sizes 10 and 50, one split)
claim("07 §3", "mean tau gained from proxy features at the smallest size", gain_lo, 0.03, 0.4)
claim("07 §3", "...and at the largest size (less than at the smallest)", gain_hi < gain_lo)
claim("07 §3", "best encoding-only tau at the largest size", best_hi, 0.35, 0.6)

# %% [markdown]
# ## 4 · Predictor-based search: BANANAS, BOHB, TPE and a warm start, in notebook 06's race
#
# - **BANANAS** (White et al. 2021): fit the ensemble of 5 MLPs to every cell evaluated so far; propose **mutations** of the best cells; score each candidate by **Thompson sampling** — draw one value from $\mathcal{N}(\mu, \sigma^2)$, the ensemble's mean and spread — and evaluate the top 10. A candidate the members disagree on gets a chance: that is the exploration.
# - **TPE** (Bergstra et al. 2011; Optuna's sampler): model the density of good cells $l(x)$ and of the others $g(x)$ and propose where $l/g$ is large. **BOHB** (Falkner et al. 2018) puts that model inside Hyperband's brackets, fitted on the highest budget with enough points.
# - **Warm-started evolution** (Abdelfattah et al. 2021): rank 1,000 random cells by synflow, for free, and start regularised evolution from the top 20 instead of 20 random cells.
#
# All race random search and regularised evolution on notebook 06's clock; the result is the **IQM** (interquartile mean: the mean of the middle half of the seeds) of the test regret after 50, 150 and 300 trainings, and the **probability of improvement** $P(X > Y)$: the chance that a random seed of $X$ ends with a lower regret than a random seed of $Y$ (Agarwal et al. 2021).

# %%
# The race: 6 searchers x RACE_SEEDS seeds, judged at 50 / 150 / 300 trainings
lookup = Lookup.from_table(table)
syn_of = dict(zip(ptable.unique_cells(), ptable.scores("synflow")))  # finite for every cell


def synflow_of(cell):
    return float(syn_of[canonical(cell)])  # any of the 15,625 cells -> its distinct cell's score


base = default_searchers(lookup)
searchers = {"random": base["random"], "evolution": base["evolution"],
             **signal_searchers(lookup, score=synflow_of, tpe=OptunaSearch)}
T = np.array(TRAININGS, dtype=float)                                 # 50, 150, 300 trainings
full = lookup.full_seconds()                                         # simulated CPU s of one average training
race_out = {"trainings": T, "names": list(searchers), "iqm": {}, "lo": {}, "hi": {}}
regret = {}
for name, make in searchers.items():  # one (searcher, seed) run at a time: each a dot
    t0 = time.perf_counter()
    print(f"{name:<18}", end=" ", flush=True)
    runs = []
    for s in range(100 * SEED, 100 * SEED + RACE_SEEDS):
        runs.append(race(lookup, {name: make}, seeds=[s], max_seconds=T.max() * full, times=T * full).regret[name])
        print(".", end="", flush=True)
    regret[name] = np.vstack(runs)                                   # (RACE_SEEDS, 3) test regret
    race_out["iqm"][name], race_out["lo"][name], race_out["hi"][name] = bootstrap_band(regret[name],
                                                                                      n_resamples=N_BOOT)
    print(f" {(time.perf_counter() - t0) / RACE_SEEDS:.2f} s per seed")
race_out["pi"] = [pi_matrix({n: regret[n][:, t] for n in regret}, n_resamples=N_BOOT) for t in range(len(T))]
print(format_table(race_out))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
plots.plot_race_iqm(race_out, ax=ax1)
plots.plot_pi_matrix(race_out["pi"][-1], ax=ax2, title="P(row beats column) after 300 trainings");

# %%
iqm = {n: 100 * np.asarray(race_out["iqm"][n]) for n in race_out["names"]}       # points, at 50 / 150 / 300
pi300 = race_out["pi"][-1]
names = pi300["names"]
P = {(a, b): pi300["p"][i][j] for i, a in enumerate(names) for j, b in enumerate(names)}
print("IQM regret at 300 trainings (points): " + ", ".join(f"{n} {v[-1]:.2f}" for n, v in iqm.items()))
print("P(X beats random) at 300: " + ", ".join(f"{n} {P[(n, 'random')]:.2f}" for n in names if n != "random"))
print(f"warm start at 50 trainings: {iqm['evolution + proxy'][0]:.2f} vs evolution {iqm['evolution'][0]:.2f} points")
finals = np.concatenate([regret[n][:, -1] for n in names])                # (6 x RACE_SEEDS,) final regrets
values, counts = np.unique(np.round(finals, 6), return_counts=True)
common_share, common_regret = counts.max() / len(finals), 100 * values[counts.argmax()]
spread300 = max(v[-1] for v in iqm.values()) - min(v[-1] for v in iqm.values())
print(f"final IQMs span {spread300:.2f} points; {common_share:.0%} of all runs end on one cell "
      f"(regret {common_regret:.2f} points)")

# %% [markdown]
# **Expected result.** After 300 trainings the six searchers end within about a point and a half of each other, far above the best cell. Random search ends behind the best searcher, and BANANAS beats it with a probability above one half — not by much (0.55–0.75). The reason the curves meet is in the last printout: a large share of all runs, whatever the searcher, end on *one* cell. A search sees one noisy training run per cell, and after a few hundred trainings every good searcher has found the cell whose observed validation score is among the luckiest in the table — not the best test accuracy. That is the noise ceiling of section 2 again, limiting searchers as it limits proxies. The warm start from synflow's favourites is not reliably ahead after 50 trainings either (anywhere from 5 points ahead to 3 behind evolution from random cells): synflow's top cells are big cells, a good region, but evolution finds that region within its first 50 trainings anyway. The BANANAS paper's own table tells a similar story on NAS-Bench-101: after 150 queries the best methods lie within 0.4 points of each other.
#
# **Q: what conclusion can we make?** BOHB uses cheap short trainings; BANANAS uses none. Which one would you expect to gain more from a table whose one-epoch scores rank cells well, and why?

# %%
# class mode, SEED 0 / 1 / 2 (10 search seeds each; FAST's 2 seeds are unchecked): spread 0.55 / 1.03 / 0.78,
# P(BANANAS > random) 0.74 / 0.63 / 0.565, random - best 0.55 / 0.34 / 0.36, common cell 0.63 / 0.52 / 0.50,
# warm start - evolution at 50: +0.15 / -1.02 / -3.24
claim("07 §4", "spread of the six final IQM regrets after 300 trainings (points)", spread300, 0, 1.5)
claim("07 §4", "P(BANANAS beats random search) after 300 trainings", P[("BANANAS", "random")], 0.5, 1)
claim("07 §4", "random search's final IQM regret minus the best searcher's (points)",
      iqm["random"][-1] - min(v[-1] for v in iqm.values()), 0.1, 2)
claim("07 §4", "share of all runs that end on the single most common cell", common_share, 0.3, 1)
claim("07 §4", "warm start minus evolution, IQM regret after 50 trainings (points, < 0: warm start ahead)",
      iqm["evolution + proxy"][0] - iqm["evolution"][0], -5, 3)

# %% [markdown]
# ## Explore
#
# Pick a proxy and a band of cells by test accuracy (percentiles: 0–100 is every cell, 90–100 the top 10 %). The scatter shows each cell's score as a percentile rank against its accuracy; the box gives ρ and τ inside the band. Where does each proxy lose the order?

# %%
from naslab.signals.widgets import proxy_panel

proxy_panel({p: ptable.scores(p)[rows] for p in BUILTIN}, truth["test"])

# %% [markdown]
# ## Exercises
#
# **1. A proxy naslab does not ship: GradSign** (Zhang & Jia, ICLR 2022). If the examples of a batch pull a weight the same way at initialisation, the training signal is consistent. With $g_{ik} = \partial \ell(f(x_i), y_i)/\partial\theta_k$ the gradient of example $i$'s own loss with respect to weight $k$ (the tensors of dimension ≥ 2),
#
# $$\text{GradSign} = \sum_k \Big\lvert \sum_i \operatorname{sign}(g_{ik}) \Big\rvert .$$
#
# Write `my_gradsign(net, x, y)`: copy the weights as tensors that require grad, run the whole batch once (`net(x, params)`), take the per-example losses (`reduction="none"`), one backward pass per example (`retain_graph=True`), and add up the signs. The check compares it with closed forms on a linear and a ReLU net; then your proxy joins the registry, scores cells of the table, and becomes a row of notebook 03's study.

# %%
# Exercise 1: GradSign (worked answer)
def my_gradsign(net, x, y):
    # BEGIN SOLUTION
    params = {k: v.detach().clone().requires_grad_(True) for k, v in net.params.items()}
    weights = [k for k, v in params.items() if v.dim() >= 2]
    losses = F.cross_entropy(net(x.to(torch.float64), params), y, reduction="none")  # (B,) one loss per example
    signs = {k: torch.zeros_like(params[k]) for k in weights}
    for i in range(len(x)):
        grads = torch.autograd.grad(losses[i], [params[k] for k in weights], retain_graph=True, allow_unused=True)
        for k, g in zip(weights, grads):
            if g is not None:
                signs[k] += torch.sign(g)
    return float(sum(s.abs().sum() for s in signs.values()))
    # END SOLUTION

# %%
# Check 1
with exercise(1):
    print(check_gradsign(my_gradsign))

# %%
# Your proxy in the registry, on STUDENT_CELLS cells of the table (seed-0 weights, the first batch), beside naslab's
with exercise(1):
    my_gradsign(cell_net(cells[0], seed=0), x, y)  # an unsolved exercise stops here
    register_proxy("gradsign", my_gradsign, replace=True)
    pick = np.random.default_rng(SEED + 1).choice(len(cells), STUDENT_CELLS, replace=False)
    mine = []
    for j, i in enumerate(pick):
        mine.append(score(cell_net(cells[i], seed=0), x, y, ["gradsign"])[0]["gradsign"])
        if (j + 1) % 25 == 0:
            print(f"{j + 1} cells scored")
    mine = np.array(mine)
    for name, s in [("gradsign (yours)", mine), ("synflow", ptable.scores("synflow")[rows][pick]),
                    ("naswot", ptable.scores("naswot")[rows][pick]), ("params", ptable.scores("params")[rows][pick])]:
        r = judge_one(name, s, truth["test"][pick], n_boot=0)
        print(f"{name:<18} rho {r['rho']:+.2f}  tau {r['tau']:+.2f}  on {STUDENT_CELLS} cells")

# %%
# ...and in notebook 03's study: a zero-cost row on its macro benchmark, beside synflow's
from naslab.proxies.benchmark import Benchmark
from naslab.signals.macro import zero_cost_row

with exercise(1):
    my_gradsign(cell_net(cells[0], seed=0), x, y)  # an unsolved exercise stops here
    macro = Benchmark.load()
    for name in ("gradsign", "synflow"):
        row = zero_cost_row(macro, name, index=np.arange(MACRO_ARCHS))
        print(f"{row['name']:<26} tau {row['tau']:+.2f}  rho {row['rho']:+.2f}  cost {row['fraction']:.1e} of "
              f"full training ({MACRO_ARCHS} architectures)")

# %% [markdown]
# **2. BANANAS's acquisition step.** Write `my_acquire(predict, seen, rng, k)`: `seen` maps every evaluated cell to its validation accuracy, `predict(cells)` returns the ensemble's predictions, an array (5 members, len(cells)). Take the 10 best cells of `seen` as parents; draw 100 candidates, each a parent (in turn) with one edge mutated (`mutate(cell, rng)`), a second one with probability ½; drop candidates already in `seen` and duplicates; draw one Thompson value per candidate, $a = \mu + \sigma z$ with $z$ from `rng.standard_normal`; return the $k$ candidates with the *largest* $a$. Use only `rng` for randomness. The check plants predictions to test each step; then your step runs inside naslab's BANANAS loop.

# %%
# Exercise 2: the acquisition step (worked answer)
def my_acquire(predict, seen, rng, k):
    # BEGIN SOLUTION
    parents = sorted(seen, key=seen.get, reverse=True)[:10]
    cands = {}
    for i in range(100):
        child = mutate(parents[i % len(parents)], rng)
        if rng.random() < 0.5:
            child = mutate(child, rng)
        if child not in seen:
            cands[child] = None                        # a dict keeps the order and drops duplicates
    cands = list(cands)
    P = np.asarray(predict(cands))                     # (members, n_candidates)
    a = P.mean(0) + P.std(0) * rng.standard_normal(len(cands))  # one Thompson draw per candidate
    return [cands[i] for i in np.argsort(-a)[:k]]
    # END SOLUTION

# %%
# Check 2
with exercise(2):
    print(check_acquisition(my_acquire))

# %%
# Your step inside naslab's BANANAS (same ensemble, same fits), raced against naslab's own over MY_RACE_SEEDS seeds
class MyBananas(Bananas):
    name = "your BANANAS"

    def propose(self):
        model = self.fit()
        return my_acquire(lambda c: model.predict(self.encode(c)), self.seen, self.rng, self.batch)


with exercise(2):
    my_acquire(lambda c: np.zeros((5, len(c))), {cells[0]: 0.5}, np.random.default_rng(0), 1)  # a stub stops here
    mine = signal_race(lookup, {"BANANAS": lambda s: Bananas(seed=s), "your BANANAS": lambda s: MyBananas(seed=s)},
                       seeds=range(MY_RACE_SEEDS), trainings=(150,), n_resamples=200)
    print(format_table(mine))

# %% [markdown]
# ## Summary
#
# - A **zero-cost proxy** scores an untrained network from one mini-batch, at a fraction of a training; every score here is signed "higher = predicted better", and a wrong sign shows as a negative correlation.
# - Judged on all 4,930 cells, the paper's *values* did not hold on this table (every proxy lower, fisher negative), but its *order* of the proxies did; #params ranks as well as synflow, and NASWOT is best. Inside the top 10 % every proxy nearly loses the order: proxies find good regions, not the best cell.
# - Report signed ρ and τ with **bootstrap intervals**, precision at the top, the size baselines and the **noise ceiling**; a single number on one benchmark is not a property of a proxy.
# - A **performance predictor** on the path encoding needs tens to hundreds of trained cells; **proxy features** give it a head start when it has few.
# - **BANANAS** turns a predictor into a searcher: ensemble spread for uncertainty, Thompson sampling, mutations of the best cells. With **BOHB**, TPE and a proxy warm start it beats random search here, but with a handful of seeds the order among them is not settled.

# %% [markdown]
# ## Questionnaire
#
# 1. What does "zero-cost" mean for a proxy, and what does one evaluation cost here compared with one training?
# 2. Why must a proxy's correlation with accuracy be reported *signed*? What would `abs()` hide for fisher on this table?
# 3. Write synflow's score. Why does it need no data, and why does it take the absolute values of the weights?
# 4. What is precision@5 %, and why can a proxy with a high ρ over all cells still have a low precision@5 %?
# 5. How is a bootstrap interval for Spearman's ρ computed? What is resampled?
# 6. Why are #params and FLOPs the baselines every proxy must beat?
# 7. How can a proxy correlate with the seed-mean accuracy better than one training seed does with the other?
# 8. What is the path encoding of a cell, and why do two cells that differ only on a dead edge share it?
# 9. In BANANAS, what does the ensemble's spread σ do in the Thompson draw? What goes wrong if you rank by μ alone?
# 10. What does a probability of improvement of 0.7 of searcher X over Y mean, in terms of seeds?

# %% [markdown]
# ## Further reading
#
# - M. S. Abdelfattah, A. Mehrotra, Ł. Dudziak, N. D. Lane. *Zero-Cost Proxies for Lightweight NAS.* ICLR 2021, arXiv:2101.08134 — the six proxies, their NAS-Bench-201 correlations, the vote and the warm start.
# - H. Tanaka, D. Kunin, D. L. K. Yamins, S. Ganguli. *Pruning neural networks without any data by iteratively conserving synaptic flow.* NeurIPS 2020, arXiv:2006.05467 — synflow.
# - J. Mellor, J. Turner, A. Storkey, E. J. Crowley. *Neural Architecture Search without Training.* ICML 2021, arXiv:2006.04647 — jacob_cov (v1) and NASWOT.
# - Z. Zhang, Z. Jia. *GradSign: Model Performance Inference with Theoretical Insights.* ICLR 2022, arXiv:2110.08616 — the proxy of exercise 1.
# - C. White, W. Neiswanger, Y. Savani. *BANANAS: Bayesian Optimization with Neural Architectures for Neural Architecture Search.* AAAI 2021, arXiv:1910.11858.
# - C. White, A. Zela, B. Ru, Y. Liu, F. Hutter. *How Powerful are Performance Predictors in Neural Architecture Search?* NeurIPS 2021, arXiv:2104.01177.
# - S. Falkner, A. Klein, F. Hutter. *BOHB: Robust and Efficient Hyperparameter Optimization at Scale.* ICML 2018, arXiv:1807.01774.
# - A. Krishnakumar, C. White, A. Zela, R. Tu, M. Safari, F. Hutter. *NAS-Bench-Suite-Zero: Accelerating Research on Zero Cost Proxies.* NeurIPS 2022 Datasets and Benchmarks, arXiv:2210.03230.
# - R. Agarwal, M. Schwarzer, P. S. Castro, A. Courville, M. G. Bellemare. *Deep Reinforcement Learning at the Edge of the Statistical Precipice.* NeurIPS 2021 — IQM and the probability of improvement.
