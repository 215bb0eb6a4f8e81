# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Welcome to naslab
#
# This notebook checks your set-up, introduces the two offline datasets of the course, trains one tiny
# network, and frames Neural Architecture Search (NAS) as the three questions every later notebook answers.
#
# **Time**: reading ≈ 8 min · class mode ≈ 0.2 min on a 2-core CPU · FAST ≈ 8 s.
# **Prerequisites**: Python, NumPy, and a first PyTorch training loop (`loss.backward()`, `optimizer.step()`).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - check that your environment (Python, PyTorch, the device) is ready for the course;
# - load the offline datasets (`digits`, `mnist1d`) with a fixed train / validation / test split, and say why the test split is kept for the very end;
# - train a small network with `naslab.train` and read its result record (validation accuracy, loss curve, seconds, `diverged`);
# - write one epoch of its training loop yourself, and reproduce `naslab.train` exactly;
# - name the three parts of NAS: **search space**, **search strategy**, **performance estimation strategy**;
# - switch between class mode and FAST mode, and record an experiment as a `Trial`.

# %%
# Setup: plots inline, the naslab imports, and an environment check
# %matplotlib inline
import platform
import matplotlib.pyplot as plt
import torch
import ipywidgets as W

import naslab
from naslab import plots
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.data import available_datasets, load_dataset
from naslab.exercise import exercise
from naslab.models import make_mlp
from naslab.train import TrainConfig, train
from naslab.trial import Trial, append_jsonl, load_jsonl
from naslab.utils import count_params, get_device, seed_everything, set_threads
from naslab.widgets import panel

set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)
print(f"Python {platform.python_version()} | torch {torch.__version__} | naslab {naslab.__version__}")
print(f"device: {get_device('auto')} (\"auto\" picks cuda, then mps, then cpu) | mode: {mode_name()}")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0
EPOCHS = budget(full=12, fast=2)       # passes over the training data for the tiny model
HIDDEN = (64, 64)                      # hidden units of the MLP

# %% [markdown]
# ## Recap
#
# This is the first notebook, so the recap is of what you bring from a first deep-learning course:
#
# - A network's **weights** $w$ are learned by gradient descent on a training loss; its **hyper-parameters** (learning rate, weight decay, width, depth…) are chosen by us.
# - We choose them by looking at accuracy on a **validation** split, never on the test split: a number we optimise against is no longer an unbiased estimate.
# - Architecture is a hyper-parameter too. NAS is the art of choosing it automatically — and of doing so cheaply.

# %% [markdown]
# ## 1 · What is Neural Architecture Search?
#
# Elsken, Metzen & Hutter (2019) describe every NAS method by three choices:
#
# 1. the **search space** $\mathcal{A}$: which architectures can be expressed at all (layers and their settings, cells of operations…);
# 2. the **search strategy**: how to explore $\mathcal{A}$ (grid, random, reinforcement learning, evolution, gradient descent on a relaxation);
# 3. the **performance estimation strategy**: how to tell how good an architecture $A$ is without paying for full training each time.
#
# The search strategy proposes $A$, the estimation strategy returns a score, and the loop repeats.

# %%
# The three parts of NAS (Elsken et al. 2019, Fig. 1)
plots.plot_nas_framework(highlight=None);

# %% [markdown]
# Where each notebook of the course sits:
#
# | notebook | search space | search strategy | performance estimation |
# |---|---|---|---|
# | 01 grid vs random | learning rate × weight decay | **grid, random** | full training |
# | 02 REINFORCE | **layers as tokens** (Zoph & Le) | **reinforcement learning** | short training (a proxy) |
# | 03 proxy evaluation | the space of 02 | successive halving | **proxies, parameter sharing** |
# | 04 Net2Net | **networks grown by transformations** | RL meta-controller | **inherited weights** |
# | 05 DARTS | **cells of operations** | **gradient descent on α** | the supernet |
#
# **Q: what conclusion can we make?** The three parts are independent choices: every combination in a row could be swapped for another. Which part do you expect to dominate the *cost* of NAS?

