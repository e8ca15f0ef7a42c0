/* main.c - junctiond: options, start-up, signals, graceful shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "core.h"
#include "hooks.h"
#include "http.h"
#include "loader.h"
#include "log.h"
#include "loop.h"
#include "msg.h"
#include "registry.h"
#include "script/script.h"
#include "sip.h"

static struct {
	jn_config_t *cfg;
	jn_fd_watch_t *sigw;
	int sigfd;
	int stopping;
	uint64_t deadline;
	jn_timer_t *drain_timer;
} D = {.sigfd = -1};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: junctiond -c FILE [options]\n"
		"  -c, --config FILE     configuration file (junction.yaml)\n"
		"  -n, --check           load configuration, modules and script, report every\n"
		"                        error as file:line:col: message, start nothing\n"
		"  -l, --log-level LVL   err, warn, notice, info or debug (overrides the config)\n"
		"  -M, --module-path DIR where module .so files are (overrides the config)\n"
		"  -V, --version         print the version\n"
		"  -h, --help            this help\n");
}

static void drain_check(jn_timer_t *t, void *data)
{
	D.drain_timer = NULL;
	size_t busy = sipcore_in_flight() + script_suspended_count();
	if (busy == 0 || jn_now_ms() >= D.deadline) {
		if (busy)
			log_warn("shutdown timeout: abandoning %zu request%s in flight", busy,
				 busy == 1 ? "" : "s");
		loop_break();
		return;
	}
	D.drain_timer = jn_timer_start(20, drain_check, NULL);
}

static void begin_shutdown(void)
{
	if (D.stopping)
		return;
	D.stopping = 1;
	log_notice("shutting down: new requests are refused, waiting up to %us for %zu in flight",
		   D.cfg->sip.shutdown_timeout, sipcore_in_flight() + script_suspended_count());
	sipcore_begin_shutdown();
	D.deadline = jn_now_ms() + (uint64_t)D.cfg->sip.shutdown_timeout * 1000u;
	drain_check(NULL, NULL);
}

static void on_signal(jn_fd_watch_t *w, int fd, int events, void *data)
{
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_notice("SIGHUP: reloading the script");
			jn_errlist_t errs;
			errlist_init(&errs);
			core_reload(&errs);
			errlist_free(&errs);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			begin_shutdown();
		}
	}
}

static int setup_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	/* Block before any thread starts so that only the signalfd sees them. */
	if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0)
		return -1;
	return 0;
}

static int apply_log_config(const jn_config_t *cfg, const char *override)
{
	jn_log_level_t level = JN_LOG_INFO;
	const char *l = override ? override : cfg->log.level;
	if (l && log_level_parse(l, &level) != 0) {
		fprintf(stderr, "junctiond: unknown log level '%s'\n", l);
		return -1;
	}
	int syslog_target = cfg->log.target && strcmp(cfg->log.target, "syslog") == 0;
	int json = cfg->log.format && strcmp(cfg->log.format, "json") == 0;
	log_setup(level, syslog_target ? LOG_TO_SYSLOG : LOG_TO_STDERR, json);
	return 0;
}

static int report(jn_errlist_t *errs)
{
	errlist_print(errs, stderr);
	return errs->n ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'k'},
		{"log-level", required_argument, NULL, 'l'},
		{"module-path", required_argument, NULL, 'M'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cfgfile = NULL, *level = NULL, *modpath = NULL;
	int check = 0, c, rc = 1;
	while ((c = getopt_long(argc, argv, "c:l:M:nVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfgfile = optarg; break;
		case 'k':
		case 'n': check = 1; break;
		case 'l': level = optarg; break;
		case 'M': modpath = optarg; break;
		case 'V': printf("junctiond %s\n", jn_version()); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!cfgfile || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (level) {
		jn_log_level_t l;
		if (log_level_parse(level, &l) != 0) {
			fprintf(stderr, "junctiond: unknown log level '%s'\n", level);
			return 2;
		}
		log_setup(l, LOG_TO_STDERR, 0);
	}

	sigset_t sigs;
	jn_errlist_t errs;
	errlist_init(&errs);
	if (setup_signals(&sigs) != 0) {
		perror("junctiond: signals");
		return 1;
	}

	D.cfg = config_load_file(cfgfile, &errs);
	if (!D.cfg) {
		report(&errs);
		goto out;
	}
	if (modpath) {
		free(D.cfg->module_path);
		D.cfg->module_path = strdup(modpath);
	}
	if (apply_log_config(D.cfg, level) != 0)
		goto out;
	core_set_config(D.cfg);
	if (loop_init() != 0) {
		log_err("cannot create the event loop");
		goto out;
	}
	if (jnmsg_register_builtins() != 0 || admin_register_core() != 0) {
		log_err("cannot register the core's script names and admin routes");
		goto out;
	}
	if (loader_load_all(D.cfg, &errs) != 0) {
		report(&errs);
		goto out;
	}
	if (core_load_script(&errs) != 0) {
		report(&errs);
		goto out;
	}
	if (check) {
		printf("configuration OK\n");
		rc = 0;
		goto out;
	}

	if (sipcore_start(D.cfg, &errs) != 0 || http_start(D.cfg, &errs) != 0) {
		report(&errs);
		goto out;
	}
	D.sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (D.sigfd < 0 || !(D.sigw = jn_fd_watch(D.sigfd, JN_FD_IN, on_signal, NULL))) {
		log_err("cannot watch signals: %s", strerror(errno));
		goto out;
	}
	if (loader_start_all() != 0)
		goto out;
	log_notice("junctiond %s started (%zu module%s, script %s)", jn_version(), loader_count(),
		   loader_count() == 1 ? "" : "s", D.cfg->script);
	loop_run();
	rc = 0;
	log_notice("junctiond stopped");
out:
	if (D.drain_timer)
		jn_timer_cancel(D.drain_timer);
	http_stop();
	loader_stop_all();
	sipcore_stop();
	if (D.sigw)
		jn_fd_unwatch(D.sigw);
	if (D.sigfd >= 0)
		close(D.sigfd);
	script_activate(NULL);
	script_cache_clear();
	loader_unload_all();
	hooks_clear();
	registry_clear();
	admin_clear();
	if (loop_root())
		loop_deinit();
	config_free(D.cfg);
	errlist_free(&errs);
	return rc;
}
