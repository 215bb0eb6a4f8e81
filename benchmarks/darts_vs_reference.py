"""naslab's DARTS search step against the official DARTS code, side by side: CPU time and peak tensor memory.

    git clone https://github.com/quark0/darts /tmp/darts_ref        # the reference, OUTSIDE this repository
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/darts_vs_reference.py --ref /tmp/darts_ref/cnn
    ... --steps 9 --profile                                            # + torch.profiler top ops, both codes

The reference (Liu, Simonyan & Yang, ICLR 2019; `cnn/model_search.py`, `operations.py`, `architect.py`,
`genotypes.py` of quark0/darts) is imported from `--ref` and never copied: it is written for old PyTorch
on a GPU, so this script turns `.cuda()` into the identity at import time and gives its `Network.new`
(which builds the unrolled model w' of eq. 6) the cell size of the network it copies (it hard-codes 4 nodes).

Both supernets are built on the same cell, with the reference's initial weights and α copied into naslab's;
the script checks that the logits and the first-order α gradients agree (to 1e-10 in float64, 1e-4 in float32)
before timing.
Then, per configuration, it runs search steps of Algorithm 1 (α step, then w step; SGD 0.025, momentum 0.9,
weight decay 3e-4, clip 5; Adam 3e-4 on α; the official code's virtual step with momentum) on the same
batches, interleaved (the order rotates every step) in one process on one thread:

* first order: ∇_α L_val(w, α);
* second order: eq. (7) with the finite-difference Hessian-vector product of eq. (8), both codes;
* naslab's exact HVP (double backward), against the reference's second order.

It prints CPU seconds per step (time.process_time, median of `--steps`), peak tensor memory of one step
(the profiler's allocation events, the same way for both; `naslab.darts.profile.peak_memory_mb`), the ratio
naslab / reference and the 1-minute load average (a busy machine inflates both codes, the ratio less so).
Inputs are CIFAR-sized random images (3, 32, 32) with 10 classes (`--size` changes the side).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from naslab.darts.architect import Architect
from naslab.darts.profile import peak_memory_mb
from naslab.darts.search import search_step
from naslab.darts.supernet import SearchNetwork
from naslab.utils import script_threads

REF_FILES = ("model_search.py", "operations.py", "architect.py", "genotypes.py")
HOW_TO_GET = ("get it with `git clone https://github.com/quark0/darts /tmp/darts_ref` and pass "
              "`--ref /tmp/darts_ref/cnn` (keep it outside this repository; never commit its code)")
# (name, steps = nodes per cell, C, layers, batch size per half)
CONFIGS = {"2n-b16": (2, 8, 3, 16), "2n-b64": (2, 8, 3, 64), "paper-b16": (4, 16, 5, 16)}
W_LR, MOMENTUM, W_DECAY, CLIP, A_LR, A_DECAY = 0.025, 0.9, 3e-4, 5.0, 3e-4, 1e-3  # the code's defaults
MODES = ("first", "second", "exact")
NUM_CLASSES = 10


def check_ref(ref) -> Path:
    """The folder holding the reference's `cnn/` modules, or SystemExit naming `--ref` and how to get it."""
    if ref is None:
        raise SystemExit(f"--ref is required: the folder with the official DARTS `cnn/` code; {HOW_TO_GET}")
    path = Path(ref).expanduser()
    missing = [f for f in REF_FILES if not (path / f).is_file()]
    if missing:
        raise SystemExit(f"--ref {str(ref)!r} does not hold the official DARTS `cnn/` code (missing: {missing}); "
                         f"{HOW_TO_GET}")
    return path


def load_reference(path: Path) -> types.SimpleNamespace:
    """Import the reference's modules from `path`, patched for a CPU and today's PyTorch (nothing is copied)."""
    warnings.filterwarnings("ignore", message="This overload of", category=UserWarning)  # its add_(R, v) etc.
    torch.Tensor.cuda = lambda self, *a, **k: self  # the reference moves everything to a GPU
    nn.Module.cuda = lambda self, *a, **k: self
    sys.path.insert(0, str(path))
    try:
        ms, arch = importlib.import_module("model_search"), importlib.import_module("architect")
    finally:
        sys.path.remove(str(path))

    def new(self):  # the unrolled model w' with THIS network's cell size (the original always builds 4 nodes)
        clone = type(self)(self._C, self._num_classes, self._layers, self._criterion, steps=self._steps,
                           multiplier=self._multiplier)
        for a, b in zip(clone.arch_parameters(), self.arch_parameters()):
            a.data.copy_(b.data)
        return clone
    ms.Network.new = new
    return types.SimpleNamespace(Network=ms.Network, Architect=arch.Architect)


