/* media.c - the media module: parameters, lifecycle, and the "media" C API
 * export. The engine itself is in engine.c (workers) and session.c (API). */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <srtp2/srtp.h>

#include "media.h"

static const jn_param_def_t media_params[] = {
	{"workers", JN_PARAM_INT, "0", 0, 256, "media worker threads; 0: one per CPU core"},
	{"rtp_min", JN_PARAM_INT, "16384", 1024, 65534, "lowest RTP port (even)"},
	{"rtp_max", JN_PARAM_INT, "32767", 1025, 65535, "highest RTP/RTCP port"},
	{"rtp_timeout", JN_PARAM_INT, "60", 0, 3600,
	 "seconds without RTP before MEDIA_EV_RTP_TIMEOUT; 0: never"},
	{"ip", JN_PARAM_STR, "127.0.0.1", 0, 0, "IPv4 address RTP binds to"},
	{"ip6", JN_PARAM_STR, "::1", 0, 0, "IPv6 address RTP binds to"},
	{"codecs", JN_PARAM_STR, "PCMU,PCMA,G722,opus,G729", 0, 0,
	 "default codec preference, best first (comma-separated)"},
	{"ptime", JN_PARAM_INT, "20", 10, 200, "packet time we ask for, ms"},
	{.name = NULL},
};

/* Parses "PCMU, opus/48000" into conf->codecs; 0 or a JN_E*. */
int media_parse_codecs(const char *list, struct media_conf *conf)
{
	char buf[256];
	if (!list || strlen(list) >= sizeof(buf))
		return JN_EINVAL;
	strcpy(buf, list);
	conf->ncodecs = 0;
	char *save = NULL;
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		const media_codec_def_t *d = media_codec_find(t);
		if (!d)
			return JN_ENOENT;
		if (conf->ncodecs == OA_MAX_CODECS)
			return JN_ERANGE;
		conf->codecs[conf->ncodecs++] = d;
	}
	return conf->ncodecs ? 0 : JN_EINVAL;
}

static struct media_conf conf;
static int srtp_up, engine_up;

static int media_load(jn_module_t *m)
{
	media_mod = m;
	media_codecs_builtin();
	memset(&conf, 0, sizeof(conf));
	conf.workers = (unsigned)jn_param_int(m, "workers");
	conf.rtp_min = (unsigned)jn_param_int(m, "rtp_min");
	conf.rtp_max = (unsigned)jn_param_int(m, "rtp_max");
	conf.rtp_timeout_ms = (unsigned)jn_param_int(m, "rtp_timeout") * 1000u;
	conf.ptime = (unsigned)jn_param_int(m, "ptime");
	const char *ip = jn_param_str(m, "ip"), *ip6 = jn_param_str(m, "ip6");
	unsigned char bin[16];
	if (!ip || strlen(ip) >= sizeof(conf.ip) || inet_pton(AF_INET, ip, bin) != 1) {
		jn_log_err(m, "ip '%s' is not an IPv4 address", ip ? ip : "");
		return -1;
	}
	if (!ip6 || strlen(ip6) >= sizeof(conf.ip6) || inet_pton(AF_INET6, ip6, bin) != 1) {
		jn_log_err(m, "ip6 '%s' is not an IPv6 address", ip6 ? ip6 : "");
		return -1;
	}
	strcpy(conf.ip, ip);
	strcpy(conf.ip6, ip6);
	if (conf.rtp_max < conf.rtp_min + 1) {
		jn_log_err(m, "rtp_max %u must be above rtp_min %u", conf.rtp_max,
			   conf.rtp_min);
		return -1;
	}
	int r = media_parse_codecs(jn_param_str(m, "codecs"), &conf);
	if (r) {
		jn_log_err(m, "codecs '%s': %s", jn_param_str(m, "codecs"), jn_strerror(r));
		return -1;
	}
	r = jn_api_register(m, MEDIA_API_NAME, MEDIA_API_VERSION, &media_api_v1);
	if (r) {
		jn_log_err(m, "cannot export the API: %s", jn_strerror(r));
		return -1;
	}
	return 0;
}

static int media_start(jn_module_t *m)
{
	if (srtp_init() != srtp_err_status_ok) {
		jn_log_err(m, "srtp_init failed");
		return -1;
	}
	srtp_up = 1;
	int r = media_engine_start(&conf);
	if (r) {
		jn_log_err(m, "cannot start the workers: %s", jn_strerror(r));
		return -1;
	}
	engine_up = 1;
	jn_log_info(m, "RTP ports %u-%u on %s and %s, %zu codecs", conf.rtp_min,
		    conf.rtp_max, conf.ip, conf.ip6, conf.ncodecs);
	return 0;
}

static void media_stop(jn_module_t *m)
{
	if (engine_up)
		media_engine_stop();
	engine_up = 0;
	if (srtp_up)
		srtp_shutdown();
	srtp_up = 0;
}

static void media_unload(jn_module_t *m)
{
	media_codecs_reset();
}

JN_MODULE(.name = "media", .version = "0.1.0",
	  .description = "RTP media engine: workers, symmetric RTP, SDP offer/answer, codecs",
	  .params = media_params, .load = media_load, .start = media_start, .stop = media_stop,
	  .unload = media_unload);
