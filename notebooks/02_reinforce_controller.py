# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · The REINFORCE controller
#
# We rebuild Zoph & Le's reinforcement-learning architecture search from its parts: the log-derivative trick; a **controller**, the LSTM policy that writes an architecture token by token; its **reward**, the validation accuracy $R$ of the child network it wrote; a **baseline**, a moving average of past rewards that is subtracted from $R$; and a macro search space of layer tokens. Then we run a small real search on MNIST-1D against random search.
#
# **Time**: reading ≈ 19 min · class mode ≈ 1.6–2.1 min on a 2-core CPU · FAST ≈ 12 s.
# **Prerequisites**: [00 · Welcome](00_welcome.ipynb) (datasets, `train`) and [01 · Grid vs random search](01_grid_vs_random_search.ipynb) (`run_search`, `Trial`s, best-so-far curves over seeds).

# %% [markdown]
# ## Learning goals
#
# After this notebook you will be able to:
#
# - derive the log-derivative trick $\nabla_\theta \mathbb E[R] = \mathbb E[\nabla_\theta \log p(a;\theta)\,R]$ from $\mathbb E[X]=\sum_i x_i p_i$, and check a REINFORCE estimate against autograd's exact gradient;
# - explain why subtracting a baseline leaves the estimate unbiased but shrinks its variance, and read a controller's training curves (the "controller microscope");
# - write a child network as a token sequence in a Zoph & Le macro space, and build it for 1-D signals and 2-D images;
# - run a controller search through the shared ask / tell interface and compare it fairly with random search over seeds.

# %%
# Setup: plots inline, the naslab imports, the seed and the device
# %matplotlib inline
import itertools
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import naslab
from naslab.claims import claim
from naslab.config import budget, is_fast, mode_name
from naslab.exercise import exercise
from naslab.controller import plots
from naslab.utils import count_params, get_device, seed_everything, set_threads

set_threads()  # one torch thread: right for tiny networks on a busy CPU (NASLAB_THREADS=4 for bigger models)
print(f"torch {torch.__version__} | naslab {naslab.__version__} | device {get_device('auto')} | {mode_name()} mode")

# %% tags=["parameters"]
# Parameters: tests run with NASLAB_FAST=1, which shrinks every budget (no cell is ever skipped)
FAST = is_fast()
SEED = 0
N_GRAD_SAMPLES = budget(full=20_000, fast=4_000)  # REINFORCE samples in the gradient check
TOY_UPDATES = budget(full=60, fast=30)             # controller updates on the toy table
TOY_SEEDS = budget(full=[6 * SEED + i for i in range(6)], fast=[2 * SEED, 2 * SEED + 1])  # toy runs, baseline on / off
N_CHILDREN = budget(full=40, fast=8)               # children per search, for the controller and random alike
SEEDS = budget(full=[0, 1, 2], fast=[0, 1])        # seeds of the real search
CHILD_STEPS = budget(full=80, fast=15)             # proxy budget: Adam steps per child on MNIST-1D
FINAL_STEPS = budget(full=1000, fast=40)           # longer training of the two winners, at the very end
CTRL_LR, CTRL_BATCH, CTRL_ENTROPY = 0.05, 4, 1e-3  # controller: Adam lr, children per update (m), β
seed_everything(SEED)

# %% [markdown]
# ## Recap
#
# - Notebook 00: every NAS method picks a **search space**, a **search strategy** and a **performance estimation strategy** (Elsken et al. 2019).
# - Notebook 01: random search is a strong baseline (Bergstra & Bengio 2012); every searcher speaks `ask()` / `tell()`, `run_search` records `Trial`s, and searchers are compared by best-so-far curves over several seeds at the same budget.
# - Today the search strategy *learns*: a controller proposes architectures, is rewarded with their validation accuracy, and shifts its probabilities towards what was rewarded.

# %% [markdown]
# ## 1 · Expectation, likelihood and the log-derivative trick
#
# **Expectation.** For a discrete random variable, $\mathbb E[X] = \sum_i x_i\,p_i$. A *policy* $p(a;\theta)$ is a distribution over actions $a$ (for us: architectures) with parameters $\theta$, so the expected reward is
#
# $$J(\theta) = \mathbb E_{a\sim p(\cdot;\theta)}[R(a)] = \sum_a p(a;\theta)\,R(a).$$
#
# **Likelihood.** For data $x_1,\dots,x_n$, the likelihood of $\theta$ is $L(\theta\mid x) = \prod_i p(x_i\mid\theta)$; its log turns the product into a sum, $\log L = \sum_i \log p(x_i\mid\theta)$, and $\nabla_\theta \log p = \nabla_\theta p \,/\, p$.
#
# **The trick.** Multiply and divide by $p$:
#
# $$\nabla_\theta J = \sum_a R(a)\,\nabla_\theta p(a;\theta) = \sum_a p(a;\theta)\,R(a)\,\nabla_\theta \log p(a;\theta) = \mathbb E_a\!\left[R(a)\,\nabla_\theta \log p(a;\theta)\right]. \tag{1}$$
#
# Only $\log p$ is differentiated: the reward can be any black box (a trained network's accuracy). Sampling $a_1,\dots,a_n \sim p$ gives the REINFORCE estimate $\hat g = \frac1n\sum_i R(a_i)\,\nabla_\theta \log p(a_i;\theta)$ (Williams 1992). For a token sequence, $\log p(a_{1:T}) = \sum_t \log p(a_t\mid a_{1:t-1})$, which is Zoph & Le's $\nabla_\theta J = \sum_t \mathbb E[\nabla_\theta \log P(a_t\mid a_{1:t-1};\theta)\,R]$.
#
# For a softmax policy $p = \mathrm{softmax}(\theta)$ over $k$ arms, $\log p(a) = \theta_a - \log\sum_j e^{\theta_j}$, so $\nabla_\theta \log p(a) = e_a - p$ (one-hot minus probabilities).

