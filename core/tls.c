/* tls.c - the credentials directory sofia's TLS transport reads.
 *
 * TPTAG_CERTIFICATE() takes a directory with agent.pem (private key and
 * certificate chain in one file) and cafile.pem, while the configuration
 * names separate files. The files are copied into a fresh mkdtemp()
 * directory that only we can read (the key must not leak through a
 * world-readable temp file) and removed again at stop. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const tls_files[] = {"agent.pem", "cafile.pem"};

/* Appends the contents of src to fd, ending with a newline so that two
 * PEM files never run into one line. */
static int append_file(int fd, const char *src)
{
	char buf[4096];
	int rc = -1, in = open(src, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;
	char last = '\n';
	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)n) != n)
			goto out;
		last = buf[n - 1];
	}
	if (n < 0)
		goto out;
	if (last != '\n' && write(fd, "\n", 1) != 1)
		goto out;
	rc = 0;
out:
	close(in);
	return rc;
}

static int write_pem(const char *dir, const char *name, const char *first, const char *second)
{
	char path[4096];
	int rc = -1, fd;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (append_file(fd, first) < 0 || (second && append_file(fd, second) < 0))
		goto out;
	rc = 0;
out:
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

int tls_dir_create(const jn_config_t *cfg, char **dir, jn_errlist_t *errs)
{
	const char *tmp = getenv("TMPDIR");
	char *d = NULL;
	int rc = -1;
	*dir = NULL;
	if (asprintf(&d, "%s/junctiond-tls.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
		d = NULL;
		goto fail;
	}
	if (!mkdtemp(d)) { /* mkdtemp makes it 0700 */
		free(d);
		d = NULL;
		goto fail;
	}
	if (write_pem(d, "agent.pem", cfg->tls.key, cfg->tls.certificate) < 0 ||
	    write_pem(d, "cafile.pem", cfg->tls.ca ? cfg->tls.ca : cfg->tls.certificate, NULL) < 0)
		goto fail;
	*dir = d;
	return 0;
fail:
	errlist_add(errs, NULL, 0, 0, "tls: cannot prepare the credentials directory%s%s: %s",
		    d ? " " : "", d ? d : "", strerror(errno));
	tls_dir_remove(d);
	return rc;
}

void tls_dir_remove(char *dir)
{
	char path[4096];
	if (!dir)
		return;
	for (size_t i = 0; i < sizeof(tls_files) / sizeof(tls_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, tls_files[i]);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}
