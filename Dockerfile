# syntax=docker/dockerfile:1
# Sandpit, built the way the Makefile builds it: the front end from npm, then
# a cgo build (SQLite), into a non-root Debian slim image with Tesseract.

FROM node:22-bookworm-slim AS frontend
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json Makefile ./
RUN make assets

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/static/vendor/nhsuk static/vendor/nhsuk
COPY --from=frontend /src/static/vendor/annotorious static/vendor/annotorious
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sandpit ./cmd/sandpit \
 && mkdir -p /out/data

# Debian slim rather than distroless: screens are read by the tesseract
# command (Debian's tesseract-ocr, with its English data).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin nonroot
COPY --from=build /out/sandpit /usr/local/bin/sandpit
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV SANDPIT_ADDR=:8080 \
    SANDPIT_DATABASE_URL=sqlite:/data/sandpit.db \
    SANDPIT_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/sandpit", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sandpit"]
CMD ["serve"]
