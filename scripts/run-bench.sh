#!/bin/bash
# run-bench.sh - Junction benchmarks (make bench). Never part of make test.
#
# 1. Script execution cost: build/test/bench/bench_script (30-statement route).
# 2. SIPp load against junctiond and, in the same run, against Kamailio doing
#    the same work (configs in test/bench/kamailio/, scripts in test/bench/):
#      stateless   OPTIONS forwarded statelessly to a SIPp UAS
#      register    REGISTER without auth, a distinct user per call
#      register_auth  REGISTER, 401, REGISTER with digest credentials
#      proxy       INVITE/ACK/BYE through a record-routing stateful proxy
#    Rates rise step by step; the figure kept is the best achieved rate with
#    < 0.1 % failed calls. Both servers run one SIP worker (Kamailio
#    children=1), so the figures compare one core's worth of signalling.
# 3. Memory per registration at 100,000 registered contacts (PSS growth).
# 4. Media engine (BENCH_ONLY item "media"): build/test/bench/bench_media runs
#    one media worker in-process against UDP phones on 127.0.0.1: bridged
#    G.711 relay calls per core, PCMU<->G.729 and PCMU<->Opus transcoding
#    channels per core against the raw codec cost, added one-way latency
#    (method in modules/media/README.md, "Benchmarks").
#    BENCH_MEDIA_STEP_SECONDS sets its load steps (default 4).
#
# BENCH_ONLY="stateless proxy" limits the SIPp benchmarks; BENCH_RATES and
# BENCH_STEP_SECONDS set the steps. All traffic stays on 127.0.0.1; every
# load step is bounded in count and time; only processes started here are
# stopped, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
O=${O:-build}
RATES=${BENCH_RATES:-"2000 4000 8000 12000 16000 20000 24000 28000"}
STEP=${BENCH_STEP_SECONDS:-5}
ONLY=${BENCH_ONLY:-"stateless register register_auth proxy memory media"}
REG_USERS=${BENCH_REG_USERS:-100000}
TMP=$(mktemp -d /tmp/jn-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -n "${BENCH_NO_BUILD:-}" ] || make -s -j2 O="$O" all "$O"/test/bench/bench_script \
	"$O"/test/bench/bench_media >/dev/null

want() { [[ " $ONLY " == *" $1 "* ]]; }

free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The process and its children (Kamailio forks its workers).
tree() { echo "$1"; pgrep -P "$1" 2>/dev/null || true; }
cpu_seconds() { # PID -> user+system seconds of the tree
	local t=0 p
	for p in $(tree "$1"); do
		t=$(awk -v t="$t" '{print t + ($14 + $15) / 100}' "/proc/$p/stat" 2>/dev/null || echo "$t")
	done
	echo "$t"
}
pss_kb() { # PID -> proportional set size of the tree, kB
	local t=0 p
	for p in $(tree "$1"); do
		t=$(awk -v t="$t" '/^Pss:/ {t += $2} END {print t}' "/proc/$p/smaps_rollup" 2>/dev/null || echo "$t")
	done
	echo "$t"
}

# ---- servers ------------------------------------------------------------------
# start_junction NAME SCRIPT [MODULES-YAML]: sets SRV_PID SRV_PORT
start_junction() {
	local name=$1 script=$2 modules=${3:-}
	SRV_PORT=$(free_port)
	sed "s/BENCH_DEST/${UAS_PORT:-0}/" "test/bench/$script" >"$TMP/$name.jn"
	cat >"$TMP/$name.yaml" <<YAML
listen: { udp: "127.0.0.1:$SRV_PORT" }
script: $name.jn
module_path: $PWD/$O/modules
log: { level: warn }
sip: { udp_buffer: 4194304 }
$modules
YAML
	"$O"/junctiond -c "$TMP/$name.yaml" 2>"$TMP/$name.log" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	sleep 0.5
	kill -0 "$SRV_PID" 2>/dev/null || { cat "$TMP/$name.log"; return 1; }
}

# start_kamailio NAME CFG: sets SRV_PID SRV_PORT
start_kamailio() {
	local name=$1 cfg=$2
	SRV_PORT=$(free_port)
	sed -e "s/BENCH_LISTEN/$SRV_PORT/" -e "s/BENCH_DEST/${UAS_PORT:-0}/" \
		"test/bench/kamailio/$cfg" >"$TMP/$name.cfg"
	kamailio -f "$TMP/$name.cfg" -P "$TMP/$name.pid" -m 512 -M 32 -DD -E -Y "$TMP" \
		>"$TMP/$name.log" 2>&1 &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	sleep 1
	kill -0 "$SRV_PID" 2>/dev/null || { cat "$TMP/$name.log"; return 1; }
}

