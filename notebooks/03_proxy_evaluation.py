# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Proxy evaluation: judging an architecture without paying full price
#
# We measure every classic way to *estimate* how good an architecture is — fewer epochs, less data, a smaller model, shared weights — by how well it ranks the architectures of our own search space, and what it costs.
#
# **Time**: reading ≈ 17 min · class mode ≈ 0.4–0.5 min on a 2-core CPU · FAST ≈ 12 s.
# **Prerequisites**: [01 · grid vs random search](01_grid_vs_random_search.ipynb) (the ask/tell search loop) and [02 · the REINFORCE controller](02_reinforce_controller.ipynb) (the macro search space).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - score any cheap **proxy** (a cheap stand-in for full training: fewer epochs, a data subset, a narrower model, a shared-weight supernet) by how well it **ranks** architectures: Kendall τ, Spearman ρ and top-k overlap;
# - account for the **cost** of each evaluation strategy in seconds and place it on a cost-versus-rank-correlation map;
# - explain NASNet's "search small, evaluate big" and ENAS's parameter sharing, and what each one buys;
# - run **successive halving** as an ask/tell searcher and compare it with random search on a tabular benchmark, on a simulated time axis;
# - explain why a proxy's accuracy is *not* the final accuracy, and why only its ranking matters.

# %%
# Setup: plots inline, the naslab imports, and the environment
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import torch

from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.data import load_dataset
from naslab.exercise import exercise
from naslab.grid_vs_random.plots import plot_anytime  # notebook 01's anytime plot, reused
from naslab.proxies import plots
from naslab.proxies.benchmark import Benchmark
from naslab.proxies.checks import check_curve_proxy, check_kendall_tau, check_sh_budget, check_successive_halving
from naslab.proxies.checks_curve import CURVE_EPOCHS
from naslab.proxies.halving import SuccessiveHalving, compare_on_benchmark, rung_schedule
from naslab.proxies.proxy import live_objective, run_proxy, scaled_build
from naslab.proxies.ranking import kendall_tau
from naslab.proxies.study import proxy_scores, score_row, standard_rows, truth
from naslab.proxies.supernet import SuperNet, evaluate_archs, train_supernet
from naslab.search import run_search
from naslab.utils import count_params, get_device, seed_everything, set_threads
set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)
print(f"torch {torch.__version__} | device {get_device('auto')} (this notebook trains on the CPU) | {mode_name()} mode")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0
N_LIVE = budget(full=3, fast=1)            # benchmark entries retrained live to check the table...
LIVE_EPOCHS = budget(full=9, fast=3)       # ...for this many epochs (the table has every epoch)
SUPERNET_EPOCHS = budget(full=40, fast=2)  # epochs of shared-weight training, one child per batch
SH_SEEDS = budget(full=100, fast=10)       # repetitions of successive halving vs random search
SH_LIVE_N = budget(full=9, fast=3)         # candidates of the small live successive-halving run

# %% [markdown]
# ## Recap
#
# - **01**: a search is an ask/tell loop — a searcher proposes a configuration, an objective evaluates it, a `Trial` records it; random search is a strong baseline, judged by best-so-far curves over many seeds.
# - **02**: a macro search space describes a network as tokens (filters, kernel, stride, skip "anchors"); the controller trained every child for a few hundred steps only — already a *proxy* for full training.
# - The third part of NAS (Elsken et al. 2019) is the **performance estimation strategy**: how to score an architecture cheaply. That is today's topic.

# %% [markdown]
# ## 1 · A benchmark you can hold in your hand
#
# NAS-Bench-201 (Dong & Yang 2020) trained all 15,625 cells of a space once, so that a search becomes a **table lookup**: algorithms can be compared over many seeds at the cost of a dictionary access. Its file is gigabytes; ours is a few tens of kilobytes (the next cell reads its size).
#
# `naslab.proxies.benchmark` holds **every architecture of a subspace of notebook 02's macro space**: 3 layers, filters ∈ {8, 32}, kernel ∈ {3, 7}, stride 2, plus the anchor token "does layer 0 also feed layer 2?" — $4^3 \times 2 = 128$ architectures. Each was trained on MNIST-1D for 9 epochs (Adam, lr $10^{-2}$, batch 128) with **2 seeds**, and its validation accuracy was recorded after *every* epoch. The **fidelity** of an evaluation is how much of the full training budget it gets (here: the number of epochs); the fidelities 1, 3 and 9 epochs (1/9, 1/3 and all of the budget) are checkpoints of one run. The simulated cost of an entry is the CPU seconds its training took.

# %%
# Load the benchmark (it is validated: a corrupt file raises an error, never wrong numbers)
bench = Benchmark.load()
print(bench)
print(f"file {bench.path.name}: {bench.path.stat().st_size / 1000:.1f} kB")
arch = bench.archs[42]
print(f"\narchitecture 42 = {arch.key!r}\n{arch}")
for e in (1, 3, 9):  # one lookup per fidelity: a dict of val_acc, seconds, params, epochs
    r = bench.lookup(arch, fidelity=e, seed=0)
    print(f"{e} epoch(s): val_acc {r['val_acc']:.3f} | simulated cost {r['seconds']:.2f} CPU s | {r['params']:,} parameters")

