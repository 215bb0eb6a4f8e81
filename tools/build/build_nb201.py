"""Build (or resume) the NAS-Bench-201-style cell benchmark: `python tools/build/build_nb201.py --workers 2`.

`--config truer` builds the truer table (naslab.bakeoff.truer.TRUER: C 16, 12 epochs, all 3,200 training
signals, 3 seeds) into data/bench/mnist1d_nb201_c16e12.*, on `--device` (auto: a GPU when there is one).

A thin command-line wrapper around `naslab.bakeoff.build.build` (also `make bench-nb201`). Ctrl-C
stops it and the same command resumes. Prints the wall-clock and CPU time, the load average and the
file sizes at the end (data/README.md quotes them).
"""

from __future__ import annotations

import argparse

from naslab.bakeoff.build import BENCH_DIR, REBUILD, build, jobs
from naslab.bakeoff.truer import CONFIGS, config_named
from naslab.build_loop import run_build_command
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--config", default="laptop", choices=list(CONFIGS),
                   help="laptop: the shipped table; truer: C 16, 12 epochs, all signals, 3 seeds (bakeoff.truer)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--limit", type=int, default=None, help="stop after this many jobs (resume later)")
    p.add_argument("--root", default=str(BENCH_DIR), help="output folder (default data/bench)")
    p.add_argument("--device", default="auto", help="where the groups train: auto (cuda, mps, cpu), cpu, cuda[:N], mps")
    args = p.parse_args()
    script_threads()
    cfg = config_named(args.config)
    again = REBUILD if args.config == "laptop" else f"{REBUILD} --config {args.config} --device {args.device}"
    n = len(cfg.all_cells())
    print(f"{n} distinct cells x {len(cfg.seeds)} seeds in {len(jobs(cfg))} jobs; building {cfg.name} in "
          f"{args.root} with {args.workers} workers", flush=True)
    run_build_command(lambda: build(cfg, root=args.root, workers=args.workers, limit=args.limit,
                                    device=args.device), again)


if __name__ == "__main__":
    main()
