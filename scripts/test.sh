#!/usr/bin/env bash
# The test command: builds tidelake and runs every test suite.
#   1. unit tests (GoogleTest, dev preset: AddressSanitizer + UBSan) through ctest, with a real
#      Kafka broker (scripts/kafka.sh) for the Kafka source's tests
#   2. the release build, then the interop tests (pytest) against delta-rs and Spark, and the
#      streaming tests (tests/stream: the `tidelake stream` command, crash recovery)
# Prints each runner's summary line and exits non-zero if anything failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"
status=0

echo "== build (dev: ASan + UBSan)"
cmake --preset dev >/dev/null && cmake --build --preset dev -j "$JOBS" || exit 1

# A real Kafka broker for the Kafka source's tests (scripts/kafka.sh); without one they use
# librdkafka's mock cluster and say so.
echo "== kafka broker"
KAFKA_DIR="$(mktemp -d /tmp/tidelake-kafka.XXXXXX)"
if "$ROOT/scripts/kafka.sh" start "$KAFKA_DIR"; then
  export TIDELAKE_KAFKA_BOOTSTRAP="127.0.0.1:${KAFKA_PORT:-19092}"
  trap '"$ROOT/scripts/kafka.sh" stop "$KAFKA_DIR"; rm -rf "$KAFKA_DIR"' EXIT
else
  echo "kafka: the broker did not start; the Kafka tests run against librdkafka's mock cluster"
fi

echo "== unit tests"
ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
  ctest --preset dev -j "$JOBS" --timeout 600 || status=1

echo "== build (release)"
cmake --preset release >/dev/null && cmake --build --preset release -j "$JOBS" || exit 1

echo "== interop and streaming tests (pytest: delta-rs, Spark, tidelake stream)"
TIDELAKE_BIN="$ROOT/build/release/tidelake" "$ROOT/.deps/venv/bin/python" -m pytest -q "$ROOT/tests/interop" "$ROOT/tests/stream" \
  || status=1

exit $status