# %%
# Learning curves of six architectures, from the worst to the best (by the truth: a retrain, seed 1)
true_acc = truth(bench)                                      # (128,) full-budget accuracy, seed 1
order = np.argsort(true_acc)
pick = order[np.linspace(0, bench.size - 1, 6).astype(int)]
curves = bench.arrays["val_acc"][pick, 0]                    # (6, 9): seed 0, every epoch
plots.plot_learning_curves(curves, labels=[bench.archs[i].key for i in pick],
                           title="Six architectures of the benchmark, seed 0");

# %% [markdown]
# **Expected result.** The six plotted curves end between about 75 % and 92 % (over all 128 architectures, the truth spans about 60 % to 94 %), and several curves **cross**: an architecture that is ahead after 1 epoch is not always ahead after 9.
#
# The table is only worth something if it is reproducible. The next cell **recomputes a small sample live**: it retrains `N_LIVE` entries from scratch, exactly as the build did, and compares them with the table.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# the bundled table: the same numbers on every machine and in FAST mode
claim("03 §1", "the six plotted curves end between about 75 % and 92 %", curves[:, -1].min(), 0.72, 0.8, fast="same")
claim("03 §1", "... the best of them above 90 %", curves[:, -1].max(), 0.9, 0.93, fast="same")
claim("03 §1", "over all 128 architectures the truth spans about 60 % to 94 %", true_acc.max() - true_acc.min(),
      0.3, 0.36, fast="same")
e1, e9 = curves[:, 0], curves[:, -1]
claim("03 §1", "several pairs of curves cross between epoch 1 and 9",
      sum((e1[i] - e1[j]) * (e9[i] - e9[j]) < 0 for i in range(6) for j in range(i + 1, 6)), low=2, fast="same")

# %%
# Recompute a few entries live and compare them with the table (the seed spread is the tolerance)
from dataclasses import replace
from naslab.proxies.build import run_job
cfg = replace(bench.config, epochs=LIVE_EPOCHS)      # epoch e of the 9-epoch run is an e-epoch run
live_gap, seed_gap = [], []                          # |live - table seed 0| and |seed 0 - seed 1| per entry
for a in np.random.default_rng(SEED).choice(bench.size, size=N_LIVE, replace=False):
    live = run_job(cfg, {"kind": "main", "arch": int(a), "seed": 0, "level": 0})
    table = bench.arrays["val_acc"][a, :, LIVE_EPOCHS - 1]    # seeds 0 and 1 after LIVE_EPOCHS epochs
    live_gap.append(abs(live["curve"][-1] - table[0]))
    seed_gap.append(abs(table[1] - table[0]))
    print(f"{bench.archs[a].key:>24} after {LIVE_EPOCHS} epochs: table {table[0]:.3f} (seed 1: {table[1]:.3f}) | "
          f"live {live['curve'][-1]:.3f} in {live['cpu_curve'][-1]:.1f} CPU s")

# %% [markdown]
# **Expected result.** The live run lands within 4 points of the table's seed-0 number, and often repeats it exactly (training on another machine or library version is not reproducible bit for bit); on average the *other* seed differs more.
#
# **Q: what conclusion can we make?** Which of the two differences tells you how precisely an architecture's accuracy is known?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# SEED 0 / 1 / 2 (class mode, 3 entries each): largest |live - seed 0| 0.0275 / 0.0063 / 0.0188 (6 of 9 entries within
# 0.001); mean |seed 1 - seed 0| minus mean |live - seed 0|: 0.011 / 0.030 / 0.042
claim("03 §1", "the live retraining lands within 4 points of the table's seed-0 accuracy", max(live_gap), high=0.04,
      fast="same")
claim("03 §1", "on average the other seed differs more than the live run", np.mean(seed_gap) - np.mean(live_gap),
      low=0.001)

# %% [markdown]
# ## 2 · The ladder of evaluation strategies
#
# From expensive to cheap, the ways to score an architecture $a$:
#
# 1. **full training** until the budget is spent (our 9 epochs; Zoph & Le used 50 epochs per child on 800 GPUs);
# 2. **fewer epochs or steps**: read the validation accuracy early (NASNet's children: 20 epochs);
# 3. **less data**: train on a random subset of the training set;
# 4. **a down-scaled model**: fewer channels, fewer layers or cell repeats (NASNet searched with N = 2);
# 5. **parameter sharing**: train one **supernet** (a network holding every child as a sub-network) once; every child inherits its weights (ENAS, section 6).
#
# A search only uses the *order* of its candidates, so we judge a proxy $p$ by how it ranks $n$ architectures against the truth $f$ — here full training **with another seed** (seed 1), i.e. what retraining gives. For two lists without ties, with $C$ concordant and $D$ discordant pairs and $d_i$ the rank difference of architecture $i$,
#
# $$\tau = \frac{C - D}{n(n-1)/2}, \qquad \rho = 1 - \frac{6 \sum_i d_i^2}{n(n^2 - 1)}, \qquad \text{top-}k\text{ overlap} = \frac{|\,\text{top}_k(p) \cap \text{top}_k(f)\,|}{k}.$$
#
# With ties, naslab uses **τ-b** (Kendall's τ corrected for ties: $C - D$ divided by the geometric mean of the numbers of pairs not tied in each list), and ρ computed on average ranks. Cost is CPU seconds, relative to full training of the same candidates.

