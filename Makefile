# Sandpit's two commands: `make run` and `make test`. Each installs what it
# needs first (the front-end packages from npm, Go modules through go).

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
NHSUK   := static/vendor/nhsuk
NHSUK_DIST := node_modules/nhsuk-frontend/dist/nhsuk

.PHONY: run test assets build vet unit postgres browser clean

## run: start Sandpit on http://localhost:8080 with an SQLite file and demo data
run: assets
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/sandpit serve --demo --log-format text

## test: vet, the whole suite on SQLite, again on PostgreSQL when
## SANDPIT_TEST_POSTGRES holds a URL, then the browser tests
test: assets vet unit postgres browser

## assets: install the NHS.UK frontend and copy it into static/ for embedding
assets: $(NHSUK)/nhsuk-frontend.min.css

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(NHSUK)/nhsuk-frontend.min.css: node_modules/.package-lock.json
	rm -rf $(NHSUK)
	mkdir -p $(NHSUK)
	cp $(NHSUK_DIST)/nhsuk-frontend.min.js $(NHSUK_DIST)/nhsuk-frontend.min.js.map $(NHSUK)/
	cp -R $(NHSUK_DIST)/assets $(NHSUK)/assets
	cp $(NHSUK_DIST)/nhsuk-frontend.min.css $(NHSUK_DIST)/nhsuk-frontend.min.css.map $(NHSUK)/

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

postgres:
	@if [ -n "$$SANDPIT_TEST_POSTGRES" ]; then \
		echo "== the suite again, on PostgreSQL"; \
		$(GO) test -race -parallel $(PARALLEL) -skip '^TestBrowser' ./...; \
	else \
		echo "== SANDPIT_TEST_POSTGRES is not set: the PostgreSQL pass is skipped (.ci/run sets it)"; \
	fi

browser:
	$(GO) test -run '^TestBrowser' -v ./cmd/sandpit

clean:
	rm -rf bin node_modules $(NHSUK)
