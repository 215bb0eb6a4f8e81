"""Compare two builds of a tabular benchmark array by array: `python tools/build/compare_tables.py A.npz B.npz`.

Used to check that a rebuild of `data/bench/mnist1d_nb201.npz` (`python tools/build/build_nb201.py
--workers 2 --root /tmp/nb201`) reproduces the shipped table: the trained results (accuracies,
losses, parameters, MACs) must be bit-identical; only the measured-seconds columns may differ.
Exits 1 when a non-timing array differs.
"""

from __future__ import annotations

import sys

import numpy as np

TIMING = ("seconds_per_epoch", "calib_seconds", "group_cpu_seconds")  # measured, so machine- and load-dependent


def main(a_path: str, b_path: str) -> int:
    a, b = np.load(a_path, allow_pickle=False), np.load(b_path, allow_pickle=False)
    bad = sorted(set(a.files) ^ set(b.files))
    for k in sorted(set(a.files) & set(b.files)):
        x, y = a[k], b[k]
        same = x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        gap = float(np.nanmax(np.abs(x.astype(float) - y.astype(float)))) if x.shape == y.shape and x.size else 0.0
        print(f"{k:20s} {str(x.shape):14s} {'identical' if same else f'differs (max |diff| {gap:.3g})'}"
              + (" [timing]" if k in TIMING else ""))
        if not same and k not in TIMING:
            bad.append(k)
    print("trained results identical" if not bad else f"DIFFERENT: {', '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