# %%
# Every stored proxy, ranked against the truth: tau, rho, top-k overlap and cost
rows = standard_rows(bench)
print(f"{'strategy':<18}{'tau':>6}{'rho':>6}{'top-k':>7}{'cost':>8}{'CPU s/arch':>12}")
for r in rows:
    print(f"{r['name']:<18}{r['tau']:>6.2f}{r['rho']:>6.2f}{r['top_k']:>7.0%}{r['fraction']:>8.0%}{r['per_arch_s']:>12.2f}")
plots.plot_ladder([{**r, "seconds": r["per_arch_s"] * bench.size} for r in rows],
                  unit="CPU seconds to score all 128 architectures");

# %% [markdown]
# **Expected result.** "Full training" here means seed 0 against seed 1: τ ≈ 0.65 is the **noise ceiling**, the best any proxy can hope for. Three epochs or a third of the data get most of the way (τ ≈ 0.5) at a third of the cost; one epoch or 1/9 of the data rank much worse (τ ≈ 0.18–0.35). Half the channels ranks as well as full training but still costs about 70 % of it, and a quarter of the channels about 60 %: a tiny network on a CPU spends its time in per-step overhead, not in arithmetic, so cutting channels buys little *time* here (with large models on a GPU it is the other way round).
#
# **Q: what conclusion can we make?** Which proxy would you choose for a search of 10,000 architectures on this machine, and why not the cheapest one?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
row = {r["name"]: r for r in rows}  # the bundled table: exact numbers, checked in FAST mode too
claim("03 §2", "noise ceiling: full training, seed 0 vs seed 1, τ ≈ 0.65", row["full training"]["tau"], 0.6, 0.7,
      fast="same")
for name in ("3 epochs", "1/3 data"):
    claim("03 §2", f"{name}: τ ≈ 0.5", row[name]["tau"], 0.45, 0.56, fast="same")
    claim("03 §2", f"{name}: a third of the cost", row[name]["fraction"], 0.3, 0.37, fast="same")
for name in ("1 epoch", "1/9 data"):
    claim("03 §2", f"{name}: τ ≈ 0.18–0.35", row[name]["tau"], 0.15, 0.36, fast="same")
claim("03 §2", "half the channels ranks as well as full training", row["1/2 width"]["tau"] - row["full training"]["tau"],
      low=-0.05, fast="same")
claim("03 §2", "half the channels costs about 70 %", row["1/2 width"]["fraction"], 0.65, 0.75, fast="same")
claim("03 §2", "a quarter of the channels costs about 60 %", row["1/4 width"]["fraction"], 0.55, 0.65, fast="same")

# %% [markdown]
# ## 3 · Each proxy against full training
#
# One scatter per proxy: its score on the x axis, the truth on the y axis. A perfect proxy draws a rising curve of any shape — only the order matters. The ringed points are the true top-10 %.

# %%
# Six scatters: proxy score against the truth, tau and rho in each title
STANDARD = [("epochs", 1), ("epochs", 3), ("data", 1 / 9), ("data", 1 / 3), ("width", 0.25), ("width", 0.5)]
fig, axes = plt.subplots(2, 3, figsize=(13, 8), layout="constrained")
for ax, (kind, level) in zip(axes.flat, STANDARD):
    p = proxy_scores(bench, kind, level)
    plots.plot_proxy_scatter(p["scores"], truth(bench, p["index"]), name=p["name"], kind=kind, ax=ax)

# %% [markdown]
# **Expected result.** Every cloud rises, but some are fat: 1 epoch and 1/9 of the data leave the true top architectures scattered among the others, so a search trusting them would often throw the winner away. The data and width proxies are scored on a sample of 48 architectures only (the benchmark stores them there), so their τ is noisier.
#
# **Q: what conclusion can we make?** Look at the dashed line $y = x$. Is any proxy *accurate* (close to the line)? Is that a problem for a search?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
taus = [kendall_tau(proxy_scores(bench, k, lv)["scores"], truth(bench, proxy_scores(bench, k, lv)["index"]))
        for k, lv in STANDARD]
claim("03 §3", "every cloud rises (τ > 0.1 for all six proxies)", min(taus), low=0.1, fast="same")

# %% [markdown]
# ## 4 · A misconception probe: proxy accuracy is not final accuracy
#
# Before running the next cell, decide which statements are true. A 1-epoch proxy gives architecture A 45 % and architecture B 38 %.
#
# - (a) After full training, A will reach about 45 %.
# - (b) After full training, A will more likely than not beat B.
# - (c) The proxy is useless, because 45 % is far from the 85 % the good architectures really reach.

# %%
# The gap: mean proxy accuracy vs mean final accuracy; and tau survives any increasing transform
p1 = proxy_scores(bench, "epochs", 1)["scores"]
print(f"1-epoch proxy: mean accuracy {p1.mean():.1%} | full training: {true_acc.mean():.1%} "
      f"| gap {true_acc.mean() - p1.mean():.1%}")
for name, g in {"p": p1, "p**3": p1**3, "log p": np.log(p1), "p + 0.4": p1 + 0.4}.items():
    print(f"tau({name:>7}, truth) = {kendall_tau(g, true_acc):.3f}   mean |g - truth| = {np.abs(g - true_acc).mean():.3f}")

