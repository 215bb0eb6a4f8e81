# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Net2Net: growing networks without forgetting
#
# We grow a trained network wider and deeper while it keeps computing *exactly* the same function, then
# use these growth moves as the actions of an architecture search (EAS) whose children inherit their parents' weights.
#
# **Time**: reading ≈ 14 min · class mode ≈ 0.8–1.0 min on a 2-core CPU · FAST ≈ 11 s.
# **Prerequisites**: [00 · Welcome](00_welcome.ipynb) (datasets, `train`), [02 · REINFORCE controller](02_reinforce_controller.ipynb)
# (policy gradient with a baseline), [03 · Proxy evaluation](03_proxy_evaluation.ipynb) (why cheap evaluation matters).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - derive **Net2WiderNet** (the random mapping $g$, the division by the replica count) and **Net2DeeperNet**
#   (identity initialisation), and check numerically that both preserve the function;
# - say when an inserted identity layer is exact — an idempotent activation $\varphi(\varphi(v)) = \varphi(v)$, an odd kernel
#   with same padding, a BatchNorm calibrated on real data — and why train mode differs from eval mode;
# - compare a Net2Net student with a random-padding student, the same shape trained from scratch and the teacher
#   trained on, and explain the curves;
# - run an EAS-style search whose actions are Net2Net moves, read its growth tree, and count what weight inheritance
#   saves compared with training every child from scratch.

# %%
# Setup: plots inline, the naslab imports, the seed and the device
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import naslab
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.data import load_dataset
from naslab.exercise import exercise
from naslab.net2net import plots
from naslab.net2net.checks import check_identity_kernel, check_widen_conv_linear
from naslab.net2net.checks_bn import check_widen_bn
from naslab.net2net.curves import teacher_student_curves
from naslab.net2net.deeper import identity_conv, validate_idempotent
from naslab.net2net.eas import EASConfig, run_eas, scratch_baseline
from naslab.net2net.layers import widen_pair
from naslab.net2net.network import deepen_layer, describe, growth_report, make_plain_net, widen_layer
from naslab.net2net.preservation import measure_preservation
from naslab.net2net.widgets import draw_net2net, net2net_panel
from naslab.train import TrainConfig, train
from naslab.utils import Timer, count_params, get_device, seed_everything, set_threads

set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)
print(f"naslab {naslab.__version__} · torch {torch.__version__} · device {get_device('auto')} · {mode_name()} mode")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0
DATASET = "mnist1d"                              # separates small from big conv nets (digits saturates near 97 %)
TEACHER_ARCH = "conv-4-3 pool conv-4-3 pool fc-8"  # EAS-style tokens: 4 filters of width 3, max-pool, 8 units
TEACHER_STEPS = budget(full=1000, fast=150)      # Adam updates of the teacher (lr 1e-2)
PLAN = [("widen", 0, 16), ("widen", 1, 16), ("widen", 2, 32), ("deepen", 1)]  # teacher -> student
STUDENT_STEPS = budget(full=400, fast=60)        # updates of every student and of the teacher trained on
STUDENT_LR = 1e-3                                # teacher lr / 10, the Keras example's advice
EVAL_EVERY = budget(full=25, fast=20)            # validation accuracy every this many updates
NOISE = 0.03                                     # symmetry-breaking noise of the Net2Net student
EPISODES = budget(full=5, fast=2)                # EAS episodes, one REINFORCE update each
CHILDREN = budget(full=4, fast=2)                # children per episode
CHILD_STEPS = budget(full=60, fast=15)           # training of each child, from inherited weights
CHILD_LR = 3e-3                                  # Adam lr of the children (short training: teacher lr / 3)
N_SCRATCH = budget(full=2, fast=1)               # children retrained from scratch for the cost comparison

# %% [markdown]
# ## Recap
#
# - **01**: every trial of grid or random search is a full training run; random search wins when few hyper-parameters matter.
# - **02**: a REINFORCE controller samples architectures token by token, rewarded by validation accuracy, with an EMA
#   baseline $b$ to reduce the variance of $\nabla J \approx (R-b)\,\nabla \log p(a)$.
# - **03**: training each candidate from scratch is the bottleneck; proxies (fewer epochs, less data, shared weights)
#   buy speed with fidelity.
#
# This notebook adds another way to make evaluation cheap: each new network **inherits** its parent's knowledge through a
# **function-preserving** transformation (the bigger network computes exactly what the smaller one did), so it starts
# where the parent stopped.

