/* CURVE keys for tcp:// endpoints (ZeroMQ's CurveZMQ).
 *
 * `thuky keygen NAME` writes two INI files:
 *   NAME.key     [curve] public_key = <40 Z85 characters>        mode 0644
 *   NAME.secret  [curve] public_key, secret_key                  mode 0600
 * A daemon NAME whose endpoint is tcp:// serves with key_dir/NAME.secret;
 * its clients trust key_dir/NAME.key. ipc:// endpoints use no CURVE: the
 * socket file's mode and the peer's uid protect them. */
#ifndef THUKY_CURVE_H
#define THUKY_CURVE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/config.h"

typedef struct {
    char public_key[CONFIG_Z85_KEY_LEN + 1];
    char secret_key[CONFIG_Z85_KEY_LEN + 1];  /* "" when only the public key is known */
} curve_pair_t;

/* The keys a client socket needs to reach one daemon over tcp. */
typedef struct {
    char server_key[CONFIG_Z85_KEY_LEN + 1];
    curve_pair_t own;
} curve_client_t;

bool curve_endpoint(const char *endpoint);   /* does it need CURVE (tcp://)? */

/* Loads NAME.secret (both keys; the file must not be readable by others)
 * or NAME.key (public only). -1 with one line in why. */
int curve_load_pair(const char *path, curve_pair_t *out, char *why, size_t why_len);
int curve_load_public(const char *path, char out[CONFIG_Z85_KEY_LEN + 1], char *why,
                      size_t why_len);
/* Writes DIR/NAME.key and DIR/NAME.secret; refuses to overwrite either. */
int curve_keygen(const char *dir, const char *name, char *why, size_t why_len);

/* The key file path of a daemon: key_dir/NAME.secret or key_dir/NAME.key. */
void curve_key_path(const config_t *cfg, const char *name, bool secret, char *out, size_t cap);
/* Keys to reach daemon `to` with own pair from own_path (NAME.secret). */
int curve_client_load(const config_t *cfg, service_id_t to, const char *own_path,
                      curve_client_t *out, char *why, size_t why_len);

/* Socket options, set before connect or bind. */
void curve_apply_client(void *socket, const curve_client_t *keys);
void curve_apply_server(void *socket, const curve_pair_t *pair);

#endif
