#!/bin/bash
# make-prompts.sh - generate the voice prompts at build time, so the tree
# ships no binary audio.
#
#   scripts/make-prompts.sh [LIST [OUTDIR]]     (defaults: etc/prompts.txt build/prompts)
#
# LIST has one prompt per line, "name|text to speak"; blank lines and lines
# starting with # are skipped; names are [a-z0-9_-]+. Each prompt becomes
# OUTDIR/name.wav: 8 kHz, mono, 16-bit PCM (what the media engine plays
# without resampling to G.711/G.729). espeak-ng speaks (en-us, 150 words a
# minute), sox converts its 22.05 kHz output. A prompt is rebuilt only when
# it is missing or older than LIST.
set -euo pipefail

list=${1:-etc/prompts.txt}
out=${2:-build/prompts}
voice=${JN_PROMPT_VOICE:-en-us}

for tool in espeak-ng sox; do
	command -v "$tool" >/dev/null || { echo "make-prompts: $tool not found" >&2; exit 1; }
done
[ -r "$list" ] || { echo "make-prompts: cannot read $list" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	name=${line%%|*}
	text=${line#*|}
	if [ "$name" = "$line" ] || ! [[ $name =~ ^[a-z0-9_-]+$ ]] || [ -z "$text" ]; then
		echo "make-prompts: $list:$lineno: expected name|text" >&2
		exit 1
	fi
	wav=$out/$name.wav
	if [ -f "$wav" ] && [ "$wav" -nt "$list" ]; then
		continue
	fi
	espeak-ng -v "$voice" -s 150 -w "$tmp/raw.wav" -- "$text"
	# -G guards against clipping in the rate change; norm -3 gives every
	# prompt the same peak level.
	sox -G "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/out.wav" norm -3
	mv "$tmp/out.wav" "$wav"
	n=$((n + 1))
done <"$list"
echo "make-prompts: $n prompt(s) written to $out"
