#!/usr/bin/env python3
"""audio.py - test signals and how closely a received recording follows them.

  audio.py gen OUT.wav SECONDS [RATE] [SEED]
      A deterministic signal (one per SEED) that is easy to recognise after a codec: tone
      bursts of changing frequency (300-3000 Hz), length and level with
      short gaps, 16-bit mono.

  audio.py corr RECEIVED.wav SENT.wav [--min-env X] [--min-wave Y] [--min-rms R]
      Aligns the received recording with the sent signal and prints
        rms        level of the aligned received audio
        lag_ms     how much later the received audio is
        env        correlation of the 10 ms loudness envelopes (timing and
                   level structure: a burst sequence arrives in order)
        wave       normalised cross-correlation of the waveforms at the
                   best sample lag (the sound itself, not just its rhythm)
      and exits non-zero when a figure is below its threshold. Any rate or
      channel count is accepted: both sides are mixed to mono and brought
      to 8 kHz first.

  audio.py dtmf OUT.wav DIGITS [ON_MS] [OFF_MS] [LEAD_MS]
      DTMF tones for DIGITS (0-9 * # A-D) at 8 kHz: the ITU-T Q.23 row and
      column frequencies summed, each at about -10 dBm0, ON_MS (default
      100) of tone then OFF_MS (default 100) of silence per digit, after
      LEAD_MS (default 200) of silence. Synthesised here, independent of
      the detector under test.

  audio.py rtp-pcap OUT.pcap IN.wav pcmu|pcma [PTIME_MS]
      IN.wav (8 kHz mono) as G.711 RTP (RFC 3551: PT 0 or 8, PTIME_MS
      default 20) in a pcap (Ethernet/IPv4/UDP, 127.0.0.1:6000 -> :6002)
      that SIPp's play_pcap_audio replays.
"""
import math
import random
import struct
import sys
import wave


def read(path):
    w = wave.open(path)
    rate, ch, width, n = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
    raw = w.readframes(n)
    if width != 2:
        sys.exit("%s: %d-byte samples, expected 16-bit" % (path, width))
    s = struct.unpack("<%dh" % (len(raw) // 2), raw)
    if ch > 1:
        s = [sum(s[i:i + ch]) / ch for i in range(0, len(s) - ch + 1, ch)]
    if rate % 8000:
        sys.exit("%s: rate %d is not a multiple of 8000" % (path, rate))
    k = rate // 8000
    if k > 1:  # box filter + decimation: enough for a correlation figure
        s = [sum(s[i:i + k]) / k for i in range(0, len(s) - k + 1, k)]
    return [float(x) for x in s]


def write(path, samples, rate):
    w = wave.open(path, "wb")
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(struct.pack("<%dh" % len(samples), *samples))
    w.close()


def gen(path, seconds, rate=8000, seed=4733):
    rnd = random.Random(seed)
    out, t = [], 0
    total = int(seconds * rate)
    while len(out) < total:
        f = rnd.uniform(300, 3000)
        dur = int(rate * rnd.uniform(0.08, 0.30))
        amp = rnd.uniform(3000, 12000)
        for i in range(dur):
            # 5 ms ramps so bursts have no clicks
            ramp = min(1.0, i / (0.005 * rate), (dur - i) / (0.005 * rate))
            out.append(int(amp * ramp * math.sin(2 * math.pi * f * t / rate)))
            t += 1
        out.extend([0] * int(rate * rnd.uniform(0.02, 0.12)))
    out = out[:total]
    write(path, out, rate)


def envelope(x, n=80):
    return [math.sqrt(sum(v * v for v in x[i:i + n]) / n) for i in range(0, len(x) - n + 1, n)]


def ncc(a, b):
    m = min(len(a), len(b))
    if m == 0:
        return 0.0
    a, b = a[:m], b[:m]
    ma, mb = sum(a) / m, sum(b) / m
    num = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    den = math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))
    return num / den if den else 0.0


def corr(rx_path, tx_path, min_env, min_wave, min_rms):
    rx, tx = read(rx_path), read(tx_path)
    er, et = envelope(rx), envelope(tx)
    # The received audio starts somewhere in the sent signal: skip the
    # first second (call set-up, jitter buffer fill), take up to 2.5 s, and
    # find where in the sent signal it best fits (lag in 10 ms frames).
    start, win = 100, 250
    if len(er) < start + 100:
        sys.exit("received only %.2f s of audio" % (len(rx) / 8000))
    win = min(win, len(er) - start)
    seg = er[start:start + win]
    best, best_lag = -2.0, 0
    for lag in range(-start, len(et) - win - start + 1):
        c = ncc(seg, et[start + lag:start + lag + win])
        if c > best:
            best, best_lag = c, lag
    # Waveform correlation at the best sample lag around the envelope's.
    s0 = start * 80
    n = min(16000, len(rx) - s0)
    wseg = rx[s0:s0 + n]
    wbest = 0.0
    base = (start + best_lag) * 80
    for d in range(-80, 81):
        o = base + d
        if o < 0 or o + n > len(tx):
            continue
        c = ncc(wseg, tx[o:o + n])
        if c > wbest:
            wbest = c
    rms = math.sqrt(sum(v * v for v in wseg) / len(wseg))
    print("rms %.0f, lag_ms %d, env %.3f, wave %.3f" % (rms, -best_lag * 10, best, wbest))
    bad = []
    if rms < min_rms:
        bad.append("received audio is too quiet (rms %.0f < %.0f)" % (rms, min_rms))
    if best < min_env:
        bad.append("envelope correlation %.3f < %.3f" % (best, min_env))
    if wbest < min_wave:
        bad.append("waveform correlation %.3f < %.3f" % (wbest, min_wave))
    if bad:
        sys.exit("; ".join(bad))


