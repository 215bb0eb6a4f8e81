"""Build (or resume) the mini-benchmark in data/bench/: `python tools/build/build_bench.py --workers 2`.

A thin command-line wrapper around `naslab.proxies.build.build`; Ctrl-C stops it and a rerun resumes.
Prints the wall-clock time and the size of the files at the end (data/README.md quotes them).
"""

from __future__ import annotations

import argparse

from naslab.build_loop import run_build_command
from naslab.proxies.benchmark import BENCH_DIR, REBUILD, BenchConfig
from naslab.proxies.build import build, jobs
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--limit", type=int, default=None, help="stop after this many runs (resume later)")
    p.add_argument("--root", default=str(BENCH_DIR), help="output folder (default data/bench)")
    args = p.parse_args()
    script_threads()
    cfg = BenchConfig()
    print(f"{len(jobs(cfg))} runs in all; building {cfg.name} in {args.root} with {args.workers} workers")
    run_build_command(lambda: build(cfg, root=args.root, workers=args.workers, limit=args.limit), REBUILD)


if __name__ == "__main__":
    main()