stop_server() {
	kill "$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
}

# ---- load -----------------------------------------------------------------------
# sipp_run PORT RATE N ARGS...: prints "achieved_rate failed total"
sipp_run() {
	local port=$1 rate=$2 n=$3 uacport stat t0 t1
	shift 3
	uacport=$(free_port)
	stat="$TMP/uac-$port-$rate-$RANDOM.csv"
	t0=$(date +%s.%N)
	timeout $((n / rate * 4 + 60)) sipp "$@" -i 127.0.0.1 -p "$uacport" "127.0.0.1:$port" \
		-r "$rate" -m "$n" -l $((rate * 2 + 100)) -buff_size 4194304 -nostdin \
		-timeout $((n / rate * 4 + 40)) -recv_timeout 5000 -trace_stat -stf "$stat" -fd 1 \
		>/dev/null 2>&1 || true
	t1=$(date +%s.%N)
	python3 - "$stat" "$n" "$t0" "$t1" <<'PY'
import csv, sys
path, n, t0, t1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ok = failed = 0
try:
    rows = list(csv.reader(open(path), delimiter=';'))
    h = rows[0]; last = rows[-1]
    ok = int(last[h.index('SuccessfulCall(C)')]); failed = int(last[h.index('FailedCall(C)')])
except Exception:
    pass
failed = max(failed, n - ok)
print("%.0f %d %d" % (ok / max(t1 - t0, 1e-3), failed, n))
PY
}

# ramp NAME PORT SIPP-ARGS...: best achieved rate at < 0.1 % failures in
# $TMP/best-NAME, CPU seconds per call in $TMP/cpu-NAME.
ramp() {
	local name=$1 port=$2 best=0 calls=0 cpu0 cpu1
	shift 2
	cpu0=$(cpu_seconds "$SRV_PID")
	for rate in $RATES; do
		read -r achieved failed total < <(sipp_run "$port" "$rate" $((rate * STEP)) "$@")
		calls=$((calls + total - failed))
		printf '  %-22s asked %6s/s  achieved %6s/s  failed %s/%s\n' \
			"$name" "$rate" "$achieved" "$failed" "$total"
		if ((failed * 1000 < total)); then
			((achieved > best)) && best=$achieved
		else
			break
		fi
	done
	cpu1=$(cpu_seconds "$SRV_PID")
	echo "$best" >"$TMP/best-$name"
	python3 -c "print('%.1f' % (1e6 * ($cpu1 - $cpu0) / max($calls, 1)))" >"$TMP/cpu-$name"
}

