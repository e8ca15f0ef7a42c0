#!/bin/bash
# install-deps.sh [--test|--bench] - install the Debian 12 packages Junction needs.
#
#   scripts/install-deps.sh          build dependencies
#   scripts/install-deps.sh --test   plus everything `make test` uses
#   scripts/install-deps.sh --bench  plus Kamailio, the comparison in `make bench`
#
# Idempotent and fast when everything is there: each package is checked
# with dpkg first; `apt-get update` and `apt-get install` run only when
# something is missing. Needs root (or sudo) only in that case.
set -euo pipefail

BASE=(build-essential pkg-config libsofia-sip-ua-dev libyaml-dev libmicrohttpd-dev
	libjansson-dev libsqlite3-dev sqlite3 libpq-dev libssl-dev
	libspandsp-dev
	libbcg729-dev libopus-dev libsrtp2-dev libsndfile1-dev libspeexdsp-dev espeak-ng sox)
TEST=(libcmocka-dev sip-tester baresip sipsak postgresql clang libclang-rt-14-dev llvm
	curl python3 iproute2 espeak-ng sox)
BENCH=(kamailio)

want=("${BASE[@]}")
case "${1:-}" in
--test) want+=("${TEST[@]}") ;;
--bench) want+=("${TEST[@]}" "${BENCH[@]}") ;;
"") ;;
-h | --help)
	sed -n '2,10s/^# \{0,1\}//p' "$0"
	exit 0
	;;
*)
	echo "usage: $0 [--test|--bench]" >&2
	exit 2
	;;
esac

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${want[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2
		exit 1
	}
	SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	"${missing[@]}" </dev/null

still=()
for p in "${missing[@]}"; do
	installed "$p" || still+=("$p")
done
if [ "${#still[@]}" -ne 0 ]; then
	echo "install-deps: still missing after apt-get: ${still[*]}" >&2
	exit 1
fi
echo "install-deps: done"
