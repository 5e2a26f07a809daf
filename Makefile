# activation-service — `make run` and `make test` do all the set-up on a fresh Debian machine.
SWIFT      ?= swift
PORT       ?= 8080
HOST       ?= 0.0.0.0
RELEASE_BIN = .build/release/activation-service
PYTEST      = python3 -m pytest -q

.PHONY: deps deps-python embed build release run test test-swift test-python clean

deps:
	@scripts/install-deps.sh

deps-python:
	@scripts/install-deps.sh --python

embed:
	@scripts/embed-openapi.sh

build: deps embed
	$(SWIFT) build

release: deps embed
	$(SWIFT) build -c release --product activation-service

run: release
	HOST=$(HOST) PORT=$(PORT) $(RELEASE_BIN)

test: deps-python embed
	$(SWIFT) build -c release --product activation-service
	$(SWIFT) test
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(PYTEST) tests/python

test-swift: deps embed
	$(SWIFT) test

test-python: deps-python release
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(PYTEST) tests/python

clean:
	rm -rf .build
