"""Judging zero-cost proxies as a scientist would: signed rank correlations with intervals, the top of the
ranking, the size baselines, the noise ceiling, and a vote.

Against the table's truth t (seed-mean test or validation accuracy of every distinct cell) a proxy's
scores p are judged by

    Spearman ρ = Pearson(rank p, rank t)        Kendall τ_b = (concordant - discordant) / √((n0-n1)(n0-n2))
    (signed: a proxy pointing the wrong way is negative, never rescued by abs()), each with a paired
    bootstrap 95 % percentile interval over the cells (scipy.stats.bootstrap, resampling cells);
    precision@5 %  = |top 5 % by p ∩ top 5 % by t| / k,  k = ceil(0.05 n)   (what a search keeps);
    ρ, τ inside the top 10 % of cells by t         (can the proxy order the good ones? usually far less);
    baselines: #params and FLOPs, scored the same way (a proxy must beat "bigger is better");
    noise ceiling: ρ, τ between the table's two training seeds (how well one retraining ranks another),
    and √(k r / (1 + (k-1) r)), what a noise-free score can reach against the k-seed mean (Spearman-Brown);
    vote: the mean rank over several proxies (Abdelfattah et al. 2021, §5 vote synflow, jacob_cov, snip).

Anchors (`ANCHORS`): Abdelfattah et al., ICLR 2021, Spearman ρ over NAS-Bench-201 CIFAR-10: synflow 0.74,
jacob_cov 0.73, snip 0.60, grad_norm 0.59, grasp 0.51, fisher 0.36; Kendall τ on 500 NAS-Bench-201 cells of
CIFAR-100 (a public model-zoo project): params 0.53, flops 0.57, synflow 0.55, jacob_cov 0.56.

Taught in: notebooks/07_cheap_signals.ipynb §2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from naslab.proxies.ranking import top_k_overlap

ANCHORS = {"synflow": 0.74, "jacob_cov": 0.73, "snip": 0.60, "grad_norm": 0.59, "grasp": 0.51, "fisher": 0.36}
TAU_ANCHORS = {"params": 0.53, "flops": 0.57, "synflow": 0.55, "jacob_cov": 0.56}
VOTE = ("synflow", "jacob_cov", "snip")


def _pair(scores, truth) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of the two score lists (average ranks for ties; -inf ranks lowest); NaN refused."""
    p, t = np.asarray(scores, dtype=float).ravel(), np.asarray(truth, dtype=float).ravel()
    if p.shape != t.shape:
        raise ValueError(f"scores and truth must have the same length, got {p.shape} and {t.shape}")
    if np.isnan(p).any() or np.isnan(t).any():
        raise ValueError("scores and truth must not contain NaN (a score of -inf ranks lowest)")
    if len(p) < 3:
        raise ValueError(f"need at least 3 cells to correlate, got {len(p)}")
    return stats.rankdata(p), stats.rankdata(t)


def _spearman(a, b, axis=-1):
    """Vectorised Spearman ρ of already-ranked data along `axis` (ranks again: resampling makes ties)."""
    a, b = stats.rankdata(a, axis=axis), stats.rankdata(b, axis=axis)
    a = a - a.mean(axis, keepdims=True)
    b = b - b.mean(axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a * b).sum(axis) / np.sqrt((a * a).sum(axis) * (b * b).sum(axis))


def _kendall(a, b):
    return stats.kendalltau(a, b).statistic


