"""Optuna's samplers (TPE by default) as a naslab searcher: the same ask/tell, the same `run_search`.

Optuna (Akiba et al., KDD 2019) has an ask/tell interface of its own, so a naslab `Searcher` only
translates: the naslab domains become Optuna distributions, `ask()` returns `study.ask(dists).params`,
and `tell(config, trial)` hands the score back with `study.tell`. The default sampler is TPE, the
Tree-structured Parzen Estimator (Bergstra et al., NeurIPS 2011): after `n_startup_trials` random
draws it splits the finished trials at a quantile γ of the scores into good and bad, fits a density to
each, l(x) for the good and g(x) for the rest, and proposes the x maximising

    l(x) / g(x)         (proportional to expected improvement under the TPE model)

so it is adaptive (`adaptive = True`: `run_search` asks one candidate at a time unless told a
`batch_size`). Domains map as Choice -> CategoricalDistribution, Uniform -> FloatDistribution,
LogUniform -> FloatDistribution(log=True), IntRange -> IntDistribution(step). A failed trial, or one
whose score is NaN, is told as FAIL (TPE ignores it); a diverged one with a finite score is told
its score. Needs the `bench` extra: `pip install 'naslab[bench]'`.

Taught in: notebooks/01_grid_vs_random_search.ipynb (TPE beside grid and random search).
"""

from __future__ import annotations

import math
from collections import deque

from naslab.domains import Choice, IntRange, LogUniform, Uniform, validate_space
from naslab.searchers import Searcher
from naslab.validate import check_int, check_seed, check_str

OPTUNA_HINT = "Optuna is an optional extra: install it with `pip install 'naslab[bench]'` (or `pip install optuna`)"
SAMPLERS = ("tpe", "random")
_CATEGORICAL = (type(None), bool, int, float, str)  # what an Optuna categorical may hold


def _distribution(optuna, dom):
    if isinstance(dom, Choice):
        plain = all(isinstance(v, _CATEGORICAL) for v in dom.values)
        return optuna.distributions.CategoricalDistribution(dom.values if plain else range(len(dom.values)))
    if isinstance(dom, LogUniform):
        return optuna.distributions.FloatDistribution(dom.low, dom.high, log=True)
    if isinstance(dom, Uniform):
        return optuna.distributions.FloatDistribution(dom.low, dom.high)
    assert isinstance(dom, IntRange)
    high = dom.low + dom.step * ((dom.high - dom.low) // dom.step)  # the last value on the step lattice
    return optuna.distributions.IntDistribution(int(dom.low), int(high), step=int(dom.step))


def _value(dom, x):
    """Optuna's parameter value -> the domain's value (a Choice of non-plain values travels as an index)."""
    if isinstance(dom, Choice) and not all(isinstance(v, _CATEGORICAL) for v in dom.values):
        return dom.values[int(x)]
    return x


class OptunaSearch(Searcher):
    """An Optuna study behind `ask()` / `tell()`.

    Args:
        space: name -> naslab domain (Choice, Uniform, LogUniform, IntRange).
        seed: seeds the sampler: the same seed gives the same trials.
        sampler: "tpe" (default), "random", or any `optuna.samplers.BaseSampler` instance.
        max_trials: stop proposing after this many (None: until run_search's budget).
        metric: the Trial metric to maximise.
        n_startup_trials: random draws before TPE starts modelling (Optuna's default is 10).
        quiet: lower Optuna's logger to WARNING (it prints one line per trial otherwise).
    """

    adaptive = True

    def __init__(self, space: dict, *, seed: int = 0, sampler="tpe", max_trials: int | None = None,
                 metric: str = "val_acc", n_startup_trials: int = 10, quiet: bool = True):
        try:
            import optuna
        except ImportError as e:
            raise ImportError(OPTUNA_HINT) from e
        self.space, self.seed, self.max_trials, self.metric = validate_space(space), seed, max_trials, metric
        check_seed(seed)
        check_int(max_trials, "max_trials", low=1, none=True)
        check_str(metric, "metric", hint="a key of the Trial metrics")
        check_int(n_startup_trials, "n_startup_trials", low=0)
        if isinstance(sampler, str):
            if sampler not in SAMPLERS:
                raise ValueError(f"sampler={sampler!r} is unknown; allowed: {list(SAMPLERS)} or an Optuna sampler")
            self.name = sampler
            sampler = (optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials) if sampler == "tpe"
                       else optuna.samplers.RandomSampler(seed=seed))
        else:
            self.name = type(sampler).__name__
        if quiet:
            optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._optuna = optuna
        self.distributions = {k: _distribution(optuna, d) for k, d in self.space.items()}
        self.study = optuna.create_study(direction="maximize", sampler=sampler)
        self._open: deque = deque()  # Optuna trials asked, not told yet (run_search tells in ask order)

    def ask(self) -> dict | None:
        if self.max_trials is not None and len(self.study.trials) >= self.max_trials:
            return None
        ot = self.study.ask(self.distributions)
        self._open.append(ot)
        return {k: _value(self.space[k], ot.params[k]) for k in self.space}

    def tell(self, config: dict, trial) -> None:
        ot = self._open.popleft()
        score = trial.score(self.metric)  # NaN for a failed trial
        if math.isfinite(score):
            self.study.tell(ot, score)
        else:
            self.study.tell(ot, state=self._optuna.trial.TrialState.FAIL)
