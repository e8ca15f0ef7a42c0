/* bench_media.c - media engine benchmarks (make bench, never make test).
 *
 * The engine runs in this process exactly as in junctiond: the "media" API
 * on a real SIP-thread loop, one real worker thread (workers: 1, so every
 * figure is per core). UDP "phones" on 127.0.0.1 drive it:
 *
 *   relay      N bridged PCMU calls (2N legs), each leg's phone sending
 *              50 packets/s of 172-byte PCMU RTP; the payload carries the
 *              send time, which the relay leaves unchanged, so every packet
 *              gives its loss, lateness (> 60 ms) and one-way latency.
 *   transcode  N calls PCMU <-> G.729 or PCMU <-> Opus, both directions
 *              carrying audio (cycles of 100 ms silence + 400 ms signal);
 *              latency from the onset of each burst after silence, loss from
 *              the jitter buffers' lost count and the engine's output rate.
 *   raw        the same codec calls on the same frames, timed alone through
 *              codec.h: the engine's overhead as a ratio.
 *
 * CPU is the worker thread's own CPU time (its per-thread clock), not wall
 * time: the machine is shared and the load generator runs on it too. Calls
 * per core = N / the worker's CPU fraction at the largest load step that
 * still had < 0.5 % late or lost packets. Load steps are bounded in count
 * (at most MAX_STEPS per scenario) and time (-t seconds each); all traffic
 * stays on 127.0.0.1.
 *
 *   bench_media [-t SECONDS_PER_STEP] [-o relay,g729,opus]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include <spandsp.h>

#include "loop.h"
#include "media.h"
#include "rtp.h"

static const media_api_t *api = &media_api_v1;

#define MAX_CALLS 1500
#define MAX_LEGS  (2 * MAX_CALLS)
#define PHONES    8  /* phone sockets shared by all legs (latching keys on the source) */
#define SLOTS     10 /* a 20 ms period is sent in 10 slots of 2 ms, not in one burst */
#define PERIOD_NS 20000000LL
#define BATCH     64
#define CYCLE     25 /* transcoding frames: QUIET silent ones, then signal */
#define QUIET     5
#define LATE_NS   60000000LL /* relay: later than this counts as lost */
#define MAX_STEPS 8          /* per scenario, repeats included */
#define RETRIES   2
#define HIST_BINS 100000 /* latency histogram, 10 us bins up to 1 s */
#define BAD_LIMIT 0.005  /* < 0.5 % late or lost */
#define RTP_MIN   10000  /* below the range the integration tests use (20000-39999) */
#define RTP_MAX   16383

enum mode { RELAY, TRANSCODE };

struct leg {
	media_session_t *s;
	unsigned port; /* the engine's RTP port for this leg */
	int peer;      /* the other leg of the call */
	int b;         /* the B side (codec X when transcoding) */
	uint32_t ssrc;
	/* sender thread */
	uint16_t seq;
	int fresh; /* marker on the first packet of a step */
	uint64_t sent;
	int64_t onset_ns; /* atomic: when the latest burst onset was sent */
	/* receiver thread */
	uint64_t rx, late;
	int quiet;
	media_codec_t *dec; /* receiving side decoder (probe legs only) */
	int64_t first_ns, last_ns, max_gap;
	unsigned out_n;
};

static struct {
	enum mode mode;
	const media_codec_def_t *x; /* B-leg codec when transcoding */
	int xpt;
	const char *xfmt;
	struct leg legs[MAX_LEGS];
	int ncalls;
	int phone[PHONES];
	unsigned phone_port[PHONES];
	uint16_t port2leg[65536]; /* engine RTP port -> leg + 1 */
	/* transcoding frames, the same for the engine run and the raw cost */
	uint8_t pcmu[CYCLE][160];
	uint8_t xpay[CYCLE][400];
	int xlen[CYCLE];
	int16_t pcm[CYCLE][160];
	/* the step in progress */
	int64_t t_start, t_end, t_rx_end;
	uint32_t tag;
	uint32_t hist[HIST_BINS + 1];
	uint64_t nlat;
	pid_t workers[16];
	int nworkers;
	double step_s;
} B;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_media: %s\n", what);
	exit(1);
}

/* ---- the SIP loop --------------------------------------------------------- */

static void stop_cb(jn_timer_t *t, void *data)
{
	loop_break();
}

static void spin(unsigned ms)
{
	jn_timer_start(ms ? ms : 1, stop_cb, NULL);
	loop_run();
}

static void spin_until(int64_t t)
{
	int64_t d;
	while ((d = t - now_ns()) > 0)
		spin((unsigned)((d + 999999) / 1000000));
}

/* ---- worker CPU ------------------------------------------------------------ */

/* The worker threads, by the name engine.c gives them. */
static void find_workers(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	B.nworkers = 0;
	while (d && (e = readdir(d)) && B.nworkers < 16) {
		char path[300], name[32] = "";
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, "jn-media", 8))
			B.workers[B.nworkers++] = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
}