# %% [markdown]
# **Answer.** (a) is false: the proxy's accuracy is systematically far below the final one — the gap is tens of points. (c) is false too: a search never needs the final accuracy, it needs to know *which candidate is better*, and any increasing transformation of the scores (cubing, a log, adding 0.4) leaves τ exactly unchanged while the "error" changes arbitrarily. (b) is the right reading, and τ says how likely: without ties, τ = P(a pair is ordered the same way) − P(it is flipped), so a random pair keeps its order with probability (1 + τ)/2 ≈ 67 % for the 1-epoch proxy. So judge a proxy by its rank correlation, never by how close its accuracy is to the final one, and never report a proxy accuracy as the accuracy of the network you will deploy.

# %% [markdown]
# ## 5 · NASNet's knobs: search small, evaluate big
#
# NASNet (Zoph et al. 2018) searched a *cell*, then built the final network from two free knobs: **N**, the number of normal cells stacked per stage (between reduction cells), and **F**, the number of filters in the first cells (every reduction cell doubles it). Careful with the paper's labels such as NASNet-A "6 @ 768": they give N and the filter count of the *penultimate* layer, which grows with F; 768 is not F itself. On CIFAR-10, 6 @ 768 has F = 32 (the official TF-slim code's `num_conv_filters`): the two reduction cells double it to 4 × 32 = 128 filters per operation, and the last cell concatenates six such outputs, 6 × 128 = 768. The search used a small proxy (N = 2, 20 epochs); the published networks were scaled up afterwards. The knobs are a down-scaled-model proxy in reverse: rank small, deploy big.
#
# Our macro space has no cells, but the same knobs apply to any architecture: `scaled_build(space, arch, ..., width=F_multiplier, repeats=N)` multiplies every layer's filters and follows each layer by N − 1 copies at stride 1.

# %%
# One architecture, small and big: same tokens, different scaling knobs
arch = bench.archs[int(np.argmax(true_acc))]
for knobs in [dict(width=0.25), dict(), dict(width=2.0, repeats=2)]:
    net = scaled_build(bench.space, arch, (1, 40), 10, **knobs)
    print(f"{str(knobs or 'as searched'):<32} {count_params(net):>7,} parameters, {len(list(net.modules()))} modules")

# %%
# The benchmark's 12 "big" runs (2x width, N = 2): does the small ranking survive scaling up?
big = bench.proxy_table("big")
small_acc = bench.arrays["val_acc"][big["index"], 0, -1]          # as searched, seed 0, 9 epochs
big_acc = big["acc"][:, 0, -1]                                   # scaled up, seed 0, 9 epochs
cost_ratio = big["seconds"][:, 0, -1].sum() / bench.arrays["cpu_seconds"][big["index"], 0, -1].sum()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
plots.plot_scaling(small_acc, big_acc, ax=ax1)
plots.plot_proxy_scatter(small_acc, big_acc, name=f"small as a proxy for big (big costs {cost_ratio:.1f}x)", ax=ax2,
                         kind="big", k=3)
ax2.set(xlabel="accuracy as searched (small)", ylabel="accuracy scaled up (big)");

# %% [markdown]
# **Expected result.** Scaling up raises almost every architecture to about 85–95 % and costs about 3 times more per run — and the small ranking does **not** survive: on these 12 architectures τ is close to zero or even negative (with 12 points it is uncertain by about ±0.2). The choices that matter most for a small network (8 or 32 filters) matter little once every layer is doubled and repeated. The highlighted line is the best small architecture; it is not the best big one. Compare with section 2, where scaling *down* (1/2 width) kept the ranking well.
#
# **Q: what conclusion can we make?** P-DARTS (Chen et al. 2019) calls this the *depth gap*: cells found in a shallow network can behave differently in a deep one. What would you have to measure to trust "search small, evaluate big" in your own space?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
claim("03 §5", "scaling up puts almost every architecture at 85–95 %", np.mean((big_acc >= 0.85) & (big_acc <= 0.95)),
      low=0.75, fast="same")
claim("03 §5", "... at about 3 times the cost per run", cost_ratio, 2.5, 3.5, fast="same")
claim("03 §5", "the small ranking does not survive (τ close to zero or negative)", kendall_tau(small_acc, big_acc),
      high=0.2, fast="same")

# %% [markdown]
# ## 6 · Parameter sharing: one supernet for all 128 children
#
# ENAS (Pham et al. 2018) makes every child a sub-graph of one **supernet** whose weights $w$ all children share. Training alternates: sample a child $m \sim \pi(m)$ for each mini-batch and take a step on its loss,
#
# $$w \leftarrow w - \eta \, \nabla_w \mathcal{L}_{train}(m, w),$$
#
# then score any child by its validation accuracy **with the inherited weights** — no training at all. We sample children uniformly (ENAS's controller replaced by a uniform policy: "random search with weight sharing", Li & Talwalkar 2019).
#
# In `naslab.proxies.supernet`, layer $i$ owns one conv weight per kernel size, of shape (max filters, input slots, k); a child with $f$ filters uses the first $f$ rows and the input slots of the layers it reads. Two children that choose the same kernel in a layer train the *same* numbers.

# %%
# Sharing, checked: one SGD step through child a changes the output of child b (they share layer 0)
torch.manual_seed(SEED)
demo = SuperNet(bench.space, (1, 40), 10)
a, b = bench.space.parse("8-3-2|32-7-2|8-3-2+0"), bench.space.parse("32-3-2|8-3-2|32-7-2")
x, y = load_dataset("mnist1d").X_train[:64], load_dataset("mnist1d").y_train[:64]
before = demo(x, b).detach()
opt = torch.optim.SGD(demo.parameters(), lr=0.1)
torch.nn.functional.cross_entropy(demo(x, a), y).backward()
opt.step()
print(f"child b's logits moved by {(demo(x, b) - before).abs().max():.4f} although we trained child a")