declare -A SUMMARY
compare() { # what unit
	local what=$1 unit=$2 j k
	j=$(cat "$TMP/best-junction-$what" 2>/dev/null || echo 0)
	k=$(cat "$TMP/best-kamailio-$what" 2>/dev/null || echo 0)
	SUMMARY[$what]=$(python3 -c "
j, k = $j, $k
cj = open('$TMP/cpu-junction-$what').read().strip() if $j else '-'
ck = open('$TMP/cpu-kamailio-$what').read().strip() if $k else '-'
r = ('%.2f' % (j / k)) if k else 'n/a'
print('%-14s junction %6d %s  kamailio %6d %s  ratio %s   (CPU per call: junction %s us, kamailio %s us)' % ('$what', j, '$unit', k, '$unit', r, cj, ck))")
}

have_kamailio=1
command -v kamailio >/dev/null || {
	have_kamailio=0
	echo "kamailio is not installed (apt-get install kamailio): figures without the comparison"
}
have_module() { [ -f "$O/modules/$1.so" ]; }

echo "== script execution (30-statement request route with a regex and header reads)"
"$O"/test/bench/bench_script

# A SIPp UAS answering OPTIONS (stateless) and one answering calls (proxy).
UAS_PORT=$(free_port)
sipp -sf test/bench/sipp/options_uas.xml -i 127.0.0.1 -p "$UAS_PORT" -buff_size 4194304 \
	-nostdin >/dev/null 2>&1 &
PIDS+=("$!")
OPTIONS_UAS=$UAS_PORT

if want stateless; then
	echo "== stateless OPTIONS forwarding"
	UAS_PORT=$OPTIONS_UAS
	start_junction stateless stateless.jn
	ramp junction-stateless "$SRV_PORT" -sf test/bench/sipp/options_uac.xml
	stop_server
	if ((have_kamailio)); then
		start_kamailio stateless stateless.cfg
		ramp kamailio-stateless "$SRV_PORT" -sf test/bench/sipp/options_uac.xml
		stop_server
	fi
	compare stateless "msg/s"
fi

AUTH_USERS='  - name: auth
    params: { algorithms: "MD5,SHA-256", users: [ { user: bench, password: "1234" } ] }'

if want register && have_module registrar; then
	echo "== REGISTER without auth (distinct users)"
	start_junction register register.jn "modules: [ registrar ]"
	ramp junction-register "$SRV_PORT" -sf test/bench/sipp/register.xml
	stop_server
	if ((have_kamailio)); then
		start_kamailio register register.cfg
		ramp kamailio-register "$SRV_PORT" -sf test/bench/sipp/register.xml
		stop_server
	fi
	compare register "reg/s"
fi

if want register_auth && have_module registrar && have_module auth; then
	echo "== REGISTER with digest auth (401 + authenticated REGISTER)"
	start_junction register_auth register_auth.jn "modules:
  - registrar
$AUTH_USERS"
	ramp junction-register_auth "$SRV_PORT" -sf test/bench/sipp/register_auth.xml -au bench -ap 1234
	stop_server
	if ((have_kamailio)); then
		start_kamailio register_auth register_auth.cfg
		ramp kamailio-register_auth "$SRV_PORT" -sf test/bench/sipp/register_auth.xml -au bench -ap 1234
		stop_server
	fi
	compare register_auth "reg/s"
fi

if want proxy && have_module proxy; then
	echo "== stateful proxied calls INVITE/ACK/BYE with record-route"
	UAS_PORT=$(free_port)
	sipp -sn uas -i 127.0.0.1 -p "$UAS_PORT" -buff_size 4194304 -nostdin >/dev/null 2>&1 &
	PIDS+=("$!")
	start_junction proxy proxy.jn "modules: [ proxy ]"
	ramp junction-proxy "$SRV_PORT" -sn uac -d 0
	stop_server
	if ((have_kamailio)); then
		start_kamailio proxy proxy.cfg
		ramp kamailio-proxy "$SRV_PORT" -sn uac -d 0
		stop_server
	fi
	compare proxy "calls/s"
fi

# Memory per registration: PSS growth after REG_USERS distinct REGISTERs.
mem_per_reg() { # name -> prints bytes per registration
	local name=$1 before after res
	before=$(pss_kb "$SRV_PID")
	res=$(sipp_run "$SRV_PORT" 4000 "$REG_USERS" -sf test/bench/sipp/register.xml)
	sleep 1
	after=$(pss_kb "$SRV_PID")
	read -r _ failed _ <<<"$res"
	python3 -c "print('%.0f' % (($after - $before) * 1024.0 / max($REG_USERS - $failed, 1)))"
}
if want memory && have_module registrar; then
	echo "== memory per registration at $REG_USERS contacts"
	start_junction memory register.jn "modules: [ registrar ]"
	JM=$(mem_per_reg junction)
	stop_server
	KM=0
	if ((have_kamailio)); then
		start_kamailio memory register.cfg
		KM=$(mem_per_reg kamailio)
		stop_server
	fi
	SUMMARY[memory]=$(python3 -c "
j, k = $JM, $KM
print('%-14s junction %6d B/reg  kamailio %6d B/reg  ratio %s (lower is better)' % ('memory', j, k, ('%.2f' % (j / k)) if k else 'n/a'))")
fi

if want media; then
	echo "== media engine (one worker thread in-process; UDP phones on 127.0.0.1)"
	"$O"/test/bench/bench_media -t "${BENCH_MEDIA_STEP_SECONDS:-4}" | tee "$TMP/media.out" ||
		echo "bench_media failed"
	SUMMARY[media]=$(sed -n 's/^summary: /media: /p' "$TMP/media.out" | sed '2,$s/^/  /')
fi

echo "== summary (ratios from this one run; Junction/Kamailio, higher is better unless noted)"
for k in stateless register register_auth proxy memory media; do
	[ -n "${SUMMARY[$k]:-}" ] && echo "  ${SUMMARY[$k]}"
done
true
