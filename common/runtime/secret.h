/* Secrets kept in files: CURVE secret keys, the SMTP password, webhook
 * signing secrets. A secret file must be a regular file with no access for
 * others (group read is allowed, for root:thuky 0640), so a mistake in its
 * mode is caught before the secret is used. Contents are never logged. */
#ifndef THUKY_SECRET_H
#define THUKY_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Reads the file into out (NUL-terminated, trailing newlines removed).
 * restricted: refuse a file that others may read. Returns 0, or -1 with one
 * line in why naming the file and the problem (never the contents). */
int secret_file_read(const char *path, bool restricted, char *out, size_t cap, char *why,
                     size_t why_len);

/* Overwrites a secret in memory before it is freed or goes out of scope. */
void secret_wipe(void *buf, size_t len);

#endif
