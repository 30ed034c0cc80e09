#!/usr/bin/env bash
# A single-node Apache Kafka 4 (KRaft: broker + controller in one JVM) for development, tests and CI.
# Kafka's jars come from Maven Central (see pom.xml) into a git-ignored cache; nothing else is downloaded.
#
#   kafka.sh fetch          copy Kafka and its runtime dependencies into .cache/lib (once per version)
#   kafka.sh start          fetch if needed, format storage on first use, start the broker and wait
#                           until it serves; prints "kafka: 127.0.0.1:<port>" when ready
#   kafka.sh stop           stop the broker this script started (SIGTERM, then SIGKILL after a timeout)
#   kafka.sh status         print running/stopped; exit 0 when running, 1 when stopped
#   kafka.sh reset          stop the broker and delete its data (keeps the jars)
#   kafka.sh tool NAME ...  run a Kafka command-line tool on the same classpath; NAME is topics,
#                           producer, consumer, groups or a fully qualified main class
#
# Environment (defaults in brackets):
#   KAFKA_VERSION [4.4.0]  KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]
#   KAFKA_DATA_DIR [<cache>/data]  KAFKA_CACHE_DIR [deploy/kafka/.cache]
#   KAFKA_START_TIMEOUT [90] seconds  KAFKA_STOP_TIMEOUT [30] seconds
#   KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]  KAFKA_OPTS [] extra JVM flags for the broker
#   KAFKA_MAVEN_REPO [Maven's default, ~/.m2/repository]  JAVA_HOME [java on PATH]
set -euo pipefail

readonly default_version=4.4.0

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
version="${KAFKA_VERSION:-${default_version}}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
start_timeout="${KAFKA_START_TIMEOUT:-90}"
stop_timeout="${KAFKA_STOP_TIMEOUT:-30}"
heap_opts="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