# %% [markdown]
# ## 1 · Net2WiderNet: more units, same function
#
# Take a hidden layer with $n$ units, $h = \varphi(W^{(i)}x + b)$, read by the next layer $y = W^{(i+1)}h$
# (PyTorch stores weights as `(out, in)`, so **rows** are a unit's incoming weights and **columns** its outgoing ones).
# To widen it to $q > n$ units, Chen, Goodfellow & Shlens (2016) draw a random mapping
#
# $$
# g(j) = \begin{cases} j & j \le n \\ \text{uniform sample from } \{1,\dots,n\} & j > n \end{cases}
# $$
#
# and set
#
# $$
# U^{(i)}_{j,\cdot} = W^{(i)}_{g(j),\cdot}, \qquad c_j = b_{g(j)}, \qquad
# U^{(i+1)}_{\cdot,j} = \frac{W^{(i+1)}_{\cdot,g(j)}}{\lvert\{x : g(x) = g(j)\}\rvert}.
# $$
#
# New unit $j$ computes exactly what unit $g(j)$ computes, and every member of a replica group (the original included)
# sends a share $1/\text{count}$ of the old outgoing weight, so the next layer receives
# $\sum_j U^{(i+1)}_{\cdot,j} h_{g(j)} = \sum_i \text{count}_i \cdot \frac{W^{(i+1)}_{\cdot,i}}{\text{count}_i} h_i = W^{(i+1)} h$.
# Nothing here depends on $\varphi$: widening works for **any** element-wise activation.
#
# The same holds for convolutions with "unit" = output channel; for **Conv → Flatten → Linear** channel $i$ owns $s$
# consecutive inputs of the Linear layer; a **BatchNorm** between the layers is remapped with the same $g$
# ($\gamma, \beta$, running mean and variance).

# %%
# Build: Net2WiderNet by hand on a tiny Linear -> ReLU -> Linear pair (n = 3 units -> q = 5)
seed_everything(SEED)
W1, b1, W2 = torch.randn(3, 4), torch.randn(3), torch.randn(2, 3)  # (n, d), (n,), (p, n)
g = torch.tensor([0, 1, 2, 1, 1])                                  # new units 3 and 4 copy unit 1
count = torch.bincount(g, minlength=3)                             # replica group sizes: [1, 3, 1]
U1, c1 = W1[g], b1[g]                                              # copy incoming weights and biases
U2 = W2[:, g] / count[g]                                           # share each outgoing column in its group
x = torch.randn(8, 4)
before = torch.relu(x @ W1.T + b1) @ W2.T
after = torch.relu(x @ U1.T + c1) @ U2.T
print(f"replica counts {count.tolist()} · max |after - before| = {(after - before).abs().max():.1e}")

# %%
# Check: naslab's widen_pair gives the same matrices (it also handles convs, flatten and BatchNorm)
a, b = nn.Linear(4, 3), nn.Linear(3, 2)
with torch.no_grad():
    a.weight.copy_(W1), a.bias.copy_(b1), b.weight.copy_(W2), b.bias.zero_()
w = widen_pair(a, b, 5, g=g)
assert torch.allclose(w.layer.weight, U1) and torch.allclose(w.layer.bias, c1)
assert torch.allclose(w.next_layer.weight, U2)
"by hand == naslab"

# %% [markdown]
# **Expected result**: a difference of about $10^{-7}$ (float32 rounding), never more than $10^{-5}$.
#
# **Q: what conclusion can we make?** What would go wrong if we forgot the division, or divided only the *new*
# replica's column?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# SEED 0 / 1 / 2 (this cell re-run per seed): 4.8e-7 / 4.8e-7 / 1.2e-7
claim("04 §1", "widening by hand changes the output by float32 rounding only (<= 1e-5)",
      (after - before).abs().max(), high=1e-5, fast="same")

