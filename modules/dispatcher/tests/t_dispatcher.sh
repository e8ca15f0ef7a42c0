#!/bin/bash
# t_dispatcher.sh - the dispatcher with SIPp destinations on loopback:
# round robin alternates between two UASes; REST lists health and
# disable/enable moves calls; a stopped UAS is found dead by the OPTIONS
# probes within the threshold and calls avoid it; a destination that does
# not answer is left by the failure route for the next one in < 2 s
# (RFC 3261 16.7 item 6 / 16.8: the branch times out as 408, the failure
# route re-relays); sets loaded from the database.
. "$(dirname "$0")/../../../test/integration/lib.sh"

SIPP=$(cd "$(dirname "$0")/sipp" && pwd)
jn_ports
UAC=$PORT1 UAS1=$PORT2 UAS2=$PORT3 MUTE=$PORT4
D1="sip:127.0.0.1:$UAS1" D2="sip:127.0.0.1:$UAS2" DM="sip:127.0.0.1:$MUTE"
INTERVAL=300 THRESHOLD=2

jn_script <<EOF
# t_dispatcher
request {
    if (proxy.loose_route()) { proxy.relay(); exit; }
    if (method == "ACK") { proxy.relay(); exit; }
    proxy.record_route();
    if (ruri.user == "rr") {
        if (!dispatcher.select(1, algorithm: "rr")) { reply(503, "No Destination"); exit; }
        proxy.relay(failure: "next_dst", branch_timeout: 1);
        exit;
    }
    if (ruri.user == "prio") {
        if (!dispatcher.select(2, algorithm: "priority", failover: true)) {
            reply(503, "No Destination");
            exit;
        }
        proxy.relay(failure: "next_dst", branch_timeout: 1);
        exit;
    }
    reply(404, "Not Found");
}

failure next_dst {
    if (status == 408 || status >= 500) {
        dispatcher.mark("inactive");
        if (dispatcher.next()) { proxy.relay(failure: "next_dst", branch_timeout: 1); }
    }
}
EOF
jn_config - <<EOF
modules:
  - name: proxy
  - name: dispatcher
    params:
      probe_interval: $INTERVAL
      probe_timeout: 250
      probe_threshold: $THRESHOLD
      sets:
        - id: 1
          destinations:
            - { uri: "$D1", weight: 50 }
            - { uri: "$D2", weight: 50, attrs: "second" }
        - id: 2
          destinations:
            - { uri: "$DM", priority: 10 }
            - { uri: "$D2", priority: 1 }
EOF

declare -A UAS_PIDS
uas() { # NAME PORT SCENARIO
	jn_sipp_bg "$1" -sf "$SIPP/$3.xml" -i 127.0.0.1 -p "$2"
	UAS_PIDS[$1]=$SIPP_BG_PID
}
invites() { # NAME -> INVITE transactions the UAS received so far (retransmissions once)
	[ -f "$T/$1.msg" ] || { echo 0; return; }
	awk '/^INVITE sip:/ { f = 1 } f && tolower($0) ~ /^call-id:/ { print $2; f = 0 }' \
		"$T/$1.msg" | sort -u | wc -l
}
RR_RE="&lt;sip:127\\.0\\.0\\.1:$JN_PORT;lr&gt;"
CALLS=0
call() { # USER -> runs one call through the daemon
	CALLS=$((CALLS + 1))
	jn_render "$SIPP/uac_call.xml" "$T/uac.xml" "RURI=sip:$1@127.0.0.1:$JN_PORT" \
		"RR_RE=$RR_RE" HOLD=0
	jn_sipp "uac$CALLS" -sf "$T/uac.xml" -i 127.0.0.1 -p "$UAC" -m 1 "127.0.0.1:$JN_PORT"
	assert_sipp_ok "uac$CALLS" 1 "call $CALLS ($1)"
}
# Which of uas1/uas2 took the next call: calls USER and compares counts.
call_goes_to() { # USER
	local a b
	a=$(invites uas1) b=$(invites uas2)
	call "$1"
	if [ "$(invites uas1)" -gt "$a" ]; then echo uas1; elif [ "$(invites uas2)" -gt "$b" ]; then
		echo uas2
	else echo none; fi
}
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
dst_field() { # SET URI FIELD -> the field of that destination in GET /dispatcher
	jn_http GET /dispatcher
	json_get "$HTTP_BODY" "[x['$3'] for s in d['sets'] if s['id'] == $1 for x in s['destinations'] if x['uri'] == '$2'][0]"
}
wait_state() { # SET URI STATE SECONDS -> waits; prints the seconds it took
	local t0 deadline st
	t0=$(now)
	deadline=$((SECONDS + $4))
	while ((SECONDS <= deadline)); do
		st=$(dst_field "$1" "$2" state)
		if [ "$st" = "$3" ]; then
			elapsed "$t0" "$(now)"
			return 0
		fi
		sleep 0.05
	done
	fail "$2 in set $1 did not become $3 within $4 s (state $st)"
}

