"""Build (or resume) the latency table of every distinct cell on THIS machine: `python tools/build/build_latency.py`.

A thin command-line wrapper around `naslab.hardware.build.build`. One process, one thread: latency must be
measured on an otherwise quiet core (see the module docstring), so run it when the machine is idle.
Ctrl-C stops it and the same command resumes. `--estimate N` times N cells and prints the projected build
time without writing anything. Prints the wall-clock and CPU time, the load average and the file sizes at
the end (data/README.md quotes them).
"""

from __future__ import annotations

import argparse

from naslab.bakeoff.build import BENCH_DIR
from naslab.build_loop import run_build_command
from naslab.hardware.build import REBUILD, LatencyConfig, build, estimate_seconds, jobs
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--limit", type=int, default=None, help="stop after this many jobs (resume later)")
    p.add_argument("--root", default=str(BENCH_DIR), help="output folder (default data/bench)")
    p.add_argument("--estimate", type=int, default=None, metavar="N",
                   help="time N cells, print the projected full build time, write nothing")
    args = p.parse_args()
    script_threads(1)
    cfg = LatencyConfig()
    if args.estimate is not None:
        e = estimate_seconds(cfg, args.estimate)
        print(f"{e['per_cell'] * 1e3:.0f} ms per cell over {e['n_sample']} cells (load average {e['load']:.1f}): "
              f"the full build of {len(cfg.all_cells())} cells takes about {e['total'] / 60:.1f} min")
        return
    print(f"{len(cfg.all_cells())} distinct cells in {len(jobs(cfg))} jobs, batch sizes {list(cfg.spec.batch_sizes)}, "
          f"median of {cfg.spec.runs} runs after {cfg.spec.warmup} warm-up; building {cfg.name} in {args.root}",
          flush=True)
    run_build_command(lambda: build(cfg, root=args.root, limit=args.limit), REBUILD)


if __name__ == "__main__":
    main()