# %%
# A tiny categorical policy: 4 "architectures" with known rewards (think: accuracies)
theta = torch.tensor([0.3, -0.2, 0.5, 0.0], dtype=torch.float64)  # logits θ
R = torch.tensor([0.80, 0.85, 0.90, 0.95], dtype=torch.float64)    # R(a) of each arm
p = torch.softmax(theta, -1)
print("p(a; θ) =", p.numpy().round(3), f"   J(θ) = Σ p R = {float(p @ R):.4f}")
from naslab.controller.toy import exact_gradient, reinforce_samples

exact = exact_gradient(theta, R)  # autograd on the exact sum Σ_a p(a; θ) R(a)
print("exact ∇J (autograd):", exact.numpy().round(4))

# %%
# From scratch: sample arms, average R(a) ∇θ log p(a) = R(a) (e_a - p), compare with naslab
g = torch.Generator().manual_seed(SEED)
a = torch.multinomial(p, N_GRAD_SAMPLES, replacement=True, generator=g)  # (n,) a_i ~ p
score = torch.eye(4, dtype=torch.float64)[a] - p                         # (n, 4) ∇θ log p(a_i)
mine = R[a, None] * score                                                # (n, 4) one estimate per sample
_, theirs = reinforce_samples(theta, R, N_GRAD_SAMPLES, seed=SEED)
print("same as naslab.controller.toy:", torch.allclose(mine, theirs))
print("REINFORCE mean:     ", mine.mean(0).numpy().round(4))
plots.plot_gradient_check(exact, mine);

# %% [markdown]
# **Expected result.** Each dot (the mean of the samples) lies within its ±2 standard-error bar of the exact gradient, for almost every coordinate; the estimate pushes up the arms with reward above $J(\theta)$ and down the others.
#
# **Q: what conclusion can we make?** The reward was never differentiated, yet we recovered its gradient. What would you have to change if $R$ came from training a network for a minute?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# 5 seeds x (20,000 and 4,000 samples): at most one coordinate of 4 beyond 2 standard errors (z up to 2.1)
z = ((mine.mean(0) - exact).abs() / (mine.std(0) / len(mine) ** 0.5)).numpy()
claim("02 §1", "the mean lies within ±2 standard errors for almost every coordinate", np.mean(z <= 2), low=0.75,
      fast="same")
# seeds 0-4 x 20,000 samples: all 4 signs right (|mean| / SE >= 1.7); with 4,000 samples 3 or 4 of 4
p_arm = torch.softmax(theta, -1)
claim("02 §1", "the estimate pushes up the arms with R(a) above J(θ) and down the others (share of arms with that sign)",
      np.mean(np.sign(mine.mean(0).numpy()) == np.sign((R - p_arm @ R).numpy())), low=1.0)

# %% [markdown]
# ### 1.2 · A baseline: same mean, much less variance
#
# Since $\sum_a p(a;\theta) = 1$ for every $\theta$, $\;\mathbb E_a[\nabla_\theta \log p(a;\theta)] = \sum_a \nabla_\theta p(a;\theta) = \nabla_\theta 1 = 0$. So for any constant $b$ (one that does not depend on the sampled $a$), called a **baseline**,
#
# $$\mathbb E_a\big[(R(a)-b)\,\nabla_\theta\log p(a;\theta)\big] = \nabla_\theta J. \tag{2}$$
#
# The estimate stays **unbiased**, but its variance changes. With all rewards near 0.9, every sample says "push my arm up, a lot"; only the small differences carry information. Subtracting $b\approx\mathbb E[R]$ keeps only those differences, the *advantages* $R-b$.

# %%
# The same samples with a baseline b near the mean reward: the running means of one coordinate
b = 0.875
_, with_b = reinforce_samples(theta, R, N_GRAD_SAMPLES, baseline=b, seed=SEED)
v0, vb = mine.var(0).sum().item(), with_b.var(0).sum().item()
print(f"variance of a one-sample estimate: b = 0 -> {v0:.4f};  b = {b} -> {vb:.5f}  ({v0 / vb:.0f}x smaller)")
plots.plot_running_estimate({"no baseline": mine, f"baseline b = {b}": with_b}, exact, coord=3);

# %% [markdown]
# **Expected result.** Both running means settle on the dashed exact value, but the band without a baseline is several times wider, and the variance ratio printed above is large (a few hundred here, because all rewards are close to each other).
#
# **Q: what conclusion can we make?** A baseline of $b = 0$ is "correct" too. Why does a noisy but unbiased estimator still make a controller learn slowly? What happens if $b$ is computed from the *current* sample's own reward?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# 5 seeds x (20,000 and 4,000 samples): ratio 359-363; the baseline's estimate within 1.5 standard errors
claim("02 §1", "the baseline cuts the variance a few hundred times", v0 / vb, 200, 600, fast="same")
zb = float((with_b.mean(0)[3] - exact[3]).abs() / (with_b.std(0)[3] / len(with_b) ** 0.5))
claim("02 §1", "with the baseline the running mean settles on the exact value (within 3 SE)", zb, high=3, fast="same")

# %% [markdown]
# ## 2 · The controller: an LSTM that writes architectures
#
# Zoph & Le (§4.1, training details) use a 2-layer LSTM with 35 units per layer, weights initialised uniformly in $[-0.08, 0.08]$, trained with Adam (lr $6\cdot10^{-4}$). At step $t$ it reads an input $x_t$, updates its state, and samples token $a_t$ from *its own* softmax head; the chosen token's **embedding** (a learned vector per choice, row $a_t$ of a table $E_t$) is the next input:
#
# $$h_t = \mathrm{LSTM}(x_t, h_{t-1}),\qquad p_t = \mathrm{softmax}(W_t h_t + c_t),\qquad a_t\sim p_t,\qquad x_{t+1} = E_t[a_t].$$
#
# It returns the tokens, $\log p(a_{1:T}) = \sum_t \log p_t(a_t)$ and the entropy $H = \sum_t H(p_t)$, with $H(p) = -\sum_a p(a)\log p(a)$.

