"""`make claims`: run every notebook in class mode and print one line per claim (naslab.claims).

    python tools/run_claims.py                        # all notebooks, class mode
    python tools/run_claims.py notebooks/05_darts.ipynb
    python tools/run_claims.py --fast                 # FAST mode (checks the machinery only)
    python tools/run_claims.py --load 1               # beside one other CPU-bound process (make claims LOAD=1)

Each notebook runs top to bottom in a fresh kernel (nbclient) with the environment a student gets
from `make lab` (one torch thread through `NASLAB_THREADS`, nothing else pinned) plus
`NASLAB_CLAIMS=<file>`, to which every `naslab.claims.claim(...)` call appends its record. The
command prints each claim's line (holds / DOES NOT HOLD, observed, bound), each notebook's wall time
beside the 1-minute load average, and exits 1 when a claim fails, a notebook errors, or a notebook
with an "Expected result" cell recorded no claim.

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

from naslab.claims import load_claims

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


def run_notebook(path: Path, fast: bool, record: Path, timeout: int) -> tuple[float, str | None, list]:
    """Execute `path`; return (seconds, error or None, per-cell (index, first line, seconds, longest silence)).
    Claims go to `record`."""
    os.environ.update(NASLAB_FAST="1" if fast else "0", NASLAB_CLAIMS=str(record))
    os.environ.setdefault("NASLAB_THREADS", "1")  # what `make lab` exports
    t0 = time.perf_counter()
    # widget-panel cells get a short timeout: nbclient can wait out the whole timeout after an
    # ipywidgets Output (jupyter/nbclient#312); see tests/test_notebooks.py
    client = WatchedClient(nbformat.read(path, as_version=4),
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
    args = ap.parse_args()
    burners = [mp.Process(target=burn, daemon=True) for _ in range(args.load)]
    for b in burners:
        b.start()
    try:
        return run_all(args)
    finally:
        for b in burners:
            b.terminate()


def run_all(args) -> int:
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    n_fail, problems, timings = 0, [], []
    for p in paths:
        p = p.resolve()
        with tempfile.TemporaryDirectory() as tmp:
            record = Path(tmp) / "claims.jsonl"
            record.touch()
            seconds, error, cells = run_notebook(p, args.fast, record, args.timeout)
            claims = load_claims(record)
        load = os.getloadavg()[0]
        timings.append((p.name, seconds, load))
        print(f"## {p.name}: {len(claims)} claims, {seconds:.0f} s, load {load:.1f}", flush=True)
        for c in claims:
            print(("FAILS  " if c.status == "fails" else f"{c.status:<7}") + c.line(), flush=True)
        n_fail += sum(c.status == "fails" for c in claims)
        for index, first, secs, silence in cells:
            if secs > 10:
                print(f"  cell {index} ({first}): {secs:.0f} s, longest silence {silence:.0f} s", flush=True)
            if silence > args.max_silence:
                problems.append(f"{p.name} cell {index} ({first}) ran {secs:.0f} s with {silence:.0f} s of silence")
        if error:
            problems.append(f"{p.name} stopped with {error}")
        expects = "**Expected result" in p.read_text(encoding="utf-8")
        if expects and not claims:
            problems.append(f"{p.name} has an Expected result but recorded no claim")
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
