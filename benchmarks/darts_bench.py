"""Measure the figures notebook 05 (DARTS) reports, with the notebook's class-mode settings.

    .venv/bin/python benchmarks/darts_bench.py --part costs     # time per search step + peak memory, 1st vs 2nd order
    .venv/bin/python benchmarks/darts_bench.py --part retrain   # DARTS cell vs random cells, retrained (mean ± std)
    .venv/bin/python benchmarks/darts_bench.py --part orders    # first vs second order, α-first vs w-first (§6)
    .venv/bin/python benchmarks/darts_bench.py --part step      # §3: one architecture step, 2nd vs 1st order, eq. (8)
    .venv/bin/python benchmarks/darts_bench.py                  # all four
    .venv/bin/python benchmarks/darts_bench.py --part collapse --search-seeds 0 1 2 3 4 5   # § 7 over search seeds
    .venv/bin/python benchmarks/darts_bench.py --part claims --seeds 0,1,2   # the claims of §4, §5, §6, §8

`--seeds 0,1,2` runs the notebook once per value of its `SEED` parameter (the search's seed; the
retraining seeds 0-2 and the random cells 100-102 are fixed in the notebook, as here) and prints, per
seed, the values the notebook's `claim(...)` calls of sections 4, 5, 6 and 8 check: this is where their
bounds come from. `--part claims` runs everything those sections compute (about 4 minutes per seed on
one thread).

`--threads N` sets torch's intra-op threads (default: torch's choice). Wall-clock seconds depend on the
machine's load; CPU seconds of this process (process_time) are printed next to them, as a load-free proxy.
`NASLAB_FAST=1` shrinks everything to a smoke test.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from naslab.config import budget
from naslab.darts.architect import Architect, hvp_exact, hvp_finite_difference, network_loss, norm
from naslab.darts.genotype import Genotype, cap_skips, random_genotype, shared_edges
from naslab.darts.profile import profile_step
from naslab.darts.search import SearchConfig, discretised_accuracy, early_stopped, evaluate_genotype, run_darts
from naslab.darts.supernet import SearchNetwork
from naslab.data import load_dataset
from naslab.utils import seed_everything

# the notebook's settings (notebooks/05_darts.ipynb, parameters cell, class mode)
SEARCH = dict(C=8, layers=3, steps=2, batch_size=64, alpha_lr=0.05, seed=0)
SEARCH_N_TRAIN, SEARCH_EPOCHS = budget(full=1600, fast=256), budget(full=6, fast=1)
RETRAIN = dict(C=8, layers=5, epochs=budget(full=3, fast=1), batch_size=128, lr=0.1)
RETRAIN_N_TRAIN = budget(full=None, fast=256)
RETRAIN_SEEDS, N_RANDOM = budget(full=3, fast=1), budget(full=3, fast=2)
PROFILE_STEPS = budget(full=3, fast=1)
ORDER_N_TRAIN, ORDER_EPOCHS = budget(full=800, fast=128), budget(full=2, fast=1)
CONVS = ("sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")
COLLAPSE = dict(dataset="digits", n_train=budget(full=None, fast=200), epochs=budget(full=10, fast=2),
                warmup_epochs=budget(full=2, fast=1), layers=5, alpha_lr=0.03, seeds=budget(full=2, fast=1),
                primitives=("sep_conv_3x3", "skip_connect"), retrain=dict(batch_size=32, lr=0.05))


def costs(n_steps: int, seed: int = 0) -> list[dict]:
    data = load_dataset("mnist1d", n_train=SEARCH_N_TRAIN)
    rows = []
    for label, kw in (("first", {"order": "first"}), ("second (eq. 8)", {"order": "second"}),
                      ("second (exact HVP)", {"order": "second", "hvp": "exact"})):
        p = profile_step(data, SearchConfig(**{**SEARCH, "seed": seed}), n_steps=n_steps, **kw)
        rows.append({"label": label, **p})
        print(f"{label:19s} {p['seconds_per_step']:.3f} s/step wall, {p['cpu_seconds_per_step']:.3f} s/step CPU, "
              f"peak {p['peak_mb']:.1f} MiB (batch {p['batch_size']} per half)", flush=True)
    first = rows[0]
    print(f"ratios to first order: CPU time {rows[1]['cpu_seconds_per_step'] / first['cpu_seconds_per_step']:.2f}x "
          f"(eq. 8); peak memory {rows[1]['peak_mb'] / first['peak_mb']:.2f}x (eq. 8), "
          f"{rows[2]['peak_mb'] / first['peak_mb']:.2f}x (exact HVP)", flush=True)
    return rows


def orders(seed: int = 0) -> dict:
    """Section 6's outcome: first vs second order, and α-first vs w-first, same seed and data."""
    odata = load_dataset("mnist1d", n_train=ORDER_N_TRAIN)
    out = {o: run_darts(odata, SearchConfig(**{**SEARCH, "seed": seed}, epochs=ORDER_EPOCHS, order=o))
           for o in ("first", "second")}
    gap = float(np.abs(out["first"].alpha_trace("normal")[-1] - out["second"].alpha_trace("normal")[-1]).max())
    w_first = run_darts(odata, SearchConfig(**{**SEARCH, "seed": seed}, epochs=ORDER_EPOCHS, step_order="w_first"))
    start, end_a = out["first"].alpha_trace("normal")[0], out["first"].alpha_trace("normal")[-1]
    end_w = w_first.alpha_trace("normal")[-1]
    ratio = float(np.abs(end_a - end_w).max() / np.abs(end_a - start).max())
    shared = {"first/second": shared_edges(out["first"].genotype, out["second"].genotype),
              "α-first/w-first": shared_edges(out["first"].genotype, w_first.genotype)}
    print(f"orders: largest softmax(α) difference first vs second {gap:.3f}; α-first vs w-first {ratio:.2f} "
          f"of how far the search moved softmax(α); kept edges in common "
          + ", ".join(f"{k} {v:.0%}" for k, v in shared.items()), flush=True)
    return {"order_gap": gap, "step_order_ratio": ratio, "shared_orders": shared["first/second"],
            "shared_step_orders": shared["α-first/w-first"]}


