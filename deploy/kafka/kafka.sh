#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, broker + controller) for development, tests and CI.
# The broker's jars come from Maven Central into a git-ignored cache; nothing else is downloaded.
#
#   kafka.sh fetch    download Kafka and its runtime dependencies (once per version)
#   kafka.sh start    format storage on first use, start the broker, wait until it serves
#   kafka.sh stop     stop the broker this script started
#   kafka.sh status   exit 0 when running, 1 when not
#   kafka.sh reset    stop and delete the broker's data (keeps the jars)
#
# Environment: KAFKA_VERSION (4.1.1), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_DATA_DIR (<cache>/data), KAFKA_START_TIMEOUT seconds (90), KAFKA_HEAP_OPTS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${here}/.cache"
version="${KAFKA_VERSION:-4.1.1}"
lib="${cache}/lib-${version}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
data_dir="${KAFKA_DATA_DIR:-${cache}/data}"
timeout="${KAFKA_START_TIMEOUT:-90}"
pid_file="${cache}/kafka.pid"
log_file="${cache}/kafka.log"
config_file="${cache}/server.properties"

say() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [[ -f "${pid_file}" ]] || return 1
  local pid
  pid="$(cat "${pid_file}")"
  kill -0 "${pid}" 2>/dev/null || return 1
  echo "${pid}"
}

fetch() {
  if [[ -f "${lib}/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka from Maven Central"
  command -v java >/dev/null || die "Java 17+ is needed to run Kafka"
  say "fetching Apache Kafka ${version} and its runtime dependencies from Maven Central"
  rm -rf "${lib}"
  mkdir -p "${lib}"
  mvn -q -B -Dstyle.color=never -f "${here}/pom.xml" -Dkafka.version="${version}" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="${lib}" >&2 \
    || die "could not fetch Kafka ${version} from Maven Central"
  [[ -f "${lib}/kafka_2.13-${version}.jar" ]] || die "kafka_2.13-${version}.jar missing after fetch"
  touch "${lib}/.complete"
}

write_config() {
  mkdir -p "${data_dir}"
  cat >"${config_file}" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${data_dir}
num.partitions=3
auto.create.topics.enable=false
# One broker: internal topics cannot have more than one replica, or consumer groups never work.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=6000
log.retention.hours=24
PROPERTIES
}

java_run() {
  local main="$1"
  shift
  # shellcheck disable=SC2086
  java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="${here}/log4j2.properties" -Dstrata.kafka.log="${log_file}" \
    -cp "${lib}/*" "${main}" "$@"
}

format_storage() {
  if [[ -f "${data_dir}/meta.properties" ]]; then
    return 0
  fi
  say "formatting storage in ${data_dir}"
  local cluster_id
  cluster_id="$(java_run kafka.tools.StorageTool random-uuid 2>>"${log_file}" | tail -n 1)"
  java_run kafka.tools.StorageTool format --standalone -t "${cluster_id}" -c "${config_file}" >>"${log_file}" 2>&1 \
    || { tail -n 30 "${log_file}" >&2; die "formatting Kafka storage failed"; }
}

start() {
  mkdir -p "${cache}"
  if pid="$(running_pid)"; then
    say "already running (pid ${pid})"
    echo "kafka: 127.0.0.1:${port}"
    return 0
  fi
  if port_open "${port}"; then
    die "port ${port} is taken by another process; stop it or set KAFKA_PORT"
  fi
  fetch
  write_config
  : >"${log_file}"
  format_storage
  say "starting Kafka ${version} on 127.0.0.1:${port}"
  nohup bash -c "$(declare -f java_run); here='${here}' lib='${lib}' log_file='${log_file}' KAFKA_HEAP_OPTS='${KAFKA_HEAP_OPTS:-}' java_run kafka.Kafka '${config_file}'" \
    >>"${log_file}" 2>&1 </dev/null &
  echo $! >"${pid_file}"
  local waited=0
  until port_open "${port}" && grep -q "Kafka Server started" "${log_file}"; do
    if ! running_pid >/dev/null; then
      tail -n 40 "${log_file}" >&2
      rm -f "${pid_file}"
      die "Kafka exited during start; its log is ${log_file}"
    fi
    if ((waited >= timeout * 4)); then
      tail -n 40 "${log_file}" >&2
      stop
      die "Kafka did not answer within ${timeout} s; its log is ${log_file}"
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  echo "kafka: 127.0.0.1:${port}"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "${pid_file}"
    say "not running"
    return 0
  fi
  say "stopping (pid ${pid})"
  # The pid is the wrapping shell; the JVM is its child. Signal both.
  pkill -TERM -P "${pid}" 2>/dev/null || true
  kill -TERM "${pid}" 2>/dev/null || true
  for _ in $(seq 1 120); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "${pid}" 2>/dev/null; then
    pkill -KILL -P "${pid}" 2>/dev/null || true
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  rm -f "${pid_file}"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then echo "running (pid ${pid}) on 127.0.0.1:${port}"; else echo "stopped"; exit 1; fi
    ;;
  reset)
    stop
    rm -rf "${data_dir}"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 64
    ;;
esac
