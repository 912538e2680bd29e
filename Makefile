# Executable lectures on machine learning for physicists.
#   make lab     -- create .venv with pinned versions (first time only) and open the course
#   make test    -- unit tests + nbval re-execution of every notebook (text identical, numbers to their printed precision)
#   make test-drift -- the notebook comparison again with torch on other CPU kernels (as on other laptops)
#   make test-seeds -- every notebook for COURSE_UTILS_SEED=1 2 3: every check must hold for any seed
#   make test-lab -- every lecture in JupyterLab in headless Chromium: each live cell one panel, redrawn in <= 2 s
#   make book    -- the static book site from the stored outputs (offline); make test-book checks it in Chromium
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
NB      ?=
SEEDS   ?= 1 2 3
# one thread everywhere: torch (and BLAS) give different bits on 3+ threads than on 1-2,
# and the stored outputs must match on a 2-core CI runner and a many-core laptop
export OMP_NUM_THREADS      := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS      := 1
export PYTHONHASHSEED       := 0
# where no widget front end runs, live cells draw nothing (the static figure above them stays)
STATIC  := COURSE_UTILS_STATIC=1 MPLBACKEND=module://matplotlib_inline.backend_inline
PYTEST_NB := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: install lab test test-unit test-notebooks test-live test-lab lint sync outputs timings bench clean help \
        test-drift test-seeds book test-book chromium student instructor check-editions timings-table readme-table

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

install: $(VENV)/.installed  ## create .venv with the pinned stack (constraints.txt) and course_utils

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

lab: install  ## install if needed, then open the course in JupyterLab
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

test: install  ## unit tests and strict nbval over every notebook (2 workers)
	$(STATIC) $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_NB) tests notebooks

# torch picks its CPU kernels at run time (AVX2/AVX-512, MKL code paths): force the portable ones, as a
# student's laptop may run them, and the stored outputs must still hold to their printed precision.
# (OPENBLAS_CORETYPE is left as the machine sets it.)
test-drift: install  ## nbval over every notebook with torch forced onto other CPU kernels (ATEN_CPU_CAPABILITY, MKL_CBWR)
	ATEN_CPU_CAPABILITY=default $(STATIC) $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_NB) $(if $(NB),notebooks/$(NB)_*.ipynb,notebooks)
	MKL_CBWR=COMPATIBLE $(STATIC) $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_NB) $(if $(NB),notebooks/$(NB)_*.ipynb,notebooks)

# COURSE_UTILS_SEED=k mixes k into every seed (course_utils.seeding): the lectures run on other random
# numbers; outputs are not compared (--nbval-lax), but every cell must run and every assert hold.
test-seeds: install  ## every notebook for COURSE_UTILS_SEED in $(SEEDS) (no output comparison; every assert must hold); NB=05 for one
	@set -e; for k in $(SEEDS); do echo "== COURSE_UTILS_SEED=$$k"; \
	  COURSE_UTILS_SEED=$$k $(STATIC) $(BIN)/pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env \
	    $(if $(NB),notebooks/$(NB)_*.ipynb,notebooks); done

test-unit: install  ## unit tests only (fast)
	$(STATIC) $(BIN)/pytest -n 2 tests

test-notebooks: install  ## nbval only; NB=05 for one lecture
	$(STATIC) $(BIN)/pytest $(PYTEST_NB) $(if $(NB),notebooks/$(NB)_*.ipynb,notebooks)

test-live: install  ## run every lecture with widgets on: each live cell must build sliders and draw; NB=05 for one
	OMP_NUM_THREADS=1 $(PY) scripts/check_live_cells.py $(NB)

# ---- the live cells in a real JupyterLab (scripts/check_lab.py): Playwright from pip drives Debian's Chromium
$(VENV)/.installed-lab: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,lab]"
	touch $@

test-lab: $(VENV)/.installed-lab chromium  ## every lecture in JupyterLab in headless Chromium: Run All, one panel per live cell, redraw <= 2 s; NB=05 for one
	$(PY) scripts/check_lab.py $(NB)

lint: install  ## ruff over the package, tests, scripts and notebook sources
	$(BIN)/ruff check course_utils tests scripts bench notebooks book

sync: install  ## pair every notebooks/*.py with its .ipynb (jupytext)
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.py

outputs: install  ## re-execute notebooks and store their outputs; NB=05 for one lecture
	$(STATIC) $(PY) scripts/run_notebooks.py outputs $(NB)

timings: install  ## seconds per notebook on this machine; NB=05 for one lecture
	$(STATIC) $(PY) scripts/run_notebooks.py timings $(NB)

bench: install  ## side-by-side benchmarks against peer libraries (bench/RESULTS.md)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@set -e; for f in bench/bench_*.py; do [ -e "$$f" ] || continue; echo "== $$f"; $(PY) $$f; done

# ---- book site, editions, README table (book/, scripts/build_book.py, scripts/make_editions.py)
$(VENV)/.installed-book: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,book]"
	touch $@

book: $(VENV)/.installed-book  ## build the book site from the stored outputs -> _build/book/_build/html
	$(PY) scripts/build_book.py build

chromium:  ## make sure headless Chromium is here for test-book and test-lab (as root: installs Debian's chromium)
	@if command -v chromium >/dev/null || [ -n "$$CHROMIUM" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "test-book needs Chromium: sudo apt-get install chromium (or set CHROMIUM=/path)"; exit 1; fi; \
	command -v chromium >/dev/null

test-book: book chromium  ## build the book, then open every page in headless Chromium (screenshots in _build/book/screenshots)
	$(BIN)/pytest -q book/test_site.py

student: install  ## student edition (solutions removed) -> student/; NB=05 for one lecture
	$(PY) scripts/make_editions.py student $(NB)

instructor: install  ## instructor edition (solutions kept) -> instructor/; NB=05 for one lecture
	$(PY) scripts/make_editions.py instructor $(NB)

check-editions: install  ## write both editions and execute them top to bottom; NB=05 for one lecture
	$(STATIC) $(PY) scripts/make_editions.py check $(NB)

timings-table: install  ## run every notebook, save book/timings.txt, rewrite the README lecture table
	set -o pipefail; $(STATIC) $(PY) scripts/run_notebooks.py timings | tee book/timings.txt.new
	mv book/timings.txt.new book/timings.txt
	$(PY) scripts/build_book.py readme-table

readme-table: install  ## rewrite the README lecture table from the notebooks, book/course.yml, book/timings.txt
	$(PY) scripts/build_book.py readme-table

clean:  ## remove the venv and every build product
	rm -rf $(VENV) _build book/_build student instructor .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
