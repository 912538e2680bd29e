# Executable lectures on machine learning for physicists.
#   make lab     -- create .venv with pinned versions (first time only) and open the course
#   make test    -- unit tests + strict nbval re-execution of every notebook
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
NB      ?=
# one thread everywhere: torch (and BLAS) give different bits on 3+ threads than on 1-2,
# and the stored outputs must match on a 2-core CI runner and a many-core laptop
export OMP_NUM_THREADS      := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS      := 1
export PYTHONHASHSEED       := 0
# where no widget front end runs, live cells draw nothing (the static figure above them stays)
STATIC  := COURSE_UTILS_STATIC=1 MPLBACKEND=module://matplotlib_inline.backend_inline
PYTEST_NB := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: install lab test test-unit test-notebooks lint sync outputs timings bench clean help

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

install: $(VENV)/.installed  ## create .venv with the pinned stack (constraints.txt) and course_utils

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

lab: install  ## install if needed, then open the course in JupyterLab
	$(BIN)/jupyter lab notebooks/

test: install  ## unit tests and strict nbval over every notebook (2 workers)
	$(STATIC) $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_NB) tests notebooks

test-unit: install  ## unit tests only (fast)
	$(STATIC) $(BIN)/pytest -n 2 tests

test-notebooks: install  ## nbval only; NB=05 for one lecture
	$(STATIC) $(BIN)/pytest $(PYTEST_NB) $(if $(NB),notebooks/$(NB)_*.ipynb,notebooks)

lint: install  ## ruff over the package, tests, scripts and notebook sources
	$(BIN)/ruff check course_utils tests scripts bench notebooks

sync: install  ## pair every notebooks/*.py with its .ipynb (jupytext)
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.py

outputs: install  ## re-execute notebooks and store their outputs; NB=05 for one lecture
	$(STATIC) $(PY) scripts/run_notebooks.py outputs $(NB)

timings: install  ## seconds per notebook on this machine; NB=05 for one lecture
	$(STATIC) $(PY) scripts/run_notebooks.py timings $(NB)

bench: install  ## side-by-side benchmarks against peer libraries (bench/RESULTS.md)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@set -e; for f in bench/bench_*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(PY) $$f; done

clean:  ## remove the venv and every build product
	rm -rf $(VENV) _build book/_build student instructor .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