def one_step(seed: int) -> dict:
    """Section 3: one architecture step on a fresh supernet (`SEED = seed`), second vs first order, eq. (8)."""
    data = load_dataset("mnist1d", n_train=SEARCH_N_TRAIN)
    seed_everything(seed)
    net = SearchNetwork(data.input_shape, data.num_classes, C=SEARCH["C"], layers=SEARCH["layers"],
                        steps=SEARCH["steps"])
    Xt, yt, Xv, yv = data.X_train[:64], data.y_train[:64], data.X_train[-64:], data.y_train[-64:]
    L_train, L_val = network_loss(net, Xt, yt), network_loss(net, Xv, yv)
    w, alpha, xi = net.weights(), net.alphas(), 0.05
    g_w = torch.autograd.grad(L_train(w, alpha), w)
    w1 = [(p - xi * g).detach().requires_grad_() for p, g in zip(w, g_w)]
    grads = torch.autograd.grad(L_val(w1, alpha), alpha + w1)
    d_alpha, v = grads[:2], grads[2:]
    eps = 0.01 / norm(v)
    with torch.no_grad():
        w_plus, w_minus = [p + eps * q for p, q in zip(w, v)], [p - eps * q for p, q in zip(w, v)]
    g_plus = torch.autograd.grad(L_train(w_plus, alpha), alpha)
    g_minus = torch.autograd.grad(L_train(w_minus, alpha), alpha)
    by_hand = [d - xi * (gp - gm) / (2 * eps) for d, gp, gm in zip(d_alpha, g_plus, g_minus)]
    second, _ = Architect(net, order="second").alpha_grad(Xt, yt, Xv, yv, xi=xi)
    first, _ = Architect(net, order="first").alpha_grad(Xt, yt, Xv, yv)
    exact = hvp_exact(L_train, w, alpha, v)
    out = {"by_hand_vs_architect": max(float((a - b).abs().max()) for a, b in zip(by_hand, second)),
           "second_vs_first": float(norm([a - b for a, b in zip(second, first)]) / norm(first)),
           "correction": xi * float(norm(exact)) / float(norm(d_alpha))}
    for r in (1e-1, 1e-2, 1e-3):
        fd = hvp_finite_difference(L_train, w, alpha, v, r=r)
        out[f"rel_fd_{r:g}"] = float(norm([a - b for a, b in zip(fd, exact)]) / norm(exact))
    print(f"SEED {seed}, one step: " + ", ".join(f"{k} {x:.3g}" for k, x in out.items()), flush=True)
    return out


