"""Optional integrations with other tools, each behind its own pip extra: `naslab.integrations.optuna`
(Optuna's TPE as an ask/tell searcher, extra `bench`) and `naslab.integrations.tune` (any naslab searcher
as a Ray Tune `Searcher`, extra `tune`). They may import the core and the topic folders; nothing in
naslab imports them (the facade names `OptunaSearch` and `run_tune` load them lazily), so the course
runs without their extras."""
