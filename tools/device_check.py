"""Device check: naslab's device-agnostic paths on whatever `get_device("auto")` picks, against the CPU.

Runs each piece twice, once on the CPU and once on the "auto" device (cuda, then mps, then cpu),
and prints the two results side by side with the seconds each took. On a CPU-only machine both
columns are the CPU (the script still runs every piece, so it doubles as a smoke test).

    python tools/device_check.py            # prints a table; exit 1 if any piece disagrees
    python tools/device_check.py --json F   # also writes the rows to F

Pieces: `train` (an MLP on digits), `train_population` (a 6-member lr grid), `run_darts` (one
epoch of first-order DARTS on MNIST-1D), `evaluate_genotype` (retraining a fixed cell),
`train_batched` (16 cells of the bake-off table trained as one batched computation, 2 epochs: their
validation accuracies) and `darts_on_table` (one epoch of second-order DARTS on the table's space: the
final softmax(alpha), 30 weights). The numbers must agree within `--tol` (GPU kernels round
differently, so bit-equality is not asked).
"""

from __future__ import annotations

import argparse
import json
import time

import torch

import naslab
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
    return train(model, data, epochs=5, lr=0.1, seed=0, device=device).val_acc


def piece_population(device: str) -> list[float]:
    data = naslab.load_dataset("digits")
    # lr <= 0.3 only: at lr = 1 training sits at the edge of stability, where any change in rounding
    # (another device, another torch build: 0.47 vs 0.43 between two CPUs) gives another result
    configs = [{"lr": lr, "weight_decay": 1e-4, "seed": 0} for lr in (1e-3, 3e-3, 1e-2, 0.03, 0.1, 0.3)]
    res = naslab.train_population(data, configs, epochs=5, device=device)
    return [round(float(a), 4) for a in res.val_acc]


def piece_darts(device: str) -> tuple[str, float]:
    data = naslab.load_dataset("mnist1d", n_train=1000)
    res = naslab.run_darts(data, epochs=1, seed=0, device=device)
    return str(res.genotype), float(res.history[-1]["supernet_val_acc"])


def piece_retrain(device: str) -> float:
    from naslab.darts.search import evaluate_genotype

    data = naslab.load_dataset("mnist1d", n_train=1000)
    genotype = "normal: sep_conv_3x3~0 + skip_connect~1 | sep_conv_3x3~0 + max_pool_3x3~2 ; " \
               "reduce: max_pool_3x3~0 + avg_pool_3x3~1 | skip_connect~0 + sep_conv_5x5~2"
    trial = evaluate_genotype(genotype, data, epochs=2, seed=0, device=device)
    return float(trial.metrics["val_acc"])


def piece_bakeoff_batched(device: str) -> list[float]:
    from naslab.bakeoff.cells import unique_cells
    from naslab.bakeoff.network import NetConfig
    from naslab.bakeoff.training import TrainSpec, train_batched

    data = naslab.load_dataset("mnist1d")
    cells = unique_cells()[::300][:16]
    r = train_batched(cells, 0, data, NetConfig(C=8, stem_stride=2),
                      TrainSpec(epochs=2, batch_size=32, lr=1e-2, n_train=768), device=device)
    return [round(float(a), 4) for a in r["val_acc"][:, -1]]


def piece_darts_on_table(device: str) -> list[float]:
    from naslab.bakeoff.oneshot import darts_on_table

    data = naslab.load_dataset("mnist1d")
    r = darts_on_table(None, "second", epochs=1, seed=0, data=data, device=device)
    return [round(float(a), 4) for a in r.alpha[-1].ravel()]


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
    for label, fn in [("train", piece_train), ("train_population", piece_population),
                      ("run_darts", piece_darts), ("evaluate_genotype", piece_retrain),
                      ("train_batched", piece_bakeoff_batched), ("darts_on_table", piece_darts_on_table)]:
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