# %% [markdown]
# ### 2.1 · Exercise 1 · Sample one child
#
# Write the controller's sampler for one child, `sample_child(controller, generator)`, from the controller's parts:
#
# - `controller.start`: the first input $x_1$, shape $(1, \text{hidden})$;
# - `controller.cells`: the LSTM layers (`nn.LSTMCell`); the first reads $x_t$, each next one reads the output $h$ of the layer below, and each keeps its own **LSTM state** $(h, c)$, its memory (zeros before position 1; `None` means zeros);
# - `controller.heads[t]`: position $t$'s own softmax head, a linear layer from the top layer's $h$ to $k_t$ **logits** (unnormalised log-probabilities);
# - `controller.embed[t]`: position $t$'s embedding table $E_t$.
#
# For each position $t$:
#
# 1. one step of every layer, carrying each layer's state over from position $t-1$;
# 2. $p_t$ = the softmax of head $t$'s logits;
# 3. draw $a_t$ with `torch.multinomial(p_t, 1, generator=generator)`, the draw naslab's sampler makes;
# 4. add $\log p_t(a_t)$ to the log-probability and $H(p_t)$ to the entropy;
# 5. feed the embedding of $a_t$ as the next input.
#
# Return `(tokens, log_prob, entropy)`: a list of $T$ ints and two scalar tensors that keep their gradient (REINFORCE differentiates $\log P$). The check draws six children from two controllers with your function and with naslab's sampler, from the same seed, and compares the tokens exactly, $\log P$ and $H$ to $10^{-5}$.

# %%
# Exercise 1: sample one child token by token, with log P(a_1:T) and the entropy
def sample_child(controller, generator):
    # BEGIN SOLUTION
    x = controller.start                                # (1, hidden) the start input
    state = [None] * len(controller.cells)              # (h, c) per layer; None = zeros
    tokens, log_prob, entropy = [], 0.0, 0.0
    for t, head in enumerate(controller.heads):
        for layer, cell in enumerate(controller.cells):
            state[layer] = cell(x, state[layer])        # one LSTM step: (h, c), each (1, hidden)
            x = state[layer][0]                         # the next layer reads this layer's h
        logp = torch.log_softmax(head(x), dim=-1)       # (1, k_t) position t's own head
        p = logp.exp()
        a = torch.multinomial(p.detach(), 1, generator=generator)  # (1, 1) a_t ~ p_t
        log_prob = log_prob + logp[0, a.item()]         # + log p_t(a_t)
        entropy = entropy - (p * logp).sum()            # + H(p_t)
        tokens.append(a.item())
        if t + 1 < len(controller.heads):
            x = controller.embed[t](a[0])               # (1, hidden) feed a_t's embedding back
    return tokens, log_prob, entropy
    # END SOLUTION


# %%
# Check exercise 1: your sampler beside naslab's, on the same controllers and seeds
from naslab.controller.check_sample import check_sample_child

with exercise(1):
    print(check_sample_child(sample_child))

# %%
# naslab's sampler, the same steps for 5 children at once: a controller for 3 decisions with 3, 3 and 2 choices
from naslab.controller.lstm import Controller
from naslab.controller.reinforce import EMABaseline, reinforce_loss

ctrl = Controller([3, 3, 2], seed=SEED)
s = ctrl(5, generator=torch.Generator().manual_seed(SEED))
print("tokens a_1..a_3:", s.tokens.tolist())
print("Σ_t log p(a_t | a_<t):", s.log_prob.detach().numpy().round(3))
print("entropy Σ_t H(p_t):   ", s.entropy.detach().numpy().round(3), f"  (uniform: {math.log(18):.3f})")

# %% [markdown]
# ### 2.2 · The REINFORCE loss
#
# With $m$ children per update, rewards $R_k$ and baseline $b$, `naslab.controller.reinforce.reinforce_loss` is
#
# $$\mathcal L(\theta) = -\frac1m\sum_{k=1}^m (R_k - b)\sum_{t=1}^T \log p(a^k_t\mid a^k_{<t};\theta)\;-\;\beta\,\frac1m\sum_k H_k. \tag{3}$$
#
# **Sign conventions.** We *maximise* $J$, so the loss carries a minus sign and gradient *descent* on $\mathcal L$ is ascent on $J$; the entropy bonus also enters with a minus (higher entropy, lower loss). $R-b$ is a constant: no gradient flows through the baseline.
#
# **Decay convention.** `EMABaseline(decay)` updates $b \leftarrow \gamma\, b + (1-\gamma)\,R$, where $\gamma$ is the weight of the *past* (0.95 remembers about 20 rewards). NASNet used 0.95 and the ENAS code 0.99; Zoph & Le's value is not confirmed. EAS's code writes `b += 0.95 * (R - b)`, i.e. 0.95 as the *step size*: the opposite convention. A NaN reward (a crashed child) is recorded but never averaged in.

# %% [markdown]
# **A likelihood, computed.** Observed data $x_1,\dots,x_n$ drawn independently from $p(\cdot\mid\theta)$ have the
# likelihood $L(\theta\mid x) = \prod_i p(x_i\mid\theta)$. A token sequence is one observation of the controller, but
# its tokens are *not* independent: each factor is conditioned on the tokens before it, so
# $P(a_{1:T};\theta) = \prod_t p(a_t\mid a_{<t};\theta)$ and $\log P(a_{1:T}) = \sum_t \log p(a_t\mid a_{<t})$, the number REINFORCE
# differentiates in (3). The next cell computes both from their factors.

# %%
# L(θ | x) = Π_i p(x_i | θ) for five draws of section 1's 4-arm policy; then log P(a_1:T) from the controller's steps
p_theta = torch.softmax(theta, -1)                          # section 1's policy, (4,)
x_obs = torch.tensor([2, 0, 2, 3, 2])                       # five observed arms
L = torch.prod(p_theta[x_obs])                              # Π_i p(x_i | θ)
print("L(θ | x) =", " · ".join(f"{v:.3f}" for v in p_theta[x_obs].tolist()), f"= {L.item():.2e}",
      f"| exp(Σ_i log p(x_i | θ)) = {torch.log(p_theta[x_obs]).sum().exp().item():.2e}")
step_p = torch.stack([p_t.detach().gather(1, s.tokens[:, t:t + 1]).squeeze(1)  # p(a_t | a_<t) of each sample
                      for t, p_t in enumerate(s.probs)], 1)                     # (5, T)
