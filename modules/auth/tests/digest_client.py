#!/usr/bin/env python3
"""digest_client.py - a small SIP digest client over UDP (stdlib only) for
t_auth.sh: SHA-256 (which SIPp 3.6 lacks), replayed credentials, stale
nonces and malformed credentials.

  digest_client.py PORT CASE [options]

Prints one line per response "STATUS <code> <header lines joined by |>" and
exits 0; the shell test asserts on the output.
"""
import argparse
import hashlib
import random
import re
import socket
import sys
import time


def H(alg, s):
    return (hashlib.sha256 if alg == "SHA-256" else hashlib.md5)(s.encode()).hexdigest()


class Client:
    def __init__(self, port):
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(3)
        self.lport = self.sock.getsockname()[1]
        self.callid = "%x@digest-client" % random.getrandbits(48)
        self.cseq = 0

    def request(self, method, user, extra=""):
        self.cseq += 1
        branch = "z9hG4bKdc%x" % random.getrandbits(40)
        ruri = "sip:127.0.0.1:%d" % self.port if method == "REGISTER" else \
            "sip:2000@127.0.0.1:%d" % self.port
        msg = ("%s %s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:%s@127.0.0.1>;tag=dc%d\r\n"
               "To: <sip:%s@127.0.0.1>\r\n"
               "Call-ID: %s\r\n"
               "CSeq: %d %s\r\n"
               "Contact: <sip:%s@127.0.0.1:%d>\r\n"
               "%s"
               "Content-Length: 0\r\n\r\n") % (
                   method, ruri, self.lport, branch, user, self.lport,
                   user if method == "REGISTER" else "2000", self.callid,
                   self.cseq, method, user, self.lport, extra)
        return ruri, self.send(msg)

    def send(self, msg):
        self.sock.sendto(msg.encode(), ("127.0.0.1", self.port))
        while True:
            data = self.sock.recv(65535).decode("latin-1")
            code = int(data.split(" ", 2)[1])
            if code >= 200:
                if data.startswith("SIP/2.0") and "INVITE" in data.split("CSeq:")[1].split("\r\n")[0]:
                    self.ack(data)
                return data

    def ack(self, resp):
        # RFC 3261 17.1.1.3: ACK for a non-2xx final response to INVITE.
        via = re.search(r"^Via: ([^\r\n]+)", resp, re.M | re.I).group(1)
        to = re.search(r"^To: ([^\r\n]+)", resp, re.M | re.I).group(1)
        frm = re.search(r"^From: ([^\r\n]+)", resp, re.M | re.I).group(1)
        cseq = int(re.search(r"^CSeq: (\d+)", resp, re.M | re.I).group(1))
        msg = ("ACK sip:2000@127.0.0.1:%d SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n"
               "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nContent-Length: 0\r\n\r\n") % (
                   self.port, via, frm, to, self.callid, cseq)
        self.sock.sendto(msg.encode(), ("127.0.0.1", self.port))


def challenges(resp):
    out = []
    for m in re.finditer(r"^(?:WWW|Proxy)-Authenticate: *Digest (.*?)\r$", resp, re.M | re.I):
        params = dict((k.lower(), v1 or v2) for k, v1, v2 in
                      re.findall(r'([A-Za-z-]+)=(?:"([^"]*)"|([^\s,]+))', m.group(1)))
        out.append(params)
    return out


def authorization(ch, method, uri, user, password, nc=1, qop=True):
    alg = ch.get("algorithm", "MD5")
    ha1 = H(alg, "%s:%s:%s" % (user, ch["realm"], password))
    ha2 = H(alg, "%s:%s" % (method, uri))
    cnonce = "%x" % random.getrandbits(32)
    ncs = "%08x" % nc
    if qop:
        resp = H(alg, ":".join([ha1, ch["nonce"], ncs, cnonce, "auth", ha2]))
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
                'algorithm=%s, cnonce="%s", qop=auth, nc=%s, opaque="%s"') % (
                    user, ch["realm"], ch["nonce"], uri, resp, alg, cnonce, ncs, ch["opaque"])
    resp = H(alg, ":".join([ha1, ch["nonce"], ha2]))
    return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
            'opaque="%s"') % (user, ch["realm"], ch["nonce"], uri, resp, ch["opaque"])


def show(label, resp):
    status = resp.split("\r\n", 1)[0]
    keep = [l for l in resp.split("\r\n")
            if re.match(r"(WWW-Authenticate|Proxy-Authenticate|X-Auth-[A-Za-z]+):", l, re.I)]
    print("%s %s | %s" % (label, status, " | ".join(keep)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("case")
    ap.add_argument("--alg", default="SHA-256")
    ap.add_argument("--method", default="REGISTER")
    ap.add_argument("--user", default="1000")
    ap.add_argument("--password", default="1234")
    ap.add_argument("--wait", type=float, default=0)
    a = ap.parse_args()
    hname = "Authorization" if a.method == "REGISTER" else "Proxy-Authorization"

    c = Client(a.port)
    uri, r = c.request(a.method, a.user)
    show("challenge", r)
    chs = [ch for ch in challenges(r) if ch.get("algorithm", "MD5") == a.alg]
    if not chs:
        print("no %s challenge" % a.alg)
        return 1
    ch = chs[0]
    if a.case == "ok":
        _, r = c.request(a.method, a.user, "%s: %s\r\n" % (hname, authorization(
            ch, a.method, uri, a.user, a.password)))
        show("auth", r)
    elif a.case == "replay":
        hdr = "%s: %s\r\n" % (hname, authorization(ch, a.method, uri, a.user, a.password))
        _, r = c.request(a.method, a.user, hdr)
        show("auth", r)
        # the very same credentials (same nonce, same nc) in a new request
        c2 = Client(a.port)
        _, r = c2.request(a.method, a.user, hdr)
        show("replay", r)
        # nc 2 on the same nonce is fine (RFC 7616 3.4)
        _, r = c.request(a.method, a.user, "%s: %s\r\n" % (hname, authorization(
            ch, a.method, uri, a.user, a.password, nc=2)))
        show("nc2", r)
    elif a.case == "noqop":
        hdr = "%s: %s\r\n" % (hname, authorization(ch, a.method, uri, a.user, a.password,
                                                    qop=False))
        _, r = c.request(a.method, a.user, hdr)
        show("auth", r)
        _, r = c.request(a.method, a.user, hdr)
        show("again", r)
    elif a.case == "stale":
        time.sleep(a.wait)
        _, r = c.request(a.method, a.user, "%s: %s\r\n" % (hname, authorization(
            ch, a.method, uri, a.user, a.password)))
        show("stale", r)
        # RFC 7616 3.3: retry with the new nonce, without asking the user
        ch2 = [x for x in challenges(r) if x.get("algorithm", "MD5") == a.alg][0]
        _, r = c.request(a.method, a.user, "%s: %s\r\n" % (hname, authorization(
            ch2, a.method, uri, a.user, a.password)))
        show("retry", r)
    elif a.case == "malformed":
        for bad in ['Digest username="1000", realm="127.0.0.1", nonce="x',
                    'Digest username=, realm="127.0.0.1"',
                    'Digest ' + 'a' * 3000,
                    'Digest username="1000", realm="127.0.0.1", nonce="%s", uri="%s", '
                    'response="zz", qop=auth, nc=00000001, cnonce="c"' % (ch["nonce"], uri),
                    'Basic MTAwMDoxMjM0']:
            _, r = c.request(a.method, a.user, "%s: %s\r\n" % (hname, bad))
            show("malformed", r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
