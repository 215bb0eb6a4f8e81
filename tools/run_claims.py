"""`make claims`: run every notebook in class mode and print one line per claim (naslab.claims).

    python tools/run_claims.py                        # all notebooks, class mode
    python tools/run_claims.py notebooks/05_darts.ipynb
    python tools/run_claims.py --fast                 # FAST mode (checks the machinery only)
    python tools/run_claims.py --load 1               # beside one other CPU-bound process (make claims LOAD=1)
    python tools/run_claims.py --seeds 0,1,2          # each notebook once per SEED (make claims SEEDS=0,1,2)
    python tools/run_claims.py --param DATASET="'digits'" notebooks/05_darts.ipynb   # any parameter (PARAMS=...)

Each notebook runs top to bottom in a fresh kernel (nbclient) with the environment a student gets
from `make lab` (one torch thread through `NASLAB_THREADS`, nothing else pinned) plus
`NASLAB_CLAIMS=<file>`, to which every `naslab.claims.claim(...)` call appends its record. The
command prints each claim's line (holds / DOES NOT HOLD, observed, bound), each notebook's wall time
beside the 1-minute load average, and exits 1 when a claim fails, a notebook errors, or a notebook
with an "Expected result" cell recorded no claim.

`--seeds 0,1,2` runs every notebook whose `parameters` cell sets `SEED` once per seed, with `SEED = <s>`
injected in a new cell (tagged `injected-parameters`) right after that cell, as papermill does
(tools/notebook_params.py; lines of the parameters cell that use SEED are repeated there); a notebook that
sets no SEED runs once. `--param NAME=VALUE` (repeatable) injects any parameter the same way, into the
notebooks whose parameters cell sets NAME. After the runs, every claim gets one line per notebook over the
seeds: how many seeds held, the observed value per seed, their range (min..max) and the bound
(`naslab.claims.per_seed_lines`). A notebook without a `parameters` cell is an error (exit 2, before
anything runs). Without `--seeds` and `--param` the output is the single run's, line for line.

It also watches progress: for every cell that runs longer than 10 s it prints the longest stretch
without any output (a printed line, a progress-bar update, a figure), and reports a problem when a
cell stays silent for more than `--max-silence` seconds (default 20). `--load N` starts N busy-loop
processes for the whole run (the "one other CPU-bound process" column of the README's table).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from notebook_params import assigned_names, inject, parameters_index, parse_param, parse_seeds

from naslab.claims import load_claims, per_seed_lines

ROOT = Path(__file__).resolve().parents[1]


class WatchedClient(NotebookClient):
    """NotebookClient that time-stamps every message a cell sends (output, progress-bar update, figure)."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.events: dict[int, list[float]] = {}  # cell index -> times of its messages
        self.cells: list[tuple] = []  # (index, first line, seconds, longest silence) per code cell run

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] in {"stream", "display_data", "update_display_data", "execute_result", "comm_msg",
                               "clear_output", "execute_input", "error"}:
            self.events.setdefault(cell_index, []).append(time.perf_counter())
        return super().process_message(msg, cell, cell_index)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        finally:
            t1 = time.perf_counter()
            if cell.cell_type == "code":
                stamps = sorted([t0, *self.events.get(cell_index, []), t1])
                silence = max(b - a for a, b in zip(stamps, stamps[1:]))
                first = cell.source.splitlines()[0][:70] if cell.source else ""
                self.cells.append((cell_index, first, t1 - t0, silence))


def burn() -> None:
    """A CPU-bound process: the busy loop of `--load`."""
    x = 0
    while True:
        x = (x * 7 + 1) % 1_000_003


