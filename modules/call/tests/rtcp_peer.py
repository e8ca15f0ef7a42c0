#!/usr/bin/env python3
"""rtcp_peer.py - an RTP/RTCP peer with a known impairment, for t_rtcp.sh.

Sends PCMA (PT 8) every 20 ms from 127.0.0.1:PORT to Junction's RTP
address, leaving out every 20th sequence number (exactly 5 % loss, as the
receiver counts it: RFC 3550 A.3), then RFC 4733 '#' (event 11, end bit,
three times). On PORT+1 it answers every SR with an RR block about that SR's
SSRC carrying LSR and DLSR (RFC 3550 6.4.1) as a phone behind a link with
DELAY ms each way would: the SR "arrives" DELAY ms after it really did, is
held HOLD ms (reported as DLSR) and the RR reaches Junction DELAY ms after
it leaves. Junction should then measure RTT = 2 * DELAY.

usage: rtcp_peer.py PORT JUNCTION_PORT SECONDS [DELAY_MS]
"""
import os
import select
import socket
import struct
import sys
import time

port, jport, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
delay = (float(sys.argv[4]) if len(sys.argv) > 4 else 50.0) / 1000.0
HOLD = 0.2
SSRC = 0x5eed1234

rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtp.bind(("127.0.0.1", port))
rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtcp.bind(("127.0.0.1", port + 1))
dst, rdst = ("127.0.0.1", jport), ("127.0.0.1", jport + 1)

seq, ts = 1000, 160000
pending = []  # (send_at, packet)
srs = rtts = 0
start = time.monotonic()
next_rtp = start
end = start + secs


def rr_for(sr_ssrc, ntp_sec, ntp_frac):
    lsr = ((ntp_sec & 0xFFFF) << 16) | (ntp_frac >> 16)
    dlsr = int(HOLD * 65536)
    block = struct.pack("!IIIIII", sr_ssrc, 0, 0, 0, lsr, dlsr)
    return struct.pack("!BBHI", 0x81, 201, 7, SSRC) + block


while True:
    now = time.monotonic()
    if now >= end:
        break
    while now >= next_rtp:
        if seq % 20 != 0:  # every 20th never leaves
            hdr = struct.pack("!BBHII", 0x80, 8, seq & 0xFFFF, ts & 0xFFFFFFFF, SSRC)
            rtp.sendto(hdr + b"\xd5" * 160, dst)
        seq += 1
        ts += 160
        next_rtp += 0.02
    for p in [p for p in pending if p[0] <= now]:
        rtcp.sendto(p[1], rdst)
        pending.remove(p)
    wait = min([next_rtp] + [p[0] for p in pending]) - time.monotonic()
    r, _, _ = select.select([rtp, rtcp], [], [], max(0.0, wait))
    for s in r:
        data = s.recv(2048)
        if s is not rtcp:
            continue
        off = 0
        while off + 4 <= len(data):
            pt = data[off + 1]
            n = 4 * (struct.unpack("!H", data[off + 2:off + 4])[0] + 1)
            if pt == 200 and off + 28 <= len(data):
                ssrc, sec, frac = struct.unpack("!III", data[off + 4:off + 16])
                srs += 1
                # Arrives after DELAY, held HOLD, travels DELAY back.
                pending.append((time.monotonic() + 2 * delay + HOLD, rr_for(ssrc, sec, frac)))
            off += n

# '#': RFC 4733 event 11, three end packets with the same timestamp.
for i in range(6):
    end_bit = 0x80 if i >= 3 else 0
    hdr = struct.pack("!BBHII", 0x80, 101 | (0x80 if i == 0 else 0), seq & 0xFFFF, ts, SSRC)
    rtp.sendto(hdr + struct.pack("!BBH", 11, end_bit | 10, 160 * (i + 1)), dst)
    seq += 1
    time.sleep(0.02)
print("sent", seq - 1000, "srs", srs)
