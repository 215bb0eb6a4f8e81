"""naslab.proxies.kinds: one vocabulary of proxy kinds, used by the build, the study and the plots."""

from __future__ import annotations

from dataclasses import fields

import pytest

from naslab.plots import PALETTE
from naslab.proxies import build, study
from naslab.proxies.benchmark import BenchConfig, Benchmark
from naslab.proxies.kinds import (
    LADDER_KINDS,
    PROXY_KINDS,
    TABLE_KINDS,
    build_changes,
    check_kind,
    table_archs,
    table_levels,
)
from naslab.proxies.plots import PROXY_COLORS
from naslab.proxies.proxy import Proxy


def test_every_knob_and_levels_field_exists():
    proxy_fields, bench_fields = {f.name for f in fields(Proxy)}, {f.name for f in fields(BenchConfig)}
    for kind, k in PROXY_KINDS.items():
        assert k.knob is None or k.knob in proxy_fields, kind
        assert k.levels is None or k.levels in bench_fields, kind
        assert k.sample in bench_fields, kind
    assert LADDER_KINDS == ("epochs", "data", "width", "full") and TABLE_KINDS == ("data", "width", "big")


def test_the_build_takes_its_kinds_and_scalings_from_the_table():
    cfg = BenchConfig(proxy_sample=5, big_sample=2)
    assert build.KINDS == ("main", *TABLE_KINDS)
    assert build_changes(cfg, "data", 1) == {"data_fraction": cfg.data_fractions[1]}
    assert build_changes(cfg, "width", 0) == {"width": cfg.widths[0]}
    assert build_changes(cfg, "big", 0) == {"width": 2.0, "repeats": 2}  # the whole change set of `cfg.big`
    sample = build.proxy_sample(cfg)
    assert table_archs(cfg, "big", sample) == sample[:2] and table_archs(cfg, "data", sample) == sample
    assert table_levels(cfg, "big") == [None] and table_levels(cfg, "width") == list(cfg.widths)
    jobs = build.jobs(cfg)
    for kind in TABLE_KINDS:  # every table kind is built, on its sample, at every level
        got = {(j["arch"], j["level"]) for j in jobs if j["kind"] == kind}
        assert got == {(a, i) for a in table_archs(cfg, kind, sample) for i in range(len(table_levels(cfg, kind)))}
    with pytest.raises(ValueError, match=r"kind='epochs' is unknown; allowed: \['data', 'width', 'big'\]"):
        build_changes(cfg, "epochs", 0)


def test_the_study_scores_the_ladder_kinds_only():
    bench = Benchmark.load()
    allowed = r"allowed: \['epochs', 'data', 'width', 'full'\]"
    for kind in ("big", "supernet", "fewer epochs"):
        with pytest.raises(ValueError, match=rf"kind='{kind}' is unknown; {allowed}"):
            study.proxy_scores(bench, kind, 1)
    assert study.proxy_name("full") == PROXY_KINDS["full"].label == "full training"
    assert check_kind("data") is PROXY_KINDS["data"]


def test_every_kind_has_its_colour_in_the_plots():
    assert set(PROXY_COLORS) == set(PROXY_KINDS)
    assert all(PROXY_COLORS[k] == PALETTE[v.color] for k, v in PROXY_KINDS.items())
    assert len({PROXY_COLORS[k] for k in PROXY_KINDS}) == len(PROXY_KINDS)  # no two kinds look alike