uas uas1 "$UAS1" uas_ds
uas uas2 "$UAS2" uas_ds
uas mute "$MUTE" uas_mute
jn_start

note "probes: every destination answers OPTIONS and is active"
for sd in "1 $D1" "1 $D2" "2 $DM"; do
	read -r set u <<<"$sd"
	deadline=$((SECONDS + 5 * JN_SLOW))
	until [ "$(dst_field "$set" "$u" last_probe_status)" = 200 ]; do
		((SECONDS < deadline)) || fail "no 200 to the OPTIONS probe of $u"
		sleep 0.1
	done
	assert_eq "$(dst_field "$set" "$u" state)" active "state of $u"
done
opts=$(grep -c '^OPTIONS sip:127.0.0.1' "$T/uas1.msg" || true)
assert_ge "$opts" 1 "OPTIONS probes received by uas1"

note "REST: GET /dispatcher lists sets, weights, priorities, attrs and health"
jn_http GET /dispatcher
assert_eq "$HTTP_CODE" 200 "GET /dispatcher"
assert_eq "$(json_get "$HTTP_BODY" '[s["id"] for s in d["sets"]]')" "[1, 2]" "set ids"
assert_eq "$(json_get "$HTTP_BODY" 'd["sets"][0]["active"]')" 2 "active in set 1"
assert_eq "$(dst_field 1 "$D2" weight)" 50 "weight of $D2"
assert_eq "$(dst_field 1 "$D2" attrs)" second "attrs of $D2"
assert_eq "$(dst_field 2 "$DM" priority)" 10 "priority of $DM"
assert_eq "$(dst_field 1 "$D1" failures)" 0 "failures of $D1"

note "round robin alternates between the two destinations"
prev=$(call_goes_to rr)
assert_ne "$prev" none "first rr call reached a UAS"
for i in 1 2 3; do
	cur=$(call_goes_to rr)
	assert_ne "$cur" none "rr call $i reached a UAS"
	assert_ne "$cur" "$prev" "rr call $i alternates"
	prev=$cur
done
assert_eq "$(invites uas1)" 2 "INVITEs at uas1 after 4 rr calls"
assert_eq "$(invites uas2)" 2 "INVITEs at uas2 after 4 rr calls"

note "REST disable: calls avoid the destination; enable: they come back"
jn_http PUT "/dispatcher/1/$(enc "$D1")/disable"
assert_eq "$HTTP_CODE" 200 "PUT disable"
assert_eq "$(json_get "$HTTP_BODY" 'd["state"]')" disabled "state after disable"
for i in 1 2 3; do assert_eq "$(call_goes_to rr)" uas2 "rr call $i with $D1 disabled"; done
sleep 0.7 # probes answered meanwhile do not bring a disabled destination back
assert_eq "$(dst_field 1 "$D1" state)" disabled "still disabled after probes"
jn_http POST "/dispatcher/1/$(enc "$D1")/enable"
assert_eq "$HTTP_CODE" 200 "POST enable"
assert_eq "$(json_get "$HTTP_BODY" 'd["state"]')" active "state after enable"
a=$(call_goes_to rr) b=$(call_goes_to rr)
assert_ne "$a" "$b" "rr alternates again after enable ($a, $b)"
jn_http PUT "/dispatcher/9/$(enc "$D1")/disable"
assert_eq "$HTTP_CODE" 404 "unknown set"
jn_http PUT "/dispatcher/1/$(enc "sip:127.0.0.1:1")/disable"
assert_eq "$HTTP_CODE" 404 "unknown destination"
jn_http PUT "/dispatcher/x/$(enc "$D1")/disable"
assert_eq "$HTTP_CODE" 400 "set not a number"

