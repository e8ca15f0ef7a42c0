#!/usr/bin/env python3
"""rtp_events.py - an RTP receiver that reports what one stream carried.

usage: rtp_events.py PORT SECONDS TE_PT

Binds 127.0.0.1:PORT, takes every RTP packet for SECONDS and prints one
JSON object:
  packets   how many arrived
  audio     packets of other payload types
  ssrcs     the SSRCs seen
  seq_breaks  arrivals whose sequence number is not the previous one + 1
              (RFC 3550 A.1: a stream with events put in must stay gapless)
  events    one entry per telephone-event (RFC 4733 2.3: payload type
            TE_PT, grouped by timestamp): digit, packets, marker (first
            packet had M, 2.5.1.1), ends (packets with E), duration (of
            the end packets), ts_ok (the event's timestamp lies between
            those of the audio packets around it, within 20 ms: RFC 4733
            2.1, one stream and one clock)
"""
import json
import socket
import struct
import sys
import time

port, secs, te_pt = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
DIGITS = "0123456789*#ABCD"

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", port))
sock.settimeout(0.1)
pkts = []
end = time.monotonic() + secs
while time.monotonic() < end:
    try:
        data = sock.recv(2048)
    except socket.timeout:
        continue
    if len(data) < 12 or data[0] >> 6 != 2:
        continue
    m, pt = data[1] >> 7, data[1] & 0x7F
    seq, ts, ssrc = struct.unpack("!HII", data[2:12])
    pkts.append((pt, seq, ts, ssrc, m, data[12:]))

out = {"packets": len(pkts), "audio": 0, "ssrcs": [], "seq_breaks": 0, "events": []}
prev = None
events = {}
last_audio_ts = None
for pt, seq, ts, ssrc, m, pay in pkts:
    if ssrc not in out["ssrcs"]:
        out["ssrcs"].append(ssrc)
    if prev is not None and seq != (prev + 1) & 0xFFFF:
        out["seq_breaks"] += 1
    prev = seq
    if pt != te_pt:
        out["audio"] += 1
        last_audio_ts = ts
        for ev in events.values():
            if ev["next_audio_ts"] is None:
                ev["next_audio_ts"] = ts
        continue
    if len(pay) < 4:
        continue
    code, flags, dur = pay[0], pay[1], struct.unpack("!H", pay[2:4])[0]
    ev = events.get(ts)
    if ev is None:
        ev = events[ts] = {"digit": DIGITS[code] if code < 16 else str(code), "packets": 0,
                           "marker": bool(m), "ends": 0, "duration": 0,
                           "prev_audio_ts": last_audio_ts, "next_audio_ts": None}
    ev["packets"] += 1
    if flags & 0x80:
        ev["ends"] += 1
        ev["duration"] = dur
for ts in sorted(events, key=lambda t: (t - pkts[0][2]) & 0xFFFFFFFF if pkts else 0):
    ev = events[ts]
    lo, hi = ev.pop("prev_audio_ts"), ev.pop("next_audio_ts")
    # modulo 2^32: lo <= ts <= hi + 20 ms (the event starts "now", on the
    # clock of the audio around it; a packet's worth of scheduling slack)
    ev["ts_ok"] = lo is not None and hi is not None and \
        ((ts - lo) & 0xFFFFFFFF) < 8000 and ((hi + 160 - ts) & 0xFFFFFFFF) < 8000
    out["events"].append(ev)
print(json.dumps(out))