absolute() { if [[ "$1" == /* ]]; then printf '%s\n' "$1"; else printf '%s\n' "${PWD}/$1"; fi; }
cache="$(absolute "${KAFKA_CACHE_DIR:-${here}/.cache}")"
data_dir="$(absolute "${KAFKA_DATA_DIR:-${cache}/data}")"
lib="${cache}/lib"
pid_file="${cache}/kafka.pid"
log_file="${cache}/kafka.log"
config_file="${cache}/server.properties"
log4j_config="${here}/log4j2.properties"
java_bin="${JAVA_HOME:+${JAVA_HOME}/bin/}java"

say() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

check_number() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 must be a number, got '$2'"; }
check_number KAFKA_PORT "${port}"
check_number KAFKA_CONTROLLER_PORT "${controller_port}"
check_number KAFKA_START_TIMEOUT "${start_timeout}"
check_number KAFKA_STOP_TIMEOUT "${stop_timeout}"
[[ "${port}" != "${controller_port}" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"

# Serialise fetch/start/stop/reset of one cache dir (e.g. parallel CI steps). fd 9 is closed for the broker.
lock() {
  mkdir -p "${cache}"
  command -v flock >/dev/null || return 0
  exec 9>"${cache}/.lock"
  flock -w $((start_timeout + 600)) 9 || die "timed out waiting for another kafka.sh on ${cache}"
}

port_open() {
  if command -v timeout >/dev/null; then
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

port_owner() {
  command -v ss >/dev/null || return 0
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n 1
}

# Prints the pid of the broker started from this cache dir, if it is alive.
running_pid() {
  [[ -f "${pid_file}" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"${pid_file}")"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must be a Kafka server.
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "${pid}"
}

# Setting KEY of the server.properties the running broker was started with.
running_setting() { sed -n "s/^# kafka.sh $1=//p" "${config_file}" 2>/dev/null | head -n 1; }

running_port() {
  local p
  p="$(running_setting port)"
  [[ -n "${p}" ]] || p="$(sed -n 's|^listeners=PLAINTEXT://[^:]*:\([0-9]*\).*|\1|p' "${config_file}" 2>/dev/null)"
  printf '%s\n' "${p:-${port}}"
}

broker_ready() { grep -q 'Kafka Server started' "${log_file}" 2>/dev/null && port_open "$1"; }

java_major() {
  "${java_bin}" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1
}

fetch() {
  local stamp="${lib}/.fetched-${version}"
  if [[ -f "${stamp}" && -f "${lib}/kafka_2.13-${version}.jar" ]]; then
    return 0
  fi
  if [[ -d "${lib}" ]] && running_pid >/dev/null; then
    die "a broker is running on the jars in ${lib}; run 'kafka.sh stop' before fetching Kafka ${version}"
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka from Maven Central"
  local tmp="${cache}/lib.fetching"
  local mvn_args=(-q -B -Dstyle.color=never -f "${here}/pom.xml" "-Dkafka.version=${version}")
  [[ -z "${KAFKA_MAVEN_REPO:-}" ]] || mvn_args+=("-Dmaven.repo.local=$(absolute "${KAFKA_MAVEN_REPO}")")
  say "fetching Apache Kafka ${version} and its runtime dependencies from Maven Central"
  rm -rf "${tmp}"
  mkdir -p "${tmp}"
  # (Debian's Maven 3.8 prints stray colour codes even with -B; the sed drops them.)
  mvn "${mvn_args[@]}" dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=${tmp}" \
    </dev/null 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 ||
    { rm -rf "${tmp}"; die "could not fetch Kafka ${version} from Maven Central (is KAFKA_VERSION served?)"; }
  [[ -f "${tmp}/kafka_2.13-${version}.jar" ]] || die "kafka_2.13-${version}.jar missing after the fetch"
  touch "${tmp}/.fetched-${version}"
  rm -rf "${lib}"
  mv "${tmp}" "${lib}"
  say "fetched $(find "${lib}" -name '*.jar' | wc -l) jars into ${lib}"
}

write_config() {
  mkdir -p "${data_dir}"
  cat >"${config_file}.tmp" <<PROPERTIES
# Written by deploy/kafka/kafka.sh on every start; edit the script, not this file.
# kafka.sh version=${version}
# kafka.sh port=${port}
process.roles=broker,controller
node.id=1
# A static one-voter quorum: unlike a dynamic (--standalone) quorum, it keeps working when
# KAFKA_CONTROLLER_PORT changes after the storage was formatted.
controller.quorum.voters=1@127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${data_dir}
num.partitions=3
default.replication.factor=1
auto.create.topics.enable=false
# One broker: internal topics cannot have more replicas, or consumer groups/transactions never work.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# 5 instead of 50 partitions for the internal topics: one broker gains nothing from more, and fewer
# make the first consumer group / transaction and every restart faster.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5
share.coordinator.state.topic.num.partitions=5
# Modest thread counts for a 2-core machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
PROPERTIES
  mv "${config_file}.tmp" "${config_file}"
}

random_cluster_id() {
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding (22 chars), not starting with '-'.
  local id=-
  while [[ "${id}" == -* ]]; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  printf '%s\n' "${id}"
}

format_storage() {
  [[ ! -f "${data_dir}/meta.properties" ]] || return 0
  local cluster_id
  cluster_id="$(random_cluster_id)"
  say "formatting storage in ${data_dir} (cluster ${cluster_id})"
  # shellcheck disable=SC2086 # heap options are a word list
  if ! "${java_bin}" ${heap_opts} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    "-Dlog4j2.configurationFile=${log4j_config}" -Dstrata.kafka.log.level=WARN \
    -cp "${lib}/*" kafka.tools.StorageTool format -t "${cluster_id}" -c "${config_file}" \
    </dev/null >>"${log_file}" 2>&1; then
    tail -n 30 "${log_file}" >&2
    die "formatting the Kafka storage in ${data_dir} failed; log: ${log_file}"
  fi
}

wait_ready() {
  local pid="$1" wait_port="$2" deadline=$((SECONDS + start_timeout))
  until broker_ready "${wait_port}"; do
    if ! kill -0 "${pid}" 2>/dev/null; then
      tail -n 50 "${log_file}" >&2
      rm -f "${pid_file}"
      die "Kafka exited while starting; log: ${log_file}"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 50 "${log_file}" >&2
      say "Kafka did not answer on 127.0.0.1:${wait_port} within ${start_timeout} s; stopping it"
      stop_broker >/dev/null 2>&1 || true
      die "start failed; log: ${log_file}"
    fi
    sleep 0.2
  done
}

start() {
  lock
  local pid started=${SECONDS}
  if pid="$(running_pid)"; then
    local rport
    rport="$(running_port)"
    [[ "${rport}" == "${port}" ]] ||
      die "a broker from ${cache} already runs on 127.0.0.1:${rport} (pid ${pid}); stop it before using KAFKA_PORT=${port}"
    wait_ready "${pid}" "${rport}"
    say "already running (pid ${pid})"
    echo "kafka: 127.0.0.1:${rport}"
    return 0
  fi
  rm -f "${pid_file}"
  local p owner
  for p in "${port}" "${controller_port}"; do
    if port_open "${p}"; then
      owner="$(port_owner "${p}")"
      die "port ${p} on 127.0.0.1 is already taken by another process${owner:+ (${owner})}, not by a broker this script started; stop it or set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done
  command -v "${java_bin}" >/dev/null || die "Java 17+ is needed to run Kafka (${java_bin} not found)"
  local major
  major="$(java_major)"
  [[ -n "${major}" && "${major}" -ge 17 ]] || die "Kafka ${version} needs Java 17 or newer; ${java_bin} is Java ${major:-unknown}"

  fetch
  write_config
  [[ ! -f "${log_file}" ]] || mv -f "${log_file}" "${log_file}.1"
  : >"${log_file}"
  format_storage

  say "starting Kafka ${version} on 127.0.0.1:${port} (data: ${data_dir})"
  # shellcheck disable=SC2086 # heap and extra options are word lists
  nohup "${java_bin}" ${heap_opts} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=${log4j_config}" ${KAFKA_OPTS:-} \
    -cp "${lib}/*" kafka.Kafka "${config_file}" </dev/null >>"${log_file}" 2>&1 9>&- &
  pid=$!
  echo "${pid}" >"${pid_file}"
  wait_ready "${pid}" "${port}"
  say "ready in $((SECONDS - started)) s (pid ${pid}, log ${log_file})"
  echo "kafka: 127.0.0.1:${port}"
}

stop_broker() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "${pid_file}"
    say "not running"
    return 0
  fi
  # Also signal direct children, in case the recorded pid is a wrapper shell around the JVM.
  local pids=("${pid}") child
  for child in $(ps -o pid= --ppid "${pid}" 2>/dev/null || true); do pids+=("${child}"); done
  say "stopping (pid ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + stop_timeout))
  while kill -0 "${pids[@]}" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "still running after ${stop_timeout} s; sending SIGKILL"
      kill -KILL "${pids[@]}" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "${pid_file}"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    local rport v
    rport="$(running_port)"
    v="$(running_setting version)"
    if broker_ready "${rport}"; then
      echo "running (pid ${pid}${v:+, Kafka ${v}}) on 127.0.0.1:${rport}"
    else
      echo "running (pid ${pid}${v:+, Kafka ${v}}), not answering on 127.0.0.1:${rport} yet"
    fi
    return 0
  fi
  echo "stopped"
  return 1
}

reset() {
  lock
  stop_broker
  case "${data_dir}" in
    / | "${HOME:-/}" | "${here}" | "${cache}") die "refusing to delete ${data_dir}" ;;
  esac
  rm -rf "${data_dir}"
  say "deleted ${data_dir}"
}

tool() {
  [[ $# -ge 1 ]] || die "usage: kafka.sh tool topics|producer|consumer|groups|<main class> [args...]"
  local main="$1"
  shift
  case "${main}" in
    topics) main=org.apache.kafka.tools.TopicCommand ;;
    producer) main=org.apache.kafka.tools.ConsoleProducer ;;
    consumer) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    groups) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  esac
  (
    lock
    fetch
  )
  exec "${java_bin}" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=${log4j_config}" -Dstrata.kafka.log.level=WARN \
    -Dstrata.kafka.log.target=SYSTEM_ERR -cp "${lib}/*" "${main}" "$@"
}

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  fetch)
    lock
    fetch
    say "Kafka ${version} is in ${lib}"
    ;;
  start) start ;;
  stop)
    lock
    stop_broker
    ;;
  status) status ;;
  reset) reset ;;
  tool)
    shift
    tool "$@"
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
