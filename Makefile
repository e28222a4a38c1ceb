# Tandem: `make demo` serves the synthetic demo; `make test` runs lint, types and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: demo test test-fast lint pytest system-packages messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

system-packages:
	scripts/ensure-system-packages

demo: $(STAMP)
	TANDEM_ENV=demo $(BIN)/tandem demo

test: lint pytest

# import-linter holds the layers of DESIGN.md: the contracts are in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo --no-cache

# One BLAS thread per test worker: the workers already use every core. worksteal hands each
# worker a run of tests in order (the demo tests, which share one demo agency, stay together)
# and lets an idle worker take the tail of another's.
PYTEST := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -p no:cacheprovider

pytest: $(STAMP) system-packages
	$(PYTEST)

# The inner loop: the suite without the browser and the demo agency tests.
test-fast: $(STAMP)
	$(PYTEST) -m "not browser and not demo"

# The project catalogue covers the foundation; apps with a locale/ folder keep their own.
messages: $(STAMP)
	cd src/tandem && ignored=$$(for d in */locale; do printf -- '-i %s/* ' "$${d%/locale}"; done) && set -f && \
		../../$(BIN)/tandem makemessages -l fr --no-obsolete --add-location file \
		-i "stats/*" -i "synth/*" $$ignored
	for d in src/tandem/*/locale; do (cd "$${d%/locale}" && ../../../$(BIN)/tandem makemessages -l fr --no-obsolete --add-location file); done
	cd src/tandem && ../../$(BIN)/tandem compilemessages -l fr

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