# %% [markdown]
# ## 2 · Net2DeeperNet: a new layer that starts as the identity
#
# Net2DeeperNet replaces $h = \varphi(W x)$ by $h' = \varphi\big(U\,\varphi(W x)\big)$ with $U = I$ at initialisation.
# With $v = Wx$ this is exact for every input only if
#
# $$
# \varphi(I\,\varphi(v)) = \varphi(\varphi(v)) = \varphi(v) \quad \text{for all } v,
# $$
#
# i.e. $\varphi$ is **idempotent**. ReLU is: $\max(0, \max(0, v)) = \max(0, v)$. tanh is not: $\tanh(\tanh(1)) = 0.64 \ne 0.76$.
#
# - **Linear**: $U = I$, bias 0.
# - **Convolution**: the kernel is 0 everywhere except the *centre tap*, where input channel $c$ maps to output channel $c$
#   with weight 1. That needs an **odd** kernel, padding $(k-1)/2$ ("same") and stride 1. An even kernel has no centre
#   tap, and symmetric padding $k/2$ makes the output one pixel longer: $L + 2\cdot\tfrac{k}{2} - k + 1 = L + 1$.
# - **BatchNorm** in the new block must be the identity too. With $\mu, \sigma^2$ the per-channel mean and variance of
#   real data reaching it, set running mean $=\mu$, running var $=\sigma^2$, $\gamma = \sqrt{\sigma^2+\epsilon}$,
#   $\beta = \mu$; then $\gamma\,\frac{x-\mu}{\sqrt{\sigma^2+\epsilon}} + \beta = x$ for every $x$ — in **eval** mode.

# %%
# The activation condition: phi(phi(v)) against phi(v), for ReLU and tanh
plots.plot_idempotence({"ReLU": torch.relu, "tanh": torch.tanh});

# %%
# naslab refuses the cases where an identity layer would change the function, and says why
attempts = {
    "tanh network": lambda: deepen_layer(nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)), 0),
    "even kernel": lambda: identity_conv(4, kernel_size=2, dim=1),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except ValueError as e:
        print(f"{name}: ValueError: {e}\n")

# %% [markdown]
# **Q: what conclusion can we make?** Which of ReLU6, LeakyReLU, Hardtanh and GELU allow Net2DeeperNet?
# (Try `validate_idempotent(nn.ReLU6())` and friends.) Why does widening not care?

# %% [markdown]
# ## 3 · A real teacher, grown and checked
#
# The teacher is a plain conv net on MNIST-1D, written in EAS's layer tokens. `make_plain_net` turns tokens into an
# `nn.Sequential` with BatchNorm after every hidden layer; `widen_layer(model, k, q)` and `deepen_layer(model, k)` grow
# hidden layer $k$ (the $k$-th Linear / Conv) and return a new network, leaving the teacher untouched.

# %%
# Train the teacher: a deliberately small conv net (it plateaus well below what the data allows)
data = load_dataset(DATASET)
seed_everything(SEED)
teacher = make_plain_net(data.input_shape, data.num_classes, TEACHER_ARCH, bn=True)
with Timer() as t:
    res = train(teacher, data, TrainConfig(optimizer="adam", lr=1e-2, max_steps=TEACHER_STEPS, epochs=50, seed=SEED))
print(f"teacher {describe(teacher)}: {count_params(teacher)} params, val acc {res.val_acc:.3f} ({t.seconds:.1f} s)")

# %%
# Grow it by the plan (no noise) and compare outputs on 256 validation signals, in eval and in train mode
X_check = data.X_val[:256]
student = teacher
for step in PLAN:
    student = widen_layer(student, step[1], step[2]) if step[0] == "widen" else deepen_layer(student, step[1], X=data.X_train[:64])
print(growth_report(teacher, student))
pres = measure_preservation(teacher, student, X_check)
print(pres)

# %% [markdown]
# **Expected result**: in eval mode the max difference is a few $10^{-6}$ up to about $2\cdot 10^{-5}$: float32 rounding,
# about $10^{-6}$ *relative* to the largest logit (≈ 35 for a trained net; the division by the replica count is not
# exact in binary). In train mode it is much larger: the inserted BatchNorm normalises with the *batch's* statistics, not with the calibration batch's
# $\mu, \sigma^2$ (and the teacher's own BatchNorms switch to batch statistics too). Training adapts quickly; the
# function-preservation promise is an *eval-mode* promise.
#
# Below, the weight matrices that change when we widen the fully-connected layer 2 (8 → 12 units; its input is the
# flattened conv output) and when we deepen after conv layer 1 (a conv weight $(C, C, k)$ is drawn as $C \times Ck$:
# the identity shows up as one lit centre tap per row). Orange frames mark what Net2Net added; the tick labels
# `j=i` say that new unit $j$ copies unit $g(j) = i$.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# SEED 0 / 1 / 2 (teacher cell and this section re-run per seed): eval 1.34e-5 / 1.29e-5 / 1.14e-5,
# train 2.4 / 3.5 / 4.0 (train / eval 1.8e5 to 3.5e5)
claim("04 §3", "eval mode: max difference up to about 2e-5 (float32 rounding)", pres.max_abs["eval"], high=5e-5,
      fast="same")