def claims(seed: int, random_acc: list[float] | None) -> tuple[dict, list[float]]:
    """Everything sections 4, 5, 6 and 8 of the notebook compute for `SEED = seed`; the claims' values."""
    data = load_dataset("mnist1d", n_train=SEARCH_N_TRAIN)
    t0 = time.perf_counter()
    res = run_darts(data, SearchConfig(**{**SEARCH, "seed": seed}, epochs=SEARCH_EPOCHS))
    v = {"supernet_val_acc": res.history[-1]["supernet_val_acc"], "convs_normal": res.genotype.count(CONVS),
         "max_alpha_normal": float(res.alpha_trace("normal")[-1].max()),
         "max_pool_reduce": res.genotype.count("max_pool_3x3", kind="reduce")}
    hard = discretised_accuracy(res.model, res.genotype, data.X_val, data.y_val)
    v["soft_minus_hard"] = v["supernet_val_acc"] - hard
    print(f"seed {seed} search ({time.perf_counter() - t0:.0f} s): {res.genotype}", flush=True)
    rdata = load_dataset("mnist1d", n_train=RETRAIN_N_TRAIN)
    darts = [evaluate_genotype(res.genotype, rdata, seed=s, **RETRAIN).score() for s in range(RETRAIN_SEEDS)]
    if random_acc is None:  # the random cells do not depend on the notebook's SEED: train them once
        cells = [random_genotype(SEARCH["steps"], seed=100 + i) for i in range(N_RANDOM)]
        random_acc = [evaluate_genotype(g, rdata, seed=0, **RETRAIN).score() for g in cells]
    v.update(darts_retrained=[round(a, 4) for a in darts], random_retrained=[round(a, 4) for a in random_acc],
             darts_minus_random=float(np.mean(darts) - np.mean(random_acc)),
             gap_over_range=float(abs(np.mean(darts) - np.mean(random_acc)) / max(np.ptp(darts), 1e-9)))
    rows = costs(PROFILE_STEPS, seed)
    v.update(cpu_ratio=rows[1]["cpu_seconds_per_step"] / rows[0]["cpu_seconds_per_step"],
             peak_ratio=rows[1]["peak_mb"] / rows[0]["peak_mb"],
             peak_ratio_exact=rows[2]["peak_mb"] / rows[0]["peak_mb"])
    v.update(orders(seed))
    print(f"seed {seed} ({time.perf_counter() - t0:.0f} s): "
          + ", ".join(f"{k} {x:.3f}" if isinstance(x, float) else f"{k} {x}" for k, x in v.items()), flush=True)
    return v, random_acc


def retrain(seeds: int, n_random: int, seed: int = 0) -> dict:
    data = load_dataset("mnist1d", n_train=SEARCH_N_TRAIN)
    t0, c0 = time.perf_counter(), time.process_time()
    res = run_darts(data, SearchConfig(**{**SEARCH, "seed": seed}, epochs=SEARCH_EPOCHS))
    print(f"search: {time.perf_counter() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU; "
          f"supernet val acc {res.history[-1]['supernet_val_acc']:.3f}; {res.genotype}", flush=True)
    rdata = load_dataset("mnist1d")
    out = {"genotype": str(res.genotype), "darts": [], "random": []}
    for s in range(seeds):
        out["darts"].append(evaluate_genotype(res.genotype, rdata, seed=s, **RETRAIN).score())
        print(f"  DARTS cell, seed {s}: {out['darts'][-1]:.3f}", flush=True)
    for i in range(n_random):
        g = random_genotype(SEARCH["steps"], seed=100 + i)
        out["random"].append(evaluate_genotype(g, rdata, seed=0, **RETRAIN).score())
        print(f"  random cell {i}: {out['random'][-1]:.3f}  {g}", flush=True)
    for k in ("darts", "random"):
        v = np.array(out[k])
        print(f"{k:7s} validation accuracy {v.mean():.3f} ± {v.std():.3f} (n = {len(v)})")
    return out