/* CPU seconds of a thread of this process: its per-thread CPU clock (the
 * clockid pthread_getcpuclockid() builds from the kernel thread id), else
 * /proc ticks. */
static double thread_cpu(pid_t tid)
{
	struct timespec ts;
	clockid_t id = (clockid_t)((~(unsigned)tid << 3) | 6);
	if (clock_gettime(id, &ts) == 0)
		return (double)ts.tv_sec + ts.tv_nsec / 1e9;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	unsigned long ut = 0, st = 0;
	if (f) {
		if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		           &ut, &st) != 2)
			ut = st = 0;
		fclose(f);
	}
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double workers_cpu(void)
{
	double t = 0;
	for (int i = 0; i < B.nworkers; i++)
		t += thread_cpu(B.workers[i]);
	return t;
}

/* Seconds the workers spent runnable but waiting for a CPU (schedstat):
 * how much the shared machine, not the engine, held them back. */
static double workers_wait(void)
{
	double t = 0;
	for (int i = 0; i < B.nworkers; i++) {
		char path[64];
		unsigned long long run = 0, wait = 0;
		snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)B.workers[i]);
		FILE *f = fopen(path, "r");
		if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
			t += wait / 1e9;
		if (f)
			fclose(f);
	}
	return t;
}

static double process_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- phones and calls -------------------------------------------------------- */

static void open_phones(void)
{
	for (int i = 0; i < PHONES; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in a = {.sin_family = AF_INET};
		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		socklen_t sl = sizeof(a);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sl) < 0 ||
		    getsockname(fd, (struct sockaddr *)&a, &sl) < 0)
			die("cannot bind a phone socket on 127.0.0.1");
		int sz = 16 << 20, on = 1;
		/* The load of many legs in one socket: room for bursts. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		/* Arrival time taken by the kernel: the receiver thread's own
		 * scheduling delay is not the engine's latency. */
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
		B.phone[i] = fd;
		B.phone_port[i] = ntohs(a.sin_port);
	}
}

/* A session answering its phone's one-codec offer. */
static media_session_t *new_leg(int l, const char *fmt, media_session_t *near)
{
	media_session_opts_t o = {.size = sizeof(o), .near = near};
	media_session_t *s;
	if (api->session_create(&o, &s) != 0)
		die("session_create failed (port range or file descriptors exhausted?)");
	char *offer = NULL, *answer = NULL, err[128];
	if (asprintf(&offer,
	             "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	             "t=0 0\r\nm=audio %u RTP/AVP %s",
	             B.phone_port[l % PHONES], fmt) < 0)
		die("out of memory");
	if (api->sdp_answer(s, offer, strlen(offer), &answer, err, sizeof(err)) != 0)
		die(err);
	free(offer);
	free(answer);
	media_stream_info_t i = {.size = sizeof(i)};
	api->stream_info(s, &i);
	struct leg *g = &B.legs[l];
	memset(g, 0, sizeof(*g));
	g->s = s;
	g->port = i.local_port;
	g->ssrc = 0x10000u + (uint32_t)l;
	B.port2leg[g->port] = (uint16_t)(l + 1);
	return s;
}

static void add_calls(int n)
{
	for (int c = B.ncalls; c < n; c++) {
		int a = 2 * c, b = a + 1;
		media_session_t *sa = new_leg(a, "0\r\n", NULL);
		media_session_t *sb = new_leg(b, B.mode == RELAY ? "0\r\n" : B.xfmt, sa);
		B.legs[a].peer = b;
		B.legs[b].peer = a;
		B.legs[b].b = 1;
		/* Probe calls: their compressed direction is decoded here to
		 * find burst onsets (PCMU is checked on every leg). */
		if (B.mode == TRANSCODE && c < 8 &&
		    media_codec_open(B.x, 8000, NULL, &B.legs[b].dec) != 0)
			die("cannot open a decoder");
		if (api->connect(sa, sb) != 0)
			die("connect failed");
	}
	B.ncalls = n;
}

static void drop_calls(void)
{
	for (int l = 0; l < 2 * B.ncalls; l++) {
		api->session_destroy(B.legs[l].s);
		B.port2leg[B.legs[l].port] = 0;
		media_codec_close(B.legs[l].dec);
		B.legs[l].dec = NULL;
	}
	B.ncalls = 0;
	spin(100); /* the workers' frees run here */
}

/* ---- frames ------------------------------------------------------------------- */

/* 100 ms of silence, then 400 ms of a 300..3000 Hz sweep with some noise:
 * speech-like load for the codecs and a clean onset for the latency. */
