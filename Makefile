# The two commands of the README:
#   make site   build the bundled example site with its content map (make serve: live preview)
#   make test   install everything the tests need (Python packages, Debian's chromium) and run them all
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site serve test browser lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.site-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.site-deps

site: $(VENV)/.site-deps
	$(BIN)/mkdocs build --strict

serve: $(VENV)/.site-deps
	$(BIN)/mkdocs serve

# Browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

test: $(VENV)/.test-deps browser
	$(BIN)/python -m pytest

# Refresh the README's screenshots (the browser tests take them).
screenshots: $(VENV)/.test-deps browser
	CONTENT_MAP_SCREENSHOTS=$(CURDIR)/docs-assets/screenshots $(BIN)/python -m pytest -q tests/browser -k screenshots

# Benchmarks (not part of the tests): ratios against baselines measured in the same run.
bench: $(VENV)/.test-deps
	$(BIN)/python bench/run.py

lint: $(VENV)/.test-deps
	$(BIN)/ruff check plugins tests
	$(BIN)/mypy plugins/content_map

clean:
	rm -rf site $(VENV) .pytest_cache .hypothesis
