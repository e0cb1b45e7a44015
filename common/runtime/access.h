/* Who is calling, and in what role: the daemon's ZAP handler.
 *
 * Every command and event socket a daemon binds asks this handler about
 * each new connection (ZeroMQ's ZAP, RFC 27), before any message passes:
 *   - ipc:// (mechanism NULL): the peer's uid, from the kernel. Root and the
 *     daemon's own user are admin; a [user:LOGIN] section gives its role;
 *     anyone else who could open the socket gets local_role.
 *   - tcp:// (mechanism CURVE): the client's public key, which must be a
 *     [client:NAME] section or another thuky daemon's key_dir/NAME.key
 *     (role reader, to follow events). An unknown key is refused and logged.
 * The answer travels with every message of the connection as its User-Id,
 * "ROLE/OFFICE/NAME", which the server reads with access_identity(). The
 * event socket refuses the office role: the feed carries every office's
 * tasks.
 *
 * Each socket may also have a bound on its connections (access_limit): past
 * it a connection is refused, except that admins and the other thuky
 * daemons have ACCESS_RESERVED more, so strangers filling the slots never
 * cut a daemon off from the one it follows. Refusals are logged once per
 * reason and caller every ACCESS_REFUSAL_LOG_MS (a refused client tries
 * again), with the count of those not logged. */
#ifndef THUKY_ACCESS_H
#define THUKY_ACCESS_H

#include <stdint.h>

#include "runtime/config.h"
#include "runtime/connections.h"

#define ACCESS_DOMAIN_COMMAND "command"
#define ACCESS_DOMAIN_EVENTS "events"
#define ACCESS_RESERVED 8
#define ACCESS_REFUSAL_LOG_MS 10000

typedef struct access access_t;

typedef struct {
    role_t role;
    char office[CONFIG_OFFICE_MAX];
    char name[CONFIG_NAME_MAX + 8];
} identity_t;

/* Binds the ZAP endpoint of zmq_ctx; call before binding any socket.
 * self is this daemon (its own key is not a client). NULL with why. */
access_t *access_new(void *zmq_ctx, const config_t *cfg, service_id_t self, char *why,
                     size_t why_len);
void access_destroy(access_t **self_p);
/* Takes the [user:*]/[client:*] sections and local role of a reloaded cfg. */
void access_reload(access_t *self, const config_t *cfg);
void *access_socket(access_t *self);
/* Refuses connections to the sockets of domain past max open ones (what
 * they are is counted by conns; what, English marked N_() such as
 * "clients", names them in the log). */
void access_limit(access_t *self, const char *domain, connections_t *conns, size_t max,
                  const char *what);
/* How many connections were refused since start (any reason). */
uint64_t access_refused(const access_t *self);
/* Answers every ZAP request waiting on the socket. */
void access_handle(access_t *self);

/* Parses the User-Id of a message; false (role none) when absent or bad. */
bool access_identity(const char *user_id, identity_t *out);

#endif
