# shellcheck shell=bash
# reglib.sh - helpers shared by the registrar tests (sourced after lib.sh).

# register CALLID CSEQ [extra header lines...]: sends one REGISTER for
# alice@example.com (AOR in $REG_USER, default alice) from $REG_LOCAL_PORT
# (0: any) and prints the response (siptool format).
register() {
	local callid=$1 cseq=$2 line
	shift 2
	{
		printf 'REGISTER sip:example.com SIP/2.0\n'
		printf 'Via: SIP/2.0/UDP {local_ip}:{local_port};branch={branch}\n'
		printf 'Max-Forwards: 70\n'
		printf 'From: <sip:%s@example.com>;tag={tag}\n' "${REG_USER:-alice}"
		printf 'To: <sip:%s@example.com>\n' "${REG_USER:-alice}"
		printf 'Call-ID: %s\n' "$callid"
		printf 'CSeq: %s REGISTER\n' "$cseq"
		for line in "$@"; do printf '%s\n' "$line"; done
		printf 'Content-Length: 0\n\n'
	} >"$T/reg.sip"
	siptool send --port "$JN_PORT" --local-port "${REG_LOCAL_PORT:-0}" --file "$T/reg.sip" \
		--wait 3 --expect 1
}

# Contact header values of a response, one per line, sorted.
contacts_of() {
	printf '%s\n' "$1" | sed -n '1,/^=====/p' | grep -iE '^(Contact|m):' |
		sed -E 's/^[^:]*: *//' | tr ',' '\n' | sed -E 's/^ +//' | sort
}
