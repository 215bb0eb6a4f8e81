"""naslab: the package behind the Neural Architecture Search teaching notebooks.

Importing `naslab` is instant and offline: the public names below load their module (and torch)
on first use, so `import naslab` never touches the network and does no heavy work.

The README lists every module in one line and the public API that homework may use. Layout: the
shared core (config, utils, data, models, train, trial, json_values, domains, searchers, asktell,
search, anytime, plots, widgets...) sits at the top; each of the eight notebooks 00-07 has its own
topic folder (welcome, grid_vs_random, controller, proxies, net2net, darts, bakeoff, signals) holding its
algorithms, plots, widget panels and exercise checks; the optional integrations (Optuna, Ray Tune)
sit in `naslab/integrations/`. No module inside naslab imports this facade: each imports a name from
the module that defines it, and the map below is for notebooks and homework.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it (loaded lazily, PEP 562). One canonical module per name:
# the core at the top of the package, then one folder per notebook topic.
_API = {
    # run modes
    "is_fast": "naslab.config", "budget": "naslab.config",
    # shared bits
    "seed_everything": "naslab.utils", "get_device": "naslab.utils", "count_params": "naslab.utils",
    "Timer": "naslab.utils", "set_threads": "naslab.utils",
    # claims as code: every expected result is checked by the run that shows it
    "claim": "naslab.claims",
    # data
    "load_dataset": "naslab.data", "available_datasets": "naslab.data", "Dataset": "naslab.data",
    # training (the function `train` lives in its module, `from naslab.train import train`:
    # re-exporting it here would clash with the submodule of the same name)
    "evaluate": "naslab.train", "TrainConfig": "naslab.train", "TrainResult": "naslab.train",
    "make_mlp": "naslab.models", "make_cnn": "naslab.models",
    # records
    "Trial": "naslab.trial", "append_jsonl": "naslab.trial", "load_jsonl": "naslab.trial",
    "save_jsonl": "naslab.trial",
    # search spaces, searchers, the search loop, anytime curves (core, used by every notebook)
    "Choice": "naslab.domains", "Uniform": "naslab.domains", "LogUniform": "naslab.domains",
    "IntRange": "naslab.domains", "grid": "naslab.domains", "sample": "naslab.domains",
    "validate_space": "naslab.domains",
    "Searcher": "naslab.searchers", "Proposal": "naslab.searchers", "GridSearch": "naslab.searchers",
    "RandomSearch": "naslab.searchers", "run_search": "naslab.search",
    "best_trial": "naslab.anytime", "best_so_far": "naslab.anytime", "best_vs_trials": "naslab.anytime",
    "best_vs_seconds": "naslab.anytime", "mean_and_spread": "naslab.anytime",
    # scaling out: executors (Ray; Dask's client.get_executor() needs nothing), Optuna's TPE, Ray Tune
    "RayExecutor": "naslab.executors", "OptunaSearch": "naslab.integrations.optuna",
    "run_tune": "naslab.integrations.tune",
    # notebook 01: grid vs random search
    "course_grid": "naslab.grid_vs_random.spaces", "course_space": "naslab.grid_vs_random.spaces",
    "train_population": "naslab.grid_vs_random.population",
    "train_population_tasks": "naslab.grid_vs_random.population_tasks",
    # notebook 02: the macro space and the REINFORCE controller
    "MacroSpace": "naslab.controller.macro_space", "Architecture": "naslab.controller.macro_space",
    "Controller": "naslab.controller.lstm", "EMABaseline": "naslab.controller.reinforce",
    "reinforce_loss": "naslab.controller.reinforce",
    "ControllerConfig": "naslab.controller.searcher", "ControllerSearcher": "naslab.controller.searcher",
    "ChildConfig": "naslab.controller.children", "ChildObjective": "naslab.controller.children",
    "RandomArchSearch": "naslab.controller.children",
    # notebook 03: benchmark, proxies, parameter sharing, successive halving
    "Benchmark": "naslab.proxies.benchmark", "BenchConfig": "naslab.proxies.benchmark",
    "BenchmarkError": "naslab.tabular",  # shared by both tables (notebooks 03 and 06)
    "Proxy": "naslab.proxies.proxy", "run_proxy": "naslab.proxies.proxy",
    "rank_agreement": "naslab.proxies.ranking", "kendall_tau": "naslab.proxies.ranking",
    "spearman_rho": "naslab.proxies.ranking", "top_k_overlap": "naslab.proxies.ranking",
    "SuperNet": "naslab.proxies.supernet", "train_supernet": "naslab.proxies.supernet",
    "SuccessiveHalving": "naslab.proxies.halving",
    # notebook 04: Net2Net and EAS
    "widen_layer": "naslab.net2net.network", "deepen_layer": "naslab.net2net.network",
    "make_plain_net": "naslab.net2net.network",
    "measure_preservation": "naslab.net2net.preservation", "Preservation": "naslab.net2net.preservation",
    "EASConfig": "naslab.net2net.eas", "run_eas": "naslab.net2net.eas",
    # notebook 05: DARTS
    "OPS": "naslab.darts.ops", "PRIMITIVES": "naslab.darts.ops", "register_op": "naslab.darts.ops",
    "validate_op": "naslab.darts.ops", "check_op": "naslab.darts.checks",
    "MixedOp": "naslab.darts.supernet", "SearchNetwork": "naslab.darts.supernet",
    "Genotype": "naslab.darts.genotype", "derive_genotype": "naslab.darts.genotype",
    "DiscreteNetwork": "naslab.darts.network",
    "Architect": "naslab.darts.architect",
    "SearchConfig": "naslab.darts.config", "SearchResult": "naslab.darts.search", "run_darts": "naslab.darts.search",
    "evaluate_genotype": "naslab.darts.search",
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
