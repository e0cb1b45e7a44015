#include "runtime/config.h"

#include <errno.h>
#include <arpa/inet.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/log.h"

static const char *const s_service_names[SERVICE_COUNT] = {"taskd", "sessiond", "notifyd",
                                                           "webd"};

typedef struct {
    config_t *cfg;
    char *why;
    size_t why_len;
    bool failed;
    int lineno;           /* line last read, counted by s_read_line */
    int failed_line;
    FILE *file;
    /* endpoints given explicitly; the rest follow runtime_dir/state_dir */
    bool explicit_command[SERVICE_COUNT], explicit_events[SERVICE_COUNT],
        explicit_store[SERVICE_COUNT];
} parse_ctx_t;

bool config_parse_size(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || errno || end == text)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'K': case 'k': shift = 10; end++; break;
    case 'M': case 'm': shift = 20; end++; break;
    case 'G': case 'g': shift = 30; end++; break;
    default: return false;
    }
    if (*end != '\0' || v > (~0ULL >> shift))
        return false;
    *out = (size_t)(v << shift);
    return true;
}

static bool s_parse_int(const char *text, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool s_copy(char *dst, size_t cap, const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || n >= cap)
        return false;
    memcpy(dst, value, n + 1);
    return true;
}

/* Endpoints and stores not set explicitly follow runtime_dir and state_dir.
 * Returns false when a derived path does not fit. */
static bool s_derive_paths(parse_ctx_t *ctx)
{
    config_t *cfg = ctx->cfg;
    bool ok = true;
    for (int i = 0; i < SERVICE_COUNT; i++) {
        config_service_t *svc = &cfg->services[i];
        if (!ctx->explicit_command[i])
            ok &= snprintf(svc->command, sizeof svc->command, "ipc://%s/%s.cmd",
                           cfg->runtime_dir, svc->name) < (int)sizeof svc->command;
        if (!ctx->explicit_events[i])
            ok &= snprintf(svc->events, sizeof svc->events, "ipc://%s/%s.pub",
                           cfg->runtime_dir, svc->name) < (int)sizeof svc->events;
        if (!ctx->explicit_store[i])
            ok &= snprintf(svc->store_dir, sizeof svc->store_dir, "%s/%s", cfg->state_dir,
                           svc->name) < (int)sizeof svc->store_dir;
    }
    if (!cfg->explicit_spool_dir)
        ok &= snprintf(cfg->notify.spool_dir, sizeof cfg->notify.spool_dir, "%s/mail-spool",
                       cfg->state_dir) < (int)sizeof cfg->notify.spool_dir;
    if (!cfg->explicit_link_key_dir)
        ok &= snprintf(cfg->web.link_key_dir, sizeof cfg->web.link_key_dir, "%s/link-keys",
                       cfg->state_dir) < (int)sizeof cfg->web.link_key_dir;
    return ok;
}

void config_defaults(config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->runtime_dir, sizeof cfg->runtime_dir, "/run/thuky");
    snprintf(cfg->state_dir, sizeof cfg->state_dir, "/var/lib/thuky");
    snprintf(cfg->calendar_dir, sizeof cfg->calendar_dir, "%s", CONFIG_DEFAULT_CALENDAR_DIR);
    snprintf(cfg->key_dir, sizeof cfg->key_dir, "%s", CONFIG_DEFAULT_KEY_DIR);
    cfg->local_role = ROLE_ADMIN;
    cfg->log_level = LOG_LEVEL_INFO;
    cfg->language = LANG_VI;
    cfg->client_timeout_ms = 5000;
    cfg->client_retries = 3;
    for (int i = 0; i < SERVICE_COUNT; i++) {
        config_service_t *svc = &cfg->services[i];
        svc->name = s_service_names[i];
        svc->map_size = 64u << 20;
        svc->log_size = 16u << 20;
        svc->checkpoint_size = 4u << 20;
        svc->checkpoint_ms = 100;
        svc->max_message = 4u << 20;
        svc->batch_max = 512;
        svc->gather_us = 200;
        svc->max_subscribers = 32;
        svc->subscriber_queue = 128;
        svc->max_clients = 256;
    }
    cfg->web.link_days = 30;
    snprintf(cfg->web.listen_address, sizeof cfg->web.listen_address, "127.0.0.1");
    cfg->web.listen_port = 8080;
    cfg->web.max_connections = 512;
    cfg->web.connections_per_address = 32;
    cfg->web.requests_per_minute = 600;
    config_notify_t *n = &cfg->notify;
    snprintf(n->mail_from, sizeof n->mail_from, "thuky@localhost");
    n->delivery_timeout_ms = 10000;
    n->retry_max = 8;
    n->retry_base_ms = 30000;
    n->retry_cap_ms = 3600000;
    static const unsigned lead[] = {7, 3, 1, 0};
    memcpy(n->lead_days, lead, sizeof lead);
    n->n_lead_days = 4;
    n->deliver_minute = 8 * 60;
    n->overdue_every = 2;
    n->escalate_after = 5;
    n->sitting_reminder_days = 3;
    parse_ctx_t ctx = {.cfg = cfg};
    (void)s_derive_paths(&ctx);
}

