"""Build (or resume) the NAS-Bench-201-style cell benchmark: `python tools/build/build_nb201.py --workers 2`.

A thin command-line wrapper around `naslab.bakeoff.build.build` (also `make bench-nb201`). Ctrl-C
stops it and the same command resumes. Prints the wall-clock and CPU time, the load average and the
file sizes at the end (data/README.md quotes them).
"""

from __future__ import annotations

import argparse
import json
import os
import time


from naslab.bakeoff.build import BENCH_DIR, REBUILD, BuildConfig, build, jobs
from naslab.utils import script_threads


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--limit", type=int, default=None, help="stop after this many jobs (resume later)")
    p.add_argument("--root", default=str(BENCH_DIR), help="output folder (default data/bench)")
    p.add_argument("--device", default="auto", help="where the groups train: auto (cuda, mps, cpu), cpu, cuda[:N], mps")
    args = p.parse_args()
    script_threads()
    cfg = BuildConfig()
    n = len(cfg.all_cells())
    print(f"{n} distinct cells x {len(cfg.seeds)} seeds in {len(jobs(cfg))} jobs; building {cfg.name} in "
          f"{args.root} with {args.workers} workers", flush=True)
    t0 = time.perf_counter()
    try:
        path = build(cfg, root=args.root, workers=args.workers, limit=args.limit, device=args.device)
    except KeyboardInterrupt:
        print(f"\ninterrupted after {time.perf_counter() - t0:.0f} s: finished jobs are kept; "
              f"`{REBUILD}` resumes")
        raise SystemExit(130) from None
    if path is None:
        print(f"stopped after {time.perf_counter() - t0:.0f} s; run `{REBUILD}` again to resume")
        return
    meta = json.loads(path.with_suffix(".json").read_text())
    b = meta["build"]
    print(f"done: {path} ({path.stat().st_size / 1e3:.0f} kB + {path.with_suffix('.json').stat().st_size / 1e3:.0f} kB "
          f"json); wall {b['wall_seconds'] / 60:.1f} min over {len(b['sessions'])} session(s), "
          f"CPU {b['cpu_seconds']:.0f} s; load average per session: "
          + ", ".join(f"{s['load_min']}-{s['load_max']} (mean {s['load_mean']})" for s in b["sessions"]))


if __name__ == "__main__":
    main()
