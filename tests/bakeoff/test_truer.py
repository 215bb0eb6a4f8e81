"""The truer table's configuration (`naslab.bakeoff.truer`): it differs from the shipped one only in the stated
fields, builds and resumes on a few cells (also on an executor), and `compare_tables` gives the known answers
on synthetic tables."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace

import numpy as np
import pytest

from naslab.bakeoff.build import BuildConfig, build, jobs
from naslab.bakeoff.cells import OPS, unique_cells
from naslab.bakeoff.table import CellBenchmark
from naslab.bakeoff.truer import CONFIGS, LAPTOP, TRUER, compare_tables, config_named


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
    return out


def test_truer_differs_from_the_shipped_config_only_in_the_stated_fields():
    a, b = _flat(asdict(BuildConfig())), _flat(asdict(TRUER))
    changed = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
    assert changed == {"name": ("mnist1d_nb201", "mnist1d_nb201_c16e12"), "net.C": (8, 16), "spec.epochs": (4, 12),
                       "spec.n_train": (768, None), "seeds": ((0, 1), (0, 1, 2))}
    assert LAPTOP == BuildConfig() and set(CONFIGS) == {"laptop", "truer"}
    assert len(jobs(TRUER)) == TRUER.n_calib + 3 * -(-4930 // 64)


def test_config_named_rejects_an_unknown_name():
    assert config_named("truer") is TRUER
    with pytest.raises(ValueError, match=r"config='huge' is unknown; allowed: \['laptop', 'truer'\]"):
        config_named("huge")


def test_truer_builds_and_resumes_on_a_few_cells(tmp_path):
    cfg = replace(TRUER, name="truer_few", cells=((3, 1, 2, 0, 1, 4), (2, 4, 0, 3, 0, 1)), group_size=2, n_calib=2,
                  calib_epochs=1)  # TRUER's net, spec (12 epochs, all 3,200 signals) and 3 seeds on 2 cells
    root = tmp_path / "bench"
    assert build(cfg, root=root, limit=3, progress=False, device="cpu") is None  # 2 calibration runs + 1 group
    with ThreadPoolExecutor(1) as ex:  # resumes on an executor (a Ray cluster's would do the same)
        path = build(cfg, root=root, progress=False, device="cpu", executor=ex)
    b = CellBenchmark.load("truer_few", root=path.parent)
    assert b.seeds == (0, 1, 2) and b.n_epochs == 12 and b.meta["config"]["net"]["C"] == 16
    assert b.arrays["val_acc"].shape == (2, 3, 12) and b.arrays["test_acc"].shape == (2, 3)
    for key in ("val_acc", "test_acc", "train_loss"):
        assert np.isfinite(b.arrays[key]).all()
    assert 0.1 < b.arrays["test_acc"].min() and b.arrays["test_acc"].max() <= 1  # trained above chance (0.1)
    assert len(b.meta["build"]["sessions"]) == 2


def table(test: np.ndarray, cells=None) -> CellBenchmark:
    """A table with test accuracies `test` (n, seeds) on `cells` (default: every distinct cell)."""
    cells = unique_cells() if cells is None else cells
    n, s = test.shape
    val = np.repeat(test[:, :, None], 2, 2).astype(np.float32)
    arrays = {"cells": np.array(cells, np.int8), "val_acc": val, "test_acc": test.astype(np.float32),
              "train_loss": np.ones_like(val), "params": np.arange(n), "macs": np.arange(n),
              "seconds_per_epoch": np.full(n, 0.5, np.float32)}
    meta = {"name": "synthetic", "ops": list(OPS), "seeds": list(range(s)), "epochs": 2, "config": {"cells": None}}
    return CellBenchmark(arrays, meta)


def test_compare_tables_on_synthetic_tables():
    n = len(unique_cells())
    truth = np.random.default_rng(0).permutation(n) / n  # distinct accuracies in [0, 1)
    truer = table(np.stack([truth] * 3, 1))  # 3 identical seeds: seed tau 1
    r = compare_tables(table(np.stack([0.5 * truth, 0.5 * truth + 0.1], 1)), truer)  # monotone in the truth
    best = int(np.argmax(truth))
    assert r["best"]["truer"] == (unique_cells()[best], pytest.approx(truth[best], abs=1e-6))
    assert r["best"]["laptop"][0] == unique_cells()[best] and r["laptop_best_in_truer"]["rank"] == 1
    assert r["seed_tau"] == {"laptop": pytest.approx(1.0), "truer": pytest.approx(1.0)}
    assert r["tau"] == pytest.approx(1.0) and r["spearman"] == pytest.approx(1.0) and r["n_cells"] == n
    swapped = truth.copy()
    lo, hi = np.argsort(truth)[:2]  # the two worst cells change places in one seed: one discordant pair
    swapped[[lo, hi]] = swapped[[hi, lo]]
    r = compare_tables(table(np.stack([0.5 * truth, 0.5 * swapped], 1)), truer)
    n0 = n * (n - 1) / 2  # pairs
    assert r["seed_tau"]["laptop"] == pytest.approx((n0 - 2) / n0, abs=1e-9)  # (concordant - discordant) / pairs
    assert r["tau"] == pytest.approx(np.sqrt((n0 - 1) / n0), abs=1e-9)  # tau-b: the mean ties lo and hi
    reverse = compare_tables(table((1 - truth)[:, None]), truer)  # one seed, the ranking upside down
    assert reverse["tau"] == pytest.approx(-1.0) and reverse["spearman"] == pytest.approx(-1.0)
    assert reverse["laptop_best_in_truer"]["rank"] == n and np.isnan(reverse["seed_tau"]["laptop"])


def test_compare_tables_uses_the_shared_cells_only():
    cells = unique_cells()
    truth = np.linspace(0.2, 0.8, len(cells))
    part = compare_tables(table(truth[:10, None], cells[:10]), table(truth[5:, None], cells[5:]))
    assert part["n_cells"] == 5 and part["tau"] == pytest.approx(1.0)
    assert part["laptop_best_in_truer"] == {"rank": len(cells) - 9, "acc": pytest.approx(truth[9])}
    with pytest.raises(ValueError, match=r"the tables share 0 cell\(s\); comparing them needs at least 2"):
        compare_tables(table(truth[:3, None], cells[:3]), table(truth[3:, None], cells[3:]))