claim("04 §3", "train mode: the difference is much larger (>= 100x eval)",
      pres.max_abs["train"] / max(pres.max_abs["eval"], 1e-12), low=100, fast="same")

# %%
# Before / after: widen layer 2 (fc 8 -> 12); the title reports the numeric check
fig = plt.figure(figsize=(10, 5.4), layout="constrained")
draw_net2net(fig, teacher.eval(), X_check, layer=2, extra_units=4, operation="widen");

# %%
# Before / after: deepen after conv layer 1 (identity kernel of width 3)
fig = plt.figure(figsize=(10, 5.4), layout="constrained")
draw_net2net(fig, teacher, X_check, layer=1, operation="deepen", kernel_size=3);

# %% [markdown]
# **Q: what conclusion can we make?** The student has many more parameters than the teacher but the *same* outputs.
# What has it gained, then — and what must happen before it can do better than the teacher?

# %% [markdown]
# ## 4 · Does the student learn faster?
#
# We train four networks for the same number of updates, starting right after the growth:
#
# | curve | starts from |
# |---|---|
# | **teacher** | the trained teacher, trained on (no growth) |
# | **net2net** | the Net2Net student of the plan, with a little noise (`NOISE`) to break the symmetry between replicas |
# | **random pad** | the same student shape: teacher weights kept, new units and the new layer initialised at random |
# | **scratch** | the same student shape, every weight re-initialised |
#
# Without noise, replicas receive identical gradients and stay identical forever, so the wider layer would never use
# its extra units. The students use a learning rate 10× below the teacher's: a large step would throw away what was
# inherited.

# %% [markdown]
# **What the literature reports.** Chen et al. (2016) grew Inception-BN networks on ImageNet: the Net2Net students
# started at the teacher's accuracy and reached a given accuracy faster than random-padding and from-scratch students,
# ending at a similar final accuracy. The official Keras reproduction on MNIST (validation loss after epochs 1, 2, 3;
# students at lr/10) finds the same ordering, with small gaps:
#
# | model | epoch 1 | epoch 2 | epoch 3 |
# |---|---|---|---|
# | teacher | 0.075 | 0.041 | 0.041 |
# | wider, random pad | 0.036 | 0.034 | 0.032 |
# | wider, Net2Wider | 0.032 | 0.030 | 0.030 |
# | deeper, random init | 0.061 | 0.043 | 0.041 |
# | deeper, Net2Deeper | 0.032 | 0.031 | 0.029 |

# %%
# Train the four networks for STUDENT_STEPS updates each (validation accuracy every EVAL_EVERY updates)
with Timer() as t:
    curves = teacher_student_curves(teacher, data, PLAN, steps=STUDENT_STEPS, lr=STUDENT_LR, noise=NOISE,
                                     cfg=TrainConfig(optimizer="adam"), eval_every=EVAL_EVERY, seed=SEED)
print(f"{len(curves) - 1} curves in {t.seconds:.1f} s; student: {describe(curves['models']['net2net'])}")

