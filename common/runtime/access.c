#include "runtime/access.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/curve.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* A bound on the connections of one domain's socket. */
typedef struct {
    const char *domain;
    connections_t *conns;
    size_t max;
    const char *what;   /* "subscribers", "clients" */
} limit_t;

/* A refusal logged lately, and how many like it were not since. */
typedef struct {
    char text[640];  /* "refused a DOMAIN connection from ADDRESS: WHY" */
    int64_t at_ms;
    uint64_t unlogged;
} refusal_log_t;

#define ACCESS_REFUSALS_KEPT 16

struct access {
    void *socket;
    const config_t *cfg;
    service_id_t self;
    limit_t limits[2];
    size_t limit_count;
    refusal_log_t refusals[ACCESS_REFUSALS_KEPT];
    uint64_t refused;           /* connections refused since start */
    /* The other daemons' public keys, found in key_dir ("" if absent). */
    char peer_keys[SERVICE_COUNT][CONFIG_Z85_KEY_LEN + 1];
};

static void s_load_peer_keys(access_t *self)
{
    for (int i = 0; i < SERVICE_COUNT; i++) {
        self->peer_keys[i][0] = '\0';
        if ((service_id_t)i == self->self)
            continue;
        char path[CONFIG_PATH_MAX + 80], why[256];
        curve_key_path(self->cfg, config_service(self->cfg, (service_id_t)i)->name, false, path,
                       sizeof path);
        if (access(path, F_OK) == 0 && curve_load_public(path, self->peer_keys[i], why,
                                                         sizeof why) != 0)
            log_warnx("%s", why); /* that daemon cannot follow us over tcp */
    }
}