by_steps = torch.log(step_p).sum(1)                                              # Σ_t log p(a_t | a_<t), (5,)
for k in range(2):
    terms = " + ".join(f"({v:.3f})" for v in torch.log(step_p[k]).tolist())
    print(f"tokens {s.tokens[k].tolist()}: Σ_t log p(a_t | a_<t) = {terms} = {by_steps[k].item():.3f}; "
          f"controller's log P = {s.log_prob[k].item():.3f}")
gap = (by_steps - s.log_prob.detach()).abs().max().item()
print(f"all 5 samples: max |Σ_t log p(a_t | a_<t) − log P(a_1:T)| = {gap:.1e}")

# %%
# Checks: all 3·3·2 = 18 sequences have probabilities summing to 1; the loss has the sign of (3)
seqs = torch.tensor(list(itertools.product(range(3), range(3), range(2))))
print(f"Σ over all 18 sequences of P(a_1:3) = {ctrl(tokens=seqs).log_prob.exp().sum().item():.6f}")
loss = reinforce_loss(s.log_prob, [0.9, 0.5, 0.7, 0.6, 0.8], baseline=0.7)
print(f"REINFORCE loss of the 5 samples (b = 0.7): {loss.item():+.4f}")
base = EMABaseline(decay=0.8)
for r in [0.60, 0.70, float("nan"), 0.90]:
    print(f"R = {r:.2f}  ->  b = {base.update(r):.3f}")

# %% [markdown]
# **Q: what conclusion can we make?** The untrained controller is almost uniform (entropy close to $\log 18$). Why does Zoph & Le's small initialisation range make that so, and why is it what we want before any reward has been seen?

# %% [markdown]
# ### 2.3 · Exercise 2 · Write one REINFORCE update
#
# From section 3 on, the notebook trains controllers with naslab's loop. Write its heart first: one update from a batch of $m$ sampled children. Your `reinforce_update(controller, optimizer, tokens, rewards, b, *, decay, beta)` receives the children's `tokens` (shape $(m, T)$), their `rewards` (shape $(m,)$, NaN for a crashed child) and the baseline `b` from earlier batches (`None` before the first batch). It must:
#
# 1. keep only the $m'$ children whose reward is finite;
# 2. use `b`, or on the first batch the mean of those rewards;
# 3. score the tokens with `controller(tokens=tokens)`: **teacher forcing**, i.e. the controller is fed the given tokens instead of sampling, and returns their $\log P(a_{1:T})$ and entropy $H$ with a gradient;
# 4. compute the loss (3), averaged over the $m'$ children, and take one optimiser step (`zero_grad`, `backward`, `step`);
# 5. only then move the baseline towards each finite reward, $b \leftarrow \text{decay}\cdot b + (1-\text{decay})\,R$ (the first reward ever seen starts $b$),
#
# and return `(loss, new_b)`. The check runs your function beside naslab's loop on the reward table of section 3, with the same children for 4 updates (one child crashes), and compares the loss, the gradients, the parameters and $b$ after every update.

# %%
# Exercise 2: one REINFORCE update from m children: loss (3), one optimiser step, then the baseline
def reinforce_update(controller, optimizer, tokens, rewards, b, *, decay, beta):
    # BEGIN SOLUTION
    ok = torch.isfinite(rewards)                    # (m,) children that did not crash
    R = rewards[ok]                                 # (m',)
    b_used = R.mean().item() if b is None else b    # the first batch: its own mean
    s = controller(tokens=tokens)                   # teacher forcing: log P (m,) and entropy (m,), with gradient
    advantage = (R - b_used).detach()               # (m',) R - b, a constant
    loss = -(advantage * s.log_prob[ok]).mean() - beta * s.entropy[ok].mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for r in R.tolist():                            # after the step: b only ever holds earlier rewards
        b = r if b is None else decay * b + (1 - decay) * r
    return loss, b
    # END SOLUTION


# %%
# Check exercise 2: your update beside naslab's loop, on the same children
from naslab.controller.check_update import check_reinforce_update

with exercise(2):
    print(check_reinforce_update(reinforce_update))

# %% [markdown]
# ## 3 · A toy first: a reward table we know
#
# Before paying for real children, give the controller a table of 18 made-up "accuracies": 3 filter counts × 3 kernel sizes × 2 strides. More filters help, kernel 5 beats 3 and 7, stride 2 helps, and the combination (32 filters, kernel 5, stride 2) gets a bonus: it is the unique best arm, 0.93, and the runner-up has 0.84. Each update samples $m = 4$ children.

# %%
# The toy reward table: rows = filters, columns = kernel size, one block per stride
from naslab.controller.toy import TOY_DECISIONS, best_arm_probability, run_toy, toy_rewards

table = toy_rewards()
for j, stride in enumerate(TOY_DECISIONS[2][1]):
    print(f"stride {stride}:     k=3   k=5   k=7")
    for i, f in enumerate(TOY_DECISIONS[0][1]):
        print(f"  filters {f:>2}: " + "  ".join(f"{v:.2f}" for v in table[i, :, j]))

# %%
# Train the controller on the table and look at it through the microscope
hist = run_toy(lr=0.03, updates=TOY_UPDATES, seed=SEED)
p_best = best_arm_probability(hist)
hit = int(np.argmax(p_best > 0.9)) if (p_best > 0.9).any() else None
print(f"P(best arm) after {len(hist)} updates: {p_best[-1]:.2f}; above 0.9 from update {hit}")
plots.plot_microscope(hist, TOY_DECISIONS, title="toy table: lr 0.03, EMA baseline (decay 0.8), m = 4");