static void make_frames(void)
{
	uint32_t rnd = 12345;
	for (int f = 0; f < CYCLE; f++)
		for (int i = 0; i < 160; i++) {
			double t = ((f - QUIET) * 160 + i) / 8000.0, dur = (CYCLE - QUIET) * 0.02;
			rnd = rnd * 1103515245u + 12345u;
			double noise = ((int)(rnd >> 16 & 0x7ff) - 1024) / 2.0;
			B.pcm[f][i] =
			    f < QUIET ? 0
			              : (int16_t)(7000 * sin(2 * M_PI *
			                                     (300 * t + 2700 * t * t / (2 * dur))) +
			                          noise);
		}
	media_codec_t *e;
	if (media_codec_open(&media_codec_pcmu, 8000, NULL, &e) != 0)
		die("no PCMU");
	for (int f = 0; f < CYCLE; f++)
		e->def->encode(e, B.pcm[f], 160, B.pcmu[f], 160);
	media_codec_close(e);
	if (!B.x)
		return;
	if (media_codec_open(B.x, 8000, NULL, &e) != 0)
		die("cannot open the codec");
	/* Twice round, so the frames sent are those of an encoder in its
	 * steady state over the loop. */
	for (int r = 0; r < 2; r++)
		for (int f = 0; f < CYCLE; f++)
			if ((B.xlen[f] = e->def->encode(e, B.pcm[f], 160, B.xpay[f],
			                                sizeof(B.xpay[f]))) <= 0)
				die("encode failed");
	media_codec_close(e);
}

/* ---- sender thread ---------------------------------------------------------- */

/* Relay payload: "JNBM", sending leg, step tag | measured bit, send time
 * (ns, CLOCK_REALTIME like the kernel's receive timestamps), then PCMU
 * silence. */
#define OFF_LEG   4
#define OFF_TAG   8
#define OFF_STAMP 12
#define MEASURED  0x80000000u

struct batch {
	int n;
	int who[BATCH];
	uint8_t pkt[BATCH][12 + 400];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to[BATCH];
};

static void flush(struct batch *q, int fd, int64_t period)
{
	int64_t stamp = now_ns();
	for (int i = 0; i < q->n; i++) {
		struct leg *g = &B.legs[q->who[i]];
		if (B.mode == RELAY)
			memcpy(q->pkt[i] + 12 + OFF_STAMP, &stamp, 8);
		else if ((period + q->who[i]) % CYCLE == QUIET)
			__atomic_store_n(&g->onset_ns, stamp, __ATOMIC_RELAXED);
	}
	int k = 0;
	while (k < q->n) {
		int r = sendmmsg(fd, q->mm + k, (unsigned)(q->n - k), 0);
		if (r <= 0)
			break;
		k += r;
	}
	q->n = 0;
}

static void queue_leg(struct batch *q, int l, int64_t period, int measured)
{
	struct leg *g = &B.legs[l];
	uint8_t *b = q->pkt[q->n];
	int x = B.mode == TRANSCODE && g->b;
	unsigned f = (unsigned)((period + l) % CYCLE);
	size_t plen = x ? (size_t)B.xlen[f] : 160;
	uint32_t rts = (uint32_t)(period * ((x ? B.x->clock_rate : 8000) / 50));
	b[0] = 0x80;
	b[1] = (uint8_t)((x ? B.xpt : 0) | (g->fresh ? 0x80 : 0)); /* marker: talkspurt */
	b[2] = (uint8_t)(g->seq >> 8);
	b[3] = (uint8_t)g->seq;
	b[4] = (uint8_t)(rts >> 24);
	b[5] = (uint8_t)(rts >> 16);
	b[6] = (uint8_t)(rts >> 8);
	b[7] = (uint8_t)rts;
	b[8] = (uint8_t)(g->ssrc >> 24);
	b[9] = (uint8_t)(g->ssrc >> 16);
	b[10] = (uint8_t)(g->ssrc >> 8);
	b[11] = (uint8_t)g->ssrc;
	if (x) {
		memcpy(b + 12, B.xpay[f], plen);
	} else if (B.mode == TRANSCODE) {
		memcpy(b + 12, B.pcmu[f], plen);
	} else {
		uint32_t from = (uint32_t)l, tag = B.tag | (measured ? MEASURED : 0);
		memset(b + 12, 0xff, 160);
		memcpy(b + 12, "JNBM", 4);
		memcpy(b + 12 + OFF_LEG, &from, 4);
		memcpy(b + 12 + OFF_TAG, &tag, 4);
	}
	g->seq++;
	g->fresh = 0;
	if (measured)
		g->sent++;
	q->who[q->n] = l;
	q->to[q->n] = (struct sockaddr_in){.sin_family = AF_INET,
	                                   .sin_port = htons((uint16_t)g->port),
	                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	q->iov[q->n] = (struct iovec){.iov_base = b, .iov_len = 12 + plen};
	memset(&q->mm[q->n], 0, sizeof(q->mm[q->n]));
	q->mm[q->n].msg_hdr.msg_name = &q->to[q->n];
	q->mm[q->n].msg_hdr.msg_namelen = sizeof(q->to[q->n]);
	q->mm[q->n].msg_hdr.msg_iov = &q->iov[q->n];
	q->mm[q->n].msg_hdr.msg_iovlen = 1;
	q->n++;
}

/* Every leg sends one packet per 20 ms period; leg l in slot
 * (l / PHONES) % SLOTS of the period, from phone socket l % PHONES, so the
 * load is spread over the period as independent phones would spread it. */
static void *sender_main(void *arg)
{
	static struct batch q;
	int nlegs = 2 * B.ncalls;
	const int64_t slot_ns = PERIOD_NS / SLOTS;
	for (int l = 0; l < nlegs; l++)
		B.legs[l].fresh = 1;
	for (int64_t t = (now_ns() / slot_ns + 1) * slot_ns; t < B.t_end; t += slot_ns) {
		struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};
		while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		int measured = t >= B.t_start;
		int64_t period = t / PERIOD_NS;
		int slot = (int)(t / slot_ns % SLOTS);
		for (int p = 0; p < PHONES; p++) {
			q.n = 0;
			for (int l = p + PHONES * slot; l < nlegs; l += PHONES * SLOTS) {
				queue_leg(&q, l, period, measured);
				if (q.n == BATCH)
					flush(&q, B.phone[p], period);
			}
			if (q.n)
				flush(&q, B.phone[p], period);
		}
	}
	return NULL;
}

