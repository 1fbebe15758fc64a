# syntax=docker/dockerfile:1
FROM rust:1.82-bookworm AS builder
WORKDIR /app

RUN apt-get update && \
    apt-get install -y --no-install-recommends pkg-config libssl-dev protobuf-compiler && \
    rm -rf /var/lib/apt/lists/*

COPY Cargo.toml Cargo.lock ./
COPY §a-§b ./§a-§b
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/app/target \
    cargo build --release --bin §a-§b && \
    cp target/release/§a-§b /usr/local/bin/

FROM debian:bookworm-slim AS runtime
RUN apt-get update && \
    apt-get install -y --no-install-recommends ca-certificates && \
    rm -rf /var/lib/apt/lists/*
USER nobody
COPY --from=builder /usr/local/bin/§a-§b /usr/local/bin/§a-§b
ENV RUST_LOG=info
EXPOSE §n
ENTRYPOINT ["/usr/local/bin/§a-§b"]
