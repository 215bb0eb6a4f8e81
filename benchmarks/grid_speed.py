"""Time the full 36-configuration course grid (digits MLP 64-64-10, SGD momentum 0.9, 20 epochs) three ways.

1. population training (`naslab.grid_vs_random.population.train_population`): all 36 members at once;
2. the one-by-one loop: `train_member` (seed, build, `naslab.train.train`) for each configuration;
3. Optuna's GridSampler driving the same one-by-one objective (optuna is a benchmark-only extra).

Prints the three times, the two ratios (one-by-one / population, Optuna / population) and the
accuracy agreement (target: population >= 15x faster at equal accuracy, +-1 point).

    .venv/bin/python benchmarks/grid_speed.py                       # one torch thread, as notebook 01 uses
    NASLAB_THREADS=2 .venv/bin/python benchmarks/grid_speed.py      # both cores for each computation
    NASLAB_FAST=1 .venv/bin/python benchmarks/grid_speed.py         # 2 epochs: a smoke test

On a busy machine, two torch threads per process make tiny networks much slower (threads wait for
each other), which is why the notebook runs with one.
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch

from naslab.config import budget
from naslab.data import load_dataset
from naslab.domains import grid
from naslab.grid_vs_random.population import train_member, train_population
from naslab.grid_vs_random.spaces import COURSE_VALUES, course_grid
from naslab.train import TrainConfig
from naslab.utils import script_threads

EPOCHS = budget(full=20, fast=2)
REPEATS = budget(full=2, fast=1)  # population is timed as the best of REPEATS runs (it is short)


def one_by_one(data, configs, cfg):
    return [train_member(data, c, cfg) for c in configs]


def with_optuna(data, cfg):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.GridSampler({"lr": list(COURSE_VALUES), "weight_decay": list(COURSE_VALUES)}, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 10.0, log=True)
        wd = trial.suggest_float("weight_decay", 1e-4, 10.0, log=True)
        return train_member(data, {"lr": lr, "weight_decay": wd}, cfg).val_acc

    study.optimize(objective, n_trials=36)
    return study


def main():
    script_threads()
    data = load_dataset("digits")
    configs = grid(course_grid())
    cfg = TrainConfig(epochs=EPOCHS, device="cpu")
    print(f"digits MLP 64-64-10, {len(configs)} configs, {EPOCHS} epochs; torch threads {torch.get_num_threads()}, "
          f"load average before {os.getloadavg()[0]:.2f}")
    train_population(data, configs[:2], cfg, max_steps=5)  # warm-up: first-call costs out of the timings
    train_member(data, configs[0], cfg, max_steps=5)

    pop_times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        pop = train_population(data, configs, cfg)
        pop_times.append(time.perf_counter() - t)
    t_pop = min(pop_times)
    t = time.perf_counter()
    ones = one_by_one(data, configs, cfg)
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    study = with_optuna(data, cfg)
    t_opt = time.perf_counter() - t

    acc_pop = pop.val_acc.astype(float)
    acc_one = np.array([r.val_acc for r in ones])
    diff = np.abs(acc_pop - acc_one)
    stable = np.array([c["lr"] <= 0.1 for c in configs])  # lr = 1 and 10 sit at the edge of stability
    print(f"\npopulation   {t_pop:8.2f} s   (best of {REPEATS}: {', '.join(f'{x:.2f}' for x in pop_times)})")
    print(f"one-by-one   {t_one:8.2f} s   ratio one-by-one / population = {t_one / t_pop:5.1f}x")
    print(f"optuna grid  {t_opt:8.2f} s   ratio optuna / population     = {t_opt / t_pop:5.1f}x")
    print(f"\nbest val acc: population {acc_pop.max():.4f}, one-by-one {acc_one.max():.4f}, "
          f"optuna {study.best_value:.4f} at {study.best_params}")
    print(f"mean val acc over the grid: population {acc_pop.mean():.4f}, one-by-one {acc_one.mean():.4f}")
    print(f"per-config |diff|: max over lr <= 0.1 = {diff[stable].max():.4f}; max over all = {diff.max():.4f}; "
          f"configs off by > 1 point: {int((diff > 0.01).sum())} "
          f"({[(c['lr'], c['weight_decay']) for c, d in zip(configs, diff) if d > 0.01]})")
    print(f"diverged: population {int(pop.diverged.sum())}, one-by-one {sum(r.diverged for r in ones)}; "
          f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