def build_pair(ref, steps: int, C: int, layers: int, size: int, seed: int):
    """A reference supernet and a naslab supernet with the reference's initial weights and α."""
    torch.manual_seed(seed)
    r = ref.Network(C, NUM_CLASSES, layers, nn.CrossEntropyLoss(), steps=steps, multiplier=steps)
    n = SearchNetwork((3, size, size), NUM_CLASSES, C=C, layers=layers, steps=steps)
    r_params, n_params = list(r.parameters()), n.weights()
    if len(r_params) != len(n_params) or any(a.shape != b.shape for a, b in zip(r_params, n_params)):
        raise RuntimeError("the reference's and naslab's supernets do not have the same parameters in the same order")
    with torch.no_grad():
        for a, b in zip(r_params, n_params):
            b.copy_(a)
        for a, b in zip(r.arch_parameters(), n.alphas()):
            b.copy_(a)
    return r, n


def batches(size: int, batch: int, n: int, seed: int) -> list:
    """`n` pairs of ((X_train, y_train), (X_val, y_val)) of random images, the same for both codes."""
    g = torch.Generator().manual_seed(seed)

    def one():
        return torch.randn(batch, 3, size, size, generator=g), torch.randint(0, NUM_CLASSES, (batch,), generator=g)
    return [(one(), one()) for _ in range(n)]


def _logits_and_alpha_grads(ref, steps, C, layers, size, batch, dtype):
    r, n = build_pair(ref, steps, C, layers, size, seed=0)
    r, n = r.to(dtype), n.to(dtype)
    for a in r.arch_parameters():  # plain tensors, not parameters: .to() leaves them alone
        a.data = a.data.to(dtype)
    with torch.no_grad():
        for a, b in zip(r.arch_parameters(), n.alphas()):
            b.copy_(a)
    (X, y), _ = batches(size, batch, 1, seed=1)[0]
    X = X.to(dtype)
    logits_r, logits_n = r(X), n(X)
    g_r = torch.autograd.grad(nn.functional.cross_entropy(logits_r, y), r.arch_parameters())
    g_n, _ = Architect(n, order="first").alpha_grad(X, y, X, y)
    flat = [torch.cat([g.detach().flatten() for g in gs]).double() for gs in (g_r, g_n)]
    return logits_r.detach().double(), logits_n.detach().double(), *flat


def check_numerics(ref, steps, C, layers, size, batch) -> dict:
    """Logits and first-order α gradients of the two codes on the same weights and batch.

    In float64 they must agree to 1e-10 (the same computation); in float32 each code rounds its own way
    (PyTorch's CPU batch norm in channels-last sums in float32: about 1e-5 relative), so float32 is
    reported as each code's distance to the float64 result, and must stay within 1e-4."""
    lr64, ln64, gr64, gn64 = _logits_and_alpha_grads(ref, steps, C, layers, size, batch, torch.float64)
    lr32, ln32, gr32, gn32 = _logits_and_alpha_grads(ref, steps, C, layers, size, batch, torch.float32)
    out = {"logits64": (lr64 - ln64).abs().max().item(), "alpha_grad64": (gr64 - gn64).abs().max().item(),
           "logits32": (lr32 - ln32).abs().max().item(), "alpha_grad32": (gr32 - gn32).abs().max().item(),
           "ref32_err": (gr32 - gr64).abs().max().item(), "naslab32_err": (gn32 - gr64).abs().max().item()}
    if max(out["logits64"], out["alpha_grad64"]) > 1e-10 or max(out["logits32"], out["alpha_grad32"]) > 1e-4:
        raise RuntimeError(f"naslab and the reference disagree: {out} (max abs differences; want <= 1e-10 in "
                           "float64, <= 1e-4 in float32)")
    return out


class Runner:
    """One code's search loop in one mode: model, architect and optimisers, and `step(batch)`."""

    def __init__(self, ref, code: str, mode: str, steps, C, layers, size):
        self.code, self.mode = code, mode
        r, n = build_pair(ref, steps, C, layers, size, seed=0)
        if code == "reference":
            self.model = r
            self.w_opt = torch.optim.SGD(r.parameters(), W_LR, momentum=MOMENTUM, weight_decay=W_DECAY)
            args = types.SimpleNamespace(momentum=MOMENTUM, weight_decay=W_DECAY, arch_learning_rate=A_LR,
                                         arch_weight_decay=A_DECAY)
            self.architect = ref.Architect(r, args)
        else:
            self.model = n
            self.w_opt = torch.optim.SGD(n.weights(), W_LR, momentum=MOMENTUM, weight_decay=W_DECAY)
            self.architect = Architect(n, order="first" if mode == "first" else "second", alpha_lr=A_LR,
                                       alpha_weight_decay=A_DECAY, unroll_momentum=True,
                                       hvp="exact" if mode == "exact" else "finite")

    def step(self, pair) -> None:
        (Xw, yw), (Xa, ya) = pair
        if self.code == "naslab":
            search_step(self.model, self.architect, self.w_opt, (Xw, yw), (Xa, ya), xi=W_LR, grad_clip=CLIP)
            return
        # the reference's train_search.py: architect.step, then the w step
        self.architect.step(Xw, yw, Xa, ya, W_LR, self.w_opt, unrolled=self.mode != "first")
        self.w_opt.zero_grad()
        loss = self.model._loss(Xw, yw)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), CLIP)
        self.w_opt.step()


