/* codec.c - the codec registry and channel open/close. The registry is
 * written only at load time on the SIP thread and read by workers after
 * start, so it needs no lock. */
#include "codec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <junction/junction.h>

#define MAX_CODECS 32

static const media_codec_def_t *codecs[MAX_CODECS];
static size_t ncodecs;
static int builtin_done;

int media_codec_register(const media_codec_def_t *def)
{
	if (!def || !def->name || !def->clock_rate || !def->frame_ms || !def->native_rate ||
	    !def->create || !def->encode || !def->decode || def->size < sizeof(*def))
		return JN_EINVAL;
	if (media_codec_find_rate(def->name, def->clock_rate))
		return JN_EEXIST;
	if (ncodecs == MAX_CODECS)
		return JN_ERANGE;
	codecs[ncodecs++] = def;
	return 0;
}

void media_codecs_builtin(void)
{
	if (builtin_done)
		return;
	builtin_done = 1;
	media_codec_register(&media_codec_pcmu);
	media_codec_register(&media_codec_pcma);
	media_codec_register(&media_codec_g722);
	media_codec_register(&media_codec_g729);
	media_codec_register(&media_codec_opus);
}

void media_codecs_reset(void)
{
	ncodecs = 0;
	builtin_done = 0;
}

const media_codec_def_t *media_codec_find_rate(const char *name, unsigned clock_rate)
{
	for (size_t i = 0; i < ncodecs; i++)
		if (!strcasecmp(codecs[i]->name, name) &&
		    (!clock_rate || codecs[i]->clock_rate == clock_rate))
			return codecs[i];
	return NULL;
}

const media_codec_def_t *media_codec_find(const char *name)
{
	char buf[64];
	if (!name || strlen(name) >= sizeof(buf))
		return NULL;
	strcpy(buf, name);
	unsigned rate = 0;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		char *end;
		unsigned long r = strtoul(slash + 1, &end, 10);
		if (end == slash + 1 || (*end && *end != '/') || r == 0 || r > 1000000)
			return NULL;
		rate = (unsigned)r;
	}
	return media_codec_find_rate(buf, rate);
}

int media_codec_open(const media_codec_def_t *def, unsigned pcm_rate, const char *fmtp,
		     media_codec_t **out)
{
	media_codec_t *c = calloc(1, sizeof(*c));
	if (!c)
		return JN_ENOMEM;
	c->def = def;
	c->pcm_rate = pcm_rate ? pcm_rate : def->native_rate;
	int r = def->create(c, fmtp);
	if (r < 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void media_codec_close(media_codec_t *c)
{
	if (!c)
		return;
	if (c->def->destroy)
		c->def->destroy(c);
	free(c);
}
