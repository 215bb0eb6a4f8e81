"""naslab: the package behind the Neural Architecture Search teaching notebooks.

Importing `naslab` is instant and offline: the public names below load their module (and torch)
on first use, so `import naslab` never touches the network and does no heavy work.

The README lists every module in one line and the public API that homework may use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it (loaded lazily, PEP 562)
_API = {
    # run modes
    "is_fast": "naslab.config", "budget": "naslab.config",
    # shared bits
    "seed_everything": "naslab.utils", "get_device": "naslab.utils", "count_params": "naslab.utils",
    "Timer": "naslab.utils",
    # data
    "load_dataset": "naslab.data", "available_datasets": "naslab.data", "Dataset": "naslab.data",
    # training
    # (the functions `train` and DARTS's `search` live in their modules: `from naslab.train import train`,
    # `from naslab.darts_search import search`;
    # re-exporting them here would clash with the submodules of the same name)
    "evaluate": "naslab.train", "TrainConfig": "naslab.train", "TrainResult": "naslab.train",
    "make_mlp": "naslab.models", "make_cnn": "naslab.models",
    # records
    "Trial": "naslab.trial", "append_jsonl": "naslab.trial", "load_jsonl": "naslab.trial",
    "save_jsonl": "naslab.trial",
    # notebook 01: domains, searchers, the search loop, population training
    "Choice": "naslab.hpo", "Uniform": "naslab.hpo", "LogUniform": "naslab.hpo", "IntRange": "naslab.hpo",
    "grid": "naslab.hpo", "sample": "naslab.hpo", "course_grid": "naslab.hpo", "course_space": "naslab.hpo",
    "Searcher": "naslab.search", "Proposal": "naslab.search", "GridSearch": "naslab.search",
    "RandomSearch": "naslab.search", "run_search": "naslab.search",
    "best_so_far": "naslab.anytime", "best_vs_trials": "naslab.anytime", "best_vs_seconds": "naslab.anytime",
    "mean_and_spread": "naslab.anytime",
    "train_population": "naslab.population", "train_population_tasks": "naslab.population_tasks",
    # notebook 02: the macro space and the REINFORCE controller
    "MacroSpace": "naslab.space", "Architecture": "naslab.space",
    "Controller": "naslab.controller", "ControllerConfig": "naslab.controller",
    "ControllerSearcher": "naslab.controller", "EMABaseline": "naslab.controller",
    "reinforce_loss": "naslab.controller",
    "ChildConfig": "naslab.children", "ChildObjective": "naslab.children", "RandomArchSearch": "naslab.children",
    # notebook 03: benchmark, proxies, parameter sharing, successive halving
    "Benchmark": "naslab.bench", "BenchConfig": "naslab.bench", "BenchmarkError": "naslab.bench",
    "Proxy": "naslab.proxy", "run_proxy": "naslab.proxy", "rank_agreement": "naslab.proxy",
    "kendall_tau": "naslab.proxy", "spearman_rho": "naslab.proxy", "top_k_overlap": "naslab.proxy",
    "SuperNet": "naslab.supernet", "train_supernet": "naslab.supernet",
    "SuccessiveHalving": "naslab.halving",
    # notebook 04: Net2Net and EAS
    "widen_layer": "naslab.net2net_model", "deepen_layer": "naslab.net2net_model",
    "make_plain_net": "naslab.net2net_model", "check_preservation": "naslab.net2net_check",
    "EASConfig": "naslab.eas", "run_eas": "naslab.eas",
    # notebook 05: DARTS
    "OPS": "naslab.ops", "PRIMITIVES": "naslab.ops", "register_op": "naslab.ops",
    "MixedOp": "naslab.darts", "SearchNetwork": "naslab.darts",
    "Genotype": "naslab.genotype", "derive_genotype": "naslab.genotype", "DiscreteNetwork": "naslab.genotype",
    "Architect": "naslab.architect", "SearchConfig": "naslab.darts_search",
    "evaluate_genotype": "naslab.darts_search",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value  # cache: the next access is a plain attribute
        return value
    raise AttributeError(f"module 'naslab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_API))
