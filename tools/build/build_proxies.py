"""Build (or resume) the zero-cost proxy table: `python tools/build/build_proxies.py --workers 2`.

A thin command-line wrapper around `naslab.signals.build.build`: every registered proxy of
`naslab.signals.measures` on all 4,930 distinct cells of notebook 06's table, 3 initialisation seeds x
2 mini-batches, into data/bench/mnist1d_nb201_proxies.npz + .json. Ctrl-C stops it and the same
command resumes. Prints the wall-clock and CPU time, the load average and the file sizes at the end.
"""

from __future__ import annotations

import argparse

from naslab.bakeoff.build import BENCH_DIR
from naslab.build_loop import run_build_command
from naslab.signals.build import REBUILD, ProxyConfig, build, jobs
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2; 1 = this process)")
    p.add_argument("--limit", type=int, default=None, help="stop after this many jobs (resume later)")
    p.add_argument("--root", default=str(BENCH_DIR), help="output folder (default data/bench)")
    args = p.parse_args()
    script_threads()  # one thread per worker; parallelism comes from --workers
    cfg = ProxyConfig()
    print(f"{len(cfg.all_cells())} distinct cells x {len(cfg.seeds)} seeds x {cfg.n_batches} batches, "
          f"{len(cfg.proxies)} proxies, in {len(jobs(cfg))} jobs; building {cfg.name} in {args.root} "
          f"with {args.workers} workers", flush=True)
    run_build_command(lambda: build(cfg, root=args.root, workers=args.workers, limit=args.limit), REBUILD)


if __name__ == "__main__":
    main()
