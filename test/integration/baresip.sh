# baresip.sh - real phones for integration tests: baresip 1.0 instances,
# headless, driven over ctrl_tcp. Source after lib.sh.
#
#   bs_phone NAME SIPPORT CTRLPORT SOURCE_WAV ACCOUNT [CONFIG_LINES]
#       starts a phone in $T/NAME: listens for SIP on 127.0.0.1:SIPPORT,
#       sends SOURCE_WAV as its microphone, writes what it decodes to
#       $T/NAME/dump/*-dec.wav (sndfile module), codecs g711/g722/opus.
#       ACCOUNT is the accounts line (e.g. "<sip:bob@127.0.0.1:5060>;
#       regint=0;answermode=auto;audio_codecs=PCMU/8000/1"); CONFIG_LINES
#       are added to its config. Its PID is ${BS_PID[NAME]}.
#   bs_ctrl CTRLPORT COMMAND PARAMS   one ctrl_tcp command (dial, hangup, quit)
#   bs_wait_log FILE ERE SECONDS WHAT waits for a log line, else fails
#   bs_quit NAME CTRLPORT             asks the phone to quit and waits for it
declare -A BS_PID

bs_phone() {
	local name=$1 sip=$2 ctrl=$3 src=$4 account=$5 extra=${6:-} dir=$T/$1
	local rtp=$((20000 + sip % 20000 / 100 * 100))
	mkdir -p "$dir" "$dir/dump"
	cat >"$dir/config" <<EOF2
poll_method		epoll
sip_listen		127.0.0.1:$sip
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		alsa,null
audio_alert		alsa,null
audio_source		aufile,$src
ausrc_srate		8000
auplay_srate		8000
ausrc_channels		1
auplay_channels		1
rtp_ports		$rtp-$((rtp + 98))
rtcp_mux		no
module_path		/usr/lib/baresip/modules
module			g711.so
module			g722.so
module			opus.so
module			aufile.so
module			alsa.so
module			sndfile.so
snd_path		$dir/dump
module			ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$ctrl
module_app		account.so
module_app		menu.so
$extra
EOF2
	printf '%s\n' "$account" >"$dir/accounts"
	baresip -f "$dir" -t 60 >"$dir/log" 2>&1 &
	jn_track "$!"
	BS_PID[$name]=$!
}

bs_ctrl() {
	python3 - "$@" <<'PY'
import json, socket, sys
port, cmd, params = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = json.dumps({"command": cmd, "params": params, "token": "t"}).encode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"%d:%s," % (len(body), body))
s.recv(4096)
PY
}

bs_wait_log() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$1" >&2
	fail "$4: no '$2' in $1 within $3 s"
}

bs_quit() {
	local i
	bs_ctrl "$2" quit "" || true
	for ((i = 0; i < 50 * JN_SLOW; i++)); do
		kill -0 "${BS_PID[$1]}" 2>/dev/null || return 0
		sleep 0.1
	done
	fail "$1 did not quit"
}

# bs_heard NAME SENT.wav MIN_WAVE WHAT: what phone NAME received (its
# *-dec.wav dump) must follow SENT.wav (audio.py corr: envelope >= 0.9,
# waveform >= MIN_WAVE); the figures are noted.
bs_heard() {
	local dec out
	dec=$(find "$T/$1/dump" -name '*-dec.wav' | head -n 1)
	[ -n "$dec" ] || fail "$1 wrote no received-audio dump"
	out=$(python3 "$JN_ITEST/audio.py" corr "$dec" "$2" --min-env 0.9 --min-wave "$3") ||
		fail "$4: what $1 heard does not follow $(basename "$2"): $out"
	note "$4: $out"
}
