"""`make claims`: run every notebook in class mode and print one line per claim (naslab.claims).

    python benchmarks/run_claims.py                        # all notebooks, class mode
    python benchmarks/run_claims.py notebooks/05_darts.ipynb
    python benchmarks/run_claims.py --fast                 # FAST mode (checks the machinery only)

Each notebook runs top to bottom in a fresh kernel (nbclient) with the environment a student gets
from `make lab` (one torch thread through `NASLAB_THREADS`, nothing else pinned) plus
`NASLAB_CLAIMS=<file>`, to which every `naslab.claims.claim(...)` call appends its record. The
command prints each claim's line (holds / DOES NOT HOLD, observed, bound), each notebook's wall time
beside the 1-minute load average, and exits 1 when a claim fails, a notebook errors, or a notebook
with an "Expected result" cell recorded no claim.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from naslab.claims import load_claims

ROOT = Path(__file__).resolve().parents[1]


def run_notebook(path: Path, fast: bool, record: Path, timeout: int) -> tuple[float, str | None]:
    """Execute `path`; return (seconds, error or None). Claims go to `record`."""
    os.environ.update(NASLAB_FAST="1" if fast else "0", NASLAB_CLAIMS=str(record))
    os.environ.setdefault("NASLAB_THREADS", "1")  # what `make lab` exports
    t0 = time.perf_counter()
    try:
        nb = nbformat.read(path, as_version=4)
        # widget-panel cells get a short timeout: nbclient can wait out the whole timeout after an
        # ipywidgets Output (jupyter/nbclient#312); see tests/test_notebooks.py
        client = NotebookClient(nb, timeout_func=lambda c: 20 if "panel(" in c.source else timeout,
                                kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        error = None
    except Exception as e:  # report and go on to the next notebook
        error = f"{type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ''}"
    return time.perf_counter() - t0, error


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--fast", action="store_true", help="FAST mode (tiny budgets; most claims unchecked)")
    ap.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    args = ap.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    n_fail, problems, timings = 0, [], []
    for p in paths:
        p = p.resolve()
        with tempfile.TemporaryDirectory() as tmp:
            record = Path(tmp) / "claims.jsonl"
            record.touch()
            seconds, error = run_notebook(p, args.fast, record, args.timeout)
            claims = load_claims(record)
        load = os.getloadavg()[0]
        timings.append((p.name, seconds, load))
        print(f"## {p.name}: {len(claims)} claims, {seconds:.0f} s, load {load:.1f}", flush=True)
        for c in claims:
            print(("FAILS  " if c.status == "fails" else f"{c.status:<7}") + c.line(), flush=True)
        n_fail += sum(c.status == "fails" for c in claims)
        if error:
            problems.append(f"{p.name} stopped with {error}")
        expects = "**Expected result" in p.read_text(encoding="utf-8")
        if expects and not claims:
            problems.append(f"{p.name} has an Expected result but recorded no claim")
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
