# The README's commands. `make demo` and `make test` do all set-up on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps demo test test-all lint bench bench-full bench-extract demo-cluster clean

setup: system-deps $(STAMP)

# Debian packages the crawl and the tests need: Chromium for JavaScript rendering, Redis for
# the distributed mode's tests (each binary has its package's name, so `command -v` checks it). Installed
# only when missing, so a user who is not root needs nothing more once they are there.
DEBIAN_PACKAGES := chromium redis-server

system-deps:
	@missing=""; \
	for pkg in $(DEBIAN_PACKAGES); do \
	  command -v $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing Debian packages:$$missing (as root: apt-get install$$missing)" >&2; exit 1; \
	  fi; \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $@

demo: setup
	$(PY) -m newscrawl.demo

# Redis and three workers over the replica, one summary (needs redis-server: make setup has it).
demo-cluster: setup
	$(PY) -m newscrawl.distributed.demo

# The default suite: lint, types, and every test but the slow end-to-end and browser ones, on
# every core up to 4 (pytest-xdist: each test owns its ports and files; a worker process
# peaks at some 460 MB, on the hostile-page tests). The slow tests stay one at a time: each
# runs several processes (crawlers, servers, Chromium), and two at a time on two cores, a
# two-worker cluster test failed in one run of eleven (see the README, Tests).
test: setup lint
	$(PY) -m pytest -n auto --maxprocesses 4 -m "not slow and not browser"

# Everything, as CI runs it: lint, types, the default suite, then the slow and browser tests.
test-all: test
	$(PY) -m pytest -m "slow or browser"

lint: setup
	$(PY) -m ruff check newscrawl tests scripts
	$(PY) -m mypy

bench: setup
	$(PY) -m newscrawl.bench --quick

bench-full: setup
	$(PY) -m newscrawl.bench --full

# Extraction quality, per theme, ours against trafilatura on the same pages. PAGES=DIR scores a
# folder of your own saved pages ({id}.html + {id}.json with at least "body") instead.
EXTRACT_DIR := output/bench-extract
bench-extract: setup
ifdef PAGES
	$(PY) -m newscrawl.quality $(PAGES) --json $(EXTRACT_DIR)/pages.json
else
	rm -rf $(EXTRACT_DIR)/mix
	$(PY) -m newscrawl.demosite dump $(EXTRACT_DIR)/mix --articles 300 --themes mix
	$(PY) -m newscrawl.quality $(EXTRACT_DIR)/mix --by theme --json $(EXTRACT_DIR)/mix.json
endif

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