/* ---- receiver thread --------------------------------------------------------- */

static void hist_add(int64_t ns)
{
	int64_t bin = ns < 0 ? 0 : ns / 10000;
	B.hist[bin > HIST_BINS ? HIST_BINS : bin]++;
	B.nlat++;
}

static double hist_pct(double pct)
{
	uint64_t want = (uint64_t)ceil(B.nlat * pct / 100.0), acc = 0;
	for (int i = 0; i <= HIST_BINS; i++)
		if ((acc += B.hist[i]) >= want && want)
			return (i + 0.5) / 100.0; /* ms */
	return 0;
}

static void on_relayed(struct leg *g, const uint8_t *pay, size_t len, int64_t arr)
{
	uint32_t from, tag;
	int64_t stamp;
	if (len < 20 || memcmp(pay, "JNBM", 4))
		return;
	memcpy(&from, pay + OFF_LEG, 4);
	memcpy(&tag, pay + OFF_TAG, 4);
	memcpy(&stamp, pay + OFF_STAMP, 8);
	/* what leg g's session sends is what its peer's phone sent */
	if (tag != (B.tag | MEASURED) || from != (uint32_t)g->peer)
		return;
	struct leg *src = &B.legs[from];
	src->rx++;
	if (arr - stamp > LATE_NS)
		src->late++;
	hist_add(arr - stamp);
}

static void on_transcoded(struct leg *g, const rtp_hdr_t *h, int64_t arr)
{
	if (arr >= B.t_start && arr < B.t_end) {
		if (!g->out_n)
			g->first_ns = arr;
		else if (arr - g->last_ns > g->max_gap)
			g->max_gap = arr - g->last_ns;
		g->last_ns = arr;
		g->out_n++;
	}
	/* Onset of a burst after silence: the first sample above the
	 * threshold, in a packet that follows >= 3 quiet ones. */
	int16_t pcm[5760];
	int n = 0;
	if (!g->b && h->pt == 0) {
		for (size_t i = 0; i < h->payload_len && i < 160; i++)
			pcm[n++] = ulaw_to_linear(h->payload[i]);
	} else if (g->dec && (int)h->pt == B.xpt) {
		n = g->dec->def->decode(g->dec, h->payload, h->payload_len, pcm, 5760);
	}
	if (n <= 0)
		return;
	int first = -1, peak = 0;
	for (int i = 0; i < n; i++) {
		int v = abs(pcm[i]);
		if (v > peak)
			peak = v;
		if (first < 0 && v > 1500)
			first = i;
	}
	if (first >= 0 && g->quiet >= 3 && arr >= B.t_start && arr < B.t_end) {
		int64_t onset = __atomic_load_n(&B.legs[g->peer].onset_ns, __ATOMIC_RELAXED);
		int64_t lat = arr + (int64_t)first * 1000000000LL / 8000 - onset;
		if (onset && lat > -PERIOD_NS && lat < CYCLE * PERIOD_NS)
			hist_add(lat);
	}
	g->quiet = peak < 300 ? g->quiet + 1 : 0;
}