/* "7,3,1,0": at most 8 distinct days, each 0-365. */
static bool s_parse_lead_days(const char *text, config_notify_t *n)
{
    int count = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 0 || v > 365 || count == 8)
            return false;
        n->lead_days[count++] = (unsigned)v;
        while (*end == ' ')
            end++;
        if (*end == ',')
            end++;
        else if (*end)
            return false;
        p = end;
        while (*p == ' ')
            p++;
    }
    n->n_lead_days = count;
    return count > 0;
}

static int s_notify_key(parse_ctx_t *ctx, const char *key, const char *value)
{
    config_t *cfg = ctx->cfg;
    config_notify_t *n = &cfg->notify;
    if (strcmp(key, "spool_dir") == 0) {
        cfg->explicit_spool_dir = true;
        return s_copy(n->spool_dir, sizeof n->spool_dir, value) ? 1 : -1;
    }
    if (strcmp(key, "smtp_url") == 0)
        return (strncmp(value, "smtp://", 7) == 0 || strncmp(value, "smtps://", 8) == 0) &&
                       s_copy(n->smtp_url, sizeof n->smtp_url, value)
                   ? 1
                   : -1;
    if (strcmp(key, "smtp_user") == 0)
        return s_copy(n->smtp_user, sizeof n->smtp_user, value) ? 1 : -1;
    if (strcmp(key, "smtp_password_file") == 0)
        return s_copy(n->smtp_password_file, sizeof n->smtp_password_file, value) ? 1 : -1;
    if (strcmp(key, "smtp_starttls") == 0) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return -1;
        n->smtp_starttls = strcmp(value, "yes") == 0;
        return 1;
    }
    if (strcmp(key, "mail_from") == 0)
        return strchr(value, '@') && s_copy(n->mail_from, sizeof n->mail_from, value) ? 1 : -1;
    if (strcmp(key, "delivery_timeout_ms") == 0)
        return s_parse_int(value, 100, 600000, &n->delivery_timeout_ms) ? 1 : -1;
    if (strcmp(key, "retry_max") == 0)
        return s_parse_int(value, 1, 100, &n->retry_max) ? 1 : -1;
    if (strcmp(key, "retry_base_ms") == 0)
        return s_parse_int(value, 10, 86400000, &n->retry_base_ms) ? 1 : -1;
    if (strcmp(key, "retry_cap_ms") == 0)
        return s_parse_int(value, 10, 604800000, &n->retry_cap_ms) ? 1 : -1;
    if (strcmp(key, "lead_days") == 0)
        return s_parse_lead_days(value, n) ? 1 : -1;
    if (strcmp(key, "deliver_at") == 0)
        return date_parse_clock(value, &n->deliver_minute) ? 1 : -1;
    if (strcmp(key, "overdue_every") == 0)
        return s_parse_int(value, 1, 365, &n->overdue_every) ? 1 : -1;
    if (strcmp(key, "escalate_after") == 0)
        return s_parse_int(value, 1, 365, &n->escalate_after) ? 1 : -1;
    if (strcmp(key, "sitting_reminder_days") == 0)
        return s_parse_int(value, 0, 365, &n->sitting_reminder_days) ? 1 : -1;
    return 0;
}

/* A public URL goes into e-mails and links as it is: http or https, a host,
 * printable ASCII without spaces, quotes or angle brackets; the trailing
 * slash is dropped. */
