"""Measure the figures notebook 05 (DARTS) reports, with the notebook's class-mode settings.

    .venv/bin/python benchmarks/darts_bench.py --part costs     # time per search step + peak memory, 1st vs 2nd order
    .venv/bin/python benchmarks/darts_bench.py --part retrain   # DARTS cell vs random cells, retrained (mean ± std)
    .venv/bin/python benchmarks/darts_bench.py --part collapse --search-seeds 0 1 2 3 4   # § 7 over search seeds
    .venv/bin/python benchmarks/darts_bench.py                  # costs and retrain

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
from naslab.darts.genotype import Genotype, cap_skips, random_genotype
from naslab.darts.profile import profile_step
from naslab.darts.search import SearchConfig, early_stopped, evaluate_genotype, run_darts
from naslab.data import load_dataset

# the notebook's settings (notebooks/05_darts.ipynb, parameters cell, class mode)
SEARCH = dict(C=8, layers=3, steps=2, batch_size=64, alpha_lr=0.05, seed=0)
SEARCH_N_TRAIN, SEARCH_EPOCHS = budget(full=1600, fast=256), budget(full=6, fast=1)
RETRAIN = dict(C=8, layers=5, epochs=budget(full=3, fast=1), batch_size=128, lr=0.1)
COLLAPSE = dict(dataset="digits", n_train=budget(full=None, fast=200), epochs=budget(full=10, fast=2),
                warmup_epochs=budget(full=2, fast=1), layers=5, alpha_lr=0.03, seeds=budget(full=2, fast=1),
                primitives=("sep_conv_3x3", "skip_connect"), retrain=dict(batch_size=32, lr=0.05))


def costs(n_steps: int) -> list[dict]:
    data = load_dataset("mnist1d", n_train=SEARCH_N_TRAIN)
    rows = []
    for label, kw in (("first", {"order": "first"}), ("second (eq. 8)", {"order": "second"}),
                      ("second (exact HVP)", {"order": "second", "hvp": "exact"})):
        p = profile_step(data, SearchConfig(**SEARCH), n_steps=n_steps, **kw)
        rows.append({"label": label, **p})
        print(f"{label:19s} {p['seconds_per_step']:.3f} s/step wall, {p['cpu_seconds_per_step']:.3f} s/step CPU, "
              f"peak {p['peak_mb']:.1f} MiB (batch {p['batch_size']} per half)", flush=True)
    return rows


def retrain(seeds: int, n_random: int) -> dict:
    data = load_dataset("mnist1d", n_train=SEARCH_N_TRAIN)
    t0, c0 = time.perf_counter(), time.process_time()
    res = run_darts(data, SearchConfig(**SEARCH, epochs=SEARCH_EPOCHS))
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
    ap.add_argument("--part", choices=("costs", "retrain", "collapse", "all"), default="all")
    ap.add_argument("--steps", type=int, default=5, help="timed steps per variant (after one warm-up step)")
    ap.add_argument("--seeds", type=int, default=3, help="retraining seeds of the DARTS cell")
    ap.add_argument("--n-random", type=int, default=5, help="random cells (one seed each)")
    ap.add_argument("--search-seeds", type=int, nargs="+", default=[0, 1, 2], help="search seeds of --part collapse")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    results = {}
    if args.part in ("costs", "all"):
        results["costs"] = costs(args.steps)
    if args.part in ("retrain", "all"):
        results["retrain"] = retrain(args.seeds, args.n_random)
    if args.part == "collapse":
        results["collapse"] = collapse(args.search_seeds)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
