/* junctionctl.c - the command-line client of junctiond's REST admin API.
 *
 * One file, plain sockets and jansson: it must build and run where the
 * daemon's other dependencies are not installed. HTTP/1.1 with
 * "Connection: close", so the response ends at EOF; Content-Length and
 * chunked bodies are both understood. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef JN_VERSION
#define JN_VERSION "0.1.0"
#endif
#ifndef JN_SYSCONFDIR
#define JN_SYSCONFDIR "/usr/local/etc/junction"
#endif

#define API            "/api/v1"
#define DEFAULT_SERVER "127.0.0.1:8080"
#define DEFAULT_PORT   "8080"
/* A reload compiles the script on the daemon's side: be patient. */
#define IO_TIMEOUT_S 30
#define MAX_RESPONSE (64u << 20)

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct response {
	int status;
	char *ctype; /* Content-Type, or NULL */
	char *body;  /* NUL-terminated */
	size_t len;
} response_t;

static const char *progname = "junctionctl";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: %s [-s HOST:PORT] [-t TOKEN] [-c CONFIG] COMMAND [ARGS]\n"
	        "\n"
	        "Commands:\n"
	        "  status              version, uptime, listeners and modules\n"
	        "  modules             loaded modules as a table\n"
	        "  reload              recompile the routing script and activate it;\n"
	        "                      prints every error as file:line:col: message\n"
	        "  get PATH            GET a route and pretty-print the JSON\n"
	        "  post PATH [JSON]    POST, with a JSON body ('-' reads it from stdin)\n"
	        "  put PATH [JSON]     PUT, likewise\n"
	        "  delete PATH         DELETE\n"
	        "PATH is below " API " (\"/registrations\" is " API "/registrations);\n"
	        "/metrics and paths starting with /api/ are sent as they are.\n"
	        "\n"
	        "Options:\n"
	        "  -s HOST:PORT  the server (default: http.listen of the configuration,\n"
	        "                else " DEFAULT_SERVER "); IPv6 as [::1]:8080\n"
	        "  -t TOKEN      the bearer token (default: $JUNCTION_TOKEN, else\n"
	        "                http.token of the configuration)\n"
	        "  -c CONFIG     junction.yaml to read them from (default: etc/junction.yaml\n"
	        "                if it exists, else " JN_SYSCONFDIR "/junction.yaml)\n"
	        "  -h            this help\n"
	        "  -V            version\n"
	        "\n"
	        "Exit status: 0 success, 1 the server answered an error or refused the\n"
	        "reload, 2 usage or connection error.\n",
	        progname);
}

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die(EXIT_USAGE, "out of memory");
	return p;
}

/* ---- configuration --------------------------------------------------- */

/* A YAML scalar as written on one line: comment dropped, quotes removed.
 * Enough for http.token and http.listen; the daemon's own parser is the
 * judge of the file, this only reads what it accepted. */
static char *yaml_scalar(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *out = xmalloc(strlen(s) + 1), *o = out;
	if (*s == '"' || *s == '\'') {
		char q = *s++;
		for (; *s && *s != q; s++) {
			if (q == '"' && *s == '\\' && s[1])
				s++;
			else if (q == '\'' && *s == '\'' && s[1] == '\'')
				s++;
			*o++ = *s;
		}
		*o = '\0';
		return out;
	}
	for (; *s && *s != '\n' && *s != '\r'; s++) {
		if (*s == '#' && (o == out || o[-1] == ' ' || o[-1] == '\t'))
			break;
		*o++ = *s;
	}
	while (o > out && (o[-1] == ' ' || o[-1] == '\t'))
		o--;
	*o = '\0';
	return out;
}

/* Find token: and listen: in the block under a top-level http:. Returns
 * 0, or -1 when the file cannot be read. */