# %% [markdown]
# ## 2 · The two offline datasets
#
# Everything in the course runs offline on two small datasets (the online ones — MNIST, Fashion-MNIST, CIFAR-10 — need `download=True` once):
#
# - **`digits`**: scikit-learn's bundled 1,797 handwritten digits, 8×8 pixels. Nearly saturated (~97 % for a small MLP), so it is good for hyper-parameter landscapes but weak at separating architectures.
# - **`mnist1d`**: MNIST-1D (Greydanus & Kobak), 5,000 signals of length 40 generated locally. An MLP reaches about 68 % and a small CNN about 94 %: here **architecture matters**.
#
# `load_dataset` returns standardised tensors with a fixed validation split carved from the training data.

# %%
# Load both datasets: shapes, split sizes, classes
digits = load_dataset("digits")
mnist1d = load_dataset("mnist1d")
print(available_datasets())
digits, mnist1d

# %%
# A grid of digits and a few MNIST-1D signals, with their labels
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained", width_ratios=[1.2, 1])
plots.plot_images(digits.X_train[:30], digits.y_train[:30], ncols=10, ax=ax1)
ax1.set_title("digits: 8×8 images")
plots.plot_signals(mnist1d.X_train, mnist1d.y_train, n=6, ax=ax2)
ax2.set_title("MNIST-1D: signals of length 40");

# %% [markdown]
# **Q: what conclusion can we make?** A MNIST-1D digit is a template that has been shifted, scaled, sheared and made noisy. Which kind of layer do you expect to cope with *shifts* best — a fully-connected layer or a convolution?

# %% [markdown]
# ## 3 · Train one tiny model
#
# `naslab.train.train(model, data, cfg)` runs SGD with momentum (or Adam) and returns a `TrainResult`: validation accuracy and loss, the loss per update, the steps, the seconds, and a `diverged` flag. A run whose loss turns NaN or explodes is *recorded* as diverged with chance accuracy — it never crashes a search.

# %%
MY_PREDICTION = None  # predict first: the validation accuracy the MLP below reaches on MNIST-1D (a fraction, e.g. 0.9)

# %%
# An MLP on MNIST-1D, with a live progress bar
seed_everything(SEED)
mlp = make_mlp(mnist1d.input_shape, mnist1d.num_classes, hidden=HIDDEN)
cfg = TrainConfig(optimizer="adam", lr=1e-2, epochs=EPOCHS, batch_size=100, seed=SEED, progress=True)
result = train(mlp, mnist1d, cfg)
print(f"{count_params(mlp):,} parameters | val acc {result.val_acc:.3f} | {result.steps} steps in {result.seconds:.1f} s")

# %%
# The loss curve (smoothed) and the validation accuracy after each epoch
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.5), layout="constrained")
plots.plot_loss_curve(result.train_loss, smooth=10, ax=ax1, label="MLP")
ax2.plot(range(1, len(result.val_acc_curve) + 1), result.val_acc_curve, "o-")
ax2.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1));

# %% [markdown]
# **Expected result.** In class mode the MLP reaches roughly 52–65 % validation accuracy on MNIST-1D (the published MLP figure, 68 %, needs far longer training). In FAST mode expect less.
#
# **Q: what conclusion can we make?** Now swap in a CNN (exercise 1 below). If one small architectural change moves accuracy by 20 points, the architecture is worth searching over.


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# bound: this cell with SEED = 0, 1, 2 gave 0.569, 0.549, 0.585 (re-run with `SEED = s` in the parameters cell:
# seed_everything(s), then the same make_mlp / TrainConfig(..., seed=s) / train as above)
claim("00 §3", "the MLP reaches 52–65 % validation accuracy on MNIST-1D", result.val_acc, 0.52, 0.65,
      predicted=MY_PREDICTION)

# %% [markdown]
# ## 4 · Run modes and trial records
#
# - **Class mode** is the default: each notebook finishes in at most ~5 minutes on a 2-core CPU.
# - **FAST mode** (`NASLAB_FAST=1`) is a quick check that everything runs: every budget shrinks through `budget(full=…, fast=…)`, every cell still runs.
#
# Every search of the course writes `Trial` records — the configuration or architecture, the **fidelity** (how much of a full training it got, e.g. its epochs), the seed, the metrics, the seconds and a status — one JSON line each, so an interrupted search keeps what it finished.

