/* script.c - loading, reference counting and activation of compiled
 * scripts, and the SDK entry point for event routes. */
#include "script.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ast.h"
#include "prog.h"

static jn_script_t *active;

jn_script_t *script_load_string(const char *name, const char *src, size_t len, jn_errlist_t *errs)
{
	jn_errlist_t local;
	jn_script_t *s = NULL;
	arena_t ast_arena;
	size_t errs0;
	if (!name)
		name = "<script>";
	if (!errs) {
		errlist_init(&local);
		errs = &local;
	}
	errs0 = errs->n;
	arena_init(&ast_arena, NULL, 0, 0);
	if (len > LEX_MAX_SOURCE) {
		errlist_add(errs, name, 0, 0, "script too large (more than %u bytes)",
		            LEX_MAX_SOURCE);
		goto out;
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(name))) {
		errlist_add(errs, name, 0, 0, "out of memory");
		goto out;
	}
	s->refs = 1;
	s->request_block = -1;
	arena_init(&s->pool, NULL, 0, 0);
	ast_program_t *ast =
	    parse_program(s->path, src ? src : "", src ? len : 0, &ast_arena, errs);
	/* names are checked even after syntax errors, to report them all */
	if (ast)
		compile_program(s, ast, errs);
out:
	arena_reset(&ast_arena);
	if (s && errs->n > errs0) {
		script_unref(s);
		s = NULL;
	}
	if (errs == &local)
		errlist_free(&local);
	return s;
}

jn_script_t *script_load_file(const char *path, jn_errlist_t *errs)
{
	jn_script_t *s = NULL;
	char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		errlist_add(errs, path, 0, 0, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errlist_add(errs, path, 0, 0, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > LEX_MAX_SOURCE) {
		errlist_add(errs, path, 0, 0, "script too large (more than %u bytes)",
		            LEX_MAX_SOURCE);
		goto out;
	}
	size_t size = (size_t)st.st_size, n = 0;
	if (!(buf = malloc(size + 1))) {
		errlist_add(errs, path, 0, 0, "out of memory");
		goto out;
	}
	while (n < size) {
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			errlist_add(errs, path, 0, 0, "cannot read '%s': %s", path,
			            strerror(errno));
			goto out;
		}
		if (r == 0)
			break; /* shrank while reading: take what is there */
		n += (size_t)r;
	}
	s = script_load_string(path, buf, n, errs);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return s;
}

void script_ref(jn_script_t *s)
{
	if (s)
		s->refs++;
}

void script_unref(jn_script_t *s)
{
	if (!s || --s->refs > 0)
		return;
	prog_free(s);
	free(s->path);
	free(s);
}

int script_has(const jn_script_t *s, jn_route_kind_t kind, const char *name)
{
	return s && prog_find_block(s, kind, name) >= 0;
}

const char *script_path(const jn_script_t *s)
{
	return s ? s->path : NULL;
}

jn_script_t *script_active(void)
{
	return active;
}

void script_activate(jn_script_t *s)
{
	jn_script_t *old = active;
	script_ref(s);
	active = s;
	/* executions still running on the old script hold their own
	 * references: it is freed when the last one ends */
	script_unref(old);
}

static void event_done(jn_msg_t *msg, script_status_t st, void *data)
{
	(void)msg;
	(void)st;
	(void)data;
}

JN_API int jn_event_run(jn_module_t *m, const char *name, jn_msg_t *msg)
{
	char full[256];
	if (!m || !name)
		return JN_EINVAL;
	int n = snprintf(full, sizeof(full), "%s:%s", jn_module_name(m), name);
	if (n < 0 || (size_t)n >= sizeof(full))
		return JN_ENOENT;
	if (!script_has(active, JN_ROUTE_EVENT, full))
		return JN_ENOENT;
	script_run(active, JN_ROUTE_EVENT, full, msg, event_done, NULL);
	return 0;
}