static bool s_public_url(const char *value, char *out, size_t cap)
{
    size_t n = strlen(value);
    const char *host = strncmp(value, "http://", 7) == 0    ? value + 7
                       : strncmp(value, "https://", 8) == 0 ? value + 8
                                                            : NULL;
    if (!host || !*host || *host == '/' || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if (value[i] <= ' ' || value[i] > '~' || strchr("\"'<>\\`{}|^", value[i]))
            return false;
    while (n > 0 && value[n - 1] == '/')
        n--;
    memcpy(out, value, n);
    out[n] = '\0';
    return true;
}

/* A dotted IPv4 address (webd listens on IPv4 loopback or a LAN address;
 * a reverse proxy speaks IPv6 to the world). */
static bool s_ipv4(const char *text)
{
    struct in_addr a;
    return inet_pton(AF_INET, text, &a) == 1;
}

/* "127.0.0.1:8080", or a port alone (loopback). */
static bool s_listen(const char *value, config_web_t *w)
{
    const char *colon = strrchr(value, ':');
    const char *port = colon ? colon + 1 : value;
    char host[64] = "127.0.0.1";
    if (colon) {
        size_t n = (size_t)(colon - value);
        if (n == 0 || n >= sizeof host)
            return false;
        memcpy(host, value, n);
        host[n] = '\0';
    }
    if (!s_ipv4(host) || !s_parse_int(port, 1, 65535, &w->listen_port))
        return false;
    return s_copy(w->listen_address, sizeof w->listen_address, host);
}

/* A comma-separated list of IPv4 addresses and ADDRESS/BITS networks. */
static bool s_allow_list(const char *value, config_web_t *w)
{
    char copy[CONFIG_ALLOW_MAX * 64];
    if (!s_copy(copy, sizeof copy, value))
        return false;
    w->n_board_allow = 0;
    for (char *save = NULL, *item = strtok_r(copy, ", ", &save); item;
         item = strtok_r(NULL, ", ", &save)) {
        char host[INET_ADDRSTRLEN];
        int bits = 32;
        const char *slash = strchr(item, '/');
        size_t n = slash ? (size_t)(slash - item) : strlen(item);
        if (n >= sizeof host || w->n_board_allow == CONFIG_ALLOW_MAX ||
            (slash && !s_parse_int(slash + 1, 0, 32, &bits)))
            return false;
        memcpy(host, item, n);
        host[n] = '\0';
        if (!s_ipv4(host))
            return false;
        snprintf(w->board_allow[w->n_board_allow++], sizeof w->board_allow[0], "%s/%d", host,
                 bits);
    }
    return w->n_board_allow > 0;
}

static int s_web_key(parse_ctx_t *ctx, const char *key, const char *value)
{
    config_t *cfg = ctx->cfg;
    config_web_t *w = &cfg->web;
    if (strcmp(key, "public_url") == 0)
        return s_public_url(value, w->public_url, sizeof w->public_url) ? 1 : -1;
    if (strcmp(key, "link_key_dir") == 0) {
        cfg->explicit_link_key_dir = true;
        return s_copy(w->link_key_dir, sizeof w->link_key_dir, value) ? 1 : -1;
    }
    if (strcmp(key, "link_days") == 0)
        return s_parse_int(value, 1, 365, &w->link_days) ? 1 : -1;
    if (strcmp(key, "listen") == 0)
        return s_listen(value, w) ? 1 : -1;
    if (strcmp(key, "trusted_proxy") == 0)
        return s_ipv4(value) && s_copy(w->trusted_proxy, sizeof w->trusted_proxy, value) ? 1 : -1;
    if (strcmp(key, "tls_cert_file") == 0)
        return s_copy(w->tls_cert_file, sizeof w->tls_cert_file, value) ? 1 : -1;
    if (strcmp(key, "tls_key_file") == 0)
        return s_copy(w->tls_key_file, sizeof w->tls_key_file, value) ? 1 : -1;
    if (strcmp(key, "board_allow") == 0)
        return s_allow_list(value, w) ? 1 : -1;
    if (strcmp(key, "max_connections") == 0)
        return s_parse_int(value, 1, 65536, &w->max_connections) ? 1 : -1;
    if (strcmp(key, "connections_per_address") == 0)
        return s_parse_int(value, 1, 65536, &w->connections_per_address) ? 1 : -1;
    if (strcmp(key, "requests_per_minute") == 0)
        return s_parse_int(value, 1, 1000000, &w->requests_per_minute) ? 1 : -1;
    return 0;
}

static int s_core_key(parse_ctx_t *ctx, const char *key, const char *value)
{
    config_t *cfg = ctx->cfg;
    if (strcmp(key, "runtime_dir") == 0)
        return s_copy(cfg->runtime_dir, sizeof cfg->runtime_dir, value) ? 1 : -1;
    if (strcmp(key, "state_dir") == 0)
        return s_copy(cfg->state_dir, sizeof cfg->state_dir, value) ? 1 : -1;
    if (strcmp(key, "calendar_dir") == 0) {
        cfg->calendar_dir_explicit = true;
        return s_copy(cfg->calendar_dir, sizeof cfg->calendar_dir, value) ? 1 : -1;
    }
    if (strcmp(key, "log_level") == 0)
        return log_level_parse(value, &cfg->log_level) ? 1 : -1;
    if (strcmp(key, "language") == 0)
        return (strcmp(value, "vi") == 0 || strcmp(value, "en") == 0) &&
                       lang_parse(value, &cfg->language)
                   ? 1
                   : -1;
    if (strcmp(key, "log_target") == 0) {
        if (strcmp(value, "stderr") == 0)
            cfg->log_syslog = false;
        else if (strcmp(value, "syslog") == 0)
            cfg->log_syslog = true;
        else
            return -1;
        return 1;
    }
    return 0;
}

static const char *const s_role_names[] = {"none", "admin", "office", "reader", "gateway"};

const char *role_name(role_t role)
{
    switch (role) {
    case ROLE_ADMIN: return "admin";
    case ROLE_OFFICE: return "office";
    case ROLE_READER: return "reader";
    case ROLE_GATEWAY: return "gateway";
    default: return "none";
    }
}

bool role_parse(const char *text, role_t *out)
{
    for (size_t i = 0; i < sizeof s_role_names / sizeof s_role_names[0]; i++)
        if (strcmp(text, s_role_names[i]) == 0) {
            *out = i == 0 ? ROLE_NONE : (role_t)(1 << (i - 1));
            return true;
        }
    return false;
}

bool config_office_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= CONFIG_OFFICE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

/* A Z85 CURVE public key: 40 characters of the Z85 alphabet. */
static bool s_z85_key(const char *text)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   ".-:+=^!/*?&<>()[]{}@%$#";
    if (strlen(text) != CONFIG_Z85_KEY_LEN)
        return false;
    for (const char *p = text; *p; p++)
        if (!strchr(alphabet, *p))
            return false;
    return true;
}

