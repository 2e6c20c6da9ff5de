# A small kreplay image for sweep workers (deploy/): the release binary on Debian slim.
#   docker build -t kreplay .
#   docker run --rm -e KREPLAY_STORAGE=postgres://... -v /path/to/data:/data kreplay worker --study NAME
# Competition files are read from /data/<competition> (KREPLAY_MIRROR), e.g. a volume with
# the files `kreplay fetch` downloaded.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/kreplay

FROM debian:bookworm-slim
# ca-certificates: `kreplay fetch` talks to Kaggle over TLS.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --create-home --uid 10001 kreplay
COPY --from=build /src/target/release/kreplay /usr/local/bin/kreplay
USER kreplay
WORKDIR /home/kreplay
ENV KREPLAY_MIRROR=/data
ENTRYPOINT ["kreplay"]
CMD ["--help"]