static void *receiver_main(void *arg)
{
	static uint8_t bufs[BATCH][1600];
	static char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct sockaddr_in src[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	struct pollfd pf[PHONES];
	for (int i = 0; i < PHONES; i++)
		pf[i] = (struct pollfd){.fd = B.phone[i], .events = POLLIN};
	while (now_ns() < B.t_rx_end) {
		if (poll(pf, PHONES, 20) <= 0)
			continue;
		for (int p = 0; p < PHONES; p++) {
			if (!(pf[p].revents & POLLIN))
				continue;
			for (int round = 0; round < 16; round++) {
				for (int i = 0; i < BATCH; i++) {
					iov[i] = (struct iovec){.iov_base = bufs[i],
					                        .iov_len = sizeof(bufs[i])};
					memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
					mm[i].msg_hdr.msg_name = &src[i];
					mm[i].msg_hdr.msg_namelen = sizeof(src[i]);
					mm[i].msg_hdr.msg_iov = &iov[i];
					mm[i].msg_hdr.msg_iovlen = 1;
					mm[i].msg_hdr.msg_control = ctl[i];
					mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
				}
				int n = recvmmsg(B.phone[p], mm, BATCH, MSG_DONTWAIT, NULL);
				if (n <= 0)
					break;
				int64_t fallback = now_ns();
				for (int i = 0; i < n; i++) {
					int64_t arr = fallback;
					for (struct cmsghdr *c = CMSG_FIRSTHDR(&mm[i].msg_hdr); c;
					     c = CMSG_NXTHDR(&mm[i].msg_hdr, c))
						if (c->cmsg_level == SOL_SOCKET &&
						    c->cmsg_type == SCM_TIMESTAMPNS) {
							struct timespec ts;
							memcpy(&ts, CMSG_DATA(c), sizeof(ts));
							arr = (int64_t)ts.tv_sec * 1000000000LL +
							      ts.tv_nsec;
						}
					int l = B.port2leg[ntohs(src[i].sin_port)] - 1;
					rtp_hdr_t h;
					if (l < 0 || rtp_parse(bufs[i], mm[i].msg_len, &h) < 0)
						continue;
					if (B.mode == RELAY)
						on_relayed(&B.legs[l], h.payload, h.payload_len,
						           arr);
					else
						on_transcoded(&B.legs[l], &h, arr);
				}
				if (n < BATCH)
					break;
			}
		}
	}
	return NULL;
}

/* ---- one load step ------------------------------------------------------------- */

struct result {
	int n;
	double wall, wcpu, pcpu; /* measured window; worker and process CPU seconds */
	double wwait;            /* worker runnable, waiting for a CPU, seconds */
	uint64_t sent, lost, late;
	double bad; /* (lost + late) / sent */
	double p50, p99;
	uint64_t nlat;
	double max_gap_ms; /* transcoding: longest pause in a leg's output */
	double jitter_ms;  /* transcoding: mean interarrival jitter the engine saw */
	int short_legs;    /* transcoding: legs with packets missing */
};

/* Jitter buffers: packets lost (sum), and the mean RFC 3550 jitter (ms)
 * through *jitter when not NULL. */
static uint64_t jb_lost(double *jitter)
{
	uint64_t t = 0, j = 0;
	for (int l = 0; l < 2 * B.ncalls; l++) {
		media_stats_t st = {.size = sizeof(st)};
		if (api->stats(B.legs[l].s, &st) == 0) {
			t += st.lost;
			j += st.jitter_ms;
		}
	}
	if (jitter)
		*jitter = B.ncalls ? (double)j / (2 * B.ncalls) : 0;
	return t;
}

static void run_step(struct result *r)
{
	int nlegs = 2 * B.ncalls;
	for (int l = 0; l < nlegs; l++) {
		struct leg *g = &B.legs[l];
		g->sent = g->rx = g->late = 0;
		g->out_n = 0;
		g->max_gap = 0;
		g->quiet = 0;
	}
	memset(B.hist, 0, sizeof(B.hist));
	B.nlat = 0;
	B.tag++;
	/* Warm-up: latching, jitter buffers settling; then the window. */
	int64_t t0 = now_ns();
	B.t_start = t0 + 800000000LL;
	B.t_end = B.t_start + (int64_t)(B.step_s * 1e9);
	B.t_rx_end = B.t_end + 300000000LL;
	pthread_t ts, tr;
	if (pthread_create(&tr, NULL, receiver_main, NULL))
		die("cannot start the receiver thread");
	if (pthread_create(&ts, NULL, sender_main, NULL))
		die("cannot start the sender thread");
	spin_until(B.t_start);
	double w0 = workers_cpu(), p0 = process_cpu(), q0 = workers_wait();
	int64_t a = now_ns();
	uint64_t lost0 = B.mode == TRANSCODE ? jb_lost(NULL) : 0;
	spin_until(B.t_end);
	double w1 = workers_cpu(), p1 = process_cpu(), q1 = workers_wait();
	int64_t b = now_ns();
	pthread_join(ts, NULL);
	spin_until(B.t_rx_end);
	pthread_join(tr, NULL);
	double jitter = 0;
	uint64_t lost1 = B.mode == TRANSCODE ? jb_lost(&jitter) : 0;

	memset(r, 0, sizeof(*r));
	r->n = B.ncalls;
	r->wall = (double)(b - a) / 1e9;
	r->wcpu = w1 - w0;
	r->pcpu = p1 - p0;
	r->wwait = q1 - q0;
	r->jitter_ms = jitter;
	for (int l = 0; l < nlegs; l++) {
		struct leg *g = &B.legs[l];
		r->sent += g->sent;
		if (B.mode == RELAY) {
			r->lost += g->sent - (g->rx < g->sent ? g->rx : g->sent);
			r->late += g->late;
		} else {
			/* The engine sends one packet per leg and tick: what is
			 * missing from the 20 ms grid between the first and last
			 * packet seen (or the whole window) was lost or never
			 * produced (an overloaded worker skips ticks). */
			int64_t span = g->out_n ? g->last_ns - g->first_ns : B.t_end - B.t_start;
			uint64_t want =
			    (uint64_t)llround((double)span / PERIOD_NS) + (g->out_n ? 1 : 0);
			if (want > g->out_n) {
				r->lost += want - g->out_n;
				r->short_legs++;
			}
			if (g->max_gap / 1e6 > r->max_gap_ms)
				r->max_gap_ms = g->max_gap / 1e6;
		}
	}
	/* ... and what came too late for (or never reached) a jitter buffer */
	r->late = B.mode == TRANSCODE ? lost1 - lost0 : r->late;
	r->bad = r->sent ? (double)(r->lost + r->late) / (double)r->sent : 1;
	r->nlat = B.nlat;
	r->p50 = hist_pct(50);
	r->p99 = hist_pct(99);
}

/* ---- raw codec cost ---------------------------------------------------------------- */

static double thread_cpu_self(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU microseconds per 20 ms of one full-duplex channel, on the frames the
 * phones send: full = what the engine's pipeline calls for a PCMU <-> X
 * bridge (PCMU decode + X encode, X decode + PCMU encode); else X encode +
 * decode alone (the codec's own cost, as in the bcg729 anchor). */
static double raw_us(const media_codec_def_t *x, int full)
{
	media_codec_t *ea, *da, *ex, *dx;
	if (media_codec_open(&media_codec_pcmu, 8000, NULL, &ea) ||
	    media_codec_open(&media_codec_pcmu, 8000, NULL, &da) ||
	    media_codec_open(x, 8000, NULL, &ex) || media_codec_open(x, 8000, NULL, &dx))
		die("cannot open codecs");
	int16_t pcm[5760];
	uint8_t out[400];
	unsigned frames = 0;
	double c0 = thread_cpu_self(), el = 0;
	while (el < 0.7 && frames < 2000000) {
		for (int f = 0; f < CYCLE; f++, frames++) {
			if (full) {
				da->def->decode(da, B.pcmu[f], 160, pcm, 5760);
				ex->def->encode(ex, pcm, 160, out, sizeof(out));
				dx->def->decode(dx, B.xpay[f], (size_t)B.xlen[f], pcm, 5760);
				ea->def->encode(ea, pcm, 160, out, sizeof(out));
			} else {
				ex->def->encode(ex, B.pcm[f], 160, out, sizeof(out));
				dx->def->decode(dx, B.xpay[f], (size_t)B.xlen[f], pcm, 5760);
			}
		}
		el = thread_cpu_self() - c0;
	}
	media_codec_close(ea);
	media_codec_close(da);
	media_codec_close(ex);
	media_codec_close(dx);
	return el * 1e6 / frames;
}

/* ---- scenarios --------------------------------------------------------------------- */

static double ghz;
static double relay_call_us; /* worker CPU per relayed call and 20 ms: 2 packets in, 2 out */
static char summary[16][320];
static int nsummary;

#define SUMMARY(...) snprintf(summary[nsummary++ % 16], sizeof(summary[0]), __VA_ARGS__)

/* Worker CPU microseconds per call and 20 ms. */
static double per_call_us(const struct result *r)
{
	return r->wcpu * 1e6 / r->n / (r->wall / 0.02);
}

static void print_step(const char *name, const struct result *r)
{
	printf("  %-6s N=%5d  sent %7llu  lost %6.3f %%  late %6.3f %%  worker CPU %5.1f %% "
	       "(waiting %4.1f %%)  bench CPU %5.1f %%  %6.1f us/call/20ms -> %5.0f calls/core  "
	       "latency p50 %6.2f p99 %6.2f ms (%llu)\n",
	       name, r->n, (unsigned long long)r->sent, r->sent ? 100.0 * r->lost / r->sent : 0,
	       r->sent ? 100.0 * r->late / r->sent : 0, 100 * r->wcpu / r->wall,
	       100 * r->wwait / r->wall, 100 * (r->pcpu - r->wcpu) / r->wall, per_call_us(r),
	       r->wcpu > 0 ? r->n / (r->wcpu / r->wall) : 0, r->p50, r->p99,
	       (unsigned long long)r->nlat);
	if (B.mode == TRANSCODE)
		printf(
		    "         engine: mean input jitter %.1f ms; output: %d legs short of packets, "
		    "longest pause %.0f ms\n",
		    r->jitter_ms, r->short_legs, r->max_gap_ms);
	fflush(stdout);
}

/* Load steps: a small probe, then targets of the worker's CPU from the
 * capacity the previous step suggests; stops at the first step with
 * >= 0.5 % bad packets, except that a failed step during which the worker
 * mostly waited for a CPU (the machine is shared) is repeated, at most
 * RETRIES times. Returns the index of the last passing step, or -1. */
static int ramp(const char *name, int first, struct result *res, int *nres)
{
	static const double target[] = {0.15, 0.3, 0.45, 0.6, 0.75};
	int n = first, best = -1, retries = 0;
	unsigned k = 0;
	*nres = 0;
	while (*nres < MAX_STEPS) {
		add_calls(n);
		spin(100);
		struct result *r = &res[(*nres)++];
		run_step(r);
		print_step(name, r);
		if (r->bad >= BAD_LIMIT) {
			if (r->wwait > 0.2 * r->wall && retries < RETRIES) {
				retries++;
				printf("         the worker waited for a CPU %.0f %% of the step: "
				       "once "
				       "more\n",
				       100 * r->wwait / r->wall);
				continue;
			}
			break;
		}
		best = *nres - 1;
		if (k == sizeof(target) / sizeof(target[0]) || n >= MAX_CALLS)
			break;
		double cap = r->wcpu > 0 ? r->n / (r->wcpu / r->wall) : 4.0 * n;
		int next = (int)(cap * target[k++]);
		if (next < n + n / 4)
			next = n + n / 4;
		n = next > MAX_CALLS ? MAX_CALLS : next;
	}
	drop_calls();
	return best;
}

/* Worker CPU fraction = a + b * N over the passing steps (least squares):
 * b is the cost of one more call, a the fixed cost of the tick. Returns
 * the N at which the worker would use a whole core, or 0. */
static double extrapolate(const struct result *res, int nres, double *per_call_us_out)
{
	double sn = 0, sf = 0, snn = 0, snf = 0;
	int m = 0;
	for (int i = 0; i < nres; i++) {
		if (res[i].bad >= BAD_LIMIT || res[i].wall <= 0)
			continue;
		double f = res[i].wcpu / res[i].wall;
		sn += res[i].n;
		sf += f;
		snn += (double)res[i].n * res[i].n;
		snf += res[i].n * f;
		m++;
	}
	double d = m * snn - sn * sn;
	if (m < 2 || d <= 0)
		return 0;
	double b = (m * snf - sn * sf) / d, a = (sf - b * sn) / m;
	if (b <= 0)
		return 0;
	*per_call_us_out = b * 20000;
	return (1 - (a > 0 ? a : 0)) / b;
}

static void relay_scenario(void)
{
	struct result res[MAX_STEPS];
	int nres;
	B.mode = RELAY;
	B.x = NULL;
	printf(
	    "== relay: bridged PCMU calls, 2 legs x 50 packets/s of 172 bytes each, no decoding\n");
	int best = ramp("relay", 50, res, &nres);
	if (best < 0) {
		SUMMARY("relay          no load step passed (< 0.5 %% late/lost)");
		return;
	}
	const struct result *r = &res[best];
	double cpc = r->n / (r->wcpu / r->wall);
	relay_call_us = per_call_us(r);
	SUMMARY(
	    "relay          %6.0f G.711 calls/core (worker %.0f us/call/20ms at N=%d: %.1f %% CPU, "
	    "%.3f %% late/lost) = %.0f per GHz-core at %.2f GHz; Asterisk ~100: x%.1f",
	    cpc, per_call_us(r), r->n, 100 * r->wcpu / r->wall, 100 * r->bad, cpc / ghz, ghz,
	    cpc / ghz / 100);
	double marg = 0, full = extrapolate(res, nres, &marg);
	if (full > 0)
		SUMMARY("relay fit      worker CPU = fixed + %.1f us per call and 20 ms over the "
		        "passing "
		        "steps: a whole core at ~%.0f calls",
		        marg, full);
	SUMMARY("relay latency  p50 %.2f ms  p99 %.2f ms added one-way at N=%d (%llu packets); at "
	        "N=%d: "
	        "p50 %.2f p99 %.2f ms",
	        res[0].p50, res[0].p99, res[0].n, (unsigned long long)res[0].nlat, r->n, r->p50,
	        r->p99);
	if (nres > best + 1)
		SUMMARY(
		    "relay limit    N=%d failed with %.2f %% late/lost (worker %.0f %% CPU, bench "
		    "%.0f %% CPU: the 2-core machine is shared with the load generator)",
		    res[best + 1].n, 100 * res[best + 1].bad,
		    100 * res[best + 1].wcpu / res[best + 1].wall,
		    100 * (res[best + 1].pcpu - res[best + 1].wcpu) / res[best + 1].wall);
}

static void transcode_scenario(const char *label, const char *name, int pt, const char *fmt,
                               double anchor_calls_ghz)
{
	struct result res[MAX_STEPS];
	int nres;
	B.mode = TRANSCODE;
	B.x = media_codec_find(name);
	B.xpt = pt;
	B.xfmt = fmt;
	if (!B.x)
		die("codec missing");
	make_frames();
	double raw = raw_us(B.x, 1), alone = raw_us(B.x, 0);
	printf(
	    "== transcoding PCMU <-> %s, both directions carrying audio (100 ms silence + 400 ms "
	    "sweep, looped)\n  raw codec calls per channel and 20 ms: %.1f us (PCMU dec + %s enc + "
	    "%s dec + PCMU enc) = %.0f channels/core; %s enc + dec alone %.1f us = %.0f/core\n",
	    label, raw, label, label, 20000 / raw, label, alone, 20000 / alone);
	int best = ramp(label, 10, res, &nres);
	if (best < 0) {
		SUMMARY("%-14s no load step passed (< 0.5 %% late/lost)", label);
		return;
	}
	const struct result *r = &res[best];
	double eng = per_call_us(r), cpc = r->n / (r->wcpu / r->wall);
	SUMMARY(
	    "%-14s %6.0f channels/core (engine %.1f us/channel/20ms at N=%d, %.3f %% late/lost; "
	    "raw codecs %.1f us = %.0f/core): overhead %.2fx (target <= 1.2x)",
	    label, cpc, eng, r->n, 100 * r->bad, raw, 20000 / raw, eng / raw);
	double marg = 0, full = extrapolate(res, nres, &marg);
	if (full > 0)
		SUMMARY("%-14s fit: %.1f us per more channel and 20 ms (marginal overhead %.2fx), "
		        "a whole "
		        "core at ~%.0f channels",
		        label, marg, marg / raw, full);
	/* The same 2 packets in and 2 out per channel cost what a relayed
	 * call costs: what is left is the pipeline's own overhead. */
	if (relay_call_us > 0)
		SUMMARY(
		    "%-14s overhead without the packet I/O (%.1f us, the relay's cost per call): "
		    "%.2fx",
		    label, relay_call_us, (eng - relay_call_us) / raw);
	char vs[80] = "";
	if (anchor_calls_ghz > 0)
		snprintf(vs, sizeof(vs), " (Asterisk ~%.0f G.729 calls per GHz-core: x%.1f)",
		         anchor_calls_ghz, cpc / ghz / anchor_calls_ghz);
	SUMMARY("%-14s %s enc+dec alone %.0f full-duplex channels/core%s; %.0f channels per "
	        "GHz-core%s",
	        label, label, 20000 / alone, pt == 18 ? " (anchor: bcg729 ~360)" : "", cpc / ghz,
	        vs);
	SUMMARY("%-14s latency p50 %.2f ms  p99 %.2f ms added one-way at N=%d (burst onsets, %llu "
	        "samples); at N=%d: p50 %.2f p99 %.2f ms",
	        label, res[0].p50, res[0].p99, res[0].n, (unsigned long long)res[0].nlat, r->n,
	        r->p50, r->p99);
}

static double cpu_ghz(char *model, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0;
	snprintf(model, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, len, "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = 0;
		}
		if (!strncmp(line, "cpu MHz", 7) && strchr(line, ':') && !mhz)
			mhz = atof(strchr(line, ':') + 1);
	}
	if (f)
		fclose(f);
	return mhz > 0 ? mhz / 1000 : 1;
}

int main(int argc, char **argv)
{
	const char *only = "relay,g729,opus";
	B.step_s = 4;
	int c;
	while ((c = getopt(argc, argv, "t:o:")) != -1) {
		if (c == 't')
			B.step_s = atof(optarg);
		else if (c == 'o')
			only = optarg;
		else {
			fprintf(stderr,
			        "usage: bench_media [-t SECONDS_PER_STEP] [-o relay,g729,opus]\n");
			return 2;
		}
	}
	if (B.step_s < 0.5 || B.step_s > 30)
		B.step_s = 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Two descriptors per leg in the engine. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	char model[128];
	ghz = cpu_ghz(model, sizeof(model));
	printf("== media engine, one worker thread; CPU: %s, %.2f GHz, %ld cores online\n", model,
	       ghz, sysconf(_SC_NPROCESSORS_ONLN));

	if (loop_init() < 0)
		die("loop_init");
	media_codecs_builtin();
	struct media_conf conf = {
	    .workers = 1, .rtp_min = RTP_MIN, .rtp_max = RTP_MAX, .ptime = 20};
	strcpy(conf.ip, "127.0.0.1");
	strcpy(conf.ip6, "::1");
	if (media_parse_codecs("PCMU,PCMA,G722,opus,G729", &conf) < 0 ||
	    media_engine_start(&conf) < 0)
		die("cannot start the media engine");
	/* The worker names itself once it runs. */
	for (int i = 0; i < 100 && B.nworkers != 1; i++) {
		spin(10);
		find_workers();
	}
	if (B.nworkers != 1)
		die("the media worker thread (jn-media) was not found");
	open_phones();

	if (strstr(only, "relay"))
		relay_scenario();
	if (strstr(only, "g729"))
		transcode_scenario("G.729", "G729", 18, "18\r\na=fmtp:18 annexb=no\r\n", 30);
	if (strstr(only, "opus"))
		transcode_scenario("Opus", "opus", 111, "111\r\na=rtpmap:111 opus/48000/2\r\n", 0);

	printf("== media summary (one worker = one core; figures from this one run)\n");
	for (int i = 0; i < nsummary && i < 16; i++)
		printf("summary: %s\n", summary[i]);
	for (int i = 0; i < PHONES; i++)
		close(B.phone[i]);
	media_engine_stop();
	spin(20);
	loop_deinit();
	return 0;
}