static int s_access_key(parse_ctx_t *ctx, const char *key, const char *value)
{
    config_t *cfg = ctx->cfg;
    if (strcmp(key, "key_dir") == 0)
        return s_copy(cfg->key_dir, sizeof cfg->key_dir, value) ? 1 : -1;
    if (strcmp(key, "client_key_file") == 0)
        return s_copy(cfg->client_key_file, sizeof cfg->client_key_file, value) ? 1 : -1;
    if (strcmp(key, "local_role") == 0)
        return role_parse(value, &cfg->local_role) ? 1 : -1;
    if (strcmp(key, "local_office") == 0)
        return config_office_id_valid(value) && s_copy(cfg->local_office, sizeof cfg->local_office, value)
                   ? 1
                   : -1;
    return 0;
}

/* [user:NAME] and [client:NAME]: the section is created at its first key. */
static int s_principal_key(parse_ctx_t *ctx, bool is_client, const char *name, const char *key,
                           const char *value)
{
    config_t *cfg = ctx->cfg;
    config_principal_t *p = NULL;
    for (int i = 0; i < cfg->n_principals; i++)
        if (cfg->principals[i].is_client == is_client &&
            strcmp(cfg->principals[i].name, name) == 0)
            p = &cfg->principals[i];
    if (!p) {
        if (cfg->n_principals == CONFIG_PRINCIPALS_MAX || !name[0] ||
            strlen(name) >= CONFIG_NAME_MAX)
            return -3;
        p = &cfg->principals[cfg->n_principals++];
        memset(p, 0, sizeof *p);
        p->is_client = is_client;
        memcpy(p->name, name, strlen(name) + 1);
        p->line = ctx->lineno;
    }
    if (strcmp(key, "role") == 0)
        return role_parse(value, &p->role) ? 1 : -1;
    if (strcmp(key, "office") == 0)
        return config_office_id_valid(value) && s_copy(p->office, sizeof p->office, value) ? 1 : -1;
    if (is_client && strcmp(key, "public_key") == 0)
        return s_z85_key(value) && s_copy(p->public_key, sizeof p->public_key, value) ? 1 : -1;
    return 0;
}

