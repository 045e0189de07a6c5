# syntax=docker/dockerfile:1
# Nexus Commerce: a release build on the official Rust image (the Cargo.toml rust-version), run on
# Debian slim as a non-root user. docs/DEPLOYMENT.md; docker-compose.yml runs two of these
# behind nginx.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
# Cache mounts keep the registry and target directory between builds; the binary is copied out
# of the cached target directory because the mount is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -m 0755 target/release/nexus /usr/local/bin/nexus

FROM debian:bookworm-slim
# /data/media is world-readable: nginx (another user, another container) serves it read-only.
# ca-certificates for TLS to SMTP/Redis/PostgreSQL providers; curl for the HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nexus \
 && useradd --system --uid 10001 --gid nexus --home-dir /data --shell /usr/sbin/nologin nexus \
 && install -d -o nexus -g nexus -m 0750 /data /data/mail \
 && install -d -o nexus -g nexus -m 0755 /data/media
COPY --from=builder /usr/local/bin/nexus /usr/local/bin/nexus

# Container defaults; everything else comes from the environment (docs/DEPLOYMENT.md). The
# image runs in production mode: no signing key is baked in, and `serve` refuses to start until
# SECRET_KEY (a strong one), ALLOWED_HOSTS and PAYMENT_PROVIDER are given, saying which is
# missing. Pass DEBUG=true only for a local try-out. The embedded SQLite default lives in the
# /data volume; production sets DATABASE_URL to PostgreSQL.
ENV DEBUG=false \
    BIND_ADDR=0.0.0.0:8000 \
    DATABASE_URL=sqlite:///data/nexus.db \
    MEDIA_ROOT=/data/media \
    EMAIL_FILE_PATH=/data/mail \
    LOG_FORMAT=json
USER nexus
WORKDIR /data
VOLUME ["/data", "/data/media"]
EXPOSE 8000
# Liveness of the process itself (the database is /health/readiness/'s business). The Host header
# must be in ALLOWED_HOSTS: keep `localhost` in the list.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "-H", "Host: localhost", "http://127.0.0.1:8000/health/liveness/"]
# SIGTERM (docker stop) drains in-flight requests; give it stop_grace_period beyond the app's.
STOPSIGNAL SIGTERM
ENTRYPOINT ["nexus"]
CMD ["serve"]