# %%
# Plot the curves and tabulate them at a few points
plots.plot_student_curves(curves, title=f"{DATASET}: teacher {TEACHER_ARCH} grown by {len(PLAN)} moves")
steps = curves["teacher"]["steps"]
picks = sorted({1, len(steps) // 4, len(steps) // 2, len(steps) - 1})
print("updates    " + "".join(f"{steps[i]:>8}" for i in [0, *picks]))
for name in ["teacher", "net2net", "random pad", "scratch"]:
    print(f"{name:<11}" + "".join(f"{curves[name]['val_acc'][i]:>8.3f}" for i in [0, *picks]))

# %% [markdown]
# **What we observe** (class mode):
#
# - the **net2net** curve starts exactly at the teacher's accuracy (up to the small noise) and climbs slowly;
# - **random pad** starts near chance: one randomly initialised layer is enough to destroy what the teacher computed,
#   and it needs hundreds of updates to recover;
# - **scratch** starts at chance too, but the student *shape* is much better than the teacher's: on this small dataset
#   after 100 updates the Net2Net student is still far ahead, but scratch overtakes it later and ends higher;
# - the **teacher** trained on gains only a few points: it has plateaued, which is why we grew it.
#
# So here Net2Net's gift is a **head start**, not a better final network. That differs from the ImageNet result of the
# paper (same final accuracy, reached sooner): our teacher is tiny, the student stays close to the teacher's solution
# at a small learning rate, and a fresh network trains fast on 3,200 signals. The head start is exactly what a search
# needs when it can afford only a short training per candidate, as the next section does.
#
# **Q: what conclusion can we make?** When would you rather pay for training from scratch? Look at where the scratch
# curve crosses the Net2Net curve and compare with `CHILD_STEPS` below. Then set `STUDENT_LR = 1e-2` and rerun the two
# cells: what happens to the Net2Net curve in its first 25 updates, and why?


# %%
# Check what we observe above: each claim prints whether it holds in this run (naslab.claims)
# class mode, SEED 0 / 1 / 2: |net2net - teacher| at the start 0 / 0.025 / 0.016; random pad starts at 0.099 / 0.085 /
# 0.126, scratch at 0.105 / 0.086 / 0.103; net2net minus scratch after 100 updates 0.30 / 0.26 / 0.23; scratch minus
# net2net at the end 0.021 / 0.080 / 0.100; the teacher's gain 0.019 / 0.028 / 0.030
acc = {name: curves[name]["val_acc"] for name in ["teacher", "net2net", "random pad", "scratch"]}
steps = curves["teacher"]["steps"]
at_100 = min(int(np.searchsorted(steps, 100)), len(steps) - 1)      # the first evaluation at >= 100 updates
claim("04 §4", "the net2net curve starts at the teacher's accuracy (within 0.03)",
      abs(acc["net2net"][0] - acc["teacher"][0]), high=0.03, fast="same")
claim("04 §4", "random pad starts near chance (at most 0.3; chance is 0.1)", acc["random pad"][0], high=0.3,
      fast="same")
claim("04 §4", "scratch starts near chance too (at most 0.3)", acc["scratch"][0], high=0.3, fast="same")
claim("04 §4", "after 100 updates the Net2Net student is ahead of scratch", acc["net2net"][at_100] - acc["scratch"][at_100],
      low=0.05)
claim("04 §4", "scratch ends higher than the Net2Net student", acc["scratch"][-1] - acc["net2net"][-1], low=0.01)
claim("04 §4", "the teacher trained on gains only a few points (at most five)", acc["teacher"][-1] - acc["teacher"][0],
      high=0.05)

# %% [markdown]
# ## 5 · Search by network transformation (EAS)
#
# Cai et al. (AAAI 2018) turn Net2Net moves into the action space of an RL search:
#
# - **state**: the current network, as a sequence of layer tokens (`conv-8-3`, `pool`, `fc-32`, …);
# - **meta-controller**: a bidirectional LSTM reads the tokens; a **Net2Wider actor** (one shared sigmoid per layer)
#   decides for *each* layer whether to widen it to the next size of a width grid; a **Net2Deeper actor** picks where to
#   insert an identity layer and, for a conv, its kernel size in $\{1, 3, 5\}$;
# - **evaluation**: each child inherits its parent's weights and trains only briefly;
# - **reward** $R = \tan(\text{acc}\cdot\pi/2)$, which stretches the last points of accuracy; **REINFORCE** with the EMA
#   baseline and the loss of notebook 02 (`naslab.controller.reinforce.EMABaseline`, `reinforce_loss`).
#
# | | EAS code (CIFAR-10) | here (MNIST-1D, CPU) |
# |---|---|---|
# | children per episode / episodes | 10 / 15 | `CHILDREN` / `EPISODES` |
# | actions per child | 4 wider + 5 deeper | 1 wider + 1 deeper |
# | child training | 20 epochs (SGD, lr 0.02, cosine) | `CHILD_STEPS` Adam updates at `CHILD_LR` |
# | children grow from | the fixed start network | the best network so far (`grow_from="best"`) |

# %% [markdown]
# Beside it run two controls with the same seed: **random** (the same decisions drawn uniformly, never learning; the EAS
# code's `random=True`) and **no growth** (the children only train on), which tells how much progress is merely extra
# training. All three start from our trained teacher.

# %%
MY_PREDICTION = None  # predict first: how many points of accuracy growing adds over no growth (best network, e.g. 0.02)

# %%
# Run EAS, the random-transformation baseline and the no-growth control from the same start network
cfg = EASConfig(start_arch=TEACHER_ARCH, episodes=EPISODES, children=CHILDREN, child_steps=CHILD_STEPS,
                child_lr=CHILD_LR, root_steps=TEACHER_STEPS)
runs, searchers = {}, {}
for name, policy in [("EAS (RL)", "rl"), ("random", "random"), ("no growth", "none")]:
    with Timer() as t:
        runs[name], searchers[name] = run_eas(data, cfg, policy=policy, seed=SEED, start=teacher)
    best = max(runs[name], key=lambda tr: tr.score())
    print(f"{name:<10} {len(runs[name])} networks in {t.seconds:5.1f} s · best {best.score():.3f}: {best.config['arch']}")

# %%
# Accuracy over transformation steps: every child (dots) and the best so far (line)
plots.plot_eas_progress(runs);

# %%
# The growth trees: who grew from whom (thick: the path to the best network)
plots.plot_growth_trees({"EAS (RL meta-controller)": runs["EAS (RL)"], "random transformations": runs["random"]});
# one colour scale for both trees: the same colour is the same accuracy

# %%
# What the meta-controller did: mean reward, baseline and policy entropy per episode (one update each)
for h in searchers["EAS (RL)"].history:
    print(f"episode {h['episode']}: mean reward {h['reward']:.2f}, baseline {h['baseline']:.2f}, "
          f"entropy {h['entropy']:.2f}, grew from network {h['parent']}")

# %% [markdown]
# **Cost.** A child's weights carry all the training of its ancestors: `lineage_steps` counts it. Evaluating every child
# *from scratch* at the same total training would cost the sum of the lineages; EAS paid only `CHILD_STEPS` per child.
# We retrain the `N_SCRATCH` best children from scratch with their lineage budget to see what that buys.

# %%
# Cost in training updates: inherited weights vs training every child from scratch to the same point
eas = runs["EAS (RL)"]
children = [tr for tr in eas if tr.parent is not None]
paid = sum(tr.metrics["steps"] for tr in children)
scratch_all = sum(tr.metrics["lineage_steps"] for tr in children)
plots.plot_eas_cost({"EAS: inherited weights": paid, "every child from scratch": scratch_all})
print(f"{len(children)} children: {paid:,} updates with inheritance vs {scratch_all:,} from scratch "
      f"({scratch_all / paid:.1f}x)")

# %%
# Retrain the best few children from scratch with their full lineage budget
top = sorted(children, key=lambda tr: -tr.score())[:N_SCRATCH]
with Timer() as t:
    redo = {}
    for tr in top:  # one line per retrained child: each takes a while
        redo.update(scratch_baseline(eas, data, cfg, ids=[tr.trial_id], seed=SEED))
        print(f"retrained network {tr.trial_id} from scratch: {redo[tr.trial_id]['val_acc']:.3f}")
print(f"{'network':<8}{'inherited':>10}{'scratch':>9}{'updates':>9}   architecture")
for tr in top:
    r = redo[tr.trial_id]
    print(f"{tr.trial_id:<8}{tr.score():>10.3f}{r['val_acc']:>9.3f}{r['steps']:>9}   {tr.config['arch']}")
print(f"retraining {len(top)} children took {t.seconds:.1f} s (the whole EAS run: {sum(x.seconds for x in eas):.1f} s)")

# %% [markdown]
# **Expected result** (class mode): growing beats not growing by one to eight points (the start network is too
# small, and extra training alone does not fix that). With only `EPISODES` REINFORCE updates the meta-controller has
# barely moved from its initial, almost uniform policy, so EAS and random transformations are indistinguishable here:
# their best networks are within two points (same seed, same random numbers: as long as the policy stays close to
# uniform they even pick the same children). Training every child from scratch to the same point would cost 10 to 40
# times more updates. But a child retrained from scratch with its whole lineage budget (and the teacher's larger
# learning rate) ends clearly *higher* than its inherited-weight version, by at least three points on average:
# inheritance is a cheap, pessimistic **estimate** of how good an architecture is, like the proxies of notebook 03.
# A search needs the *ranking* of its children to be right, not their final accuracy; the network it picks is then
# trained properly.
#
# **Q: what conclusion can we make?** What would have to change for the RL meta-controller to beat random
# transformations? (Think of the number of updates, the reward's noise, and the 10 children × 15 episodes of the EAS code.)


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# SEED 0 / 1 / 2 (class mode, re-run 2026-12-06 with the same values): growth ahead of no growth by 0.054 / 0.016 / 0.020
# (best EAS 0.921 / 0.840 / 0.799, random 0.921 / 0.846 / 0.806, no growth 0.868 / 0.830 / 0.786; earlier class-mode
# runs of this notebook: 1.0, 1.7, 4.0, 5.4 points); scratch / paid 19.7 / 19.5 / 18.7; retrained from scratch minus
# inherited (mean of the 2 best) 0.057 / 0.101 / 0.107; |best EAS - best random| 0.000 / 0.006 / 0.007
best_of = {name: max(tr.score() for tr in trials_) for name, trials_ in runs.items()}
claim("04 §5", "growing beats not growing by one to eight points (best of EAS and random minus no growth)",
      max(best_of["EAS (RL)"], best_of["random"]) - best_of["no growth"], 0.01, 0.08, predicted=MY_PREDICTION)
claim("04 §5", "EAS and random transformations are indistinguishable (best networks within two points)",
      abs(best_of["EAS (RL)"] - best_of["random"]), high=0.02)
claim("04 §5", "training every child from scratch costs 10 to 40 times more updates", scratch_all / paid, 10, 40)
claim("04 §5", "a child retrained from scratch with its lineage budget ends higher than inherited",
      sum(redo[tr.trial_id]["val_acc"] - tr.score() for tr in top) / len(top), low=0.03)

# %% [markdown]
# ## Explore
#
# Grow one layer of the trained teacher: choose **extra units** (widen), the **layer** $k$, the **operation**, some
# **noise**, and the **kernel** of an inserted conv. The figure shows the matrices before and after and the measured
# output difference. Try: noise > 0 (the difference is no longer $10^{-7}$); deepen after the fc layer (a plain identity
# matrix); widen layer 1, a conv read by the flatten (each channel owns 10 columns of $W_2$).

# %%
# The Net2Net explorer on the trained teacher (the first slider is the number of extra units)
net2net_panel(teacher.eval(), X_check)


# %% [markdown]
# ## Exercises
#
# **1. Net2WiderNet through a BatchNorm, on modules.** Section 1 widened bare matrices; a real block has a BatchNorm
# between its layers. Write `my_widen_bn(fc1, bn, fc2, g)` for `Linear(d, n) → BatchNorm1d(n) → ReLU → Linear(n, p)`:
# return three **new** modules `(fc1', bn', fc2')` with $q$ = `len(g)` units that compute the same function in eval
# mode. Every per-unit entry of the BatchNorm (γ, β, running mean, running variance) must follow its unit through
# $g$; the old modules stay untouched, and naslab's own Net2Net functions are off limits. The check compares the
# outputs on random blocks whose BatchNorm has already seen data.

# %%
# Exercise 1: Net2WiderNet for Linear -> BatchNorm1d -> ReLU -> Linear, returning new modules
def my_widen_bn(fc1, bn, fc2, g):
    # BEGIN SOLUTION
    n, q = fc1.out_features, len(g)
    count = torch.bincount(g, minlength=n).to(fc2.weight.dtype)          # (n,) replicas per unit
    new1, new_bn = nn.Linear(fc1.in_features, q), nn.BatchNorm1d(q, eps=bn.eps, momentum=bn.momentum)
    new2 = nn.Linear(q, fc2.out_features)
    with torch.no_grad():
        new1.weight.copy_(fc1.weight[g])                                   # (q, d): copy incoming rows
        new1.bias.copy_(fc1.bias[g])
        for name in ("weight", "bias", "running_mean", "running_var"):     # every per-unit BatchNorm entry
            getattr(new_bn, name).copy_(getattr(bn, name)[g])
        new2.weight.copy_(fc2.weight[:, g] / count[g])                     # (p, q): share each column in its group
        new2.bias.copy_(fc2.bias)                                          # added once per output: unchanged
    return new1, new_bn.eval(), new2
    # END SOLUTION


# %%
# Check 1
with exercise(1):
    print(check_widen_bn(my_widen_bn))


# %% [markdown]
# **2. Support a new layer pair: Conv1d → Flatten → Linear.** After a flatten, channel $i$ of a conv output with $s$
# positions feeds inputs $i s, \dots, i s + s - 1$ of the Linear layer. Write `my_widen_conv_linear(W1, b1, W2, g, s)`
# with `W1` $(n, c, k)$, `W2` $(p, n s)$ that returns `U1` $(q, c, k)$, `c1` $(q,)$ and `U2` $(p, q s)$.

# %%
# Exercise 2: Net2WiderNet for Conv1d -> Flatten -> Linear
def my_widen_conv_linear(W1, b1, W2, g, s):
    # BEGIN SOLUTION
    n = W1.shape[0]
    count = torch.bincount(g, minlength=n).to(W2.dtype)
    U2 = W2.reshape(W2.shape[0], n, s)[:, g] / count[g].view(1, -1, 1)  # (p, q, s): copy, divide by channel
    return W1[g], b1[g], U2.reshape(W2.shape[0], -1)
    # END SOLUTION


# %%
# Check 2
with exercise(2):
    print(check_widen_conv_linear(my_widen_conv_linear))

# %% [markdown]
# **3. Why an even kernel cannot be an identity.** Write `my_identity_kernel(channels, k)` returning the weight
# $(C, C, k)$ of a `Conv1d(C, C, k, padding=k // 2)` that computes the identity, and raising `ValueError` for an even
# `k`. The cell before it shows what goes wrong with $k = 2$.

# %%
# What goes wrong with k = 2: symmetric padding 1 makes the output one step longer, and no tap is the centre
x = torch.arange(6.0).view(1, 1, 6)
for w in ([1.0, 0.0], [0.0, 1.0]):
    y = nn.functional.conv1d(x, torch.tensor(w).view(1, 1, 2), padding=1)
    print(f"kernel {w}: input {x.flatten().tolist()} -> output {y.flatten().tolist()} (length {y.shape[-1]})")


# %%
# Exercise 3: the identity kernel of a Conv1d (a ValueError for an even k)
def my_identity_kernel(channels, k):
    # BEGIN SOLUTION
    if k % 2 == 0:
        raise ValueError(f"k={k} is even: no centre tap, and padding k//2 changes the length")
    w = torch.zeros(channels, channels, k)
    w[range(channels), range(channels), k // 2] = 1.0  # a 1 at the centre tap of each channel's own filter
    return w
    # END SOLUTION


# %%
# Check 3
with exercise(3):
    print(check_identity_kernel(my_identity_kernel))

# %% [markdown]
# ## Summary
#
# - **Net2WiderNet** copies units through a random mapping $g$ and divides their outgoing weights by the replica count;
#   a BatchNorm in between is remapped with the same $g$. It works with any element-wise activation.
# - **Net2DeeperNet** inserts an identity layer: exact only after an idempotent activation ($\varphi\circ\varphi=\varphi$:
#   ReLU yes, tanh no), with an odd kernel and same padding for convs, and a BatchNorm calibrated on real data
#   (exact in eval mode, approximate in train mode).
# - Replicas must be perturbed (noise) or they stay identical; students train best with a smaller learning rate.
# - A Net2Net student gives a **head start**; on small data a network trained from scratch catches up.
# - **EAS** uses these moves as RL actions: children inherit weights and train briefly, which makes each evaluation
#   about an order of magnitude cheaper — an estimate, like any proxy.

# %% [markdown]
# ## Questionnaire
#
# 1. Write the Net2WiderNet update for the outgoing weights. Why divide *every* replica's column, the original included?
# 2. Why does widening work with tanh while deepening does not?
# 3. Give the identity kernel of a `Conv2d(3, 3, 3, padding=1)`. Why must the kernel size be odd?
# 4. How is an inserted BatchNorm set to the identity, and why is the student exact in eval mode but not in train mode?
# 5. What happens to exact replicas during training if no noise is added?
# 6. Why does the random-padding student start near chance accuracy in our plan?
# 7. In EAS, what is the state, what are the actions, and what is the reward?
# 8. What does `lineage_steps` measure, and how does it turn into the cost comparison of section 5?

# %% [markdown]
# ## Further reading
#
# - T. Chen, I. Goodfellow, J. Shlens. *Net2Net: Accelerating Learning via Knowledge Transfer.* ICLR 2016
#   (arXiv:1511.05641) — the Net2WiderNet and Net2DeeperNet constructions and the ImageNet experiments.
# - H. Cai, T. Chen, W. Zhang, Y. Yu, J. Wang. *Efficient Architecture Search by Network Transformation.* AAAI 2018
#   (arXiv:1707.04873) — the meta-controller (encoder, wider and deeper actors) and the search results; official code
#   `han-cai/EAS`.
# - The Keras example *mnist_net2net* (in the Keras repository's examples) — a compact reproduction with random-pad and random-init baselines.
# - T. Wei, C. Wang, Y. Rui, C. W. Chen. *Network Morphism.* ICML 2016 (arXiv:1603.01670) — morphisms for more
#   layer types and non-idempotent activations.
# - T. Elsken, J. H. Metzen, F. Hutter. *Simple and Efficient Architecture Search for CNNs* (NASH), 2017
#   (arXiv:1711.04528) — hill climbing with network morphisms, no RL.
# - T. Elsken, J. H. Metzen, F. Hutter. *Neural Architecture Search: A Survey.* JMLR 2019 — the section on performance
#   estimation (weight inheritance and network morphisms).