access_t *access_new(void *zmq_ctx, const config_t *cfg, service_id_t self_id, char *why,
                     size_t why_len)
{
    access_t *self = xcalloc(1, sizeof *self);
    self->cfg = cfg;
    self->self = self_id;
    self->socket = zmq_socket(zmq_ctx, ZMQ_REP);
    int zero = 0;
    zmq_setsockopt(self->socket, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(self->socket, ZAP_ENDPOINT) != 0) {
        snprintf(why, why_len, _("cannot bind %s: %s"), ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
        zmq_close(self->socket);
        free(self);
        return NULL;
    }
    s_load_peer_keys(self);
    return self;
}

void access_destroy(access_t **self_p)
{
    access_t *self = *self_p;
    if (!self)
        return;
    zmq_close(self->socket);
    free(self);
    *self_p = NULL;
}

void access_reload(access_t *self, const config_t *cfg)
{
    self->cfg = cfg;
    s_load_peer_keys(self);
}

void *access_socket(access_t *self) { return self->socket; }
uint64_t access_refused(const access_t *self) { return self->refused; }

void access_limit(access_t *self, const char *domain, connections_t *conns, size_t max,
                  const char *what)
{
    if (!conns || self->limit_count == sizeof self->limits / sizeof self->limits[0])
        return;
    self->limits[self->limit_count++] = (limit_t){domain, conns, max, what};
}

/* False, with why, when this connection goes past its socket's bound. */
static bool s_within_limit(access_t *self, const char *domain, bool trusted, char *why,
                           size_t why_len)
{
    for (size_t i = 0; i < self->limit_count; i++) {
        const limit_t *l = &self->limits[i];
        if (strcmp(l->domain, domain) != 0)
            continue;
        size_t open = connections_count(l->conns);
        size_t max = l->max + (trusted ? ACCESS_RESERVED : 0);
        if (open > max) {
            /* connections still in their handshake count too: a burst may
             * refuse one that fits, which is in at its next attempt. No
             * count in the text: it is also what repeats are known by. */
            snprintf(why, why_len, _("too many %s (at most %zu%s)"), _(l->what), max,
                     trusted ? _(", reserve included") : "");
            return false;
        }
    }
    return true;
}

/* A refused client tries again (the CLI on a fresh socket, a follower
 * after 5 s of silence): the same refusal is logged once every
 * ACCESS_REFUSAL_LOG_MS, and then with the count of the others. */
static void s_log_refusal(access_t *self, const char *text)
{
    int64_t now = clock_monotonic_ms();
    refusal_log_t *r = NULL, *oldest = &self->refusals[0];
    for (size_t i = 0; i < ACCESS_REFUSALS_KEPT && !r; i++) {
        if (strcmp(self->refusals[i].text, text) == 0)
            r = &self->refusals[i];
        else if (self->refusals[i].at_ms < oldest->at_ms)
            oldest = &self->refusals[i];
    }
    if (r && now - r->at_ms < ACCESS_REFUSAL_LOG_MS) {
        r->unlogged++;
        return;
    }
    if (!r) {
        r = oldest;
        snprintf(r->text, sizeof r->text, "%s", text);
    } else if (r->unlogged) {
        log_warnx("%s (%llu more times since)", text, (unsigned long long)r->unlogged);
        r->at_ms = now;
        r->unlogged = 0;
        return;
    }
    log_warnx("%s", text);
    r->at_ms = now;
    r->unlogged = 0;
}

/* ---- decisions ------------------------------------------------------------ */

static void s_grant(identity_t *id, role_t role, const char *office, const char *name)
{
    id->role = role;
    snprintf(id->office, sizeof id->office, "%s", office ? office : "");
    snprintf(id->name, sizeof id->name, "%s", name);
}

/* ipc: libzmq gives the peer address as "...:UID:GID:PID" (SO_PEERCRED). */
static bool s_local(const access_t *self, const char *address, identity_t *id, char *why,
                    size_t why_len)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", address);
    char *uid_text = NULL;
    for (int field = 0; field < 3; field++) {
        uid_text = strrchr(copy, ':');
        if (!uid_text)
            break;
        *uid_text++ = '\0';
    }
    char *end = NULL;
    long uid = uid_text ? strtol(uid_text, &end, 10) : -1;
    if (uid < 0 || end == uid_text || *end != '\0') {
        snprintf(why, why_len, _("no peer credentials in '%.160s'"), address);
        return false;
    }
    char login[CONFIG_NAME_MAX];
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(login, sizeof login, "%s", found->pw_name);
    else
        snprintf(login, sizeof login, "uid:%ld", uid);

    if (uid == 0 || (uid_t)uid == geteuid()) {
        s_grant(id, ROLE_ADMIN, NULL, login);
        return true;
    }
    const config_principal_t *user = config_find_user(self->cfg, login);
    if (user) {
        s_grant(id, user->role, user->office, login);
        return true;
    }
    if (self->cfg->local_role == ROLE_NONE) {
        snprintf(why, why_len, _("local user %s has no role (no [user:%s], local_role = none)"),
                 login, login);
        return false;
    }
    s_grant(id, self->cfg->local_role, self->cfg->local_office, login);
    return true;
}

static bool s_curve(const access_t *self, const zmq_msg_t *credentials, identity_t *id,
                    bool *peer, char *why, size_t why_len)
{
    char key[CONFIG_Z85_KEY_LEN + 1];
    if (zmq_msg_size((zmq_msg_t *)credentials) != 32 ||
        !zmq_z85_encode(key, zmq_msg_data((zmq_msg_t *)credentials), 32)) {
        snprintf(why, why_len, "%s", _("malformed CURVE credentials"));
        return false;
    }
    const config_principal_t *client = config_find_client(self->cfg, key);
    if (client) {
        s_grant(id, client->role, client->office, client->name);
        return true;
    }
    for (int i = 0; i < SERVICE_COUNT; i++)
        if (self->peer_keys[i][0] && strcmp(self->peer_keys[i], key) == 0) {
            s_grant(id, ROLE_READER, NULL, config_service(self->cfg, (service_id_t)i)->name);
            *peer = true;
            return true;
        }
    snprintf(why, why_len, _("unknown CURVE key %s"), key);
    return false;
}

/* ZAP request frames: version, request id, domain, address, routing id,
 * mechanism, credentials... (RFC 27). */
enum { ZAP_VERSION, ZAP_REQUEST_ID, ZAP_DOMAIN, ZAP_ADDRESS, ZAP_ROUTING_ID, ZAP_MECHANISM,
       ZAP_CREDENTIALS, ZAP_FRAMES };

static void s_text(zmq_msg_t *frame, char *out, size_t cap)
{
    size_t n = zmq_msg_size(frame);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, zmq_msg_data(frame), n);
    out[n] = '\0';
}