def collapse(search_seeds: list[int]) -> list[dict]:
    """Section 7 over search seeds: skips per epoch, the warning epoch, and the final, early-stopped and
    capped cells retrained (COLLAPSE["seeds"] seeds each) on digits."""
    data = load_dataset(COLLAPSE["dataset"], n_train=COLLAPSE["n_train"])
    rdata = load_dataset(COLLAPSE["dataset"], n_train=budget(full=None, fast=256))
    rows = []
    for seed in search_seeds:
        cfg = SearchConfig(**{**SEARCH, "layers": COLLAPSE["layers"], "alpha_lr": COLLAPSE["alpha_lr"], "seed": seed},
                           epochs=COLLAPSE["epochs"], warmup_epochs=COLLAPSE["warmup_epochs"],
                           primitives=COLLAPSE["primitives"])
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_darts(data, cfg)
        search_cpu = time.process_time() - c0
        epoch_kept, g_kept = early_stopped(res)
        g_capped = Genotype(cap_skips(res.history[-1]["weights_normal"], COLLAPSE["primitives"],
                                      max_skip=res.config.max_skip), res.genotype.reduce)
        skips = res.column("skips")
        first = next((h["epoch"] for h in res.history if h["skips"] > res.config.max_skip), None)
        row = {"seed": seed, "skips": skips, "warn_epoch": first, "kept_epoch": epoch_kept,
               "skip_weight": [round(float(h["weights_normal"][:, 1].mean()), 3) for h in res.history],
               "search_s": round(time.perf_counter() - t0, 1), "search_cpu_s": round(search_cpu, 1),
               "final": str(res.genotype), "kept": str(g_kept),
               "capped": str(g_capped)}
        retrain_kw = {**RETRAIN, **COLLAPSE["retrain"]}
        for key, g in (("final", res.genotype), ("kept", g_kept), ("capped", g_capped)):
            row[f"acc_{key}"] = [round(evaluate_genotype(g, rdata, seed=s, **retrain_kw).score(), 4)
                                 for s in range(COLLAPSE["seeds"])]
        row["section_s"], row["section_cpu_s"] = round(time.perf_counter() - t0, 1), round(time.process_time() - c0, 1)
        print(json.dumps(row), flush=True)
        rows.append(row)
    mean = {k: np.array([np.mean(r[f"acc_{k}"]) for r in rows]) for k in ("final", "kept", "capped")}
    print(f"warning fired in {sum(r['warn_epoch'] is not None for r in rows)} of {len(rows)} searches; "
          f"early-stopped cell better than the final one in {int(np.sum(mean['kept'] > mean['final']))}, "
          f"capped cell in {int(np.sum(mean['capped'] > mean['final']))}; mean gaps: early-stopped "
          f"{np.mean(mean['kept'] - mean['final']):+.3f}, capped {np.mean(mean['capped'] - mean['final']):+.3f}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", default="all",
                    choices=("costs", "retrain", "orders", "step", "claims", "collapse", "all"))
    ap.add_argument("--steps", type=int, default=5, help="timed steps per variant (after one warm-up step)")
    ap.add_argument("--seeds", default="0", help="the notebook's SEED values (the search's seed), e.g. 0,1,2")
    ap.add_argument("--retrain-seeds", type=int, default=RETRAIN_SEEDS, help="retraining seeds of the DARTS cell")
    ap.add_argument("--n-random", type=int, default=N_RANDOM, help="random cells (one seed each)")
    ap.add_argument("--search-seeds", type=int, nargs="+", default=[0, 1, 2], help="search seeds of --part collapse")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    seeds = [int(x) for x in str(args.seeds).split(",")]
    results = {}
    if args.part == "claims":
        random_acc = None
        for seed in seeds:
            results[seed], random_acc = claims(seed, random_acc)
        for k in results[seeds[0]]:
            if not isinstance(results[seeds[0]][k], list):
                print(f"{k:>20}: " + "  ".join(f"{results[s_][k]:.3f}" for s_ in seeds) + f"   (seeds {args.seeds})")
    if args.part == "collapse":
        results["collapse"] = collapse(args.search_seeds)
    for seed in seeds if args.part not in ("claims", "collapse") else ():
        if args.part in ("costs", "all"):
            results[f"costs {seed}"] = costs(args.steps, seed)
        if args.part in ("retrain", "all"):
            results[f"retrain {seed}"] = retrain(args.retrain_seeds, args.n_random, seed)
        if args.part in ("orders", "all"):
            results[f"orders {seed}"] = orders(seed)
        if args.part in ("step", "all"):
            results[f"step {seed}"] = one_step(seed)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