# %%
# Train the shared weights (one uniformly sampled child per batch), then score all 128 children
data = load_dataset("mnist1d")
seed_everything(SEED)                                          # the shared weights' initialisation
supernet = SuperNet(bench.space, data.input_shape, data.num_classes)
fit = train_supernet(supernet, data, epochs=SUPERNET_EPOCHS, seed=SEED)
ev = evaluate_archs(supernet, bench.archs, data)
sn_seconds = fit["cpu_seconds"] + ev["cpu_seconds"]
alone = bench.cost(None).sum()                        # train every child alone, full budget
sn_row = score_row("supernet", "supernet", ev["scores"], [sn_seconds], [alone], true_acc)
print(f"supernet: {fit['steps']} steps in {fit['cpu_seconds']:.1f} CPU s, evaluation {ev['cpu_seconds']:.1f} s | "
      f"tau {sn_row['tau']:.2f}, rho {sn_row['rho']:.2f} | {alone / sn_seconds:.0f}x cheaper than training all")

# %%
# What sharing costs and buys: scatter against the truth, and the bill
fig = plt.figure(figsize=(12, 4), layout="constrained")
ax1, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.4])
plots.plot_proxy_scatter(ev["scores"], true_acc, name=f"supernet, {SUPERNET_EPOCHS} epochs", kind="supernet", ax=ax1)
plots.plot_sharing_cost({"every child alone": alone, "supernet + evaluation": sn_seconds}, ax=ax2);

# %% [markdown]
# **Expected result.** The supernet costs about as much as training a few children alone — more than ten times cheaper than training all 128 (the factor divides CPU seconds measured live on your machine by the table's, so it moves with the machine) — and ranks them roughly as well as *one epoch* of standalone training (τ between 0.25 and 0.5), clearly below 3 epochs. FAST trains it far too briefly to rank anything. Shared weights favour children that train well *together*, not necessarily the ones that are best alone (Bender et al. 2018); on NAS-Bench-201, **one-shot** methods (they train one supernet once and read every candidate's score from it, as here; DARTS in notebook 05 is one) were found to do poorly for this kind of reason.
#
# Now every proxy on one map: cost relative to full training against τ.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# class mode, SEED 0 / 1 / 2: τ 0.383 / 0.333 / 0.414; cost factor 32.1 / 30.1 / 34.5x (load 9; 37.8-40.6x at load 5,
# 31x and ≈ 50x on two other machines: it divides live CPU seconds by the table's)
claim("03 §6", "the supernet ranks about as well as one epoch (τ between 0.25 and 0.5)", sn_row["tau"], 0.25, 0.5)
claim("03 §6", "it is more than ten times cheaper than training all 128", alone / sn_seconds, low=10)

# %%
# One cost-vs-rank-correlation plot with every proxy, the supernet included
plots.plot_cost_vs_rank(rows[1:] + [sn_row], ceiling=rows[0]["tau"]);

# %% [markdown]
# **Q: what conclusion can we make?** Which proxies are *dominated* (another one is both cheaper and better)? Where would you put a search that has to rank a million architectures?

# %% [markdown]
# ## 7 · Successive halving against random search
#
# A proxy need not be one fixed budget. **Successive halving** (Jamieson & Talwalkar 2016; the inner loop of Hyperband, Li et al. 2018) gives $n$ candidates a small budget $r_{min}$, keeps the best $\lfloor n_i/\eta \rfloor$, multiplies the budget by $\eta$, and repeats; each round is a **rung**:
#
# $$n_i = \lfloor n / \eta^i \rfloor, \qquad r_i = r_{min}\,\eta^i \le r_{max}.$$
#
# Each rung costs about $n \cdot r_{min}$, so the whole schedule costs a few full trainings instead of $n$.

# %% [markdown]
# **Exercise 1 · Build it: successive halving's rungs.** Before naslab's searcher does it for you, write one run yourself: `my_successive_halving(lookup, candidates, eta, r_min, r_max)`. `lookup(candidate, epochs)` returns `{"val_acc", "test_acc", "seconds"}` for one evaluation. Starting with every candidate at $r_0 = r_{min}$ epochs:
#
# 1. evaluate each candidate of the rung at the rung's budget $r_i$ and add its `"seconds"` to the cost (every evaluation trains from scratch);
# 2. stop after the rung whose budget has reached $r_{max}$, or whose $\lfloor n_i/\eta \rfloor$ is 0;
# 3. otherwise keep the top $\lfloor n_i/\eta \rfloor$ by `"val_acc"`, best first (a tie goes to the candidate listed earlier in the rung), and set $r_{i+1} = \min(\eta\, r_i, r_{max})$.
#
# Return `(rungs, cost)`: `rungs[i]` is the list of candidates evaluated at rung $i$, `cost` the total seconds. `"test_acc"` is what a retrain reaches: a search must never choose with it. The check runs naslab's successive halving on the same lookups and compares the survivors and the cost.

# %%
# 27 candidates and the lookup a search may use (seed 0 of the table; test_acc is the truth, for reporting only)
cands = [bench.archs[i].key for i in np.random.default_rng(SEED).choice(bench.size, 27, replace=False)]