/* What the sections cannot say key by key: a role is given, an office
 * goes with the office role only, a client has its key, keys are unique. */
static bool s_check_access(parse_ctx_t *ctx)
{
    config_t *cfg = ctx->cfg;
    const char *path = cfg->path;
    if ((cfg->local_role == ROLE_OFFICE) != (cfg->local_office[0] != 0)) {
        snprintf(ctx->why, ctx->why_len,
                 _("%s: local_office must be set exactly when local_role is office"), path);
        return false;
    }
    if (cfg->local_role == ROLE_GATEWAY) {
        /* the gateway acts for offices: it is one named account, never "anyone" */
        snprintf(ctx->why, ctx->why_len,
                 _("%s: local_role may not be gateway (give thuky-webd's user a [user:NAME])"),
                 path);
        return false;
    }
    for (int i = 0; i < cfg->n_principals; i++) {
        const config_principal_t *p = &cfg->principals[i];
        const char *kind = p->is_client ? "client" : "user";
        const char *problem = NULL;
        if (p->role == ROLE_NONE)
            problem = N_("needs role = admin, office, reader or gateway");
        else if ((p->role == ROLE_OFFICE) != (p->office[0] != 0))
            problem = N_("office must be set exactly when role is office");
        else if (p->is_client && !p->public_key[0])
            problem = N_("needs public_key (the 40 characters of its NAME.key)");
        for (int j = 0; !problem && p->is_client && j < i; j++)
            if (cfg->principals[j].is_client &&
                strcmp(cfg->principals[j].public_key, p->public_key) == 0)
                problem = N_("has the same public_key as an earlier client");
        if (problem) {
            snprintf(ctx->why, ctx->why_len, "%s:%d: [%s:%s] %s", path, p->line, kind, p->name,
                     _(problem));
            return false;
        }
    }
    return true;
}

const config_principal_t *config_find_user(const config_t *cfg, const char *login)
{
    for (int i = 0; i < cfg->n_principals; i++)
        if (!cfg->principals[i].is_client && strcmp(cfg->principals[i].name, login) == 0)
            return &cfg->principals[i];
    return NULL;
}

const config_principal_t *config_find_client(const config_t *cfg, const char *public_z85)
{
    for (int i = 0; i < cfg->n_principals; i++)
        if (cfg->principals[i].is_client &&
            strcmp(cfg->principals[i].public_key, public_z85) == 0)
            return &cfg->principals[i];
    return NULL;
}

static int s_client_key(parse_ctx_t *ctx, const char *key, const char *value)
{
    config_t *cfg = ctx->cfg;
    if (strcmp(key, "timeout_ms") == 0)
        return s_parse_int(value, 10, 600000, &cfg->client_timeout_ms) ? 1 : -1;
    if (strcmp(key, "retries") == 0)
        return s_parse_int(value, 0, 100, &cfg->client_retries) ? 1 : -1;
    return 0;
}

