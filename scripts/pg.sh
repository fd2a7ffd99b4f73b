#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, reachable only over a unix socket.
#
#   scripts/pg.sh start            initdb (first time) and start; prints DATABASE_URL
#   scripts/pg.sh stop             stop (no error if not running)
#   scripts/pg.sh url              print DATABASE_URL
#   scripts/pg.sh run CMD [ARG..]  start, run CMD with DATABASE_URL exported, always stop;
#                                  exits with CMD's status
#   scripts/pg.sh destroy          stop and delete the cluster
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin), PG_DIR (default build/pg),
# PG_DB (database name in DATABASE_URL, default tongxin; pytest-django creates test_<name>).
#
# initdb refuses to run as root: as root, the cluster belongs to the `postgres` user and
# every server command runs through `runuser -u postgres --`; as a normal user it runs as
# yourself. The server has no TCP listener (listen_addresses = '').
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=${PG_DIR:-$ROOT/build/pg}
PG_DB=${PG_DB:-tongxin}
PG_PORT=5432  # only names the socket file (.s.PGSQL.5432); nothing listens on TCP

mkdir -p "$PG_DIR"
PG_DIR=$(cd "$PG_DIR" && pwd)

log() { echo "pg.sh: $*" >&2; }
die() { log "$*"; exit 1; }

if [[ $(id -u) -eq 0 ]]; then
    command -v runuser >/dev/null || die "runuser not found (needed to run PostgreSQL as root)"
    getent passwd postgres >/dev/null || die "no 'postgres' user (install Debian's postgresql package)"
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    as_pg() { "$@"; }
fi

# As root the cluster lives in a folder owned by `postgres`. If `postgres` cannot reach
# $PG_DIR (e.g. a checkout under /root), or the socket path would be too long for a
# unix socket (limit ~107 bytes), use a short folder under /tmp instead and remember it.
workdir() {
    local pointer="$PG_DIR/workdir" dir
    if [[ -f $pointer ]]; then
        dir=$(<"$pointer")
        [[ -d $dir ]] && { echo "$dir"; return; }
    fi
    dir="$PG_DIR/cluster"
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    if ! as_pg test -w "$dir" || (( ${#dir} + 30 > 100 )); then
        rmdir "$dir" 2>/dev/null || true
        dir=$(mktemp -d "${TMPDIR:-/tmp}/tongxin-pg.XXXXXX")
        chmod 755 "$dir"
        if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    fi
    echo "$dir" >"$pointer"
    echo "$dir"
}

WORK=$(workdir)
DATA="$WORK/data"
SOCK="$WORK/socket"
LOGFILE="$WORK/postgres.log"

[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "PostgreSQL server binaries not found in $PG_BIN (apt-get install postgresql-15, or set PG_BIN)"

url() {
    local host
    host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$SOCK")
    echo "postgres://postgres@${host}/${PG_DB}"
}

running() { [[ -f $DATA/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
    local fresh=""
    if [[ ! -f $DATA/PG_VERSION ]]; then
        fresh=1
        log "initdb $DATA"
        as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        as_pg mkdir -p "$SOCK"
        # A throwaway test cluster: durability off, no TCP, socket in our own folder.
        as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# --- tongxin test cluster (scripts/pg.sh) ---
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
    fi
    if running; then
        log "already running"
    else
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 start >/dev/null \
            || { cat "$LOGFILE" >&2 || true; die "PostgreSQL did not start"; }
        log "started (socket $SOCK)"
    fi
    if [[ -n $fresh ]]; then
        as_pg "$PG_BIN/createdb" -h "$SOCK" -p "$PG_PORT" -U postgres "$PG_DB"
    fi
    url
}

stop() {
    if running; then
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
        log "stopped"
    fi
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    url) url ;;
    run)
        shift
        (( $# )) || die "usage: $0 run COMMAND [ARG...]"
        trap stop EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        DATABASE_URL=$(start)
        export DATABASE_URL
        log "DATABASE_URL=$DATABASE_URL"
        status=0
        "$@" || status=$?
        exit "$status"
        ;;
    destroy)
        stop
        if [[ $WORK != "$PG_DIR"/* ]]; then rm -rf "$WORK"; fi
        rm -rf "$PG_DIR"
        ;;
    *) die "usage: $0 start|stop|url|run COMMAND...|destroy" ;;
esac