# %% [markdown]
# The top row shows, for each decision, the controller's distribution along its current favourite sequence. The bottom row shows each batch's mean reward, the baseline $b$ (the reward's moving average), the mean advantage $R-b$ and the entropy (dotted, right axis).
#
# **Expected result.** P(filters = 32), P(kernel = 5) and P(stride = 2) climb to about 1 within 20–30 updates; the reward rises to 0.93, the baseline trails it, the advantage shrinks towards 0 and the entropy falls towards 0.
#
# **Q: what conclusion can we make?** Once the entropy is near 0 the controller samples the same child every time. Is that good news in a real search, where each child costs minutes?
#
# Play with the controller below: move the **learning rate**, switch the **baseline** off, raise the **entropy weight** β, change the seed. Each change retrains the toy controller (about a second).


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# seeds 0-5, 60 updates: P(best arm) > 0.9 from update 9-19, final P >= 0.999 (30 updates: the same)
claim("02 §3", "P(best arm) climbs above 0.9 within 30 updates", -1 if hit is None else hit, 0, 30, fast="same")
claim("02 §3", "and ends at about 1", p_best[-1], low=0.95, fast="same")

# %%
# Explore the toy controller: learning rate, baseline on/off, entropy weight, seed
from naslab.controller.widgets import microscope_panel, search_panel

microscope_panel(updates=TOY_UPDATES)

# %%
# Baseline on vs off over seeds: how often does the controller lock onto the best arm?
share = {}  # baseline on / off -> share of seeds with P(best arm) > 0.9
for use_b in (True, False):
    final = np.array([best_arm_probability(run_toy(lr=0.03, baseline=use_b, updates=TOY_UPDATES, seed=s))[-1]
                      for s in TOY_SEEDS])
    print(f"baseline {'on ' if use_b else 'off'}: P(best arm) > 0.9 in {np.mean(final > 0.9):.0%} of "
          f"{len(TOY_SEEDS)} seeds (mean P = {final.mean():.2f})")
    share[use_b] = float(np.mean(final > 0.9))

# %% [markdown]
# **Expected result.** With the baseline, most seeds find the best arm. Without it, clearly fewer do (at most half of them, sometimes none): every reward is positive, so every sampled child is pushed *up*, and the controller tends to lock onto whatever it happened to sample early.
#
# **Q: what conclusion can we make?** Rewrite $R = b + (R - b)$: which part of the no-baseline update is pure noise, and why does it hurt more when all accuracies are high (0.85–0.95) than when they are spread out?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# TOY_SEEDS = 6·SEED .. 6·SEED + 5; SEED 0 / 1 / 2 / 3 / 4: share with the baseline 1.00 / 0.83 / 0.67 / 0.83 / 1.00,
# without it 0.33 / 0.17 / 0.33 / 0.50 / 0.00, difference 0.67 / 0.67 / 0.33 / 0.33 / 1.00
claim("02 §3", "with the baseline, most seeds find the best arm", share[True], low=0.6)
claim("02 §3", "without it, at most half of the seeds do", share[False], high=0.5)
claim("02 §3", "... clearly fewer than with it (difference of the shares)", share[True] - share[False], low=0.3)

# %% [markdown]
# ## 4 · The search space: Zoph & Le's macro space, laptop-sized
#
# In Zoph & Le (§3.1, §3.3; values in §4.1) each convolutional layer is described by tokens: filter height and width in $\{1,3,5,7\}$, stride height and width in $\{1,2,3\}$ (in one of their two CIFAR-10 runs; the other fixed every stride to 1) and the number of filters in $\{24,36,48,64\}$; every layer uses batch norm and ReLU. At layer $i$ an *anchor point* decides, for each earlier layer $j$, whether $j$ also feeds $i$ (one sigmoid per $j$); chosen inputs are concatenated along depth.
#
# `naslab.controller.macro_space.MacroSpace` keeps that structure at a CPU's scale:
#
# | | Zoph & Le (CIFAR-10) | `MacroSpace` here |
# |---|---|---|
# | tokens per layer | filter h, filter w, stride h, stride w, filters | filters, kernel (square / 1-D), stride (+ optional pool) |
# | skip connections | anchor points, one sigmoid per earlier layer | one 2-way token per earlier layer $j \le i-2$; layer $i-1$ always feeds $i$ |
# | different sizes | zero-pad to match | average-pool the larger input down |
# | head | concatenate unused outputs | global average pooling → linear |
# | layers | 6, growing by 2 every 1,600 children | fixed `n_layers` |

# %% [markdown]
# The token sequence of a child is its **genotype**: the architecture written as its choices, without any weights; building it gives a network to train.
#
# **Shrink rule.** A stride $s$ (or a pool) turns an axis of length $n$ into $\lceil n/s\rceil$ and is skipped on axes that already have length 1, so no layer can shrink the input below 1 and no sampled child crashes mid-search.
#
# Its size is $\big(|F|\,|K|\,|S|\big)^{L}\cdot 2^{(L-1)(L-2)/2}$. The space of the real search has bad corners on purpose: 4 filters, or kernel 1 (no view of neighbouring positions), make weak children.

# %%
# The space of the real search: 4 layers; filters, kernel, stride per layer; skip tokens
from naslab.controller.macro_space import MacroSpace

space = MacroSpace(n_layers=4, filters=(4, 8, 16, 32), kernels=(1, 3, 5, 7), strides=(1, 2), skips=True)
print(f"{len(space.num_choices)} tokens per child, {space.size:,} architectures")
print("decisions:", space.decision_names)
arch = space.sample(SEED)
tokens = space.encode(arch)
print("tokens:", tokens, "\nkey:   ", arch.key)
print(arch)
assert space.decode(tokens) == arch

# %%
# The same tokens build a Conv1d net for MNIST-1D (1 x 40) and a Conv2d net for digits (1 x 8 x 8)
for shape in [(1, 40), (1, 8, 8)]:
    net = space.build(arch, shape, num_classes=10)
    y = net(torch.randn(2, *shape))
    print(f"{shape} -> {tuple(y.shape)}; layer outputs {space.shapes(arch, shape)}; {count_params(net):,} params")
plots.plot_architecture(arch, shapes=space.shapes(arch, (1, 40)), title=f"a random child: {arch.key}");

# %% [markdown]
# **What the shrink rule guarantees.** On 8 × 8 digits, two stride-2 layers already give 2 × 2; a third and fourth would give 1 × 1 and then stay there. The arcs above the boxes are skip connections. (The drawing shows the child's MNIST-1D shapes, 40 → 20 → …; the printout above gives the digits shapes too.)
#
# **Q: what conclusion can we make?** Which tokens make a child more expensive to train, and which ones make it cheaper? Why might a controller rewarded only by accuracy drift towards expensive children?