def observe(arch, epochs):
    r = bench.lookup(arch, fidelity=epochs, seed=0)
    return {"val_acc": r["val_acc"], "test_acc": float(true_acc[bench.index(arch)]), "seconds": r["seconds"]}


# %%
# Exercise 1: one run of successive halving (evaluate and charge a rung, keep the top 1/eta, raise the budget)
def my_successive_halving(lookup, candidates, eta, r_min, r_max):
    # BEGIN SOLUTION
    alive, rungs, cost, r = list(candidates), [], 0.0, r_min
    while True:
        r = min(r, r_max)                              # the budget of this rung, capped at r_max
        scores = []
        for c in alive:
            out = lookup(c, r)
            scores.append(out["val_acc"])              # choose by validation accuracy only
            cost += out["seconds"]                     # every evaluation trains from scratch: charge it
        rungs.append(list(alive))
        k = len(alive) // eta                          # floor(n_i / eta) survive
        if k < 1 or r >= r_max:
            return rungs, cost
        best_first = sorted(range(len(alive)), key=lambda j: (-scores[j], j))   # ties: the earlier one
        alive = [alive[j] for j in best_first[:k]]
        r *= eta
    # END SOLUTION


# %%
# Check 1: the same survivors and the same cost as naslab's successive halving, on the same lookups
with exercise(1):
    print(check_successive_halving(my_successive_halving, bench))
    mine, my_cost = my_successive_halving(observe, cands, 3, 1, 9)
    print(f"your run: {[len(r) for r in mine]} candidates per rung, {my_cost:.1f} simulated CPU s, "
          f"last rung {mine[-1]}")

# %% [markdown]
# Now the same method as naslab ships it. `SuccessiveHalving` is a searcher on the ask/tell interface of notebook 01: `ask()` proposes a candidate *with a fidelity*, and `run_search` calls `objective(candidate, fidelity)` — a lookup on the benchmark, or real training.

# %%
# naslab's version: the rungs for 27 candidates, eta = 3, budgets 1..9 epochs, and one run on the benchmark
print("rungs (candidates, epochs):", rung_schedule(27, 3, 1, 9))
sh = SuccessiveHalving(cands, eta=3, r_min=1, r_max=9)
trials = run_search(sh, bench.objective(seed=0), budget=1000)
for i, rung in enumerate(sh.history):
    print(f"rung {i}: {len(rung):>2} candidates x {sh.schedule[i][1]} epoch(s), best score {max(s for _, s in rung):.3f}")
best, score = sh.best()
print(f"returned {best} | truth (a retrain) {true_acc[bench.index(best)]:.3f} | best in the space {true_acc.max():.3f} | "
      f"simulated {sum(t.seconds for t in trials):.0f} CPU s for {len(trials)} evaluations")

# %%
# The same searcher, live: real training instead of lookups (a small run)
live = SuccessiveHalving(cands[:SH_LIVE_N], eta=3, r_min=1, r_max=9)
live_trials = run_search(live, live_objective(bench.space, data, seed=SEED), budget=100)
for t in live_trials:
    print(f"rung {t.info['rung']}: {t.config:>24} trained {t.fidelity} epoch(s) -> {t.score():.3f} "
          f"(table: {bench.lookup(t.config, t.fidelity)['val_acc']:.3f})")

# %% [markdown]
# Next we run both searchers over many seeds and compare their **anytime** performance: the true accuracy of what each search would return if it were stopped at each moment, plotted against simulated time.

# %%
MY_PREDICTION = None  # predict first: the true accuracy of what successive halving returns after one simulated second (a fraction, e.g. 0.8)

# %%
# Many seeds: what each searcher would return at each simulated time, judged by a retrain (seed 1)
cmp = compare_on_benchmark(bench, range(SH_SEEDS), n=27, eta=3, r_min=1, r_max=9)
ax = plot_anytime(cmp["curves"], x=cmp["times"], xlabel="simulated CPU seconds (log scale)", xscale="log",
                  ylabel="true accuracy of the returned architecture", spread="sem",
                  reference={"best in the space": true_acc.max()})   # the dotted line, named in the legend
ax.set_title(f"Successive halving (27 candidates, η = 3)\nvs random search, {SH_SEEDS} seeds");

# %% [markdown]
# **Expected result.** Successive halving finishes its whole schedule — 27 candidates looked at — for the price of about 10 full trainings (≈ 17 simulated seconds); random search has trained 9 architectures in the same time. SH is far ahead early (after one simulated second it already returns a ≈ 0.88 architecture, when random search has barely finished its first training) and, at the end of its schedule, not behind (the two are within half a point); given twice the time, random search catches up. SH's weak point is its first rung: with 1 epoch (τ ≈ 0.34 above) it sometimes throws away the eventual winner, which is why Hyperband hedges over several values of $r_{min}$.
#
# **Q: what conclusion can we make?** How would the picture change if the 1-epoch proxy had τ ≈ 0 on your problem? And if it had τ ≈ 1?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# these do not depend on SEED (the comparison runs search seeds 0..SH_SEEDS-1); class mode (100 seeds): after 1 s
# 0.885, SH minus random search at 17 s +0.0033 (standard error 0.0022), at the end 0.0015; FAST (10): 0.851, +0.010
# SEED 0 / 1 / 2: SH's schedule 10.04 / 9.91 / 10.35 full trainings (the candidates are drawn with SEED)
full_cost = bench.arrays["cpu_seconds"][:, 0, -1].mean()      # one full training, table seconds
t_of = {tt: int(np.searchsorted(cmp["times"], tt)) for tt in (1.0, 17.0)}
sh_curve, rs_curve = cmp["curves"]["successive halving"], cmp["curves"]["random search"]
claim("03 §7", "SH's whole schedule costs about 10 full trainings", sum(t.seconds for t in trials) / full_cost, 8, 12,
      fast="same")
