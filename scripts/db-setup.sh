#!/bin/bash
# db-setup.sh - create or update Junction's database schema (etc/sql/*.sql).
#
#   scripts/db-setup.sh sqlite /var/lib/junction/junction.db [--demo DOMAIN]
#   scripts/db-setup.sh postgres "postgresql://user:pass@host/dbname" [--demo DOMAIN]
#
# Idempotent: every table is created only when missing, so it is safe to run
# on an existing database. --demo DOMAIN also inserts (or resets) the demo
# subscribers 1000..1019 with password 1234 in DOMAIN (also the digest
# realm) - for a loopback test bed only, never on a reachable server.
# Needs the sqlite3 or psql client.
set -euo pipefail

usage() {
	sed -n '2,11s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

[ $# -ge 2 ] || usage
kind=$1 target=$2
shift 2
demo=
while [ $# -gt 0 ]; do
	case "$1" in
	--demo)
		[ $# -ge 2 ] || usage
		demo=$2
		shift 2
		;;
	*) usage ;;
	esac
done
if [ -n "$demo" ] && ! [[ "$demo" =~ ^[A-Za-z0-9.:_-]+$ ]]; then
	echo "db-setup: bad domain '$demo'" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
sqldir=${JN_SQL_DIR:-$here/../etc/sql}
[ -d "$sqldir" ] || sqldir=/usr/local/share/junction/sql

# The demo rows as SQL: HA1 = H(user:realm:password), RFC 7616 3.4.2.
demo_sql() {
	local conflict=$1 u md5 sha
	for u in $(seq 1000 1019); do
		md5=$(printf '%s' "$u:$demo:1234" | md5sum | cut -d' ' -f1)
		sha=$(printf '%s' "$u:$demo:1234" | sha256sum | cut -d' ' -f1)
		printf "INSERT INTO subscriber (username, domain, ha1_md5, ha1_sha256) VALUES ('%s', '%s', '%s', '%s') %s;\n" \
			"$u" "$demo" "$md5" "$sha" "$conflict"
	done
}

case "$kind" in
sqlite)
	command -v sqlite3 >/dev/null || {
		echo "db-setup: sqlite3 not found (apt-get install sqlite3)" >&2
		exit 1
	}
	mkdir -p "$(dirname "$target")"
	{
		echo "PRAGMA journal_mode=WAL;"
		echo "BEGIN;"
		cat "$sqldir/sqlite.sql"
		[ -z "$demo" ] || demo_sql "ON CONFLICT (username, domain) DO UPDATE SET ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256"
		echo "COMMIT;"
	} | sqlite3 -bail "$target" >/dev/null
	;;
postgres | postgresql)
	command -v psql >/dev/null || {
		echo "db-setup: psql not found (apt-get install postgresql-client)" >&2
		exit 1
	}
	{
		echo "BEGIN;"
		cat "$sqldir/postgres.sql"
		[ -z "$demo" ] || demo_sql "ON CONFLICT (username, domain) DO UPDATE SET ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256"
		echo "COMMIT;"
	} | PGOPTIONS="-c client_min_messages=warning" psql -q -X -v ON_ERROR_STOP=1 "$target" >/dev/null
	;;
*) usage ;;
esac
echo "db-setup: $kind schema applied to $target${demo:+ (demo subscribers 1000-1019@$demo)}"
