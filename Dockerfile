# c2c container image. Stage 1 builds the release binary (templates, assets and migrations are
# compiled into it); stage 2 is a small Debian runtime with a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so a code change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src target/release/.fingerprint/c2c-*
COPY src src
COPY templates templates
COPY assets assets
COPY migrations migrations
RUN cargo build --release --locked && strip target/release/c2c

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home c2c
COPY --from=build /src/target/release/c2c /usr/local/bin/c2c
USER 10001
WORKDIR /data
ENV C2C_ADDR=0.0.0.0:3000 \
    DATABASE_URL=sqlite:///data/c2c.sqlite3 \
    RUST_LOG=info
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["c2c"]