claim("03 §7", "after one simulated second SH returns a ≈ 0.88 architecture", sh_curve[:, t_of[1.0]].mean(), low=0.85,
      predicted=MY_PREDICTION)
claim("03 §7", "at the end of its schedule SH is not behind (within half a point)",
      sh_curve[:, t_of[17.0]].mean() - rs_curve[:, t_of[17.0]].mean(), 0.0, 0.005)
claim("03 §7", "given twice the time, random search catches up",
      abs(sh_curve[:, -1].mean() - rs_curve[:, -1].mean()), high=0.01)

# %% [markdown]
# ## Explore
#
# Choose a proxy in the menu and its training budget with the slider: the left plot is that proxy against the truth, the right one places it (large dot) among all the others, the supernet included. Everything comes from the benchmark, so each redraw is instant.

# %%
# The proxy explorer: proxy and budget in, ranking quality and cost out
from naslab.proxies.widgets import proxy_explorer
proxy_explorer(bench, extra_rows=[sn_row])


# %% [markdown]
# ## Exercises
#
# **2. Kendall's τ by counting pairs.** Write `my_tau(a, b)` for two score lists without ties: count the concordant pairs $C$ (both lists order $i, j$ the same way) and the discordant ones $D$, and return $(C - D) / \binom{n}{2}$. Write your answer in the cell below and run the check (calling scipy's or naslab's τ does not count).

# %%
# Exercise 2: Kendall's tau = (C - D) / (n choose 2)
def my_tau(a, b):
    # BEGIN SOLUTION
    n, s = len(a), 0
    for i in range(n):
        for j in range(i + 1, n):
            s += np.sign(a[i] - a[j]) * np.sign(b[i] - b[j])   # +1 concordant, -1 discordant
    return s / (n * (n - 1) / 2)
    # END SOLUTION


# %%
# Check 2
with exercise(2):
    print(check_kendall_tau(my_tau))

# %% [markdown]
# **3. A proxy from the start of the learning curve, and its judge.** **Learning-curve extrapolation** (predicting where a training curve ends from its first epochs) is one more cheap estimate. Write two functions.
#
# `my_curve_proxy(curve)` gets only `curve`, the validation accuracies of one architecture after epochs 1, 2 and 3 (an array of 3 floats), and returns one float: a higher score must mean a better architecture. The plain last value `curve[-1]` is the 3-epoch proxy of section 2; invent something that uses the curve's shape, e.g. the last value plus a damped step of its slope, or a curve fitted to the three points and read at epoch 9.
#
# `my_judge(scores, truth, seconds)` returns a dict with
#
# - `"rho"`: Spearman's ρ by hand: rank each list (1 = lowest; tied values share their **average rank**, the mean of the positions they occupy), then take Pearson's correlation of the two lists of ranks;
# - `"top_overlap"`: the fraction of the true top $k$ found in the proxy's top $k$, with $k = \lfloor n/10 \rfloor$ (at least 1);
# - `"cost"`: the total of the seconds.
#
# The check compares your judge with reference statistics on random inputs, ties included (calling scipy's or naslab's rank functions does not count), then gives your proxy the first 3 epochs of every architecture and reports its ρ and top-10 % overlap beside the last value's. There is no bar to pass: did your invention beat the last value, and on which measure?

# %%
# Exercise 3: a proxy from the first 3 epochs of a learning curve, and the judge of any proxy
def my_curve_proxy(curve):
    # BEGIN SOLUTION
    gain = (curve[-1] - curve[0]) / (len(curve) - 1)    # the mean gain per epoch so far
    return float(curve[-1] + 0.5 * gain)                # the last value plus a damped step
    # END SOLUTION


