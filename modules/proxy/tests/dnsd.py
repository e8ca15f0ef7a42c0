#!/usr/bin/env python3
"""dnsd.py - a tiny authoritative DNS responder for the tests (UDP, loopback).

    dnsd.py PORT ZONEFILE LOGFILE [LIFETIME_S]

ZONEFILE holds one record a line ('#' starts a comment):

    example.test            NAPTR 10 10 s SIP+D2U _sip._udp.example.test
    _sip._udp.example.test  SRV   10 0 5071 uas1.example.test
    uas1.example.test       A     127.0.0.1
    uas1.example.test       AAAA  ::1

A name that has records of another type gets NOERROR with no answer
(NODATA); a name with none at all gets NXDOMAIN (RFC 1035 4.1.1 RCODE 3).
Every query is appended to LOGFILE as "TYPE name". The server stops by
itself after LIFETIME_S seconds (default 600). Python standard library only.
"""
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NAPTR": 35, "SRV": 33, "AAAA": 28}
NAMES = {v: k for k, v in TYPES.items()}


def enc_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def enc_str(s):
    b = s.encode()
    return bytes([len(b)]) + b


def rdata(rtype, f):
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, f[0])
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, f[0])
    if rtype == "SRV":
        return struct.pack("!HHH", int(f[0]), int(f[1]), int(f[2])) + enc_name(f[3])
    if rtype == "NAPTR":
        # order pref flags service regexp(empty) replacement
        return (struct.pack("!HH", int(f[0]), int(f[1])) + enc_str(f[2]) + enc_str(f[3]) +
                enc_str("") + enc_name(f[4]))
    raise ValueError(rtype)


def load(path):
    zone = {}
    with open(path) as fh:
        for line in fh:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            name, rtype, fields = line[0].lower().rstrip("."), line[1].upper(), line[2:]
            zone.setdefault(name, []).append((TYPES[rtype], rdata(rtype, fields)))
    return zone


def parse_question(pkt):
    off, labels = 12, []
    while pkt[off]:
        n = pkt[off]
        labels.append(pkt[off + 1:off + 1 + n].decode(errors="replace"))
        off += 1 + n
    off += 1
    qtype, qclass = struct.unpack("!HH", pkt[off:off + 4])
    return ".".join(labels).lower(), qtype, pkt[12:off + 4]


def answer(pkt, zone):
    qid, flags = struct.unpack("!HH", pkt[:4])
    name, qtype, question = parse_question(pkt)
    records = zone.get(name)
    rcode = 0 if records is not None else 3
    ans = [r for r in (records or []) if r[0] == qtype]
    # QR, opcode 0, AA, RD copied, RA
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    out = struct.pack("!HHHHHH", qid, rflags, 1, len(ans), 0, 0) + question
    for rtype, data in ans:
        out += b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 60, len(data)) + data
    return name, qtype, out


def main():
    port, zone, log = int(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
    lifetime = float(sys.argv[4]) if len(sys.argv) > 4 else 600.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            pkt, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        try:
            name, qtype, out = answer(pkt, zone)
        except (IndexError, struct.error, ValueError):
            continue
        with open(log, "a") as fh:
            fh.write("%s %s\n" % (NAMES.get(qtype, str(qtype)), name))
        s.sendto(out, peer)


if __name__ == "__main__":
    main()
