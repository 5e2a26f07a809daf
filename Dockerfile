# syntax=docker/dockerfile:1
#
# activation-service container image.
#
#   docker build -t activation-service:dev .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp activation-service:dev
#
# Stage 1 builds a release binary with the Swift runtime linked statically
# (--static-swift-stdlib) on the official Swift image for Debian 12 (bookworm).
# Stage 2 is debian:bookworm-slim with only the shared C libraries the binary
# needs: libmicrohttpd (LGPL-2.1, deliberately kept dynamic), zlib and the C++
# runtime that the static Swift runtime uses. tests/python/test_deploy.py checks
# this list against `readelf -d` of the built binary.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

# Headers and pkg-config files of the C libraries (the systemLibrary targets
# CMicroHTTPD and CZlib in Package.swift find them through pkg-config).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libmicrohttpd-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Resolve dependencies in their own layer so that source edits do not refetch them
# (honouring a Package.resolved exactly when one is present).
COPY Package.* ./
RUN swift package resolve $([ -f Package.resolved ] && echo --force-resolved-versions || true)

COPY . .
# CPU level of the kernels (docs/PERFORMANCE.md, "Build flags"): x86-64-v3 (AVX2, FMA, BMI2;
# every x86-64 server CPU since 2013-2015) makes them ~2x faster; the binary refuses to start,
# with a message, on an older CPU. --build-arg ACTIVATION_CPU=x86-64 builds for any x86-64 CPU.
# "auto" would detect the build machine, which is not where the container runs.
ARG ACTIVATION_CPU=x86-64-v3
RUN flags="$(scripts/cpu-flags.sh "$ACTIVATION_CPU")"; \
    swift build -c release --product activation-service --static-swift-stdlib $flags \
 && mkdir -p /staging \
 && bin="$(swift build -c release --show-bin-path $flags)" \
 && cp "$bin/activation-service" /staging/ \
 && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/ \
 && find -L "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \; \
 && chmod -R a+rX,go-w /staging

# ---------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=""

LABEL org.opencontainers.image.title="activation-service" \
      org.opencontainers.image.description="HTTP service that evaluates neural-network activation functions and their gradients on float32 arrays and runs short training jobs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"

# Shared libraries of the binary (see `readelf -d activation-service`):
#   libmicrohttpd.so.12 -> libmicrohttpd12 (pulls in libgnutls30 and friends)
#   libz.so.1           -> zlib1g
#   libstdc++.so.6      -> libstdc++6   (static Swift runtime, swift-backtrace-static)
#   libgcc_s.so.1       -> libgcc-s1
#   libc.so.6, libm.so.6, ld-linux  -> libc6 (part of the base image)
# A fixed numeric uid/gid lets Kubernetes verify runAsNonRoot.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends libmicrohttpd12 zlib1g libstdc++6 libgcc-s1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 activation \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin activation

WORKDIR /app
COPY --from=build /staging /app

# Crash reports with symbolicated backtraces on stderr, using the statically
# linked backtracer copied from the toolchain.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static \
    HOST=0.0.0.0 \
    PORT=8080

USER 10001:10001
EXPOSE 8080

# Docker / compose only (Kubernetes ignores HEALTHCHECK and uses the probes in
# deploy/kubernetes). The binary probes GET /healthz itself: the image has no curl.
# Shell form so that a PORT override at run time is honoured.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD /app/activation-service healthcheck --host 127.0.0.1 --port "${PORT:-8080}"

# The binary is PID 1: it handles SIGTERM/SIGINT itself (readiness -> 503,
# drain in-flight requests for DRAIN_TIMEOUT seconds, cancel jobs, exit 0).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/activation-service"]
