# The thi đua event suite. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= var
SECRET_FILE := $(DATA_DIR)/jwt-secret

export THIDUA_DATA_DIR ?= $(DATA_DIR)

.PHONY: help venv run prometheus traces traces-stop migrate seed demo check test lint format token kafka-start kafka-stop kafka-cluster-start \
	kafka-cluster-stop postgres-start bench bench-replicas bench-writers bench-budget bench-partitions clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## Create the virtualenv and install the pinned dependencies

$(SECRET_FILE):
	@umask 077 && mkdir -p $(DATA_DIR)
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $(SECRET_FILE)

migrate: venv $(SECRET_FILE) ## Bring every service database to the newest schema
	THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services registry migrate
	THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services submissions migrate
	THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services scoring migrate
	THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services notifications migrate
	THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services portal migrate

seed: migrate ## Load the registry's seed data: the 2023 year and the 2025 mergers (idempotent)
	THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services registry seed

DEMO ?= 1

demo: seed ## Load the demonstration year through the APIs (idempotent; make run does it unless DEMO=0)
	$(BIN)/python -m services.demo

ifeq ($(TRACING),1)
export OTEL_EXPORTER_OTLP_ENDPOINT ?= http://127.0.0.1:4318
export TRACE_UI_URL ?= http://127.0.0.1:9411/zipkin/traces/{trace_id}
endif

run: seed $(if $(filter 0,$(DEMO)),,demo) ## Start the suite on the embedded default (SQLite + embedded event log); Ctrl-C stops it; TRACING=1 sends traces to make traces
	@THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/python -m services portal first-account
	PATH=$(CURDIR)/$(BIN):$$PATH THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/honcho start -f Procfile

token: venv $(SECRET_FILE) ## Print a development token: make -s token ROLE=academy_admin [TENANT=...]
	@THIDUA_JWT_SECRET=$$(cat $(SECRET_FILE)) $(BIN)/thidua-token --role $(or $(ROLE),academy_admin) \
		$(if $(TENANT),--tenant $(TENANT)) --subject $(or $(SUBJECT),$(USER),dev)

TEST_WORKERS ?= 2

check: venv ## Run the fast tier alone (the domain and the use cases on fakes; seconds, nothing to start)
	$(BIN)/pytest -q -m fast

test: venv ## Run every tier, installing and starting what they need first (deploy/test.sh); nothing skips
	BIN=$(BIN) TEST_WORKERS=$(TEST_WORKERS) deploy/test.sh

lint: venv ## Check style and types (ruff, mypy)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

kafka-start: ## Fetch and start a local Kafka broker on 127.0.0.1:9092 (no Docker)
	deploy/kafka.sh start

kafka-stop: ## Stop the local Kafka broker
	deploy/kafka.sh stop

kafka-cluster-start: ## Start a local three-node Kafka cluster on 127.0.0.1:29092,29094,29096
	deploy/kafka.sh cluster start

kafka-cluster-stop: ## Stop the local three-node Kafka cluster
	deploy/kafka.sh cluster stop

prometheus: ## Run Prometheus on 127.0.0.1:9090 over make run's processes, with the suite's alerts (Debian's prometheus)
	@command -v prometheus >/dev/null || { echo "prometheus is missing: apt-get install prometheus" >&2; exit 1; }
	mkdir -p var/prometheus
	prometheus --config.file=deploy/prometheus/prometheus.yml --storage.tsdb.path=var/prometheus \
		--web.listen-address=127.0.0.1:9090

traces: ## Start Zipkin (127.0.0.1:9411/zipkin/) behind the suite's OpenTelemetry Collector (OTLP on 4318); then run with TRACING=1
	deploy/traces.sh start

traces-stop: ## Stop Zipkin and the collector
	deploy/traces.sh stop

postgres-start: ## Install and start a local PostgreSQL (Debian package); prints nothing on success
	deploy/postgres.sh start

bench: venv ## Every bench in one table: throughput, rebuild, freshness, API latency, scale (needs hey; KAFKA_BOOTSTRAP_SERVERS)
	@command -v hey >/dev/null || { echo "the latency and freshness benches need hey: apt install hey"; exit 2; }
	$(BIN)/python -m bench.all

bench-replicas: venv ## Relay failover, rebalance pauses, one vs two replicas on its own 3-node cluster (BENCH_POSTGRES_URL)
	$(BIN)/python -m bench.replicas

bench-writers: venv ## Filings into one gunicorn process against two, on PostgreSQL (BENCH_POSTGRES_URL; needs hey)
	$(BIN)/python -m bench.writers

bench-budget: venv ## The CPU one filing costs each process of the suite (BENCH_POSTGRES_URL adds PostgreSQL; needs hey)
	$(BIN)/python -m bench.budget

bench-partitions: venv ## The runner and relay with 1, 2 and 4 partitions and replicas, on its own 3-node cluster (BENCH_POSTGRES_URL)
	$(BIN)/python -m bench.partitions

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