# %% [markdown]
# ## 5 · The real search: controller vs random on MNIST-1D
#
# Each child is built from its tokens and trained for `CHILD_STEPS` Adam steps on MNIST-1D (a **proxy budget**: Zoph & Le trained every child for 50 epochs; notebook 03 studies what such shortcuts cost). The reward is the validation accuracy. On MNIST-1D architecture matters: the dataset's authors report about 68 % for an MLP and 94 % for a small CNN at full training.
#
# Both searchers run through the same `run_search` and the same objective, for `N_CHILDREN` children each and for every seed. Training is seeded, so an architecture always gets the same accuracy, and a repeated child is looked up instead of retrained. The controller uses Adam with lr 0.05, $m = 4$ children per update and a small entropy bonus $\beta = 10^{-3}$: Zoph & Le's $6\cdot10^{-4}$ suits 12,800 children, and we have a few dozen, so it must commit within about 10 updates. These are deliberately *not* `ControllerConfig`'s defaults (lr $2\cdot10^{-3}$, $\beta = 0.03$), which keep exploring for a few hundred children: with lr 0.05 a controller locks onto a lesser sequence long before it has seen the best one on reward tables without structure.

# %%
# Reference points at the same proxy budget: an MLP and the fixed CNN of notebook 00
from naslab.train import TrainConfig, evaluate, train

data = naslab.load_dataset("mnist1d")
proxy = TrainConfig(optimizer="adam", lr=1e-2, batch_size=64, epochs=1000, max_steps=CHILD_STEPS, seed=SEED)
for name, make in [("MLP 100-100", lambda: naslab.make_mlp(data.input_shape, 10, (100, 100))),
                   ("CNN 16-16", lambda: naslab.make_cnn(data.input_shape, 10, (16, 16)))]:
    seed_everything(SEED)
    print(f"{name:>12}: val_acc {train(make(), data, proxy).val_acc:.3f} after {CHILD_STEPS} steps")

# %%
MY_PREDICTION = None  # predict first: by how much do the controller's last 10 children beat its first 10, mean over seeds? (accuracy, e.g. 0.05)

# %%
# The search: controller and random search, N_CHILDREN children each, for every seed (the slow cell)
from naslab.controller.children import ChildConfig, compare_searchers
from naslab.controller.searcher import ControllerConfig

cmp = compare_searchers(space, N_CHILDREN, SEEDS, data=data, child=ChildConfig(steps=CHILD_STEPS, seed=SEED),
                        controller=ControllerConfig(lr=CTRL_LR, batch_size=CTRL_BATCH,
                                                    entropy_weight=CTRL_ENTROPY), progress=True)  # a bar per search
per_child = sum(cmp.controller_seconds) / (N_CHILDREN * len(SEEDS))
print(f"{cmp.n_trained} distinct children trained in {cmp.train_seconds:.0f} s (whole cell {cmp.seconds:.0f} s)")
print(f"controller time per child: {per_child * 1e3:.1f} ms = {cmp.overhead():.1%} of a child's training time")

# %%
# Best-so-far over seeds (left) and every child's accuracy in sampling order (right)
from naslab.anytime import best_trial, best_vs_trials

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
curves = {m: best_vs_trials(runs) for m, runs in cmp.trials.items()}
plots.plot_best_so_far_curves(curves, ax=ax1)
plots.plot_sampled_accuracies(cmp.trials, ax=ax2)
for m, c in curves.items():
    mean_acc = np.mean([[t.score() for t in r] for r in cmp.trials[m]])
    print(f"{m:>10}: best after {N_CHILDREN} children {c[:, -1].mean():.3f} ± {c[:, -1].std():.3f}; "
          f"mean child {mean_acc:.3f}")

# %% [markdown]
# **Expected result** (class mode). The controller's children get better as it learns: averaged over the seeds, their last ten children score about 17 points more than their first ten (12–21 points per search), while random search's children stay near 0.57 on average. The best-so-far curves, however, end within about 10 points of each other after 40 children, and which one is ahead changes with the seed: the best of 40 random draws is already a good child.
#
# **Q: what conclusion can we make?** The controller's *average* child improves, but its *best* child does not clearly beat random search's. Which of the two numbers does a NAS user care about, and which one does REINFORCE optimise?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
def climb(runs):  # mean over seeds of (mean of the last 10 children - mean of the first 10)
    return float(np.mean([np.mean([t.score() for t in r[-10:]]) - np.mean([t.score() for t in r[:10]]) for r in runs]))

# SEED 0 / 1 / 2 (make claims SEEDS=0,1,2): climb 0.167 / 0.183 / 0.166 (per search 0.116-0.210);
# random search's mean child 0.566 / 0.569 / 0.580; best after 40 children, controller minus random
# -0.049 / +0.084 / -0.013
claim("02 §5", "the controller's children improve: last 10 vs first 10, mean over seeds (about 17 points)",
      climb(cmp.trials["controller"]), low=0.1, predicted=MY_PREDICTION)
claim("02 §5", "random search's children stay near 0.57 on average",
      np.mean([[t.score() for t in r] for r in cmp.trials["random"]]), 0.5, 0.65)
claim("02 §5", "the best-so-far curves end within about 10 points after 40 children (|mean gap|; either may lead)",
      abs(curves["controller"][:, -1].mean() - curves["random"][:, -1].mean()), high=0.12)

# %%
# Inside the controller of the first seed: reward, baseline, advantage and entropy per update
ax = plots.plot_reward_curves(cmp.histories[0])
ax.set_title(f"real search, seed {SEEDS[0]}: {len(cmp.histories[0])} updates of m = {CTRL_BATCH} children")
fav = space.decode(cmp.histories[0][-1]["favourite"])
print("the controller's favourite child at the end (greedy tokens):", fav.key)

