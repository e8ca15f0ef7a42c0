# shellcheck shell=bash
# pg.sh - a throwaway PostgreSQL 15 cluster for the tests, sourced after
# lib.sh. initdb and the server refuse to run as root, so they run as the
# postgres user in $T/pg (the temp dir is opened for traversal); the
# server listens only on a unix socket in $T/pgsock and is stopped by the
# EXIT trap before lib.sh's cleanup removes $T.
#   pg_init PORT      create and start; sets PG_URL (postgresql:///postgres?...)
#   pg_stop / pg_start

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_STARTED=0

pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	pg_as "$PG_BIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w -t 30 \
		-o "-k $T/pgsock -p $PG_PORT -c listen_addresses='' -c fsync=off" start >/dev/null ||
		{ tail -n 20 "$T/pg/log" >&2; fail "pg_ctl start"; }
	PG_STARTED=1
}

pg_stop() {
	[ "$PG_STARTED" = 1 ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$T/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
	PG_STARTED=0
}

pg_init() {
	PG_PORT=$1
	[ -x "$PG_BIN/initdb" ] || fail "no PostgreSQL 15 at $PG_BIN (scripts/install-deps.sh --test)"
	chmod 755 "$T"
	mkdir -p "$T/pg" "$T/pgsock"
	[ "$(id -u)" != 0 ] || chown postgres:postgres "$T/pg" "$T/pgsock"
	pg_as "$PG_BIN/initdb" -D "$T/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$T/initdb.log" 2>&1 || { tail -n 20 "$T/initdb.log" >&2; fail "initdb"; }
	trap '_pg_rc=$?; pg_stop; (exit $_pg_rc); jn_cleanup' EXIT
	pg_start
	PG_URL="postgresql:///postgres?host=$T/pgsock&port=$PG_PORT&user=postgres"
}
