# Sandpit's two commands: `make run` and `make test`. Each installs what it
# needs first (the front-end packages from npm, Go modules through go).

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
NHSUK   := static/vendor/nhsuk
NHSUK_DIST := node_modules/nhsuk-frontend/dist/nhsuk
ANNOTORIOUS := static/vendor/annotorious
ANNOTORIOUS_DIST := node_modules/@annotorious/annotorious/dist

.PHONY: run test assets build vet unit postgres fuzz-short fuzz measure-imports browser clean bench

## run: start Sandpit on http://localhost:8080 with an SQLite file and demo data
## (without tesseract installed, screens go unchecked, and it says so)
run: assets
	@ocr=$${SANDPIT_OCR:-on}; \
	if [ "$$ocr" = on ] && ! command -v tesseract >/dev/null 2>&1; then \
		ocr=off; \
		echo "== tesseract is not installed: this demo runs with SANDPIT_OCR=off, so uploaded screens are not checked for NHS numbers (install Debian's tesseract-ocr to check them)"; \
	fi; \
	echo "== building Sandpit (the first build compiles SQLite and takes a few minutes)"; \
	CGO_ENABLED=1 $(GO) build -ldflags "$(LDFLAGS)" -o bin/sandpit ./cmd/sandpit && \
	SANDPIT_OCR=$$ocr bin/sandpit serve --demo --log-format text

## test: vet, the whole suite on SQLite, again on PostgreSQL when
## SANDPIT_TEST_POSTGRES holds a URL, each fuzz test for a few seconds,
## then the browser tests
test: assets vet unit postgres fuzz-short browser

## assets: install the NHS.UK frontend and Annotorious (the hotspot editor's
## drawing) and copy them into static/ for embedding
assets: $(NHSUK)/nhsuk-frontend.min.css $(ANNOTORIOUS)/annotorious.js

node_modules/.package-lock.json: package.json package-lock.json
	@echo "== installing the front end with npm (the NHS.UK frontend; axe-core and the data package checks for tests)"
	npm ci --no-audit --no-fund

$(NHSUK)/nhsuk-frontend.min.css: node_modules/.package-lock.json
	rm -rf $(NHSUK)
	mkdir -p $(NHSUK)
	cp $(NHSUK_DIST)/nhsuk-frontend.min.js $(NHSUK_DIST)/nhsuk-frontend.min.js.map $(NHSUK)/
	cp -R $(NHSUK_DIST)/assets $(NHSUK)/assets
	cp $(NHSUK_DIST)/nhsuk-frontend.min.css $(NHSUK_DIST)/nhsuk-frontend.min.css.map $(NHSUK)/

# Annotorious's browser bundle carries its own dependencies.
$(ANNOTORIOUS)/annotorious.js: node_modules/.package-lock.json
	rm -rf $(ANNOTORIOUS)
	mkdir -p $(ANNOTORIOUS)
	cp $(ANNOTORIOUS_DIST)/annotorious.css $(ANNOTORIOUS_DIST)/annotorious.js.map $(ANNOTORIOUS)/
	cp $(ANNOTORIOUS_DIST)/annotorious.js $(ANNOTORIOUS)/

## build: the sandpit binary
build: assets
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/sandpit ./cmd/sandpit

vet:
	$(GO) vet ./...

# The service tests build a database per case and wait on it more than on
# the CPU, so they run more cases at once than there are cores.
PARALLEL ?= 4

unit:
	SANDPIT_TEST_POSTGRES= $(GO) test -race -parallel $(PARALLEL) -skip '^TestBrowser' ./...

# The race detector runs in the SQLite pass (unit); the PostgreSQL pass
# checks the other dialect, its locks and its replicas, and without -race it
# takes a third of the time.
postgres:
	@if [ -n "$$SANDPIT_TEST_POSTGRES" ]; then \
		echo "== the suite again, on PostgreSQL"; \
		$(GO) test -parallel $(PARALLEL) -skip '^TestBrowser' ./...; \
	else \
		echo "== SANDPIT_TEST_POSTGRES is not set: the PostgreSQL pass is skipped (.ci/run sets it)"; \
	fi

# The fuzz tests, each package:target.
FUZZ_TARGETS := ./internal/sandpit:FuzzDefinitionImport ./internal/web:FuzzClickBody ./internal/web:FuzzHotspotForm
# A count of inputs rather than a duration: a duration can end the run
# while a worker is mid-input, which go test reports as a failure
# ("context deadline exceeded") though nothing crashed.
FUZZTIME ?= 20000x

## fuzz-short: every fuzz test for FUZZTIME (20,000 inputs) each, as make test does
fuzz-short:
	@for t in $(FUZZ_TARGETS); do \
		echo "== fuzz $${t#*:} for $(FUZZTIME)"; \
		SANDPIT_TEST_POSTGRES= $(GO) test -run XXX -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

FUZZ_LONG ?= 10m

## fuzz: every fuzz test for FUZZ_LONG (10 minutes) each, e.g. FUZZ_LONG=1h make fuzz;
## a failing input is kept under the package's testdata/fuzz/ to commit with the fix
fuzz:
	$(MAKE) fuzz-short FUZZTIME=$(FUZZ_LONG)

## measure-imports: peak memory of four concurrent maximal definition
## imports (issue 14: under 300 MB), printed by the test
measure-imports:
	SANDPIT_MEASURE_IMPORTS=1 $(GO) test -run '^TestImportMemory$$' -v -timeout 15m ./internal/web

browser:
	$(GO) test -run '^TestBrowser' -v ./cmd/sandpit

clean:
	rm -rf bin node_modules $(NHSUK) $(ANNOTORIOUS)

BENCH_FLAGS ?=

## bench: build the server and the load tool, then measure the no-op route,
## clicks, problem reports and report reads from 200 clients over loopback
## on a fresh SQLite file (BENCH_FLAGS adds sandpit-load flags, e.g.
## BENCH_FLAGS='-database postgres://… -replicas 2')
bench:
	CGO_ENABLED=1 $(GO) build -ldflags "$(LDFLAGS)" -o bin/sandpit ./cmd/sandpit
	$(GO) build -o bin/sandpit-load ./cmd/sandpit-load
	bin/sandpit-load -sandpit bin/sandpit $(BENCH_FLAGS)