# %%
# The best architecture each method found (over all seeds), drawn with its layer shapes
fig, axes = plt.subplots(2, 1, figsize=(10, 5.6), layout="constrained")
winners = {}
for ax, (m, runs) in zip(axes, cmp.trials.items()):
    t = best_trial([t for r in runs for t in r])
    winners[m] = space.decode(t.config["tokens"])
    plots.plot_architecture(winners[m], shapes=space.shapes(winners[m], data.input_shape), ax=ax,
                            title=f"{m}: best child, val_acc {t.score():.3f} after {CHILD_STEPS} steps")

# %%
# At the very end, once: train each winner longer and score it on the test split
final_test = {}
for m, a in winners.items():
    seed_everything(SEED)
    net = space.build(a, data.input_shape, data.num_classes)
    res = train(net, data, proxy, max_steps=FINAL_STEPS)
    _, test_acc = evaluate(net, data.X_test, data.y_test)
    final_test[m] = test_acc
    print(f"{m:>10}: {a.key:<34} {FINAL_STEPS} steps -> val {res.val_acc:.3f}, test {test_acc:.3f}")

# %% [markdown]
# **Expected result.** Trained longer, both winners reach about 0.95 or more on the test split in class mode (0.96–0.98 in our runs): around or above the CNN figure of the MNIST-1D paper (94 %) and far above its MLP (68 %). Which method's winner is ahead changes with the seeds.
#
# **Q: what conclusion can we make?** The search ranked children after only `CHILD_STEPS` steps. Is the child that is best after 80 steps also the best after 1,000? What would you need to measure to know (notebook 03)?


# %%
# Check the expected result above: each claim prints whether it holds in this run (naslab.claims)
# SEED 0 / 1 / 2 (make claims SEEDS=0,1,2): test accuracy of the controller's / random search's
# winner 0.983 / 0.982, 0.978 / 0.981, 0.960 / 0.965
claim("02 §5", "trained longer, both winners reach about 0.95 on the test split (>= 0.90)", min(final_test.values()),
      low=0.90)

# %% [markdown]
# ## 6 · When does random search do as well?
#
# Our controller made only $N/m = 10$ updates per search. That is enough to move its *average* child, but the best-so-far curve is a maximum over samples, and random search's maximum is already good: as in notebook 01, 60 random draws land in the top 5 % of any space with probability 95 %. The rewards are also noisy (proxy training, one seed), and the space was designed by people who already knew that convolutions suit signals.

# %% [markdown]
# The literature reaches the same sober conclusion at much larger scale:
#
# - **Zoph & Le (2017)** compared their controller with random search in their Penn Treebank experiment (the search for a recurrent cell), by plotting the best models found over time; their controller pulled ahead, but over thousands of children.
# - **Li & Talwalkar (2019)** found random search with early stopping to be a competitive NAS baseline, and random search with weight sharing to match or beat ENAS and DARTS on their benchmarks; they also stress that many published comparisons were not reproducible.
# - **Sciuto et al. (2020)** found that, on average, the architectures chosen by several weight-sharing search policies were not better than randomly sampled ones from the same space.
# - **Yang et al. (2020)** showed that in common NAS spaces random architectures already perform close to searched ones, and that the training protocol changes results more than the search does.
# - **Real et al. (2019)** compared RL, regularised evolution and random search on the NASNet space: both learned methods beat random search, evolution faster early on, again at thousands of children.

# %% [markdown]
# Rules of thumb: a learning search pays off when the budget allows many updates, good architectures are *rare* in the space, and the reward is reliable enough to follow. With a few dozen noisy children in a well-designed space, random search is hard to beat, and it is always the baseline to report.
#
# **Q: what conclusion can we make?** Name two changes to section 5 that should help the controller more than random search (think about $N$, $m$, the space and the reward), and one that should help both equally.

# %% [markdown]
# ## Explore
#
# Replay the finished search: choose how many children each method had, and which seed's winners to draw. At which $n$ does the controller's mean best-so-far pull ahead, if ever? Does the answer depend on the seed?

# %%
# Explore the finished search: number of children and seed
search_panel(cmp, space, input_shape=data.input_shape)


# %% [markdown]
# ## Exercises
#
# Exercises 1 (sample one child) and 2 (one REINFORCE update) sit in sections 2.1 and 2.3, before the notebook uses naslab's sampler and loop. Write your answer in each exercise cell (inside its `with exercise(n):` block where it has one) and run the check cell after it.
#
# ### Exercise 3 · Reward shaping
#
# Zoph & Le rewarded the controller with the accuracy cubed, $R = \text{acc}^3$; EAS (Cai et al. 2018) uses $R = \tan(\text{acc}\cdot\pi/2)$, which maps $[0, 1)$ onto $[0, \infty)$. Write `tan_reward(accs)` for a whole batch: a tensor of accuracies in, a tensor of rewards of the same shape out. Two details matter in a real search: an accuracy of exactly 1 would give an infinite reward, so clip the accuracy at 0.999 first; and a crashed child's accuracy is NaN, whose reward must stay NaN so that your update of Exercise 2 leaves it out. The cell after the check compares the advantages $R-b$ of four good children under the three shapings. Both shapings stretch the differences between *good* children: why does that matter for REINFORCE?

# %%
# Exercise 3: EAS's reward shaping R = tan(acc · π / 2) for a tensor of accuracies, clipped at 0.999, NaN kept
def tan_reward(accs):
    # BEGIN SOLUTION
    return torch.tan(accs.clamp(max=0.999) * math.pi / 2)  # clamp keeps NaN as NaN
    # END SOLUTION


with exercise(3):
    print(tan_reward(torch.tensor([0.5, 0.8, 0.9, 0.95, 1.0, float("nan")], dtype=torch.float64)))

# %%
# Check exercise 3
from naslab.controller.checks import check_reward_shaping

with exercise(3):
    print(check_reward_shaping(tan_reward, "tan"))

# %%
# Four good children: how far apart are their advantages R - b (b = the batch mean) under each shaping?
accs = torch.tensor([0.90, 0.92, 0.94, 0.96], dtype=torch.float64)
with exercise(3):
    for name, r in [("acc", accs), ("acc^3", accs ** 3), ("tan", tan_reward(accs))]:
        adv = r - r.mean()
        print(f"{name:>6}: advantages {adv.numpy().round(3)}; best minus worst = {float(adv[-1] - adv[0]):.3f}")