def signed_rank(scores, truth, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """{"rho", "rho_lo", "rho_hi", "tau", "tau_lo", "tau_hi", "n"}: signed Spearman ρ and Kendall τ_b with
    paired bootstrap percentile intervals (n_boot resamples of the cells; n_boot = 0: no interval)."""
    a, b = _pair(scores, truth)
    out = {"rho": float(_spearman(a, b)), "tau": float(_kendall(a, b)), "n": len(a)}
    for key, fn, vec in (("rho", _spearman, True), ("tau", _kendall, False)):
        if n_boot and math.isfinite(out[key]):
            res = stats.bootstrap((a, b), fn, n_resamples=n_boot, paired=True, vectorized=vec, method="percentile",
                                  confidence_level=level, rng=np.random.default_rng(seed))
            out[f"{key}_lo"], out[f"{key}_hi"] = float(res.confidence_interval.low), float(res.confidence_interval.high)
        else:
            out[f"{key}_lo"] = out[f"{key}_hi"] = math.nan
    return out


def precision_at_top(scores, truth, frac: float = 0.05) -> float:
    """|top frac by scores ∩ top frac by truth| / k with k = ceil(frac n) (ties: first by position)."""
    if not 0 < frac <= 1:
        raise ValueError(f"frac={frac!r} must be in (0, 1]")
    p, t = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    return top_k_overlap(p, t, max(1, math.ceil(frac * len(t))))


def top_band(truth, frac: float = 0.10) -> np.ndarray:
    """Indices of the best `frac` of the cells by the truth (at least 3)."""
    if not 0 < frac <= 1:
        raise ValueError(f"frac={frac!r} must be in (0, 1]")
    t = np.asarray(truth, dtype=float)
    return np.argsort(-t, kind="stable")[: max(3, math.ceil(frac * len(t)))]


def vote(score_lists: dict, names=VOTE) -> np.ndarray:
    """Mean rank over the proxies `names` (average ranks; higher = better), the vote of Abdelfattah et al."""
    missing = [n for n in names if n not in score_lists]
    if missing or not names:
        raise ValueError(f"vote over {list(names)}: missing {missing}; available: {sorted(score_lists)}")
    return np.mean([stats.rankdata(np.asarray(score_lists[n], dtype=float)) for n in names], axis=0)


def judge_one(name: str, scores, truth, *, n_boot: int = 1000, seed: int = 0) -> dict:
    """One row: signed ρ, τ with intervals, precision@5 %, and ρ, τ inside the top 10 % by the truth."""
    scores, truth = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    band = top_band(truth)
    inside = signed_rank(scores[band], truth[band], n_boot=0)
    return {"name": name, **signed_rank(scores, truth, n_boot=n_boot, seed=seed),
            "prec_top5": precision_at_top(scores, truth), "rho_top10": inside["rho"], "tau_top10": inside["tau"],
            "anchor_rho": ANCHORS.get(name, math.nan), "anchor_tau": TAU_ANCHORS.get(name, math.nan)}


def judge(table, bench, metric: str = "test", *, names=None, n_boot: int = 1000, seed: int = 0) -> list[dict]:
    """Rows for every proxy of a `ProxyTable` (seed- and batch-mean scores) and the vote, judged against
    `bench`'s (a `CellBenchmark`) `metric` ("test" or "val", mean over its seeds, last epoch), and the noise
    ceiling: the first training seed's accuracies judged against the second's (one retraining as the proxy)."""
    rows = table.rows_of(bench.unique_cells())
    truth = bench.accuracies(metric)
    names = list(table.proxies) if names is None else list(names)
    scores = {n: table.scores(n)[rows] for n in names}
    out = [judge_one(n, scores[n], truth, n_boot=n_boot, seed=seed) for n in names]
    if all(v in scores for v in VOTE):
        out.append(judge_one("vote(" + ",".join(VOTE) + ")", vote(scores), truth, n_boot=n_boot, seed=seed))
    if bench.n_seeds >= 2:
        a, b = bench.accuracies(metric, seed=bench.seeds[0]), bench.accuracies(metric, seed=bench.seeds[1])
        row = judge_one(f"ceiling: seed {bench.seeds[0]} vs {bench.seeds[1]}", a, b, n_boot=n_boot, seed=seed)
        out.append(row)
        nan = {k: math.nan for k in row if k not in ("name", "n")}
        out.append({**row, **nan, "name": f"ceiling vs the {bench.n_seeds}-seed mean",
                    **{k: mean_ceiling(row[k], bench.n_seeds) for k in ("rho", "rho_lo", "rho_hi")}})
    return out


def single_runs(table, bench, name: str, metric: str = "test") -> np.ndarray:
    """(n_seeds * n_batches,) Spearman ρ of each single evaluation (one init seed, one mini-batch): what a
    practitioner who scores each cell once gets, to set beside the ρ of the mean over them."""
    rows, truth = table.rows_of(bench.unique_cells()), bench.accuracies(metric)
    return np.array([float(_spearman(*_pair(table.scores(name, seed=s, batch=b)[rows], truth)))
                     for s in table.seeds for b in range(table.n_batches)])


def mean_ceiling(r: float, k: int) -> float:
    """√(k r / (1 + (k-1) r)): the correlation a noise-free score can reach with the mean of k runs whose
    single runs correlate r with each other (Spearman-Brown reliability of the mean, then the square root;
    classical test theory for Pearson correlations, an approximation for Spearman's ρ)."""
    if not math.isfinite(r) or r <= 0:
        return math.nan
    return math.sqrt(k * r / (1 + (k - 1) * r))


def format_rows(rows: list[dict], title: str = "") -> str:
    """A plain-text table: ρ [95 % CI], τ [95 % CI], precision@5 %, ρ / τ in the top 10 %, the anchors."""
    head = (f"{'proxy':32s} {'rho':>6s} {'95% CI':>15s} {'tau':>6s} {'95% CI':>15s} {'P@5%':>5s} "
            f"{'rho10':>6s} {'tau10':>6s} {'paper rho':>9s} {'tau':>5s}")
    lines = [title, head, "-" * len(head)] if title else [head, "-" * len(head)]

    def f(v, w=6, d=3):
        return f"{v:{w}.{d}f}" if math.isfinite(v) else " " * (w - 1) + "-"

    for r in rows:
        lines.append(f"{r['name'][:32]:32s} {f(r['rho'])} [{f(r['rho_lo'])}, {f(r['rho_hi'])}] {f(r['tau'])} "
                     f"[{f(r['tau_lo'])}, {f(r['tau_hi'])}] {f(r['prec_top5'], 5, 2)} {f(r['rho_top10'])} "
                     f"{f(r['tau_top10'])} {f(r['anchor_rho'], 9, 2)} {f(r['anchor_tau'], 5, 2)}")
    return "\n".join(lines)


__all__ = ["ANCHORS", "TAU_ANCHORS", "VOTE", "signed_rank", "precision_at_top", "top_band", "vote", "judge_one",
           "judge", "single_runs", "mean_ceiling", "format_rows"]