static int read_config(const char *path, char **token, char **listen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int in_http = 0, key_indent = -1;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		const char *p = line;
		while (*p == ' ')
			p++;
		int indent = (int)(p - line);
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		if (indent == 0) {
			in_http = strncmp(p, "http:", 5) == 0;
			key_indent = -1;
			continue;
		}
		if (!in_http)
			continue;
		if (key_indent < 0)
			key_indent = indent;
		if (indent != key_indent)
			continue; /* deeper: not a key of http itself */
		if (strncmp(p, "token:", 6) == 0) {
			free(*token);
			*token = yaml_scalar(p + 6);
		} else if (strncmp(p, "listen:", 7) == 0) {
			free(*listen);
			*listen = yaml_scalar(p + 7);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* "HOST:PORT", "[V6]:PORT", "HOST", "V6" (bare), optionally with
 * "http://" in front and a '/' behind. */
static void split_server(const char *spec, char **host, char **port)
{
	char *s = xstrdup(spec), *h = s, *p = NULL;
	if (strncmp(h, "http://", 7) == 0)
		h += 7;
	char *slash = strchr(h, '/');
	if (slash)
		*slash = '\0';
	if (*h == '[') {
		char *close = strchr(h, ']');
		if (!close)
			die(EXIT_USAGE, "bad server address '%s': missing ']'", spec);
		*close = '\0';
		h++;
		if (close[1] == ':')
			p = close + 2;
		else if (close[1])
			die(EXIT_USAGE, "bad server address '%s'", spec);
	} else {
		char *colon = strrchr(h, ':');
		/* More than one colon and no brackets: a bare IPv6 address. */
		if (colon && strchr(h, ':') == colon) {
			*colon = '\0';
			p = colon + 1;
		}
	}
	if (!*h)
		die(EXIT_USAGE, "bad server address '%s': no host", spec);
	if (p && (!*p || strspn(p, "0123456789") != strlen(p)))
		die(EXIT_USAGE, "bad server address '%s': bad port", spec);
	*host = xstrdup(h);
	*port = xstrdup(p ? p : DEFAULT_PORT);
	free(s);
}

/* ---- HTTP ------------------------------------------------------------ */

static int connect_to(const char *host, const char *port, const char *shown)
{
	struct addrinfo hints = {0}, *res = NULL;
	struct timeval tv = {IO_TIMEOUT_S, 0};
	int fd = -1, err = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int gai = getaddrinfo(host, port, &hints, &res);
	if (gai != 0)
		die(EXIT_USAGE, "cannot connect to %s: %s", shown, gai_strerror(gai));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		/* On Linux SO_SNDTIMEO bounds connect() too. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		die(EXIT_USAGE, "cannot connect to %s: %s", shown,
		    strerror(err == EINPROGRESS || err == EAGAIN ? ETIMEDOUT : err));
	return fd;
}

static void send_all(int fd, const char *buf, size_t len, const char *shown)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(EXIT_USAGE, "cannot send to %s: %s", shown, strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* Header value of name in the header block [h, end), or NULL (malloc'd). */
static char *header(const char *h, const char *end, const char *name)
{
	size_t nl = strlen(name);
	while (h < end) {
		const char *eol = memchr(h, '\n', (size_t)(end - h));
		if (!eol)
			eol = end;
		if ((size_t)(eol - h) > nl && strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
			const char *v = h + nl + 1, *ve = eol;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && isspace((unsigned char)ve[-1]))
				ve--;
			char *out = xmalloc((size_t)(ve - v) + 1);
			memcpy(out, v, (size_t)(ve - v));
			out[ve - v] = '\0';
			return out;
		}
		h = eol + 1;
	}
	return NULL;
}

/* Decode a chunked body in place; returns its length or -1. */
static long dechunk(char *b, size_t len)
{
	size_t in = 0, out = 0;
	for (;;) {
		char *eol = memmem(b + in, len - in, "\r\n", 2);
		if (!eol)
			return -1;
		errno = 0;
		char *e;
		unsigned long n = strtoul(b + in, &e, 16);
		if (e == b + in || errno)
			return -1;
		in = (size_t)(eol - b) + 2;
		if (n == 0)
			return (long)out;
		if (n > len - in)
			return -1;
		memmove(b + out, b + in, n);
		out += n;
		in += n;
		if (len - in < 2 || b[in] != '\r' || b[in + 1] != '\n')
			return -1;
		in += 2;
	}
}

static response_t request(const char *host, const char *port, const char *shown, const char *token,
                          const char *method, const char *path, const char *body)
{
	response_t r = {0};
	char *req = NULL;
	int n;
	int v6 = strchr(host, ':') != NULL;

	char auth[1024] = "", clen[96] = "";
	if (token) {
		if (strpbrk(token, "\r\n") || strlen(token) > sizeof(auth) - 32)
			die(EXIT_USAGE, "the token holds a line break or is too long");
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
	}
	if (body)
		snprintf(clen, sizeof(clen),
		         "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(body));
	n = asprintf(&req,
	             "%s %s HTTP/1.1\r\n"
	             "Host: %s%s%s:%s\r\n"
	             "User-Agent: junctionctl/" JN_VERSION "\r\n"
	             "Accept: application/json\r\n"
	             "Connection: close\r\n"
	             "%s%s\r\n",
	             method, path, v6 ? "[" : "", host, v6 ? "]" : "", port, auth, clen);
	if (n < 0)
		die(EXIT_USAGE, "out of memory");

	int fd = connect_to(host, port, shown);
	send_all(fd, req, strlen(req), shown);
	if (body)
		send_all(fd, body, strlen(body), shown);
	free(req);

	size_t cap = 8192, len = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_RESPONSE)
				die(EXIT_USAGE, "response from %s is too large", shown);
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				die(EXIT_USAGE, "out of memory");
			buf = nb;
		}
		ssize_t got = recv(fd, buf + len, cap - len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die(EXIT_USAGE, "cannot read from %s: %s", shown,
			    strerror(errno == EAGAIN ? ETIMEDOUT : errno));
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';

	char *hend = memmem(buf, len, "\r\n\r\n", 4);
	int major, minor;
	if (!hend || sscanf(buf, "HTTP/%d.%d %d", &major, &minor, &r.status) != 3 ||
	    r.status < 100 || r.status > 599)
		die(EXIT_USAGE, "%s did not answer HTTP", shown);
	char *b = hend + 4;
	size_t blen = len - (size_t)(b - buf);
	r.ctype = header(buf, hend + 2, "Content-Type");
	char *te = header(buf, hend + 2, "Transfer-Encoding");
	char *cl = header(buf, hend + 2, "Content-Length");
	if (te && strcasestr(te, "chunked")) {
		long dl = dechunk(b, blen);
		if (dl < 0)
			die(EXIT_USAGE, "%s sent a broken chunked body", shown);
		blen = (size_t)dl;
	} else if (cl) {
		unsigned long long want = strtoull(cl, NULL, 10);
		if (want > blen)
			die(EXIT_USAGE, "%s closed the connection in the middle of the response",
			    shown);
		blen = (size_t)want;
	}
	free(te);
	free(cl);
	r.body = xmalloc(blen + 1);
	memcpy(r.body, b, blen);
	r.body[blen] = '\0';
	r.len = blen;
	free(buf);
	return r;
}

static void response_free(response_t *r)
{
	free(r->ctype);
	free(r->body);
}

/* ---- output ---------------------------------------------------------- */

static json_t *parse(const response_t *r)
{
	return json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
}

/* Print the server's complaint and return the exit status for it. */
static int fail(const response_t *r)
{
	json_t *v = parse(r);
	const char *msg = json_string_value(json_object_get(v, "error"));
	if (msg)
		fprintf(stderr, "%s: %s (HTTP %d)\n", progname, msg, r->status);
	else
		fprintf(stderr, "%s: HTTP %d%s%.*s\n", progname, r->status, r->len ? ": " : "",
		        (int)(r->len > 200 ? 200 : r->len), r->body);
	if (r->status == 401)
		fprintf(stderr,
		        "%s: give the token with -t, JUNCTION_TOKEN or http.token in "
		        "the configuration (-c)\n",
		        progname);
	json_decref(v);
	return EXIT_FAIL;
}

static void print_pretty(const response_t *r)
{
	json_t *v = parse(r);
	if (!v) {
		/* /metrics, or anything else that is not JSON: as it came. */
		fwrite(r->body, 1, r->len, stdout);
		if (r->len && r->body[r->len - 1] != '\n')
			putchar('\n');
		return;
	}
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(v);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void print_uptime(long long s)
{
	long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	if (d)
		printf("%lldd %02lldh %02lldm %02llds", d, h, m, sec);
	else if (h)
		printf("%lldh %02lldm %02llds", h, m, sec);
	else if (m)
		printf("%lldm %02llds", m, sec);
	else
		printf("%llds", sec);
}

static int cmd_status(const response_t *r)
{
	json_t *v = parse(r);
	if (!json_is_object(v)) {
		json_decref(v);
		fprintf(stderr, "%s: the server sent no status object\n", progname);
		return EXIT_FAIL;
	}
	json_t *up = json_object_get(v, "uptime");
	printf("version    %s\n", jstr(v, "version"));
	printf("uptime     ");
	print_uptime(json_is_number(up) ? (long long)json_number_value(up) : 0);
	putchar('\n');
	printf("script     %s\n", jstr(v, "script"));
	printf("reloads    %lld\n", (long long)json_integer_value(json_object_get(v, "reloads")));
	json_t *ls = json_object_get(v, "listeners"), *x;
	size_t i;
	if (!json_array_size(ls))
		printf("listeners  (none)\n");
	json_array_foreach(ls, i, x)
	    printf("%-10s %s\n", i ? "" : "listeners", json_string_value(x));
	json_t *ms = json_object_get(v, "modules");
	if (!json_array_size(ms))
		printf("modules    (none)\n");
	json_array_foreach(ms, i, x)
	    printf("%-10s %s %s\n", i ? "" : "modules", jstr(x, "name"), jstr(x, "version"));
	json_decref(v);
	return EXIT_OK;
}

static int cmd_modules(const response_t *r)
{
	static const char *const cols[] = {"name", "version", "description", "path"};
	static const char *const heads[] = {"NAME", "VERSION", "DESCRIPTION", "PATH"};
	enum { NCOLS = 4 };
	int w[NCOLS];
	json_t *v = parse(r), *x;
	size_t i;

	if (!json_is_array(v)) {
		json_decref(v);
		fprintf(stderr, "%s: the server sent no module list\n", progname);
		return EXIT_FAIL;
	}
	if (json_array_size(v) == 0) {
		printf("no modules loaded\n");
		json_decref(v);
		return EXIT_OK;
	}
	for (int c = 0; c < NCOLS; c++) {
		w[c] = (int)strlen(heads[c]);
		json_array_foreach(v, i, x)
		{
			int l = (int)strlen(jstr(x, cols[c]));
			if (l > w[c])
				w[c] = l;
		}
	}
	printf("%-*s  %-*s  %-*s  %s\n", w[0], heads[0], w[1], heads[1], w[2], heads[2], heads[3]);
	json_array_foreach(v, i, x)
	    printf("%-*s  %-*s  %-*s  %s\n", w[0], jstr(x, cols[0]), w[1], jstr(x, cols[1]), w[2],
	           jstr(x, cols[2]), jstr(x, cols[3]));
	json_decref(v);
	return EXIT_OK;
}

static int cmd_reload(const response_t *r)
{
	if (r->status >= 200 && r->status < 300) {
		printf("reloaded\n");
		return EXIT_OK;
	}
	json_t *v = parse(r), *errs = json_object_get(v, "errors"), *e;
	size_t i;
	if (r->status != 422 || !json_is_array(errs)) {
		json_decref(v);
		return fail(r);
	}
	json_array_foreach(errs, i, e)
	{
		const char *text = json_string_value(json_object_get(e, "text"));
		if (text)
			fprintf(stderr, "%s\n", text);
		else
			fprintf(stderr, "%s:%lld:%lld: %s\n", jstr(e, "file"),
			        (long long)json_integer_value(json_object_get(e, "line")),
			        (long long)json_integer_value(json_object_get(e, "col")),
			        jstr(e, "message"));
	}
	if (json_array_size(errs) == 0)
		fprintf(stderr, "%s: reload refused\n", progname);
	json_decref(v);
	return EXIT_FAIL;
}

/* ---- main ------------------------------------------------------------ */

static char *api_path(const char *p)
{
	char *out;
	if (strncmp(p, "/api/", 5) == 0 || strcmp(p, "/metrics") == 0)
		return xstrdup(p);
	if (asprintf(&out, API "%s%s", p[0] == '/' ? "" : "/", p) < 0)
		die(EXIT_USAGE, "out of memory");
	/* What goes on the request line must not break it. */
	for (const char *c = out; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			die(EXIT_USAGE,
			    "bad path '%s': percent-encode spaces and control "
			    "characters",
			    p);
	return out;
}

static char *read_stdin(void)
{
	size_t cap = 4096, len = 0;
	char *b = xmalloc(cap + 1);
	size_t n;
	while ((n = fread(b + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			char *nb = realloc(b, cap + 1);
			if (!nb)
				die(EXIT_USAGE, "out of memory");
			b = nb;
		}
	}
	b[len] = '\0';
	return b;
}

int main(int argc, char **argv)
{
	const char *server = NULL, *token = NULL, *config = NULL;
	char *cfg_token = NULL, *cfg_listen = NULL;
	int c;

	if (argv[0] && strrchr(argv[0], '/'))
		progname = strrchr(argv[0], '/') + 1;
	else if (argv[0] && argv[0][0])
		progname = argv[0];
	while ((c = getopt(argc, argv, "+s:t:c:hV")) != -1) {
		switch (c) {
		case 's':
			server = optarg;
			break;
		case 't':
			token = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("junctionctl %s\n", JN_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;
	char **args = argv + optind + 1;

	const char *method = NULL;
	char *path = NULL, *body = NULL;
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "modules") == 0 ||
	    strcmp(cmd, "reload") == 0) {
		if (nargs != 0)
			die(EXIT_USAGE, "%s takes no arguments", cmd);
		method = cmd[0] == 'r' ? "POST" : "GET";
		path = api_path(cmd);
	} else if (strcmp(cmd, "get") == 0 || strcmp(cmd, "delete") == 0) {
		if (nargs != 1)
			die(EXIT_USAGE, "usage: %s %s PATH", progname, cmd);
		method = cmd[0] == 'g' ? "GET" : "DELETE";
		path = api_path(args[0]);
	} else if (strcmp(cmd, "post") == 0 || strcmp(cmd, "put") == 0) {
		if (nargs < 1 || nargs > 2)
			die(EXIT_USAGE, "usage: %s %s PATH [JSON]", progname, cmd);
		method = cmd[1] == 'o' ? "POST" : "PUT";
		path = api_path(args[0]);
		if (nargs == 2) {
			body = strcmp(args[1], "-") == 0 ? read_stdin() : xstrdup(args[1]);
			/* Say what is wrong here rather than get a 400 back. */
			json_error_t err;
			json_t *v = json_loads(body, JSON_DECODE_ANY, &err);
			if (!v)
				die(EXIT_USAGE, "the body is not JSON: %s (line %d, column %d)",
				    err.text, err.line, err.column);
			json_decref(v);
		} else if (method[1] == 'O') {
			body = xstrdup(""); /* a POST says it has no body */
		}
	} else {
		fprintf(stderr, "%s: unknown command '%s'\n", progname, cmd);
		usage(stderr);
		return EXIT_USAGE;
	}

	/* The configuration is read only for what -s, -t and the
	 * environment did not give. */
	if (!token)
		token = getenv("JUNCTION_TOKEN");
	if (token && !*token)
		token = NULL;
	if (!server || !token) {
		if (config) {
			if (read_config(config, &cfg_token, &cfg_listen) < 0)
				die(EXIT_USAGE, "cannot read %s: %s", config, strerror(errno));
		} else if (read_config("etc/junction.yaml", &cfg_token, &cfg_listen) < 0) {
			read_config(JN_SYSCONFDIR "/junction.yaml", &cfg_token, &cfg_listen);
		}
	}
	if (!token && cfg_token && *cfg_token)
		token = cfg_token;
	if (!server)
		server = cfg_listen && *cfg_listen ? cfg_listen : DEFAULT_SERVER;

	char *host, *port, *shown;
	split_server(server, &host, &port);
	if (asprintf(&shown, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port) < 0)
		die(EXIT_USAGE, "out of memory");

	response_t r = request(host, port, shown, token, method, path, body);
	int rc;
	if (strcmp(cmd, "reload") == 0)
		rc = cmd_reload(&r);
	else if (r.status < 200 || r.status >= 300)
		rc = fail(&r);
	else if (strcmp(cmd, "status") == 0)
		rc = cmd_status(&r);
	else if (strcmp(cmd, "modules") == 0)
		rc = cmd_modules(&r);
	else {
		print_pretty(&r);
		rc = EXIT_OK;
	}
	response_free(&r);
	free(host);
	free(port);
	free(shown);
	free(path);
	free(body);
	free(cfg_token);
	free(cfg_listen);
	return rc;
}