DTMF_ROWS = (697, 770, 852, 941)
DTMF_COLS = (1209, 1336, 1477, 1633)
DTMF_KEYS = ("123A", "456B", "789C", "*0#D")


def dtmf(path, digits, on_ms=100, off_ms=100, lead_ms=200):
    rate = 8000
    # 0 dBm0 is a sine of peak 32767 * 10^(-3.14/20) (G.711 law); -10 dBm0:
    amp = 32767 * 10 ** (-3.14 / 20) * 10 ** (-10 / 20)
    out = [0] * (rate * lead_ms // 1000)
    for d in digits:
        row = next((r for r, keys in enumerate(DTMF_KEYS) if d in keys), None)
        if row is None:
            sys.exit("not a DTMF digit: %r" % d)
        f1, f2 = DTMF_ROWS[row], DTMF_COLS[DTMF_KEYS[row].index(d)]
        for i in range(rate * on_ms // 1000):
            t = i / rate
            out.append(int(amp * (math.sin(2 * math.pi * f1 * t) + math.sin(2 * math.pi * f2 * t))))
        out.extend([0] * (rate * off_ms // 1000))
    write(path, out, rate)


def ulaw(x):
    """G.711 mu-law of one 16-bit sample."""
    x = int(x) >> 2  # 14 bits
    mask = 0x7F if x < 0 else 0xFF
    x = min(abs(x), 8159) + 0x21
    seg = max(0, x.bit_length() - 6)
    if seg > 7:
        return 0x7F ^ mask
    return ((seg << 4) | ((x >> (seg + 1)) & 0x0F)) ^ mask


def alaw(x):
    """G.711 A-law of one 16-bit sample."""
    x = int(x) >> 3  # 13 bits
    mask = 0xD5 if x >= 0 else 0x55
    if x < 0:
        x = -x - 1
    seg = max(0, x.bit_length() - 5)
    if seg > 7:
        return 0x7F ^ mask
    v = (x >> 1) & 0x0F if seg < 2 else (x >> seg) & 0x0F
    return ((seg << 4) | v) ^ mask


def rtp_pcap(out_path, in_path, codec, ptime_ms=20):
    s = read(in_path)
    pt, enc = {"pcmu": (0, ulaw), "pcma": (8, alaw)}[codec]
    spp = 8 * ptime_ms
    pcap = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    ssrc, seq, ts = 0x4A554E43, 1000, 160000
    for k in range(0, len(s) - spp + 1, spp):
        payload = bytes(enc(v) for v in s[k:k + spp])
        rtp = struct.pack("!BBHII", 0x80, (0x80 if k == 0 else 0) | pt, seq & 0xFFFF, ts, ssrc)
        udp_len = 8 + len(rtp) + len(payload)
        udp = struct.pack("!HHHH", 6000, 6002, udp_len, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, seq & 0xFFFF, 0x4000, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        csum = sum(struct.unpack("!10H", ip))
        csum = (csum & 0xFFFF) + (csum >> 16)
        csum = (csum & 0xFFFF) + (csum >> 16)
        ip = ip[:10] + struct.pack("!H", ~csum & 0xFFFF) + ip[12:]
        eth = b"\x00" * 12 + b"\x08\x00"
        frame = eth + ip + udp + rtp + payload
        t_us = k * 125  # 8 kHz: 125 us a sample
        pcap.append(struct.pack("<IIII", t_us // 1000000, t_us % 1000000, len(frame), len(frame)))
        pcap.append(frame)
        seq += 1
        ts += spp
    with open(out_path, "wb") as f:
        f.write(b"".join(pcap))


def main(argv):
    if len(argv) >= 3 and argv[0] == "gen":
        gen(argv[1], float(argv[2]), int(argv[3]) if len(argv) > 3 else 8000,
            int(argv[4]) if len(argv) > 4 else 4733)
        return
    if len(argv) >= 3 and argv[0] == "corr":
        opts = {"--min-env": 0.9, "--min-wave": 0.5, "--min-rms": 300.0}
        rest = argv[3:]
        while rest:
            if rest[0] not in opts or len(rest) < 2:
                sys.exit("unknown option %s" % rest[0])
            opts[rest[0]] = float(rest[1])
            rest = rest[2:]
        corr(argv[1], argv[2], opts["--min-env"], opts["--min-wave"], opts["--min-rms"])
        return
    if len(argv) >= 3 and argv[0] == "dtmf":
        dtmf(argv[1], argv[2], *[int(a) for a in argv[3:6]])
        return
    if len(argv) >= 4 and argv[0] == "rtp-pcap" and argv[3] in ("pcmu", "pcma"):
        rtp_pcap(argv[1], argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 20)
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
