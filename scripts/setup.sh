#!/usr/bin/env bash
# One idempotent command that installs everything tidelake needs to build, test and benchmark
# on a fresh Debian 12 machine. A second run only checks and returns in seconds.
#
#   Debian packages   compilers' companions and the C++ libraries we link
#   .deps/venv        a project-local Python environment holding the pinned pyarrow wheel
#                     (whose bundled Arrow C++ headers and libraries we build against) and the
#                     test-time peers: pytest, deltalake (delta-rs), pyspark + delta-spark, duckdb,
#                     polars, and tpchgen-cli (TPC-H data for tests/interop/test_tpch.py and bench/)
#   .deps/ivy         Spark's Delta jars from Maven Central, fetched once
#   .deps/kafka       Apache Kafka's jars from Maven Central (scripts/kafka.sh starts a broker)
#   .deps/nexmark     Apache Flink from Maven Central and its NEXMark runner (scripts/nexmark.sh),
#                     the peer of bench/run_nexmark_benchmark.py
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
VENV="$DEPS/venv"
STAMP="$DEPS/setup.stamp"

PYARROW_VERSION=26.0.1
DELTALAKE_VERSION=1.6.6
DUCKDB_VERSION=2.0.0
DELTA_SPARK_VERSION=4.4.0
POLARS_VERSION=2.1.0
PYSPARK_VERSION=4.2.0
PYTEST_VERSION=9.2.0
TPCHGEN_CLI_VERSION=4.0.0

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format git
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  librdkafka-dev libsimdjson-dev nlohmann-json3-dev libcpp-httplib-dev
  libcli11-dev libspdlog-dev libfmt-dev librocksdb-dev libroaring-dev libedit-dev
  openjdk-17-jdk-headless maven python3-venv python3-dev
)

# The stamp records what this script installed; when the script itself is unchanged and the
# stamp is there, the machine is set up already.
want_stamp="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" && -x "$VENV/bin/python" ]]; then
  echo "setup: already done (.deps/ is current)"
  exit 0
fi

# Registries drop a download now and then; a step that fetches is tried three times.
retry() {
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    ((attempt < 3)) && { echo "setup: '$1 ${2:-}' failed (attempt $attempt of 3); retrying in 15 s"; sleep 15; }
  done
  echo "setup: '$*' failed three times" >&2
  return 1
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  retry $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive retry $SUDO apt-get install -y -qq "${missing[@]}"
fi

mkdir -p "$DEPS"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "setup: creating $VENV"
  python3 -m venv "$VENV"
fi
retry "$VENV/bin/python" -m pip install -q --upgrade pip
retry "$VENV/bin/python" -m pip install -q \
  "pyarrow==$PYARROW_VERSION" "deltalake==$DELTALAKE_VERSION" "duckdb==$DUCKDB_VERSION" \
  "delta-spark==$DELTA_SPARK_VERSION" "pyspark==$PYSPARK_VERSION" "polars==$POLARS_VERSION" "pytest==$PYTEST_VERSION" \
  "tpchgen-cli==$TPCHGEN_CLI_VERSION" pandas
# The wheel ships versioned libraries only (libarrow.so.2600); the linker needs libarrow.so.
"$VENV/bin/python" -c "import pyarrow; pyarrow.create_library_symlinks()"

# Fetch Spark's Delta jars into .deps/ivy once, so tests run offline from the cache.
retry "$VENV/bin/python" "$ROOT/scripts/fetch_spark_jars.py" "$DEPS/ivy"

# Kafka for the streaming tests: a real broker, started by scripts/kafka.sh.
retry "$ROOT/scripts/kafka.sh" install

# Flink for the NEXMark benchmark: about a minute on a fresh machine, nothing when its pom and
# sources are unchanged (the benchmark driver runs the same step).
retry "$ROOT/scripts/nexmark.sh" install

echo "$want_stamp" > "$STAMP"
echo "setup: done"
