#!/usr/bin/env python3
"""srtp_wire.py - what is on the wire of a loopback call (t_srtp.sh).

  srtp_wire.py capture OUT STOPFILE PORT...
      Records every UDP datagram on lo whose source or destination port is
      one of PORT (a "LO-HI" range is accepted) until STOPFILE exists (at
      most 60 s), one JSON line
      per datagram: {"sport", "dport", "data" (hex)}. Needs root (a raw
      AF_PACKET socket; no tcpdump needed).

  srtp_wire.py rtp OUT SPORT WAV
      The RTP datagrams sent from SPORT (RTCP on SPORT+1 is left out):
      prints their count and UDP payload lengths, and writes the first
      160 bytes after the 12-byte header decoded as PCMU (G.711 mu-law) to
      WAV, 8 kHz. For plain RTP that is the audio; for SRTP (RFC 3711 3.1)
      it is ciphertext, which must not resemble the audio.

  srtp_wire.py sip OUT PORT
      Prints the 2xx responses with an SDP body sent from PORT (answers).
"""
import json
import os
import socket
import struct
import sys
import time
import wave
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # Debian 12's Python 3.11 still has it

ETH_P_ALL = 3
PACKET_OUTGOING = 4


def ports(args):
    out = set()
    for a in args:
        if "-" in a:
            lo, hi = a.split("-")
            out.update(range(int(lo), int(hi) + 1))
        else:
            out.add(int(a))
    return out


def capture(path, stop, want):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("lo", 0))
    s.settimeout(0.2)
    end = time.monotonic() + 60
    n = 0
    with open(path, "w") as f:
        while time.monotonic() < end and not os.path.exists(stop):
            try:
                pkt, addr = s.recvfrom(65535)
            except socket.timeout:
                continue
            # Each loopback datagram shows up twice: outgoing and incoming.
            if addr[2] == PACKET_OUTGOING or len(pkt) < 14 + 20 + 8:
                continue
            if struct.unpack("!H", pkt[12:14])[0] != 0x0800:
                continue
            ip = pkt[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] != 17:
                continue
            sport, dport, ulen = struct.unpack("!HHH", ip[ihl:ihl + 6])
            if sport not in want and dport not in want:
                continue
            data = ip[ihl + 8:ihl + ulen]
            f.write(json.dumps({"sport": sport, "dport": dport, "data": data.hex()}) + "\n")
            n += 1
    print("captured %d datagrams" % n)


def load(path):
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            d["data"] = bytes.fromhex(d["data"])
            yield d


def rtp(path, sport, out):
    lens, frames = {}, {}
    first = None
    for d in load(path):
        b = d["data"]
        if d["sport"] != sport or len(b) < 12 + 160 or b[0] >> 6 != 2:
            continue
        lens[len(b)] = lens.get(len(b), 0) + 1
        # Placed by sequence number (the header is in clear with SRTP too),
        # so a datagram the capture missed leaves a gap, not a shift.
        seq = struct.unpack("!H", b[2:4])[0]
        if first is None:
            first = seq
        frames[(seq - first) & 0xffff] = audioop.ulaw2lin(b[12:12 + 160], 2)
    pcm = b"".join(frames.get(i, b"\0" * 320) for i in range(max(frames) + 1 if frames else 0))
    w = wave.open(out, "wb")
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    w.writeframes(pcm)
    w.close()
    print(json.dumps({"packets": sum(lens.values()), "lengths": lens}))


def sip(path, sport):
    for d in load(path):
        text = d["data"].decode("utf-8", "replace")
        if d["sport"] == sport and text.startswith("SIP/2.0 2") and "\r\nm=" in text:
            sys.stdout.write(text + "\n")


def main(argv):
    if len(argv) >= 4 and argv[0] == "capture":
        capture(argv[1], argv[2], ports(argv[3:]))
    elif len(argv) == 4 and argv[0] == "rtp":
        rtp(argv[1], int(argv[2]), argv[3])
    elif len(argv) == 3 and argv[0] == "sip":
        sip(argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