static int s_service_key(parse_ctx_t *ctx, int id, const char *key, const char *value)
{
    config_service_t *svc = &ctx->cfg->services[id];
    if (strcmp(key, "command") == 0) {
        ctx->explicit_command[id] = true;
        return s_copy(svc->command, sizeof svc->command, value) ? 1 : -1;
    }
    if (strcmp(key, "events") == 0) {
        ctx->explicit_events[id] = true;
        return s_copy(svc->events, sizeof svc->events, value) ? 1 : -1;
    }
    if (strcmp(key, "store") == 0) {
        ctx->explicit_store[id] = true;
        return s_copy(svc->store_dir, sizeof svc->store_dir, value) ? 1 : -1;
    }
    if (strcmp(key, "map_size") == 0)
        return config_parse_size(value, &svc->map_size) && svc->map_size >= (64u << 10) ? 1 : -1;
    if (strcmp(key, "log_size") == 0)
        return config_parse_size(value, &svc->log_size) && svc->log_size >= (128u << 10) ? 1 : -1;
    if (strcmp(key, "checkpoint_size") == 0)
        return config_parse_size(value, &svc->checkpoint_size) && svc->checkpoint_size >= 4096
                   ? 1
                   : -1;
    if (strcmp(key, "checkpoint_ms") == 0)
        return s_parse_int(value, 1, 60000, &svc->checkpoint_ms) ? 1 : -1;
    if (strcmp(key, "max_message") == 0)
        return config_parse_size(value, &svc->max_message) && svc->max_message >= 1024 ? 1 : -1;
    if (strcmp(key, "batch_max") == 0)
        return s_parse_int(value, 1, 100000, &svc->batch_max) ? 1 : -1;
    if (strcmp(key, "gather_us") == 0)
        return s_parse_int(value, 0, 100000, &svc->gather_us) ? 1 : -1;
    if (strcmp(key, "max_subscribers") == 0)
        return s_parse_int(value, 1, 100000, &svc->max_subscribers) ? 1 : -1;
    if (strcmp(key, "subscriber_queue") == 0)
        return s_parse_int(value, 16, 1000000, &svc->subscriber_queue) ? 1 : -1;
    if (strcmp(key, "max_clients") == 0)
        return s_parse_int(value, 1, 100000, &svc->max_clients) ? 1 : -1;
    return 0;
}

/* inih reader: counts lines so errors can name them (Debian's inih is
 * built without INI_HANDLER_LINENO). */
static char *s_read_line(char *line, int size, void *stream)
{
    parse_ctx_t *ctx = stream;
    char *got = fgets(line, size, ctx->file);
    if (!got)
        return NULL;
    ctx->lineno++;
    size_t len = strlen(line);
    int next = len == (size_t)size - 1 && line[len - 1] != '\n' ? getc(ctx->file) : '\n';
    if (next != '\n' && next != EOF) {
        /* inih's line buffer is fixed (200 bytes in Debian's build): refuse
         * rather than split the line into two. */
        if (!ctx->failed)
            snprintf(ctx->why, ctx->why_len, _("%s:%d: line is longer than %d characters"),
                     ctx->cfg->path, ctx->lineno, size - 2);
        ctx->failed = true;
        ctx->failed_line = -1;
        return NULL;
    }
    return got;
}

/* inih callback: records the first error and returns 0. */
static int s_handler(void *user, const char *section, const char *key, const char *value)
{
    parse_ctx_t *ctx = user;
    if (ctx->failed)
        return 0;
    int lineno = ctx->lineno;
    const char *path = ctx->cfg->path;
    int rc = -2; /* unknown section */
    if (strcmp(section, "core") == 0) {
        rc = s_core_key(ctx, key, value);
        if (rc == 0)
            rc = s_access_key(ctx, key, value);
    } else if (strncmp(section, "user:", 5) == 0) {
        rc = s_principal_key(ctx, false, section + 5, key, value);
    } else if (strncmp(section, "client:", 7) == 0) {
        rc = s_principal_key(ctx, true, section + 7, key, value);
    } else if (strcmp(section, "client") == 0) {
        rc = s_client_key(ctx, key, value);
    } else if (strcmp(section, "web") == 0) {
        rc = s_web_key(ctx, key, value);
    } else {
        for (int i = 0; i < SERVICE_COUNT; i++)
            if (strcmp(section, s_service_names[i]) == 0)
                rc = s_service_key(ctx, i, key, value);
        if (rc == 0 && strcmp(section, "notifyd") == 0)
            rc = s_notify_key(ctx, key, value);
    }
    if (rc == 1)
        return 1;
    if (rc == -2)
        snprintf(ctx->why, ctx->why_len, _("%s:%d: unknown section [%s]"), path, lineno, section);
    else if (rc == -3)
        snprintf(ctx->why, ctx->why_len,
                 _("%s:%d: [%s]: a name of 1 to %d characters, at most %d such sections"), path,
                 lineno, section, CONFIG_NAME_MAX - 1, CONFIG_PRINCIPALS_MAX);
    else if (rc == 0)
        snprintf(ctx->why, ctx->why_len, _("%s:%d: unknown key '%s' in [%s]"), path, lineno, key,
                 section);
    else
        snprintf(ctx->why, ctx->why_len, _("%s:%d: bad value '%s' for %s.%s"), path, lineno,
                 value, section, key);
    ctx->failed = true;
    ctx->failed_line = lineno;
    return 0;
}

