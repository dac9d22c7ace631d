# Stödspår: set-up, running and testing. `make` lists the targets.
#
# Ports, hosts, database names and keys come from deploy/stodspar.env only (values there must
# not contain '$' or '#', which make would interpret).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

include deploy/stodspar.env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' deploy/stodspar.env)
# services/ holds the service packages; the repo root holds frontend/ and contracts/.
export PYTHONPATH := services:.

PYTHON ?= python3.11
VENV := .venv
VENV_STAMP := $(VENV)/.requirements.stamp
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest
# Extra pytest arguments, e.g. make test ARGS='-x -k relay'
ARGS ?=
WITH_INFRA := deploy/with-infra.sh
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

# Debian packages the project needs beyond Python: Java + Maven to fetch and run Kafka,
# Chromium for the browser tests, npm to fetch axe-core for them, and the Swedish word lists of the R22 lexicon (wswedish,
# hunspell-sv-se, unmunch from hunspell-tools), and what WeasyPrint draws the decision letters' PDF with
# (Pango, HarfBuzz and the DejaVu fonts). Only the missing ones are installed.
# (PostgreSQL is installed by deploy/postgres.sh.)
MISSING_DEBS := $(strip \
  $(if $(shell command -v java),,openjdk-17-jre-headless) \
  $(if $(shell command -v mvn),,maven) \
  $(if $(wildcard /usr/bin/chromium),,chromium) \
  $(if $(shell command -v npm),,npm) \
  $(if $(wildcard /usr/share/dict/swedish),,wswedish) \
  $(if $(wildcard /usr/share/dict/american-english),,wamerican) \
  $(if $(wildcard /usr/share/hunspell/sv_SE.dic),,hunspell-sv-se) \
  $(if $(shell command -v unmunch),,hunspell-tools) \
  $(if $(wildcard /usr/lib/*/libpango-1.0.so.0),,libpango-1.0-0) \
  $(if $(wildcard /usr/lib/*/libpangoft2-1.0.so.0),,libpangoft2-1.0-0) \
  $(if $(wildcard /usr/lib/*/libharfbuzz.so.0),,libharfbuzz0b) \
  $(if $(wildcard /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf),,fonts-dejavu-core))
# The R22 check's lexicon of Swedish names and words (deploy/build_lexicon.py, ADR 0022).
LEXICON := .cache/deidentify/lexicon-sv.json.gz
# axe-core, the accessibility check the browser tests run on every page (tests/e2e/browser.py):
# one file from npm's package, fetched at set-up, never committed.
AXE_VERSION := 4.10.3
AXE_SCRIPT := .cache/axe/axe-core-$(AXE_VERSION).min.js

# The test suite uses the test_ copies of the databases (see deploy/postgres-init/).
test test-unit test-integration test-e2e bench bench-deidentify fuzz simulate: export TEST_PREFIX := test_
test test-e2e: export AXE_CORE_JS := $(abspath $(AXE_SCRIPT))

.PHONY: help bootstrap contracts run run-cluster test test-unit test-integration test-e2e bench bench-deidentify fuzz simulate stop clean-state lock rebuild

help:
	@echo "make bootstrap         install everything (venv, Kafka jars, PostgreSQL, Chromium); fast when done"
	@echo "make run               start the whole system; open http://127.0.0.1:$(FRONTEND_PORT); Ctrl-C stops it"
	@echo "make run-cluster       the same on a three-node Kafka cluster (replication 3, min.insync.replicas 2)"
	@echo "make test              all tests with PostgreSQL and Kafka (what CI runs)"
	@echo "make test-unit         unit tests only, no infrastructure"
	@echo "make test-integration  integration tests with PostgreSQL and Kafka"
	@echo "make test-e2e          end-to-end tests (browser) with PostgreSQL and Kafka"
	@echo "make bench             benchmarks (tests/benchmarks) with PostgreSQL and Kafka"
	@echo "make bench-deidentify  the R22 check's recall, false alarms, speed and memory only"
	@echo "make simulate          a school year of Stockholm county (26 municipalities, 300,000 pupils) through the whole system"
	@echo "make fuzz              schemathesis, 200 examples per operation, against every API"
	@echo "make rebuild VIEW=v    rebuild read model v (followup, quality, county, accesslog, worklist) from Kafka beside the live one, then switch"
	@echo "make contracts         publish the domain's value lists to contracts/ (vocabularies, event enums)"
	@echo "make stop              stop Kafka and PostgreSQL"
	@echo "make clean-state       stop Kafka and delete its data and logs (.state/)"
	@echo "make lock              regenerate requirements.txt from requirements.in"
	@echo "Pass pytest options with ARGS, e.g. make test ARGS='-x -k outbox'"

bootstrap: $(VENV_STAMP)
ifneq ($(MISSING_DEBS),)
	@deploy/apt-repair.sh
	$(APT_GET) update
	$(APT_GET) install -y $(MISSING_DEBS)
endif
	@$(MAKE) --no-print-directory $(LEXICON) $(AXE_SCRIPT)
	@deploy/kafka.sh fetch
	@deploy/postgres.sh install
	@deploy/postgres.sh setup

$(LEXICON): deploy/build_lexicon.py $(VENV_STAMP)
	$(PY) deploy/build_lexicon.py

# npm checks the package against the registry's integrity hash; only axe.min.js is kept.
$(AXE_SCRIPT):
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	npm pack --silent --pack-destination "$$tmp" axe-core@$(AXE_VERSION) >/dev/null; \
	tar -xzf "$$tmp/axe-core-$(AXE_VERSION).tgz" -C "$$tmp" package/axe.min.js; \
	mkdir -p $(@D); mv "$$tmp/package/axe.min.js" $@; touch $@

# Rebuilt from scratch when requirements.txt changes, so a removed pin does not linger.
$(VENV_STAMP): requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

run: bootstrap
	@deploy/run.sh

# The same system on a three-node Kafka cluster (replication 3, min.insync.replicas 2).
run-cluster: bootstrap
	@KAFKA_CLUSTER=1 deploy/run.sh

# The twenty slowest tests are listed at the end, to keep an eye on the suite's time.
test: bootstrap
	$(WITH_INFRA) $(PYTEST) tests --durations=20 $(ARGS)

# Each list of allowed values lives once, in its owning domain; this writes it to contracts/
# (deploy/contracts.py; a unit test fails while a file is stale).
contracts: $(VENV_STAMP)
	$(PY) deploy/contracts.py

test-unit: $(VENV_STAMP) $(LEXICON)
	$(PYTEST) tests/unit tests/frontend_unit tests/contract $(ARGS)

test-integration: bootstrap
	$(WITH_INFRA) $(PYTEST) tests/integration $(ARGS)

test-e2e: bootstrap
	$(WITH_INFRA) $(PYTEST) tests/e2e $(ARGS)

bench: bootstrap
	$(WITH_INFRA) $(PY) -m tests.benchmarks.run $(ARGS)

# A school year of Stockholm county through the running system (tests/simulation/county.py):
# SIMULATE_SCALE=0.01 for a hundredth of the pupils. Uses (and first empties) the test databases.
simulate: bootstrap
	$(WITH_INFRA) $(PY) -m tests.simulation.county $(ARGS)

# schemathesis against every API with 200 examples per operation and caller (make test runs 6).
fuzz: bootstrap
	FUZZ_EXAMPLES=200 $(WITH_INFRA) $(PYTEST) tests/integration/test_api_fuzzing.py $(ARGS)

# The R22 check's figures alone (recall, false alarms, time, memory): no infrastructure needed.
bench-deidentify: $(VENV_STAMP) $(LEXICON)
	BENCH_PHASES=deidentify $(PY) -m tests.benchmarks.run

# Rebuilds a read model from its topics beside the live one and switches (ADR 0025); safe while
# `make run` is up. An unknown VIEW is refused before anything starts.
VIEW ?=
rebuild: bootstrap
	@$(PY) -m projections.rebuild --check-only "$(VIEW)"
	$(WITH_INFRA) $(PY) -m projections.rebuild "$(VIEW)"

stop:
	@deploy/kafka.sh stop
	@deploy/kafka-cluster.sh stop
	@deploy/postgres.sh stop

clean-state:
	@deploy/kafka.sh stop
	@deploy/kafka-cluster.sh stop
	rm -rf .state

# Resolves requirements.in in a throwaway venv and pins the whole tree exactly.
lock:
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet -r requirements.in; \
	"$$tmp/venv/bin/pip" freeze --exclude-editable >requirements.txt
	@echo "requirements.txt regenerated; the next make bootstrap rebuilds .venv"