def my_judge(scores, truth, seconds):
    # BEGIN SOLUTION
    def ranks(x):                                       # 1 = lowest; tied values share the mean of their positions
        x = np.asarray(x, dtype=float)
        r = np.empty(len(x))
        r[np.argsort(x)] = np.arange(1, len(x) + 1)
        for v in np.unique(x):
            r[x == v] = r[x == v].mean()
        return r

    def top(x):                                         # the positions of the k highest values
        return set(np.argsort(-np.asarray(x, dtype=float))[:k].tolist())

    k = max(1, len(scores) // 10)
    rho = np.corrcoef(ranks(scores), ranks(truth))[0, 1]    # Pearson's r of the ranks
    return {"rho": float(rho), "top_overlap": len(top(scores) & top(truth)) / k, "cost": float(np.sum(seconds))}
    # END SOLUTION


# %%
# Your proxy on every architecture (epochs 1-3 of seed 0), judged by your judge against the truth (a retrain)
with exercise(3):
    first = bench.arrays["val_acc"][:, 0, :CURVE_EPOCHS]          # (128, 3): the start of every curve
    for name, s in (("your curve proxy", [my_curve_proxy(c.copy()) for c in first]), ("last value", first[:, -1])):
        j = my_judge(np.array(s), true_acc, bench.cost(CURVE_EPOCHS))
        print(f"{name:<17} rho {j['rho']:.2f} | top-10 % overlap {j['top_overlap']:.0%} | {j['cost']:.0f} CPU s")

# %%
# Check 3: your judge against reference statistics (ties included), then your proxy on every architecture
with exercise(3):
    print(check_curve_proxy(my_curve_proxy, my_judge, bench))


# %% [markdown]
# **4. The bill of successive halving.** Write `sh_budget(n, eta, r_min, r_max)` that returns the total budget $\sum_i n_i r_i$ of one successive-halving run (use the rung rule of section 7, without naslab's schedule: stop when a rung holds one candidate or reaches $r_{max}$). Then answer: how many full trainings ($r_{max}$ each) is SH with $n = 81$, $\eta = 3$, $r_{min} = 1$, $r_{max} = 81$ worth?

# %%
# Exercise 4: the budget of successive halving, rung by rung
def sh_budget(n, eta, r_min, r_max):
    # BEGIN SOLUTION
    total, i = 0, 0
    while True:
        n_i, r_i = n // eta**i, min(r_min * eta**i, r_max)
        total += n_i * r_i
        if n_i // eta < 1 or r_i >= r_max:
            return total
        i += 1
    # END SOLUTION


with exercise(4):
    print(f"n = 81: {sh_budget(81, 3, 1, 81)} epochs = {sh_budget(81, 3, 1, 81) / 81:.0f} full trainings")

# %%
# Check 4
with exercise(4):
    print(check_sh_budget(sh_budget))

# %% [markdown]
# ## Summary
#
# - A proxy is judged by how it **ranks** architectures (Kendall τ, Spearman ρ, top-k overlap), not by how close its accuracy is to the final one — any increasing transform leaves the ranking unchanged.
# - Even full training has a **noise ceiling**: two seeds agree only to τ ≈ 0.6–0.7 here; a few epochs get close to it at a fraction of the cost, while very cheap proxies (1 epoch, 1/9 of the data) rank poorly.
# - Cost is what you measure on *your* hardware: narrower tiny models save little time on a CPU.
# - **Parameter sharing** is the cheapest way to score every architecture (more than ten times cheaper than training all of them here; section 6 measures the factor on your machine) and ranks them about as well as one epoch of standalone training; **scaling knobs** (N, F) let you search small and deploy big — but in our space the small ranking did not survive scaling *up*, while scaling *down* to half the channels kept it.
# - **Successive halving** spends small budgets on many candidates and large ones on few; you wrote its rungs, and on a tabular benchmark it can be compared with random search over many seeds in seconds.

# %% [markdown]
# ## Questionnaire
#
# 1. Define Kendall's τ. What values does it take for identical rankings, reversed rankings and unrelated ones?
# 2. Why is the ground truth in this notebook full training *with another seed*, and what is the "noise ceiling"?
# 3. Name four proxies and the knob each one turns. Which of them saved the most time on your CPU, and why did the narrower model save so little?
# 4. A proxy reports 40 % accuracy for an architecture that reaches 88 % after full training. Is the proxy bad?
# 5. What exactly is shared in a supernet, and why does an update through one child change another child?
# 6. In NASNet, what are N and F, and what does "search small, evaluate big" assume?
# 7. Write the rung sizes and budgets of successive halving for n = 27, η = 3, r from 1 to 9. What does the whole run cost in full trainings?
# 8. What does a tabular benchmark make possible that live training does not, and what does it cost to build one?

# %% [markdown]
# ## Further reading
#
# - T. Elsken, J. H. Metzen, F. Hutter. *Neural Architecture Search: A Survey.* JMLR 20(55), 2019 — the section on performance estimation strategies (lower fidelities, learning-curve extrapolation, weight inheritance, one-shot models).
# - B. Zoph, V. Vasudevan, J. Shlens, Q. V. Le. *Learning Transferable Architectures for Scalable Image Recognition* (NASNet). CVPR 2018, arXiv:1707.07012 — §3 (cells, the N and F knobs) and Appendix A (the 20-epoch, N = 2 search proxy).
# - H. Pham, M. Guan, B. Zoph, Q. V. Le, J. Dean. *Efficient Neural Architecture Search via Parameter Sharing* (ENAS). ICML 2018, arXiv:1802.03268 — §2 (the shared DAG and the alternating training).
# - L. Li, A. Talwalkar. *Random Search and Reproducibility for Neural Architecture Search.* UAI 2019, arXiv:1902.07638 — random search with weight sharing, and ASHA as a baseline.
# - K. Jamieson, A. Talwalkar. *Non-stochastic Best Arm Identification and Hyperparameter Optimization.* AISTATS 2016 — successive halving; L. Li et al. *Hyperband.* JMLR 2018, arXiv:1603.06560 — brackets over $r_{min}$.
# - X. Dong, Y. Yang. *NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture Search.* ICLR 2020, arXiv:2001.00326 — a tabular benchmark, and how one-shot methods rank on it.
# - G. Bender, P.-J. Kindermans, B. Zoph, V. Vasudevan, Q. Le. *Understanding and Simplifying One-Shot Architecture Search.* ICML 2018 — when shared-weight rankings can be trusted.
