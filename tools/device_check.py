"""Device check: naslab's device-agnostic paths on whatever `get_device("auto")` picks, against the CPU.

Runs each piece twice, once on the CPU and once on the "auto" device (cuda, then mps, then cpu),
and prints the two results side by side with the seconds each took. On a CPU-only machine both
columns are the CPU (the script still runs every piece, so it doubles as a smoke test).

    python tools/device_check.py            # prints a table; exit 1 if any piece disagrees
    python tools/device_check.py --json F   # also writes the rows to F

Pieces, one per heavy path of the course (issue 25): `train` (an MLP on digits), `train_population` (a
6-member lr grid), `run_darts` (one epoch of first-order DARTS on MNIST-1D), `evaluate_genotype`
(retraining a fixed cell), `train_batched` (16 cells of the bake-off table trained as one batched
computation, 2 epochs: their validation accuracies), `train_single` (one cell alone), `nb201_build` (one
group job of the notebook-06 table build, `naslab.bakeoff.build.run_job`, on 8 cells), `truer_build` (the
same with the truer table's configuration, `naslab.bakeoff.truer.TRUER`, 1 epoch), `proxies_build` (one
run of the notebook-03 table build, `naslab.proxies.build.run_job`: its validation curve),
`supernet_ranking` (uniform single-path supernet training on the table's space) and `darts_on_table`
(one epoch of second-order DARTS on the table's space: the final softmax(alpha), 30 weights). The
numbers must agree within `--tol` (GPU kernels round differently, so bit-equality is not asked). FAST mode
(NASLAB_FAST=1) shrinks every piece to a smoke test (tests/tools/test_device_check.py runs them).
"""

from __future__ import annotations

import argparse
import json
import time

import torch

import naslab
from naslab.config import budget
from naslab.train import train
from naslab.utils import script_threads


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - t0


def piece_train(device: str) -> float:
    data = naslab.load_dataset("digits")
    naslab.seed_everything(0)
    model = naslab.make_mlp(data.input_shape, data.num_classes, hidden=(64,))
    return train(model, data, epochs=budget(full=5, fast=1), lr=0.1, seed=0, device=device).val_acc


def piece_population(device: str) -> list[float]:
    data = naslab.load_dataset("digits")
    # lr <= 0.3 only: at lr = 1 training sits at the edge of stability, where any change in rounding
    # (another device, another torch build: 0.47 vs 0.43 between two CPUs) gives another result
    configs = [{"lr": lr, "weight_decay": 1e-4, "seed": 0} for lr in (1e-3, 3e-3, 1e-2, 0.03, 0.1, 0.3)]
    res = naslab.train_population(data, configs, epochs=budget(full=5, fast=1), device=device)
    return [round(float(a), 4) for a in res.val_acc]


def piece_darts(device: str) -> tuple[str, float]:
    data = naslab.load_dataset("mnist1d", n_train=budget(full=1000, fast=128))
    res = naslab.run_darts(data, epochs=1, seed=0, device=device)
    return str(res.genotype), float(res.history[-1]["supernet_val_acc"])


def piece_retrain(device: str) -> float:
    from naslab.darts.search import evaluate_genotype

    data = naslab.load_dataset("mnist1d", n_train=budget(full=1000, fast=128))
    genotype = "normal: sep_conv_3x3~0 + skip_connect~1 | sep_conv_3x3~0 + max_pool_3x3~2 ; " \
               "reduce: max_pool_3x3~0 + avg_pool_3x3~1 | skip_connect~0 + sep_conv_5x5~2"
    trial = evaluate_genotype(genotype, data, epochs=budget(full=2, fast=1), seed=0, device=device)
    return float(trial.metrics["val_acc"])


def piece_bakeoff_batched(device: str) -> list[float]:
    from naslab.bakeoff.cells import unique_cells
    from naslab.bakeoff.network import NetConfig
    from naslab.bakeoff.training import TrainSpec, train_batched

    data = naslab.load_dataset("mnist1d")
    cells = unique_cells()[::300][:budget(full=16, fast=3)]
    spec = TrainSpec(epochs=budget(full=2, fast=1), batch_size=32, lr=1e-2, n_train=budget(full=768, fast=96))
    r = train_batched(cells, 0, data, NetConfig(C=8, stem_stride=2), spec, device=device)
    return [round(float(a), 4) for a in r["val_acc"][:, -1]]