# %%
# Record the run above as a Trial, append it to a JSONL file, read it back
import pathlib
import tempfile
log = pathlib.Path(tempfile.mkdtemp()) / "trials.jsonl"
trial = Trial(config={"model": "mlp", "hidden": HIDDEN, "lr": cfg.lr}, fidelity={"epochs": EPOCHS},
              seed=SEED, metrics=result.metrics, seconds=result.seconds, trial_id=0)
append_jsonl(log, trial)
back = load_jsonl(log)[0]
from naslab.utils import summarize
print(summarize(back))                     # a readable summary; `back` itself is the full record (all fields)
print("round trip exact:", back.config == trial.config and back.metrics == trial.metrics)

# %% [markdown]
# ## Explore
#
# Move the slider to browse the samples of a dataset; choose the dataset in the menu. The figure is redrawn in place.

# %%
# A widget: which sample of which dataset to show
DATA = {"mnist1d": mnist1d, "digits": digits}

def draw(fig, index, dataset):
    d = DATA[dataset]
    plots.plot_sample(d.X_train[index], int(d.y_train[index]), ax=fig.add_subplot(),
                      title=f"{dataset} · training sample {index} · label {int(d.y_train[index])}")

panel(draw, {"index": W.IntSlider(value=0, min=0, max=199, description="sample"),
             "dataset": W.Dropdown(options=list(DATA), description="dataset")}, figsize=(6, 3))

# %% [markdown]
# ## Exercises
#
# **1. A CNN instead of an MLP.** Write `my_cnn(input_shape, num_classes, channels)` with `torch.nn` layers: for each entry `c_out` of `channels`, a `Conv1d` with `c_out` output channels, kernel size 3, stride 2 and padding 1, followed by a `ReLU`; then **global average pooling** (the mean over all positions, `AdaptiveAvgPool1d(1)`), a `Flatten` and a `Linear` layer to `num_classes` outputs. Each stride-2 convolution halves the signal's length. Build `my_cnn(mnist1d.input_shape, 10, (32, 32, 32))`, train it with the same `cfg` (progress off), and compare its validation accuracy with the MLP's. Write your answer in the cells below and run the checks.

# %%
# Exercise 1: a small 1-D CNN, layer by layer
from torch import nn


def my_cnn(input_shape, num_classes, channels):
    # BEGIN SOLUTION
    layers, c = [], input_shape[0]
    for c_out in channels:
        layers += [nn.Conv1d(c, c_out, kernel_size=3, stride=2, padding=1), nn.ReLU()]
        c = c_out
    layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)
    # END SOLUTION


with exercise(1):
    seed_everything(SEED)
    # BEGIN SOLUTION
    cnn = my_cnn(mnist1d.input_shape, mnist1d.num_classes, (32, 32, 32))
    cnn_result = train(cnn, mnist1d, cfg, progress=False)
    # END SOLUTION
    print(f"CNN {cnn_result.val_acc:.3f} vs MLP {result.val_acc:.3f} with {count_params(cnn):,} vs "
          f"{count_params(mlp):,} parameters")

# %%
# Check 1: your layers compute the asked network; the CNN really trained with the MLP's budget (in class mode it wins)
from naslab.welcome.checks import check_cnn, check_cnn_builder, check_n_params

with exercise(1):
    print(check_cnn_builder(my_cnn))
    print(check_cnn(cnn, cnn_result, result, mnist1d))


# %% [markdown]
# **2. Count parameters by hand.** Write `n_params(hidden)` that returns the number of weights and biases of `make_mlp((1, 40), 10, hidden)` *without* building it; the check compares it with `count_params` on a few shapes.

# %%
# Exercise 2: count the weights and biases of make_mlp((1, d_in), n_classes, hidden) without building it
def n_params(hidden, d_in=40, n_classes=10):
    # BEGIN SOLUTION
    sizes = [d_in, *hidden, n_classes]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))  # Linear(a, b): a*b weights, b biases
    # END SOLUTION


# %%
# Check 2: against naslab's count on real models
with exercise(2):
    print(check_n_params(n_params))