# %% [markdown]
# ### Exercise 4 · Add a token type
#
# Add a **dropout** token to every layer, with the choices $\{0, 0.3\}$: subclass `MacroSpace`, extend `layer_decisions()` and append an `nn.Dropout` in `make_layer()`. The controller needs no change: it builds one softmax head per token of whatever space it is given.

# %%
# Exercise 4: a dropout token per layer
from torch import nn


class DropoutSpace(MacroSpace):
    def layer_decisions(self):
        # BEGIN SOLUTION
        return super().layer_decisions() + [("dropout", (0.0, 0.3))]
        # END SOLUTION

    def make_layer(self, op, c_in, size):
        # BEGIN SOLUTION
        layer, c_out, size = super().make_layer(op, c_in, size)
        return nn.Sequential(layer, nn.Dropout(op["dropout"])), c_out, size
        # END SOLUTION


with exercise(4):
    my_space = DropoutSpace(n_layers=4, filters=(4, 8, 16, 32), kernels=(1, 3, 5, 7), strides=(1, 2))

# %%
# Check exercise 4, then give the new space to a controller: it grows one head per new token
from naslab.controller.checks import check_token_extension
from naslab.controller.searcher import ControllerSearcher

with exercise(4):
    print(check_token_extension(my_space))
    print("controller heads:", len(ControllerSearcher(space).controller.heads), "->",
          len(ControllerSearcher(my_space).controller.heads))

# %% [markdown]
# ## Summary
#
# - The log-derivative trick $\nabla_\theta\mathbb E[R] = \mathbb E[R\,\nabla_\theta\log p(a;\theta)]$ gives the gradient of an expected reward without differentiating the reward; the REINFORCE average of samples matched autograd's exact gradient.
# - A baseline $b$ leaves the estimate unbiased (since $\mathbb E[\nabla\log p]=0$) and can cut its variance by orders of magnitude; without one, a controller with all-positive rewards locks onto early samples.
# - Zoph & Le's controller is an LSTM that emits one token per decision, feeds each choice back, and is trained with loss $-(R-b)\sum_t\log p(a_t)$, an EMA baseline and an entropy bonus; it costs about 2 % of a child's training time here.
# - A macro search space turns layers (filters, kernel, stride, skip connections) into tokens; the same tokens build 1-D and 2-D children, and a shrink rule keeps every child valid.
# - On MNIST-1D with a few dozen children, the controller's average child improved but its best child did not clearly beat random search: report random search, over several seeds, next to every NAS method.

# %% [markdown]
# ## Questionnaire
#
# 1. Derive $\nabla_\theta \mathbb E_{a\sim p}[R(a)] = \mathbb E[R(a)\,\nabla_\theta\log p(a;\theta)]$ in two lines. Where is the "trick"?
# 2. Why is $\nabla_\theta \log\,\mathrm{softmax}(\theta)_a = e_a - p$?
# 3. Show that subtracting a constant baseline leaves the REINFORCE estimate unbiased. Why must $b$ not depend on the current sample?
# 4. What is the sign of the REINFORCE loss, and why? What is the sign of the entropy bonus inside the loss?
# 5. In `EMABaseline(decay=0.95)`, is 0.95 the weight of the old value or the step size? What does EAS's code do?
# 6. What does the controller feed back as the next input after sampling a token, and why does that make the tokens depend on each other?
# 7. How many architectures does `MacroSpace(n_layers=3, filters=(8, 16), kernels=(3, 5, 7), strides=(1, 2), skips=True)` contain?
# 8. What does the shrink rule do to a stride-2 layer whose input has length 1?
# 9. Why is the controller's time per child only a small share of the search's cost, and what dominates?
# 10. Give two reasons why random search did about as well as the controller in section 5.

# %% [markdown]
# ## Further reading
#
# - B. Zoph & Q. V. Le, *Neural Architecture Search with Reinforcement Learning*, ICLR 2017 (arXiv:1611.01578) — §3.1 (the controller), §3.2 (REINFORCE with a baseline), §3.3 (skip connections via anchor points), §4.1 (the CIFAR-10 search and the controller's training details), §4.2 (the Penn Treebank search, with the comparison against random search).

# %% [markdown]
# More on REINFORCE, reward shaping and random-search baselines:
#
# - R. J. Williams, *Simple Statistical Gradient-Following Algorithms for Connectionist Reinforcement Learning*, Machine Learning 8, 1992 — the REINFORCE estimator and baselines.
# - H. Cai, T. Chen, W. Zhang, Y. Yu & J. Wang, *Efficient Architecture Search by Network Transformation*, AAAI 2018 (arXiv:1707.04873) — the $\tan(\text{acc}\cdot\pi/2)$ reward (and notebook 04).
# - L. Li & A. Talwalkar, *Random Search and Reproducibility for Neural Architecture Search*, UAI 2019 (arXiv:1902.07638) — §4 (random search baselines) and the reproducibility discussion.
# - C. Sciuto, K. Yu, M. Jaggi, C. Musat & M. Salzmann, *Evaluating the Search Phase of Neural Architecture Search*, ICLR 2020 (arXiv:1902.08142) — comparison of search policies with random sampling.
# - A. Yang, P. M. Esperança & F. M. Carlucci, *NAS evaluation is frustratingly hard*, ICLR 2020 (arXiv:1912.12522) — searched vs randomly sampled architectures across datasets.
# - E. Real, A. Aggarwal, Y. Huang & Q. V. Le, *Regularized Evolution for Image Classifier Architecture Search*, AAAI 2019 (arXiv:1802.01548) — RL vs evolution vs random search on the NASNet space.
# - S. Greydanus & D. Kobak, *Scaling down Deep Learning with MNIST-1D*, ICML 2024 (arXiv:2011.14439) — the dataset and its MLP / CNN reference results.
# - Next: [03 · Proxy evaluation](03_proxy_evaluation.ipynb) — how much can a child's training be shortened before the ranking breaks?