def piece_train_single(device: str) -> list[float]:
    from naslab.bakeoff.network import NetConfig
    from naslab.bakeoff.training import TrainSpec, train_single

    r = train_single((3, 1, 2, 0, 1, 4), 0, naslab.load_dataset("mnist1d"), NetConfig(C=8, stem_stride=2),
                     TrainSpec(epochs=budget(full=3, fast=1), batch_size=32, n_train=budget(full=768, fast=96)),
                     device=device)
    return [round(float(a), 4) for a in r["val_acc"]]


def _group_job(cfg, device: str, n_cells: int) -> list[float]:
    from dataclasses import replace

    from naslab.bakeoff.build import run_job
    from naslab.bakeoff.cells import unique_cells

    cfg = replace(cfg, cells=tuple(unique_cells()[::600][:n_cells]), group_size=n_cells)
    if naslab.is_fast():
        cfg = replace(cfg, spec=replace(cfg.spec, epochs=1, n_train=96))
    r = run_job(cfg, {"key": "group/0/0", "kind": "group", "seed": 0, "start": 0, "stop": n_cells}, device=device)
    return [round(float(a), 4) for a in r["test_acc"]]


def piece_nb201_build(device: str) -> list[float]:
    from naslab.bakeoff.build import BuildConfig

    return _group_job(BuildConfig(), device, budget(full=8, fast=2))


def piece_truer_build(device: str) -> list[float]:
    from dataclasses import replace

    from naslab.bakeoff.truer import TRUER

    return _group_job(replace(TRUER, spec=replace(TRUER.spec, epochs=1)), device, budget(full=8, fast=2))


def piece_proxies_build(device: str) -> list[float]:
    from naslab.proxies.benchmark import BenchConfig
    from naslab.proxies.build import run_job

    cfg = BenchConfig(epochs=budget(full=3, fast=1))
    job = {"kind": "data" if naslab.is_fast() else "main", "arch": 0, "seed": 0, "level": 0}
    return [round(float(a), 4) for a in run_job(cfg, job, device=device)["curve"]]


def piece_supernet_ranking(device: str) -> list[float]:
    from naslab.bakeoff.network import NetConfig
    from naslab.bakeoff.supernet import supernet_ranking
    from naslab.bakeoff.table import CellBenchmark

    r = supernet_ranking(CellBenchmark.load(), steps=budget(full=100, fast=4), n_cells=budget(full=20, fast=3), seed=0,
                         net=NetConfig(C=8, stem_stride=2), device=device)
    return [round(float(a), 4) for a in r["supernet_acc"]]


def piece_darts_on_table(device: str) -> list[float]:
    from naslab.bakeoff.oneshot import darts_on_table

    data = naslab.load_dataset("mnist1d")
    r = darts_on_table(None, "second", epochs=1, seed=0, data=data, device=device,
                       **({"n_train": 96, "batch_size": 32} if naslab.is_fast() else {}))
    return [round(float(a), 4) for a in r.alpha[-1].ravel()]


PIECES = {"train": piece_train, "train_population": piece_population, "run_darts": piece_darts,
          "evaluate_genotype": piece_retrain, "train_batched": piece_bakeoff_batched,
          "train_single": piece_train_single,
          "nb201_build": piece_nb201_build, "truer_build": piece_truer_build, "proxies_build": piece_proxies_build,
          "supernet_ranking": piece_supernet_ranking, "darts_on_table": piece_darts_on_table}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tol", type=float, default=0.05, help="largest accuracy difference allowed")
    ap.add_argument("--json", default=None, help="also write the rows to this file")
    args = ap.parse_args()
    script_threads()
    auto = str(naslab.get_device("auto"))
    name = torch.cuda.get_device_name(0) if auto.startswith("cuda") else auto
    print(f"torch {torch.__version__}; auto device: {auto} ({name})")
    rows, ok = [], True
    for label, fn in PIECES.items():
        (cpu, t_cpu), (dev, t_dev) = _timed(lambda fn=fn: fn("cpu")), _timed(lambda fn=fn: fn("auto"))
        a, b = (cpu[1], dev[1]) if isinstance(cpu, tuple) else (cpu, dev)
        diff = max(abs(x - y) for x, y in zip(a, b)) if isinstance(a, list) else abs(a - b)
        agree = diff <= args.tol
        ok &= agree
        rows.append({"piece": label, "cpu": cpu, "auto": dev, "max_diff": round(diff, 4), "agree": agree,
                     "cpu_s": round(t_cpu, 2), "auto_s": round(t_dev, 2)})
        print(f"{label:18s} cpu {cpu!s:.60} ({t_cpu:.1f} s) | {auto} {dev!s:.60} ({t_dev:.1f} s) | "
              f"max diff {diff:.4f} {'ok' if agree else 'DISAGREE'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"auto_device": auto, "device_name": name, "rows": rows}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
