/* tls.h - the credentials directory sofia's TLS transport reads. */
#ifndef JN_CORE_TLS_H
#define JN_CORE_TLS_H

#include "config.h"

/* Builds a private directory (mode 0700) holding agent.pem (the key
 * followed by the certificate chain) and cafile.pem (cfg->tls.ca, or the
 * certificate itself), the layout TPTAG_CERTIFICATE() expects. *dir is
 * malloc'd; 0, or -1 with an error appended (nothing is left behind). */
int tls_dir_create(const jn_config_t *cfg, char **dir, jn_errlist_t *errs);

/* Removes what tls_dir_create() made and frees dir; NULL is a no-op. */
void tls_dir_remove(char *dir);

#endif
