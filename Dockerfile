# c2c container image: build with the Rust toolchain, run on a small Debian base as a
# non-root user. Templates, assets and migrations are compiled into the binary.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY assets assets
COPY migrations migrations
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home c2c
COPY --from=build /src/target/release/c2c /usr/local/bin/c2c
USER c2c
WORKDIR /data
ENV C2C_ADDR=0.0.0.0:3000 \
    DATABASE_URL=sqlite:///data/c2c.sqlite3
EXPOSE 3000
CMD ["c2c"]
