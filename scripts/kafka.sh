#!/usr/bin/env bash
# A real Apache Kafka broker for the tests and benchmarks: Kafka from Maven Central, run in KRaft
# mode (one process that is both broker and controller), on 127.0.0.1 only.
#
#   scripts/kafka.sh install        fetch Kafka's jars into .deps/kafka/libs (setup.sh runs it)
#   scripts/kafka.sh start [DIR]    format DIR (default .deps/kafka/run) and start a broker in
#                                   the background; returns once it accepts connections and
#                                   prints its bootstrap address (default 127.0.0.1:19092)
#   scripts/kafka.sh stop [DIR]     stop the broker started with DIR
#
# KAFKA_PORT sets the client port (the controller listens on KAFKA_PORT + 1). Every start
# formats a fresh log directory: tests begin with no topics.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION=4.1.1
LIBS_VERSION="$KAFKA_VERSION-log4j2"
HOME_DIR="$ROOT/.deps/kafka"
LIBS="$HOME_DIR/libs"
PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT=$((PORT + 1))

install() {
  if [[ -f "$LIBS/.version" && "$(cat "$LIBS/.version")" == "$LIBS_VERSION" ]]; then return; fi
  mkdir -p "$HOME_DIR"
  cat > "$HOME_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tidelake</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>2.24.3</version>
    </dependency>
  </dependencies>
</project>
EOF
  rm -rf "$LIBS"
  echo "kafka: fetching Kafka $KAFKA_VERSION from Maven Central"
  mvn -q -B -f "$HOME_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" -DincludeScope=runtime
  echo "$LIBS_VERSION" > "$LIBS/.version"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local dir="${1:-$HOME_DIR/run}"
  install
  if [[ -f "$dir/broker.pid" ]] && kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
    echo "kafka: already running (pid $(cat "$dir/broker.pid")) at 127.0.0.1:$PORT"
    return
  fi
  if port_open "$PORT"; then
    echo "kafka: port $PORT is taken by another process; set KAFKA_PORT" >&2
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir/logs"
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  cat > "$dir/log4j2.properties" <<EOF
appender.file.type=File
appender.file.name=file
appender.file.fileName=$dir/logs/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=warn
rootLogger.appenderRef.file.ref=file
EOF
  local java=(java -Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
              "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$LIBS/*")
  "${java[@]}" kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d '-' | cut -c1-22)" \
    -c "$dir/server.properties" > "$dir/logs/format.log" 2>&1 || {
    echo "kafka: formatting $dir failed:" >&2
    cat "$dir/logs/format.log" >&2
    exit 1
  }
  nohup "${java[@]}" kafka.Kafka "$dir/server.properties" > "$dir/logs/stdout.log" 2>&1 &
  echo $! > "$dir/broker.pid"
  for _ in $(seq 1 180); do
    if port_open "$PORT"; then
      echo "kafka: broker at 127.0.0.1:$PORT (pid $(cat "$dir/broker.pid"), logs in $dir/logs)"
      return
    fi
    if ! kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
      echo "kafka: the broker exited while starting:" >&2
      tail -n 30 "$dir/logs/stdout.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "kafka: the broker did not open port $PORT within 180 s; see $dir/logs" >&2
  stop "$dir"
  exit 1
}

stop() {
  local dir="${1:-$HOME_DIR/run}"
  [[ -f "$dir/broker.pid" ]] || return 0
  local pid
  pid="$(cat "$dir/broker.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/broker.pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: scripts/kafka.sh install | start [DIR] | stop [DIR]" >&2; exit 2 ;;
esac
