# The README's commands. `make demo` and `make test` do all set-up on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps demo test lint bench bench-full clean

setup: system-deps $(STAMP)

# Debian packages the crawl and the tests need: Chromium for JavaScript rendering.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $@

demo: setup
	$(PY) -m newscrawl.demo

test: setup
	$(PY) -m ruff check newscrawl tests scripts
	$(PY) -m mypy
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check newscrawl tests scripts
	$(PY) -m mypy

bench: setup
	$(PY) -m newscrawl.bench --quick

bench-full: setup
	$(PY) -m newscrawl.bench --full

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
