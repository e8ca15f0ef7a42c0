#!/usr/bin/env python3
"""siptool.py - raw SIP over UDP/TCP for the integration tests (stdlib only).

SIPp cannot send some messages (no Call-ID, wrong version line) and cannot
easily send the very same datagram twice, so the tests use this tool for:

  send     send a message (from a template file, or a generated OPTIONS) one
           or more times and print every response received
  wait     send OPTIONS until the server answers (readiness probe)
  ports    print N free ports (free for TCP and UDP on 127.0.0.1 and ::1;
           --pairs: each with port + 1 free too)
  parse    split a SIPp -trace_msg file into messages (JSON lines)

Templates may use {local_ip} {local_port} {proto} {PROTO} {branch} {callid}
{tag} {host} {port}; bare LF line ends are sent as CRLF. Each response is
printed with LF line ends followed by a line "=====" so shell tests can
grep it; with --json one JSON object per response instead.
"""

import argparse
import json
import os
import random
import socket
import sys
import time


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def hostport(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def free_ports(n, pairs=False):
    """Ports that are free for TCP and UDP on 127.0.0.1 (and ::1 when IPv6
    loopback exists); with pairs, port + 1 is free too (baresip listens for
    TLS on its SIP port + 1). The sockets stay open until all are chosen so
    the ports are distinct."""
    held, out = [], []
    tries = 0
    while len(out) < n and tries < 400:
        tries += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        held.append(s)
        ok = True
        checks = [(socket.AF_INET, "127.0.0.1", socket.SOCK_DGRAM, port),
                  (socket.AF_INET6, "::1", socket.SOCK_DGRAM, port),
                  (socket.AF_INET6, "::1", socket.SOCK_STREAM, port)]
        if pairs:
            checks += [(fam, addr, typ, port + 1) for fam, addr, typ in
                       ((socket.AF_INET, "127.0.0.1", socket.SOCK_STREAM),
                        (socket.AF_INET, "127.0.0.1", socket.SOCK_DGRAM),
                        (socket.AF_INET6, "::1", socket.SOCK_DGRAM),
                        (socket.AF_INET6, "::1", socket.SOCK_STREAM))]
        for fam, addr, typ, p in checks:
            try:
                t = socket.socket(fam, typ)
            except OSError:
                continue
            try:
                if fam == socket.AF_INET6:
                    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                t.bind((addr, p))
                held.append(t)
            except OSError as e:
                t.close()
                if fam == socket.AF_INET6 and e.errno == 99:  # no ::1 here
                    continue
                ok = False
                break
        if ok:
            out.append(port)
    for s in held:
        s.close()
    if len(out) < n:
        sys.exit("siptool: could not find %d free ports" % n)
    return out


def render(template, args, local_ip, local_port):
    ctx = {
        "local_ip": local_ip if ":" not in local_ip else "[%s]" % local_ip,
        "local_port": local_port,
        "proto": args.proto.lower(),
        "PROTO": args.proto.upper(),
        "branch": "z9hG4bK" + "%x" % random.getrandbits(48),
        "callid": "%x@siptool" % random.getrandbits(64),
        "tag": "%x" % random.getrandbits(32),
        "host": args.host if ":" not in args.host else "[%s]" % args.host,
        "port": args.port,
    }
    for k, v in ctx.items():
        template = template.replace("{%s}" % k, str(v))
    if not args.no_crlf:
        template = template.replace("\r\n", "\n").replace("\n", "\r\n")
    return template.encode("latin-1")


OPTIONS = """OPTIONS sip:{host}:{port} SIP/2.0
Via: SIP/2.0/{PROTO} {local_ip}:{local_port};branch={branch}
Max-Forwards: 70
From: <sip:probe@{local_ip}:{local_port}>;tag={tag}
To: <sip:{host}:{port}>
Call-ID: {callid}
CSeq: 1 OPTIONS
Content-Length: 0

"""


def split_stream(buf):
    """Split a TCP byte stream into complete SIP messages (Content-Length
    framing); returns (messages, rest)."""
    msgs = []
    while True:
        while buf.startswith(b"\r\n"):
            buf = buf[2:]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return msgs, buf
        head = buf[:end].decode("latin-1")
        clen = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() in ("content-length", "l"):
                try:
                    clen = int(value.strip())
                except ValueError:
                    clen = 0
        total = end + 4 + clen
        if len(buf) < total:
            return msgs, buf
        msgs.append(buf[:total])
        buf = buf[total:]


def exchange(args, payload_fn, count, interval, wait, expect):
    """Send count copies, collect responses until expect of them arrived
    (final ones: status >= 200) or wait seconds passed."""
    fam = family_of(args.host)
    dest = (args.host, args.port)
    bind_ip = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
    if args.proto == "udp":
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((bind_ip, args.local_port or 0))
    else:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.bind((bind_ip, args.local_port or 0))
        s.settimeout(max(wait, 0.5))
        s.connect(dest)
    local_port = s.getsockname()[1]
    payload = payload_fn(bind_ip, local_port)
    responses = []
    deadline = time.monotonic() + wait
    buf = b""
    sent = 0
    next_send = time.monotonic()
    finals = 0
    while True:
        now = time.monotonic()
        if sent < count and now >= next_send:
            if args.proto == "udp":
                s.sendto(payload, dest)
            else:
                s.sendall(payload)
            sent += 1
            next_send = now + interval
            if sent == count:
                deadline = time.monotonic() + wait
        if sent >= count and (now >= deadline or (expect and finals >= expect)):
            break
        timeout = deadline - now if sent >= count else max(0.0, next_send - now)
        s.settimeout(max(timeout, 0.001))
        try:
            if args.proto == "udp":
                data, _ = s.recvfrom(65535)
                got = [data]
            else:
                chunk = s.recv(65535)
                if not chunk:
                    break
                got, buf = split_stream(buf + chunk)
        except socket.timeout:
            continue
        except ConnectionRefusedError:
            continue
        for m in got:
            responses.append(m)
            first = m.split(b"\r\n", 1)[0].decode("latin-1")
            parts = first.split(" ", 2)
            if len(parts) >= 2 and parts[0].startswith("SIP/") and parts[1].isdigit() \
                    and int(parts[1]) >= 200:
                finals += 1
    s.close()
    return payload, responses


def print_responses(args, payload, responses):
    if args.show_request:
        sys.stdout.write(payload.decode("latin-1").replace("\r\n", "\n"))
        sys.stdout.write("=====REQUEST\n")
    for r in responses:
        text = r.decode("latin-1")
        if args.json:
            first, _, rest = text.partition("\r\n")
            head = rest.split("\r\n\r\n", 1)[0]
            parts = first.split(" ", 2)
            hdrs = []
            for line in head.split("\r\n"):
                if ":" in line:
                    n, _, v = line.partition(":")
                    hdrs.append([n.strip(), v.strip()])
            print(json.dumps({
                "status": int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0,
                "reason": parts[2] if len(parts) > 2 else "",
                "headers": hdrs,
                "raw": text,
            }))
        else:
            sys.stdout.write(text.replace("\r\n", "\n"))
            if not text.endswith("\n"):
                sys.stdout.write("\n")
            sys.stdout.write("=====\n")


def cmd_send(args):
    if args.file:
        with open(args.file, "r", encoding="latin-1") as f:
            template = f.read()
    else:
        template = OPTIONS
    payload_fn = lambda ip, port: render(template, args, ip, port)  # noqa: E731
    payload, responses = exchange(args, payload_fn, args.count, args.interval,
                                  args.wait, args.expect)
    print_responses(args, payload, responses)
    return 0


def cmd_wait(args):
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        try:
            _, responses = exchange(args, lambda ip, port: render(OPTIONS, args, ip, port),
                                    1, 0.1, 0.3, 1)
        except OSError:
            responses = []
        if responses:
            return 0
        time.sleep(0.1)
    return 1


def cmd_ports(args):
    print(" ".join(str(p) for p in free_ports(args.n, args.pairs)))
    return 0


def cmd_parse(args):
    """SIPp -trace_msg files hold blocks introduced by a dashed line and
    'UDP message received [N] bytes :' / 'sent'. Print them as JSON."""
    with open(args.file, "r", encoding="latin-1") as f:
        text = f.read()
    blocks = text.split("\n----------------------------------------------- ")
    for b in blocks:
        lines = b.split("\n")
        if len(lines) < 3:
            continue
        kind = lines[1]
        direction = "received" if "received" in kind else "sent" if "sent" in kind else "?"
        body = "\n".join(lines[2:]).strip("\n")
        print(json.dumps({"direction": direction, "msg": body}))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, required=True)
        sp.add_argument("--proto", choices=["udp", "tcp"], default="udp")
        sp.add_argument("--local-port", type=int, default=0)
        sp.add_argument("--no-crlf", action="store_true",
                        help="send the file bytes as they are")

    sp = sub.add_parser("send")
    common(sp)
    sp.add_argument("--file", help="message template (default: an OPTIONS)")
    sp.add_argument("--count", type=int, default=1, help="send the same bytes N times")
    sp.add_argument("--interval", type=float, default=0.2)
    sp.add_argument("--wait", type=float, default=2.0,
                    help="seconds to wait for responses after the last send")
    sp.add_argument("--expect", type=int, default=0,
                    help="stop early after this many final responses")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--show-request", action="store_true")
    sp.set_defaults(fn=cmd_send)

    sp = sub.add_parser("wait")
    common(sp)
    sp.add_argument("--timeout", type=float, default=10.0)
    sp.set_defaults(fn=cmd_wait)

    sp = sub.add_parser("ports")
    sp.add_argument("n", type=int, nargs="?", default=1)
    sp.add_argument("--pairs", action="store_true", help="port + 1 free as well")
    sp.set_defaults(fn=cmd_ports)

    sp = sub.add_parser("parse")
    sp.add_argument("file")
    sp.set_defaults(fn=cmd_parse)

    args = p.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    try:
        rc = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head -n 1`) stopped early: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        rc = 0
    sys.exit(rc)