def run_notebook(path: Path, fast: bool, record: Path, timeout: int, nb=None) -> tuple[float, str | None, list]:
    """Execute `path` (or `nb`, its injected copy); return (seconds, error or None, per-cell (index, first line,
    seconds, longest silence)). Claims go to `record`."""
    os.environ.update(NASLAB_FAST="1" if fast else "0", NASLAB_CLAIMS=str(record))
    os.environ.setdefault("NASLAB_THREADS", "1")  # what `make lab` exports
    t0 = time.perf_counter()
    # widget-panel cells get a short timeout: nbclient can wait out the whole timeout after an
    # ipywidgets Output (jupyter/nbclient#312); see tests/course/test_notebooks.py
    client = WatchedClient(nb if nb is not None else nbformat.read(path, as_version=4),
                           timeout_func=lambda c: 20 if "panel(" in c.source else timeout,
                           kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
        error = None
    except Exception as e:  # report and go on to the next notebook
        error = f"{type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ''}"
    return time.perf_counter() - t0, error, client.cells


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--fast", action="store_true", help="FAST mode (tiny budgets; most claims unchecked)")
    ap.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    ap.add_argument("--load", type=int, default=0, help="run beside this many busy-loop processes")
    ap.add_argument("--max-silence", type=float, default=20.0, help="longest allowed stretch without output (s)")
    ap.add_argument("--seeds", type=_arg(parse_seeds), default=None, help="run once per SEED, e.g. 0,1,2")
    ap.add_argument("--param", type=_arg(parse_param), action="append", default=[], metavar="NAME=VALUE",
                    help="inject NAME = VALUE after the parameters cell (repeatable)")
    args = ap.parse_args()
    paths = [p.resolve() for p in (args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")))]
    try:
        args.plan = plan_runs(paths, dict(args.param), args.seeds)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    burners = [mp.Process(target=burn, daemon=True) for _ in range(args.load)]
    for b in burners:
        b.start()
    try:
        return run_all(args)
    finally:
        for b in burners:
            b.terminate()


def _arg(parse):
    """An argparse type from a parser that raises ValueError (its message becomes argparse's error)."""
    def convert(text):
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


def plan_runs(paths: list[Path], params: dict[str, str], seeds: list[int] | None) -> list[tuple]:
    """(path, injected notebook or None, label, seed or None) per run, in order; notes printed.

    Raises:
        ValueError: a notebook without a `parameters` cell when anything is injected (every such notebook
            is named), `--param SEED=...` beside `--seeds`, or a parameter that no notebook sets.
    """
    if not params and seeds is None:
        return [(p, None, p.name, None) for p in paths]
    if seeds is not None and "SEED" in params:
        raise ValueError("give SEED either by --seeds or by --param SEED=..., not both")
    notebooks, errors = {}, []
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        try:
            sets = assigned_names(nb.cells[parameters_index(nb, str(p))].source, str(p))
            notebooks[p] = (nb, sets)
        except ValueError as e:
            errors.append(str(e))
    if errors:
        raise ValueError("\n".join(errors))
    wanted = set(params) | ({"SEED"} if seeds is not None else set())
    unused = sorted(wanted - set().union(*(sets for _, sets in notebooks.values())))
    if unused:
        raise ValueError(f"no notebook's parameters cell sets {', '.join(unused)}")
    runs = []
    for p, (nb, sets) in notebooks.items():
        mine = {k: v for k, v in params.items() if k in sets}
        if wanted - sets:
            print(f"note: {p.name} sets no {', '.join(sorted(wanted - sets))}: "
                  + ("runs once" if seeds is not None and "SEED" not in sets else "runs without it"), flush=True)
        for seed in seeds if seeds is not None and "SEED" in sets else [None]:
            values = {**mine, **({"SEED": str(seed)} if seed is not None else {})}
            label = p.name + (" [" + ", ".join(f"{k} = {v}" for k, v in values.items()) + "]" if values else "")
            runs.append((p, inject(nb, values, str(p)) if values else None, label, seed))
    return runs


def run_all(args) -> int:
    n_fail, problems, timings, by_seed = 0, [], [], {}
    for p, nb, label, seed in args.plan:
        with tempfile.TemporaryDirectory() as tmp:
            record = Path(tmp) / "claims.jsonl"
            record.touch()
            seconds, error, cells = run_notebook(p, args.fast, record, args.timeout, nb)
            claims = load_claims(record)
        if seed is not None:
            by_seed.setdefault(p.name, {})[seed] = claims
        load = os.getloadavg()[0]
        timings.append((label, seconds, load))
        print(f"## {label}: {len(claims)} claims, {seconds:.0f} s, load {load:.1f}", flush=True)
        for c in claims:
            print(("FAILS  " if c.status == "fails" else f"{c.status:<7}") + c.line(), flush=True)
        n_fail += sum(c.status == "fails" for c in claims)
        for index, first, secs, silence in cells:
            if secs > 10:
                print(f"  cell {index} ({first}): {secs:.0f} s, longest silence {silence:.0f} s", flush=True)
            if silence > args.max_silence:
                problems.append(f"{label} cell {index} ({first}) ran {secs:.0f} s with {silence:.0f} s of silence")
        if error:
            problems.append(f"{label} stopped with {error}")
        expects = "**Expected result" in p.read_text(encoding="utf-8")
        if expects and not claims:
            problems.append(f"{label} has an Expected result but recorded no claim")
    for name, runs in by_seed.items():
        print(f"\n## {name}, every claim over SEED = {', '.join(map(str, runs))}")
        for line in per_seed_lines(runs):
            print(line)
    print(f"\n{args.load} other CPU-bound process(es) running beside the notebooks")
    print("\n| notebook | seconds | load (1 min) |\n|---|---|---|")
    for name, seconds, load in timings:
        print(f"| {name} | {seconds:.0f} | {load:.1f} |")
    for msg in problems:
        print("PROBLEM", msg)
    total = "all claims hold" if not n_fail else f"{n_fail} claim(s) DO NOT HOLD"
    print(f"\n{'FAST' if args.fast else 'class'} mode: {total}; {len(problems)} problem(s)")
    return 1 if n_fail or problems else 0


if __name__ == "__main__":
    sys.exit(main())