# %% [markdown]
# **3. One epoch by hand.** `train` hides the loop that every notebook runs. An **epoch** is one pass over the training data, cut into **mini-batches** (small random groups of `batch_size` samples); each mini-batch gives one update of the weights. Write `train_one_epoch(model, opt, X, y, batch_size, g)`:
#
# - put the model in training mode (`model.train()`: dropout and batch norm behave differently there);
# - shuffle: `torch.randperm(len(y), generator=g)` cut into consecutive batches of `batch_size`, the last one possibly smaller (`perm.split(batch_size)`); naslab draws its order exactly this way;
# - for each batch: the mean cross-entropy loss, `opt.zero_grad()`, `loss.backward()`, `opt.step()`;
# - return the mean of the batch losses, one Python number.
#
# The check runs naslab's `train` for one epoch on a copy of the same model with the same seed: after the epoch your weights must agree with its weights. Then your loop, called `EPOCHS` times with one generator, retrains the MLP of §3.

# %%
# Exercise 3: one epoch of mini-batch training, written by hand
from torch.nn import functional as F


def train_one_epoch(model, opt, X, y, batch_size, g):
    # BEGIN SOLUTION
    model.train()                                       # batch norm / dropout in their training behaviour
    perm = torch.randperm(len(y), generator=g)          # this epoch's order, from the given generator
    losses = []
    for idx in perm.split(batch_size):                  # consecutive batches; the last may be smaller
        loss = F.cross_entropy(model(X[idx]), y[idx])   # the mean over the batch
        opt.zero_grad()                                 # forget the previous batch's gradients
        loss.backward()                                 # d loss / d w into every p.grad
        opt.step()                                      # w <- w - lr * (its momentum / Adam update)
        losses.append(loss.item())
    return sum(losses) / len(losses)
    # END SOLUTION


with exercise(3):
    seed_everything(SEED)                               # the same start as the MLP of §3
    dev = next(mlp.parameters()).device                 # where train() put the MLP
    net = make_mlp(mnist1d.input_shape, mnist1d.num_classes, hidden=HIDDEN).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)  # what train() builds from cfg
    g = torch.Generator().manual_seed(SEED)             # one generator for all epochs, seeded as cfg.seed
    X, y = mnist1d.X_train.to(dev), mnist1d.y_train.to(dev)
    epoch_losses = [train_one_epoch(net, opt, X, y, cfg.batch_size, g) for _ in range(EPOCHS)]
    gap = max((p - q).abs().max().item() for p, q in zip(net.parameters(), mlp.parameters()))
    print("mean training loss per epoch:", " ".join(f"{v:.3f}" for v in epoch_losses))
    print(f"largest weight difference from the MLP that train() gave in §3: {gap:.1e}")

# %%
# Check 3: your epoch gives naslab's weights (its train() on a copy of the same model, same seed, to 1e-6)
from naslab.welcome.loop_checks import check_train_one_epoch

with exercise(3):
    print(check_train_one_epoch(train_one_epoch))

# %% [markdown]
# **4. Why keep the test split aside?** Pick the best of the two models above by validation accuracy, and only then evaluate the winner once on `mnist1d.X_test`. Write in one sentence why evaluating both on the test split and keeping the better one would be cheating.

# %% [markdown]
# ## Summary
#
# - NAS = a **search space**, a **search strategy** and a **performance estimation strategy**; the course takes them one at a time.
# - `load_dataset` gives offline data with a fixed validation split; the test split is used once, at the end.
# - `naslab.train.train` turns a model and a config into a `TrainResult`; divergence is a result, not a crash.
# - Budgets go through `budget(full, fast)`, and every experiment can be kept as a `Trial` in a JSONL file.

# %% [markdown]
# ## Questionnaire
#
# 1. Name the three parts of a NAS method and give one example of each.
# 2. Why is validation accuracy, not test accuracy, the signal a search optimises?
# 3. What does `NASLAB_FAST=1` change, and what does it never change?
# 4. Why does MNIST-1D separate architectures better than `digits`?
# 5. What happens to a training run whose loss becomes NaN in naslab, and why is that better than an exception during a search?

# %% [markdown]
# ## Further reading
#
# - T. Elsken, J. H. Metzen, F. Hutter. *Neural Architecture Search: A Survey.* JMLR 20(55), 2019 — §1 and Fig. 1 (the three parts).
# - S. Greydanus, D. Kobak. *Scaling down Deep Learning with MNIST-1D.* ICML 2024 (arXiv:2011.14439) — §2 (how the data is made) and the model table.
# - B. Zoph, Q. V. Le. *Neural Architecture Search with Reinforcement Learning.* ICLR 2017 — the paper that started the field (notebook 02).
