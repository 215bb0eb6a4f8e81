# naslab: two commands do all the set-up on a fresh machine.
#   make lab    set up (once) and open JupyterLab on notebooks/
#   make test   set up (once) and run the whole test suite (FAST mode, browser tests included), with the
#               optional extras (Ray, Ray Tune, Dask, Optuna) installed so the scale-out tests run too;
#               `make test EXTRAS=` runs it without them (those tests then skip with an install hint)
#   make student / make grade [HW=3] / make book   the course: handout, homework grading, static site
# The virtual environment lives in .venv; it is (re)installed only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.naslab-installed
# extras `make test` adds (pyproject.toml [project.optional-dependencies]); `make lab` needs none
EXTRAS ?= ray,tune,dask,bench
comma  := ,
XSTAMP := $(VENV)/.naslab-extras-$(subst $(comma),-,$(EXTRAS))

.PHONY: install extras lab test test-quick lint bench bench-nb201 notebooks clean-notebooks claims student grade book

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; assert v >= (3, 10), f"naslab needs Python >= 3.10, found {v.major}.{v.minor}"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

extras: install $(if $(EXTRAS),$(XSTAMP),)

$(XSTAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q -e ".[dev,$(EXTRAS)]"
	@touch $@

# --allow-root only where the user is root (containers, some lab machines). One thread per kernel
# (NASLAB_THREADS, default 1; every notebook's setup cell also calls naslab.utils.set_threads()):
# tiny networks on a shared 2-core CPU run 10-60x slower with two threads. `make lab NASLAB_THREADS=4`
# for bigger models.
NASLAB_THREADS ?= 1
lab: install
	NASLAB_THREADS=$(NASLAB_THREADS) OMP_NUM_THREADS=$(NASLAB_THREADS) $(PY) -m jupyterlab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

# one torch thread per process: the suite runs a kernel beside pytest, and two threads per
# process on a 2-core machine make tiny models up to 40x slower (see README, "Threads")
test: extras
	NASLAB_FAST=1 OMP_NUM_THREADS=1 $(PY) -m pytest

# everything except the real-browser tests
test-quick: install
	NASLAB_FAST=1 OMP_NUM_THREADS=1 $(PY) -m pytest -m "not browser"

# run every notebook in class mode (one torch thread, as `make lab`) and print one line per claim
# (naslab/claims.py): holds / DOES NOT HOLD, observed, bound; exits non-zero when a claim fails.
# SEEDS=0,1,2 runs each notebook once per seed (`SEED = s` injected after its `parameters` cell) and adds,
# per claim, the observed value per seed, their range and how many seeds held; PARAMS="N=V N2='text'"
# injects other parameters the same way; NOTEBOOKS="notebooks/05_darts.ipynb" runs only those (tools/run_claims.py)
LOAD ?= 0
SEEDS ?=
PARAMS ?=
NOTEBOOKS ?=
claims: install
	NASLAB_THREADS=$(NASLAB_THREADS) OMP_NUM_THREADS=$(NASLAB_THREADS) $(PY) tools/run_claims.py --load $(LOAD) \
		$(if $(SEEDS),--seeds $(SEEDS),) $(foreach p,$(PARAMS),--param "$(p)") $(NOTEBOOKS)

lint: install
	$(PY) -m ruff check naslab tests benchmarks tools notebooks course homework

bench: install
	$(PY) -m pip install -q -e ".[dev,bench]"
	$(PY) tools/notebook_times.py --fast

# build (or resume) the NAS-Bench-201-style cell benchmark data/bench/mnist1d_nb201 (about 30-60 min on 2 busy cores)
bench-nb201: install
	$(PY) tools/build/build_nb201.py --workers 2

# build every notebook from its jupytext source: notebooks/NN_name.py (py:percent) is what you edit;
# --update keeps the existing cell ids, so a one-line change is a one-cell diff; outputs are stripped
notebooks: install
	$(PY) -m jupytext --from py:percent --to ipynb --update notebooks/[0-9]*.py
	$(PY) tools/strip_notebooks.py notebooks/*.ipynb

# strip outputs from every notebook (run before committing)
clean-notebooks: install
	$(PY) tools/strip_notebooks.py notebooks/*.ipynb

# the student edition: solutions stripped from notebooks and homework, hidden tests left out,
# written to build/student/ and build/student.zip (see README, "For instructors")
student: install
	$(PY) course/student.py --out build/student

# grade the homework in homework/ (here: the reference solutions); HW=3 grades one assignment
HW ?=
grade: install
	NASLAB_FAST=1 OMP_NUM_THREADS=1 $(PY) course/grade.py $(if $(HW),--hw $(HW),)

# the course site (Jupyter Book 1.x): the student notebooks executed in class mode (NASLAB_FAST=1 for a
# quick one), cached in build/book-cache-<mode>/; output build/book/_build/html/index.html
book: install
	OMP_NUM_THREADS=1 $(PY) course/book.py --out build/book
