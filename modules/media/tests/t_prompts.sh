#!/bin/bash
# t_prompts.sh - scripts/make-prompts.sh turns etc/prompts.txt into 8 kHz
# mono 16-bit WAVs (what the media engine plays to G.711/G.729 legs without
# resampling), one per entry, rebuilds nothing when up to date, and refuses
# a malformed list. No daemon needed.
. "$(dirname "$0")/../../../test/integration/lib.sh"

gen=$JN_ROOT/scripts/make-prompts.sh
list=$JN_ROOT/etc/prompts.txt
want=$(grep -cvE '^(#|$)' "$list")

out=$("$gen" "$list" "$T/prompts")
assert_match "$out" "^make-prompts: $want prompt\(s\) written" "first run writes every prompt"
assert_eq "$(find "$T/prompts" -name '*.wav' | wc -l)" "$want" "one WAV per entry"
for f in "$T/prompts/welcome.wav" "$T/prompts/goodbye.wav" "$T/prompts/7.wav"; do
	assert_eq "$(soxi -r "$f")" 8000 "$f rate"
	assert_eq "$(soxi -c "$f")" 1 "$f channels"
	assert_eq "$(soxi -b "$f")" 16 "$f bits"
	# Speech, not an empty file: at least 0.3 s and a real peak.
	assert_ge "$(soxi -D "$f")" 0.3 "$f duration"
	peak=$(sox "$f" -n stat 2>&1 | awk '/Maximum amplitude/ { print $3 }')
	assert_ge "$peak" 0.5 "$f peak level"
done

out=$("$gen" "$list" "$T/prompts")
assert_match "$out" "^make-prompts: 0 prompt" "second run is a no-op"

printf 'ok|Fine.\nBad Name|x\n' >"$T/bad.txt"
if "$gen" "$T/bad.txt" "$T/bad" 2>"$T/err"; then
	fail "a malformed list is refused"
fi
assert_file_match "$T/err" "bad.txt:2: expected name\|text" "the bad line is named"
note "prompts OK"
