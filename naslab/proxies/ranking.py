"""Rank agreement between a proxy and full training: Kendall tau, Spearman rho, top-k overlap.

A search only needs the *order* of its candidates, so a proxy is good when it ranks them the way
full training does. Between proxy scores p and full-training scores f over the same architectures:

    Kendall tau  = (concordant - discordant) / sqrt((n0 - n1)(n0 - n2))   (tau-b, from scipy)
    Spearman rho = Pearson correlation of rank(p) and rank(f)             (from scipy)
    top-k overlap = |top_k(p) ∩ top_k(f)| / k

Taught in: notebooks/03_proxy_evaluation.ipynb.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def _scores(x, name: str) -> np.ndarray:
    try:
        return np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name}={x!r} must be a sequence of numbers (one score per architecture)") from None


def _paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _scores(a, "proxy_scores"), _scores(b, "full_scores")
    if a.shape != b.shape:
        raise ValueError(f"proxy and reference scores must have the same length, got {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b)  # a failed / diverged run has no rank
    return a[keep], b[keep]


def kendall_tau(proxy_scores, full_scores) -> float:
    """Kendall's tau-b between two score lists (scipy.stats.kendalltau); NaN pairs are dropped."""
    a, b = _paired(proxy_scores, full_scores)
    if len(a) < 2:
        return math.nan
    return float(stats.kendalltau(a, b).statistic)


def spearman_rho(proxy_scores, full_scores) -> float:
    """Spearman's rho (scipy.stats.spearmanr): Pearson correlation of the ranks; NaN pairs dropped."""
    a, b = _paired(proxy_scores, full_scores)
    if len(a) < 2:
        return math.nan
    return float(stats.spearmanr(a, b).statistic)


def top_k_overlap(proxy_scores, full_scores, k: int) -> float:
    """|top-k by the proxy ∩ top-k by full training| / k (higher is better, ties by position)."""
    a, b = _scores(proxy_scores, "proxy_scores"), _scores(full_scores, "full_scores")
    if a.shape != b.shape:
        raise ValueError(f"proxy and reference scores must have the same length, got {a.shape} and {b.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(a):
        raise ValueError(f"k={k!r} must be an int in [1, {len(a)}] (the number of architectures)")

    def top(s):  # NaN counts as worst; stable sort keeps the first of equal scores
        s = np.where(np.isnan(s), -np.inf, s)
        return set(np.argsort(-s, kind="stable")[:k].tolist())

    return len(top(a) & top(b)) / k


def rank_agreement(proxy_scores, full_scores, *, k: int | None = None) -> dict:
    """Kendall tau, Spearman rho and top-k overlap in one dict (k defaults to 10 % of n, at least 1)."""
    n = len(np.asarray(proxy_scores).ravel())
    k = max(1, n // 10) if k is None else k
    return {"tau": kendall_tau(proxy_scores, full_scores), "rho": spearman_rho(proxy_scores, full_scores),
            "top_k": top_k_overlap(proxy_scores, full_scores, k), "k": k, "n": n}
