# The `preflight` image for batch jobs (AWS Batch, ECS, Step Functions): see docs/batch.md.
#
#   docker build -t preflight .
#   docker run --rm -v "$PWD:/data" -w /data preflight validate --dataset-type interactions interactions.csv
#
# The build stage runs on the same Debian release (12, bookworm) as the run stage, so the binary
# needs no newer glibc than the run image has. `.ci/run` runs this build stage's RUN commands
# itself (with PROFILE=dev) and checks that the binary needs no shared library the run image
# lacks (.ci/check_dockerfile.py).

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# PROFILE: the cargo profile (release for the image). FEATURES: cargo features of the CLI (none
# for the image). OUT: where the binary is put for the run stage.
ARG PROFILE=release
ARG FEATURES=
ARG OUT=/out
RUN cargo build --locked --profile "$PROFILE" -p personalize-preflight --bin preflight ${FEATURES:+--features "$FEATURES"}
RUN dir="$PROFILE"; [ "$dir" = dev ] && dir=debug; install -D -m 0755 "${CARGO_TARGET_DIR:-target}/$dir/preflight" "$OUT/preflight"

# glibc, libgcc_s and CA certificates (the AWS SDK reads the system's trust store), no shell, and
# the `nonroot` user (uid 65532).
FROM gcr.io/distroless/cc-debian12:nonroot
ARG OUT=/out
COPY --from=build ${OUT}/preflight /usr/local/bin/preflight
USER nonroot
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/preflight"]
CMD ["--help"]
