"""The kinds of proxy of notebook 03: one vocabulary for the benchmark's build, the study and the plots.

A proxy scores an architecture more cheaply than full training (Elsken et al. 2019, §4; NASNet,
Zoph et al. 2018, App. A). Each kind cuts one thing, set by one knob of `naslab.proxies.proxy.Proxy`:

    kind        what it cuts                 Proxy knob        levels in BenchConfig   on the ladder
    epochs      fewer epochs                 epochs            (every epoch stored)    yes
    data        less data                    data_fraction     data_fractions          yes
    width       a smaller model              width             widths                  yes
    full        nothing (a second seed)      -                 -                       yes
    big         a bigger model (N repeats)   width, repeats    big (one level)         no: "search small, evaluate big"
    supernet    shared weights               -                 -                       no: notebook 03 § sharing
    custom      your own proxy               -                 -                       no: the exercise

`naslab.proxies.build` trains a table for every kind with `levels` (`build_changes` says how one run
of it scales the Proxy); `naslab.proxies.study` scores the kinds on the ladder; `naslab.proxies.plots`
colours every kind the same way in every figure (`PROXY_COLORS`).

Taught in: notebooks/03_proxy_evaluation.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProxyKind:
    """One kind of proxy: what it cuts, the Proxy field it sets, where the benchmark keeps its levels."""

    label: str  # what it cuts, in words
    knob: str | None = None  # the `Proxy` field one level sets (None: the levels are whole `Proxy` changes, or none)
    levels: str | None = None  # the `BenchConfig` field of its levels: the build trains a table of this kind
    sample: str = "proxy_sample"  # the `BenchConfig` field: how many of the proxy sample get the table
    ladder: bool = False  # scored against the truth by `naslab.proxies.study` (the ladder of evaluation strategies)
    color: int = 0  # index into `naslab.plots.PALETTE`


PROXY_KINDS: dict[str, ProxyKind] = {
    "epochs": ProxyKind("fewer epochs", knob="epochs", ladder=True, color=0),
    "data": ProxyKind("less data", knob="data_fraction", levels="data_fractions", ladder=True, color=1),
    "width": ProxyKind("a smaller model", knob="width", levels="widths", ladder=True, color=2),
    "full": ProxyKind("full training", ladder=True, color=7),
    "big": ProxyKind("a bigger model", levels="big", sample="big_sample", color=4),
    "supernet": ProxyKind("shared weights", color=3),
    "custom": ProxyKind("your own proxy", color=5),
}
LADDER_KINDS = tuple(k for k, v in PROXY_KINDS.items() if v.ladder)  # ("epochs", "data", "width", "full")
TABLE_KINDS = tuple(k for k, v in PROXY_KINDS.items() if v.levels)  # ("data", "width", "big"): built as tables


def check_kind(kind: str, allowed=tuple(PROXY_KINDS)) -> ProxyKind:
    """The entry of `kind`; ValueError naming the allowed kinds otherwise."""
    if kind not in allowed:
        raise ValueError(f"kind={kind!r} is unknown; allowed: {list(allowed)}")
    return PROXY_KINDS[kind]


def build_changes(cfg, kind: str, level: int) -> dict:
    """The `Proxy.scaled` changes of run `level` of a table kind under the benchmark config `cfg`:
    {knob: cfg.<levels>[level]}, or the whole change set when the kind has no single knob ("big")."""
    spec = check_kind(kind, TABLE_KINDS)
    value = getattr(cfg, spec.levels)
    return dict(value) if spec.knob is None else {spec.knob: value[level]}


def table_archs(cfg, kind: str, sample: list[int]) -> list[int]:
    """The architectures of the proxy `sample` that get a table kind (the head of it for "big")."""
    return sample[: getattr(cfg, check_kind(kind, TABLE_KINDS).sample)]


def table_levels(cfg, kind: str) -> list:
    """The levels of a table kind: its knob's values, or one level for a whole change set ("big")."""
    spec = check_kind(kind, TABLE_KINDS)
    return list(getattr(cfg, spec.levels)) if spec.knob is not None else [None]


__all__ = ["ProxyKind", "PROXY_KINDS", "LADDER_KINDS", "TABLE_KINDS", "check_kind", "build_changes", "table_archs",
           "table_levels"]
