"""Time every notebook top to bottom, in FAST and/or class mode, and print a table for the README.

    python tools/notebook_times.py --fast              # FAST mode only (NASLAB_FAST=1)
    python tools/notebook_times.py --class-mode        # class mode only
    python tools/notebook_times.py notebooks/03_*.ipynb --fast --class-mode

Each notebook runs in a fresh kernel (nbclient), from notebooks/ as the working directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path, fast: bool, timeout: int) -> float:
    os.environ["NASLAB_FAST"] = "1" if fast else "0"
    nb = nbformat.read(path, as_version=4)
    # widget-panel cells get a short timeout: nbclient can wait out the whole timeout after an
    # ipywidgets Output and then carry on (jupyter/nbclient#312); see tests/course/test_notebooks.py
    client = NotebookClient(nb, timeout_func=lambda c: 20 if "panel(" in c.source else timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--fast", action="store_true", help="time FAST mode")
    ap.add_argument("--class-mode", action="store_true", help="time class mode")
    ap.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    args = ap.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    modes = [m for m, on in (("FAST", args.fast), ("class", args.class_mode)) if on] or ["FAST"]
    print(f"| notebook | {' | '.join(modes)} |\n|---|{'---|' * len(modes)}")
    for p in paths:
        cells = []
        for m in modes:
            try:
                cells.append(f"{run(p.resolve(), m == 'FAST', args.timeout):.0f} s")
            except Exception as e:  # report and go on to the next notebook
                cells.append(f"FAILED ({type(e).__name__})")
        print(f"| {p.name} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