int config_load_file(config_t *cfg, const char *path, char *why, size_t why_len)
{
    config_defaults(cfg);
    if (!s_copy(cfg->path, sizeof cfg->path, path)) {
        snprintf(why, why_len, "%s", _("config path too long"));
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, _("cannot read config %s: %s"), path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, _("config %s is not a regular file"), path);
        fclose(f);
        return -1;
    }
    parse_ctx_t ctx = {.cfg = cfg, .why = why, .why_len = why_len, .file = f};
    int rc = ini_parse_stream(s_read_line, &ctx, s_handler, &ctx);
    bool read_error = ferror(f) != 0;
    int read_errno = errno;
    fclose(f);
    /* inih returns the first bad line, which may be a syntax error that
     * came before the key the handler refused. */
    if (ctx.failed && (rc == ctx.failed_line || ctx.failed_line < 0))
        return -1;
    if (read_error) {
        snprintf(why, why_len, _("cannot read config %s: %s"), path, strerror(read_errno));
        return -1;
    }
    if (rc != 0) {
        snprintf(why, why_len, _("%s:%d: syntax error (expected [section] or key = value)"),
                 path, rc);
        return -1;
    }
    if (!s_check_access(&ctx))
        return -1;
    if (!s_derive_paths(&ctx)) {
        snprintf(why, why_len, _("%s: runtime_dir or state_dir is too long"), path);
        return -1;
    }
    return 0;
}

int config_reload(config_t *cfg, char *why, size_t why_len)
{
    if (!cfg->path[0])
        return 0; /* embedded defaults: nothing to reread */
    config_t *fresh = xmalloc(sizeof *fresh);
    if (config_load_file(fresh, cfg->path, why, why_len) != 0) {
        free(fresh);
        return -1;
    }
    bool same_paths = strcmp(fresh->runtime_dir, cfg->runtime_dir) == 0 &&
                      strcmp(fresh->state_dir, cfg->state_dir) == 0 &&
                      strcmp(fresh->calendar_dir, cfg->calendar_dir) == 0 &&
                      fresh->log_syslog == cfg->log_syslog &&
                      fresh->client_timeout_ms == cfg->client_timeout_ms &&
                      fresh->client_retries == cfg->client_retries;
    for (int i = 0; i < SERVICE_COUNT; i++)
        same_paths &= memcmp(&fresh->services[i], &cfg->services[i], sizeof cfg->services[i]) == 0;
    if (!same_paths)
        log_warnx("%s: endpoints, directories, sizes, log_target or [client] changed; they "
                  "apply at the next restart",
                  cfg->path);
    cfg->log_level = fresh->log_level;
    cfg->language = fresh->language;
    memcpy(cfg->key_dir, fresh->key_dir, sizeof cfg->key_dir);
    cfg->local_role = fresh->local_role;
    memcpy(cfg->local_office, fresh->local_office, sizeof cfg->local_office);
    memcpy(cfg->principals, fresh->principals, sizeof cfg->principals);
    cfg->n_principals = fresh->n_principals;
    cfg->notify = fresh->notify;
    free(fresh);
    return 0;
}

int config_load(config_t *cfg, const char *explicit_path, char *why, size_t why_len)
{
    if (explicit_path)
        return config_load_file(cfg, explicit_path, why, why_len);
    const char *env = getenv("THUKY_CONFIG");
    if (env && *env)
        return config_load_file(cfg, env, why, why_len);
    if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
        return config_load_file(cfg, CONFIG_DEFAULT_PATH, why, why_len);
    config_defaults(cfg);
    return 0;
}

const char *config_calendar_dir(const config_t *cfg)
{
    if (!cfg->calendar_dir_explicit && access(cfg->calendar_dir, F_OK) != 0)
        return NULL;
    return cfg->calendar_dir;
}

const config_service_t *config_service(const config_t *cfg, service_id_t id)
{
    return &cfg->services[id];
}
