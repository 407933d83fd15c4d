#!/usr/bin/env bash
# Apache Flink for the NEXMark benchmark (bench/run_nexmark_benchmark.py): the Maven project in
# bench/nexmark/flink, built against Flink from Maven Central, and run in a local mini-cluster.
#
#   scripts/nexmark.sh install         build the project into .deps/nexmark/flink (classes, and
#                                      its dependencies' jars in libs/); does nothing when the
#                                      pom and the sources are unchanged since the last build
#   scripts/nexmark.sh flink ARGS...   install, then run tidelake.bench.NexmarkFlink ARGS (see
#                                      its class comment); JSON lines on stdout
#
# NEXMARK_FLINK_HEAP sets the JVM's maximum heap (default 8g): the mini-cluster (job manager and
# task manager) runs inside this one JVM, and join state lives on its heap.
# NEXMARK_FLINK_BUILD sets the build directory (default .deps/nexmark/flink): a work tree whose
# .deps is shared with another's builds its own changes elsewhere instead of replacing that one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$ROOT/bench/nexmark/flink"
OUT="${NEXMARK_FLINK_BUILD:-$ROOT/.deps/nexmark/flink}"
MAIN=tidelake.bench.NexmarkFlink

# What the build depends on; a change to any of these rebuilds.
stamp() {
  (cd "$PROJECT" && find pom.xml src -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-16
}

install() {
  local want
  want="$(stamp)"
  if [[ -f "$OUT/.stamp" && "$(cat "$OUT/.stamp")" == "$want" ]]; then return; fi
  echo "nexmark: building the Flink runner (Flink from Maven Central) into $OUT" >&2
  rm -rf "$OUT"
  mkdir -p "$OUT"
  if ! mvn -B -Dstyle.color=never -f "$PROJECT/pom.xml" "-Dnexmark.build.dir=$OUT/target" \
      compile dependency:copy-dependencies -DoutputDirectory="$OUT/libs" -DincludeScope=runtime \
      > "$OUT/build.log" 2>&1; then
    tail -n 40 "$OUT/build.log" >&2
    echo "nexmark: the build failed; see $OUT/build.log" >&2
    exit 1
  fi
  echo "$want" > "$OUT/.stamp"
}

# The module options Flink's own distribution passes to its JVMs (config.yaml,
# env.java.opts.all): Flink's serializers reach into these JDK packages.
JAVA_OPENS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

flink() {
  install
  exec java "-Xmx${NEXMARK_FLINK_HEAP:-8g}" "${JAVA_OPENS[@]}" \
    -cp "$OUT/target/classes:$OUT/libs/*" "$MAIN" "$@"
}

case "${1:-}" in
  install) install ;;
  flink) shift; flink "$@" ;;
  *) echo "usage: scripts/nexmark.sh install | flink ARGS..." >&2; exit 2 ;;
esac
