# omsd — `make run` to start the daemon, `make test` to run every test suite.
# `make` alone lists the targets. System packages and the Python venv are
# installed on demand by scripts/install-deps.sh and scripts/python-env.sh.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Suites and builds share .build/ and the CPU; run them one after another.
.NOTPARALLEL:

SWIFT       ?= swift
PYTHON      ?= python3
VENV        ?= .build-venv
VENV_PY     := $(VENV)/bin/python
LISTEN      ?= 127.0.0.1:50051
DATA_DIR    ?= ./var/data
ASAN_FILTER ?= OMSProtoTests|Nghttp2Tests|StorageTests
# Upper bound for the interop suite, so a hung server cannot eat CI's 90 minutes.
INTEROP_TIMEOUT ?= 1200
PYTEST_ARGS ?= -q
BENCH_ARGS  ?=
BASE        ?=
# Every Swift file but the generated ones (Proto/generate.sh writes those; its drift test checks them).
SWIFT_FILES  = $(shell find Package.swift Sources ClientSDK Tools Tests -name '*.swift' -not -path 'Sources/OMSProto/Generated/*' | LC_ALL=C sort)

.PHONY: help deps deps-build deps-test deps-bench venv build release run \
        test test-swift test-asan test-interop format format-check proto proto-check bench bench-compare clean

help: ## list the targets (this text)
	@echo "omsd: make run (start the daemon) · make test (every suite)"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: LISTEN=$(LISTEN) DATA_DIR=$(DATA_DIR) BENCH_ARGS='...' BASE=old.json PYTEST_ARGS='$(PYTEST_ARGS)'"

deps: ## install every missing system package (apt-get; sudo when not root)
	bash scripts/install-deps.sh all

deps-build:
	@bash scripts/install-deps.sh build

deps-test:
	@bash scripts/install-deps.sh test

deps-bench:
	@bash scripts/install-deps.sh bench

venv: ## create/update the Python venv .build-venv/ (grpcio, grpcio-tools, pytest)
	@bash scripts/python-env.sh

build: deps-build ## debug build of everything (swift build)
	$(SWIFT) build

release: deps-build ## release build of omsd and omsctl
	$(SWIFT) build -c release --product omsd
	$(SWIFT) build -c release --product omsctl

run: release ## release build, then omsd serve on LISTEN (127.0.0.1:50051) with DATA_DIR (./var/data), in the foreground
	@mkdir -p "$(DATA_DIR)"
	@echo "omsd: the admin token is (created on first start) in $(DATA_DIR)/admin.token; Ctrl-C stops omsd"
	exec "$$($(SWIFT) build -c release --show-bin-path)/omsd" serve --listen "$(LISTEN)" --data-dir "$(DATA_DIR)"

# No recipe of its own: the interop suite's "N passed" line stays the last line of the run.
test: format-check test-swift test-asan test-interop ## the format check, then every suite in turn (Swift, AddressSanitizer, Python interop); stops at the first failure

test-swift: deps-test ## swift build --build-tests, then swift test (all Swift Testing suites)
	$(SWIFT) build --build-tests
	$(SWIFT) test

test-asan: deps-test ## the C-wrapping modules' tests under AddressSanitizer (.build-asan/)
	LSAN_OPTIONS="suppressions=$(CURDIR)/Tests/lsan.supp" \
	  $(SWIFT) test --scratch-path .build-asan --sanitize=address --filter '$(ASAN_FILTER)'

test-interop: deps-test venv ## Python grpcio clients (Tests/interop) against the debug omsd
	$(SWIFT) build --product omsd
	OMSD_BIN="$$($(SWIFT) build --show-bin-path)/omsd" \
	  timeout --kill-after=30 $(INTEROP_TIMEOUT) $(VENV_PY) -m pytest Tests/interop $(PYTEST_ARGS)

format: ## format every Swift file in place with .swift-format (the toolchain's swift-format)
	@echo "swift format format --in-place (.swift-format) on $(words $(SWIFT_FILES)) files"
	@$(SWIFT) format format --in-place --parallel $(SWIFT_FILES)

format-check: ## fail, naming file, line and rule, where a Swift file is not formatted as .swift-format says
	@echo "swift format lint --strict (.swift-format) on $(words $(SWIFT_FILES)) files"
	@$(SWIFT) format lint --strict --parallel $(SWIFT_FILES) || { echo "make format fixes these"; exit 1; }

proto: deps-build ## regenerate code from Proto/ (Proto/generate.sh)
	bash Proto/generate.sh

proto-check: deps-build ## fail if generated code differs from Proto/ (Proto/generate.sh --check)
	bash Proto/generate.sh --check

bench: deps-bench venv ## release build, then h2load against omsd and the nghttpd ceiling; writes var/bench/latest.json
	$(VENV_PY) Tools/bench/bench.py $(BENCH_ARGS)

bench-compare: ## per-row difference between var/bench/latest.json and BASE (default: the previous run)
	$(PYTHON) Tools/bench/compare.py $(if $(BASE),--base "$(BASE)")

clean: ## remove build outputs (.build, .build-asan); keeps var/data, var/bench and the venv
	rm -rf .build .build-asan
	find Tests Tools -name __pycache__ -type d -prune -exec rm -rf {} +
