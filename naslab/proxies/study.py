"""The notebook-03 study: every proxy of the benchmark scored against full training.

Ground truth is the full-budget accuracy of the benchmark's *other* seed (seed 1), i.e. what you
get when you retrain an architecture: every proxy here is measured with seed 0, so proxy and
truth share no training noise. The same comparison between the two seeds' full runs gives the
noise ceiling: no proxy can rank better than full training itself repeated.

    proxy_scores(bench, kind, level, epochs)  -> indices, scores and CPU seconds of one proxy
    proxy_row(bench, kind, level, epochs)     -> tau, rho, top-k overlap and relative cost
    standard_rows(bench)                      -> the ladder: every proxy the benchmark stores

Taught in: notebooks/03_proxy_evaluation.ipynb; the exercise checks are in `naslab.proxies.checks`.
"""

from __future__ import annotations

import numpy as np

from naslab.proxies.kinds import LADDER_KINDS, PROXY_KINDS, check_kind
from naslab.proxies.ranking import rank_agreement

STANDARD = (("epochs", 1), ("epochs", 3), ("data", 1 / 3), ("data", 1 / 9), ("width", 0.5), ("width", 0.25))
OBSERVE_SEED, TRUTH_SEED = 0, 1


def proxy_name(kind: str, level=None, epochs: int | None = None) -> str:
    """A short label: "3 epochs", "1/9 data, 9 ep", "1/4 width, 9 ep", "full training"."""
    frac = {1 / 9: "1/9", 1 / 3: "1/3", 0.25: "1/4", 0.5: "1/2"}
    lab = frac.get(level, f"{level:g}" if isinstance(level, (int, float)) else str(level))
    if kind == "epochs":
        return f"{level} epoch{'s' if level != 1 else ''}"
    if kind == "full":
        return PROXY_KINDS["full"].label
    return f"{lab} {kind}" + (f", {epochs} ep" if epochs is not None else "")


def truth(bench, index=None) -> np.ndarray:
    """Full-budget accuracy of the truth seed (a retrain), for all architectures or `index`."""
    acc = bench.accuracy(None, seed=TRUTH_SEED)
    return acc if index is None else acc[np.asarray(index)]


def proxy_scores(bench, kind: str, level=None, epochs: int | None = None) -> dict:
    """One proxy's scores from the benchmark (seed 0).

    Args:
        kind: one of `naslab.proxies.kinds.LADDER_KINDS`: "epochs" (level = epochs, all architectures),
            "data" or "width" (level = the fraction, on the proxy sample; `epochs` of training, default
            all), or "full" (seed 0, full budget).

    Returns:
        {"index": (m,), "scores": (m,), "seconds": (m,) CPU seconds per architecture, "name", "kind"}.
    """
    check_kind(kind, LADDER_KINDS)
    s = bench.seeds.index(OBSERVE_SEED)
    if PROXY_KINDS[kind].levels is None:  # read from the main table: an epoch of seed 0
        e = bench.fidelities[-1] if kind == "full" else bench.epoch(level)
        return {"index": np.arange(bench.size), "scores": bench.arrays["val_acc"][:, s, e - 1],
                "seconds": bench.cost(e), "name": proxy_name(kind, e), "kind": kind}
    table = bench.proxy_table(kind)
    match = [i for i, v in enumerate(table["levels"]) if np.isclose(v, level)]
    if not match:
        raise ValueError(f"{kind} level {level!r} is not in the benchmark; available: {table['levels']}")
    e = bench.epoch(epochs)
    return {"index": table["index"], "scores": table["acc"][:, match[0], e - 1],
            "seconds": table["seconds"][:, match[0], e - 1],
            "name": proxy_name(kind, level, e if e != bench.fidelities[-1] else None), "kind": kind}


def score_row(name: str, kind: str, scores, seconds, full_seconds, true_acc, *, k: int | None = None) -> dict:
    """tau, rho, top-k overlap and the cost relative to full training of any proxy's scores."""
    r = rank_agreement(scores, true_acc, k=k)
    total, full = float(np.sum(seconds)), float(np.sum(full_seconds))
    return {"name": name, "kind": kind, **r, "seconds": total, "fraction": total / full,
            "per_arch_s": total / len(np.atleast_1d(true_acc))}


def proxy_row(bench, kind: str, level=None, epochs: int | None = None) -> dict:
    """`score_row` of one stored proxy, against the truth of the same architectures."""
    p = proxy_scores(bench, kind, level, epochs)
    full = bench.cost(None)[p["index"]]
    return score_row(p["name"], kind, p["scores"], p["seconds"], full, truth(bench, p["index"]))


def standard_rows(bench) -> list[dict]:
    """The ladder: full training (seed 0 vs the truth seed) and every stored proxy."""
    return [proxy_row(bench, "full")] + [proxy_row(bench, k, lv) for k, lv in STANDARD]


# ---------------------------------------------------------------------------------------------
# exercise checkers: each returns a "✓ ..." line or raises AssertionError saying what is wrong