static void s_answer(access_t *self, zmq_msg_t *frames, int count)
{
    char domain[32] = "", address[256] = "", mechanism[16] = "", why[256] = "";
    identity_t id = {0};
    bool ok = false, peer = false;
    if (count >= ZAP_CREDENTIALS) {
        s_text(&frames[ZAP_DOMAIN], domain, sizeof domain);
        s_text(&frames[ZAP_ADDRESS], address, sizeof address);
        s_text(&frames[ZAP_MECHANISM], mechanism, sizeof mechanism);
        if (strcmp(mechanism, "NULL") == 0)
            ok = s_local(self, address, &id, why, sizeof why);
        else if (strcmp(mechanism, "CURVE") == 0 && count > ZAP_CREDENTIALS)
            ok = s_curve(self, &frames[ZAP_CREDENTIALS], &id, &peer, why, sizeof why);
        else
            snprintf(why, sizeof why, _("mechanism %s is not accepted"), mechanism);
        if (ok && strcmp(domain, ACCESS_DOMAIN_EVENTS) == 0 && id.role == ROLE_OFFICE) {
            ok = false;
            snprintf(why, sizeof why, _("%s has role office, which does not get the event feed"),
                     id.name);
        }
        if (ok)
            ok = s_within_limit(self, domain, peer || id.role == ROLE_ADMIN, why, sizeof why);
    }
    char user_id[CONFIG_NAME_MAX + CONFIG_OFFICE_MAX + 32] = "";
    if (ok)
        snprintf(user_id, sizeof user_id, "%s/%s/%s", role_name(id.role), id.office, id.name);
    else {
        char text[sizeof self->refusals[0].text];
        snprintf(text, sizeof text, _("refused a %s connection from %s: %s"),
                 domain[0] ? domain : "?", address, why[0] ? why : _("malformed ZAP request"));
        s_log_refusal(self, text);
        self->refused++;
    }

    const char *status = ok ? "200" : "400";
    const char *text = ok ? "OK" : "access denied";
    zmq_send(self->socket, "1.0", 3, ZMQ_SNDMORE);
    if (count > ZAP_REQUEST_ID)
        zmq_send(self->socket, zmq_msg_data(&frames[ZAP_REQUEST_ID]),
                 zmq_msg_size(&frames[ZAP_REQUEST_ID]), ZMQ_SNDMORE);
    else
        zmq_send(self->socket, "", 0, ZMQ_SNDMORE);
    zmq_send(self->socket, status, 3, ZMQ_SNDMORE);
    zmq_send(self->socket, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(self->socket, user_id, strlen(user_id), ZMQ_SNDMORE);
    zmq_send(self->socket, "", 0, 0);
}

void access_handle(access_t *self)
{
    for (;;) {
        zmq_msg_t frames[ZAP_FRAMES + 2];
        int count = 0;
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, self->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&frame);
            return;
        }
        for (;;) {
            bool more = zmq_msg_more(&frame);
            if (count < ZAP_FRAMES + 2) {
                zmq_msg_init(&frames[count]);
                zmq_msg_move(&frames[count++], &frame);
            }
            zmq_msg_close(&frame);
            if (!more)
                break;
            zmq_msg_init(&frame);
            if (zmq_msg_recv(&frame, self->socket, 0) < 0) {
                zmq_msg_close(&frame);
                break;
            }
        }
        s_answer(self, frames, count);
        for (int i = 0; i < count; i++)
            zmq_msg_close(&frames[i]);
    }
}

bool access_identity(const char *user_id, identity_t *out)
{
    memset(out, 0, sizeof *out);
    if (!user_id)
        return false;
    const char *a = strchr(user_id, '/');
    const char *b = a ? strchr(a + 1, '/') : NULL;
    if (!b)
        return false;
    char role[16];
    size_t role_len = (size_t)(a - user_id);
    if (role_len >= sizeof role)
        return false;
    memcpy(role, user_id, role_len);
    role[role_len] = '\0';
    size_t office_len = (size_t)(b - a - 1);
    if (!role_parse(role, &out->role) || office_len >= sizeof out->office)
        return false;
    memcpy(out->office, a + 1, office_len);
    snprintf(out->name, sizeof out->name, "%s", b + 1);
    return true;
}