def runners(ref, cfg) -> list[Runner]:
    """reference first / second order, naslab first / second / exact (the exact one is compared to the
    reference's second order, which has no exact mode)."""
    return [Runner(ref, code, mode, *cfg) for code, mode in
            (("reference", "first"), ("naslab", "first"), ("reference", "second"), ("naslab", "second"),
             ("naslab", "exact"))]


def measure(ref, name: str, n_steps: int, size: int, memory: bool = True) -> list[dict]:
    steps, C, layers, batch = CONFIGS[name]
    rs = runners(ref, (steps, C, layers, size))
    data = batches(size, batch, 4, seed=2)
    cpu = {(r.code, r.mode): [] for r in rs}
    for i in range(n_steps + 1):  # step 0 warms up; the order of the five runners rotates every step
        for k in range(len(rs)):
            r = rs[(i + k) % len(rs)]
            t = time.process_time()
            r.step(data[i % len(data)])
            if i > 0:
                cpu[(r.code, r.mode)].append(time.process_time() - t)
    peak = {(r.code, r.mode): peak_memory_mb(lambda r=r: r.step(data[0]), "cpu") if memory else float("nan")
            for r in rs}
    rows = []
    for mode in MODES:
        ref_key = ("reference", "first" if mode == "first" else "second")
        t_r, t_n = float(np.median(cpu[ref_key])), float(np.median(cpu[("naslab", mode)]))
        rows.append({"config": name, "batch": batch, "mode": mode, "ref_s": t_r, "naslab_s": t_n,
                     "load": os.getloadavg()[0],
                     "time_ratio": t_n / t_r, "ref_mb": peak[ref_key], "naslab_mb": peak[("naslab", mode)],
                     "mem_ratio": peak[("naslab", mode)] / peak[ref_key]})
    return rows


HEADER = (f"{'config':10s} {'batch':>5s} {'mode':7s} {'ref s':>8s} {'naslab s':>9s} {'ratio':>6s} "
          f"{'ref MiB':>8s} {'naslab MiB':>10s} {'ratio':>6s} {'load':>5s}")


def table_row(r: dict) -> str:
    return (f"{r['config']:10s} {r['batch']:5d} {r['mode']:7s} {r['ref_s']:8.3f} {r['naslab_s']:9.3f} "
            f"{r['time_ratio']:6.2f} {r['ref_mb']:8.1f} {r['naslab_mb']:10.1f} {r['mem_ratio']:6.2f} {r['load']:5.2f}")


def profile(ref, name: str, size: int, n_steps: int = 2, rows: int = 15) -> None:
    """torch.profiler's top ops by self CPU time over `n_steps` second-order steps of each code."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    steps, C, layers, batch = CONFIGS[name]
    data = batches(size, batch, 2, seed=3)
    for code in ("reference", "naslab"):
        r = Runner(ref, code, "second", steps, C, layers, size)
        r.step(data[0])  # warm-up
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            for i in range(n_steps):
                r.step(data[i % len(data)])
        print(f"\n== {code}, second order, {name}, {n_steps} steps: top ops by self CPU ==")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows))


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", help="folder with the official DARTS cnn/ code (quark0/darts)")
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--steps", type=int, default=5, help="timed steps per code and mode (median)")
    ap.add_argument("--size", type=int, default=32, help="image side (CIFAR: 32)")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory step")
    ap.add_argument("--profile", action="store_true", help="also print torch.profiler's top ops (second order)")
    args = ap.parse_args(argv)
    if args.steps < 1 or args.size < 4:
        raise SystemExit(f"--steps={args.steps} must be >= 1 and --size={args.size} >= 4")
    ref = load_reference(check_ref(args.ref))
    script_threads(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, images (3, {args.size}, {args.size}), "
          f"{args.steps} timed steps (median CPU seconds per step)", flush=True)
    rows = []
    for name in args.configs:
        steps, C, layers, batch = CONFIGS[name]
        num = check_numerics(ref, steps, C, layers, args.size, batch)
        print(f"{name}: {steps} nodes, C {C}, {layers} layers, batch {batch}; max |diff| float64: logits "
              f"{num['logits64']:.1e}, first-order dα {num['alpha_grad64']:.1e}; float32: logits "
              f"{num['logits32']:.1e}, "
              f"dα {num['alpha_grad32']:.1e} (dα to float64: reference {num['ref32_err']:.1e}, naslab "
              f"{num['naslab32_err']:.1e})", flush=True)
        rows += measure(ref, name, args.steps, args.size, memory=not args.no_memory)
        print(f"\n{name} (times: CPU seconds per step; load: the 1-minute load average)\n{HEADER}", flush=True)
        print("\n".join(table_row(r) for r in rows if r["config"] == name), flush=True)
    print(f"\nall configurations\n{HEADER}\n" + "\n".join(table_row(r) for r in rows))
    if args.profile:
        profile(ref, args.configs[0], args.size)
    return rows


if __name__ == "__main__":
    main()