note "failure-route failover: the first destination does not answer, the call completes on the second in < 2 s"
before_m=$(invites mute) before2=$(invites uas2)
t0=$(now)
call prio
took=$(elapsed "$t0" "$(now)")
echo "    failover call took $took s (branch_timeout 1 s)"
assert_eq "$(invites mute)" $((before_m + 1)) "the INVITE went to the priority-10 destination first"
assert_eq "$(invites uas2)" $((before2 + 1)) "the call completed on the second destination"
assert_lt "$took" 2 "failover call duration"
assert_ge "$took" 1 "the first branch waited for its branch timeout"
# The probes may bring it back within 2 intervals, so the log is the witness.
assert_file_match "$JN_LOG" "destination $DM marked inactive" 'dispatcher.mark("inactive") in the failure route'
back=$(wait_state 2 "$DM" active $((5 * JN_SLOW)))
echo "    the marked destination answered $THRESHOLD probes and is active again after $back s"

note "a stopped destination is found dead by the probes; calls avoid it"
jn_kill_pid "${UAS_PIDS[uas1]}" 3
wait "${UAS_PIDS[uas1]}" 2>/dev/null || true
t_dead=$(wait_state 1 "$D1" inactive $((5 * JN_SLOW)))
echo "    $D1 inactive $t_dead s after its UAS stopped (interval $INTERVAL ms, threshold $THRESHOLD)"
limit=$(python3 -c "print(($THRESHOLD + 1) * $INTERVAL / 1000.0 + 0.5 * $JN_SLOW)")
assert_lt "$t_dead" "$limit" "time to detect the dead destination"
assert_ge "$(dst_field 1 "$D1" failures)" "$THRESHOLD" "failures counted"
jn_http GET /dispatcher
assert_eq "$(json_get "$HTTP_BODY" 'd["sets"][0]["active"]')" 1 "active in set 1 after the stop"
for i in 1 2 3; do
	b=$(invites uas2)
	call rr
	assert_eq "$(invites uas2)" $((b + 1)) "rr call $i after the stop goes to uas2"
done

note "the destination comes back: probes answered $THRESHOLD times make it active"
uas uas1 "$UAS1" uas_ds
back=$(wait_state 1 "$D1" active $((5 * JN_SLOW)))
echo "    $D1 active again $back s after its UAS restarted"
jn_stop

note "sets from the database (table dispatcher, etc/sql/sqlite.sql)"
DB=$T/ds.db
sqlite3 "$DB" <"$JN_ROOT/etc/sql/sqlite.sql"
sqlite3 "$DB" "INSERT INTO dispatcher (setid, destination, weight, priority, attrs) VALUES
	(7, '$D2', 20, 1, 'db'), (7, '$DM', 80, 2, '');"
jn_config - <<EOF
modules:
  - name: db_sqlite
  - name: proxy
  - name: dispatcher
    params:
      db_url: "sqlite:$DB"
      probe_interval: $INTERVAL
      probe_timeout: 250
EOF
jn_script <<'EOF'
request {
    if (dispatcher.select(7, algorithm: "weight")) { reply(200, "to " + dispatcher.dst + " of " + dispatcher.count); exit; }
    reply(503, "No Destination");
}
EOF
jn_start
jn_http GET /dispatcher
assert_eq "$HTTP_CODE" 200 "GET /dispatcher (database sets)"
assert_eq "$(json_get "$HTTP_BODY" '[s["id"] for s in d["sets"]]')" "[7]" "set from the table"
assert_eq "$(dst_field 7 "$D2" weight)" 20 "weight from the table"
assert_eq "$(dst_field 7 "$D2" attrs)" db "attrs from the table"
out=$(siptool send --port "$JN_PORT" --expect 1 --wait 2 2>&1 || true)
assert_match "$(first_status "$out")" "^SIP/2.0 200 to sip:127.0.0.1:($UAS2|$MUTE) of 2" \
	"dispatcher.dst and dispatcher.count"
jn_stop
