/* Configuration: one INI file shared by every thuky binary.
 *
 * Found as: --config FILE, else $THUKY_CONFIG, else /etc/thuky/thuky.conf;
 * when none of those exists the embedded defaults apply (a named file that
 * does not exist is an error). Unknown sections and keys and bad values are
 * errors that name the file and line. Every key is parsed by one of the
 * s_*_key functions in config.c and documented in deploy/thuky.conf and
 * thuky.conf(5) (tests/system/test_docs.py checks both). */
#ifndef THUKY_CONFIG_H
#define THUKY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/i18n.h"
#include "base/log.h"

#define CONFIG_DEFAULT_PATH "/etc/thuky/thuky.conf"
#define CONFIG_DEFAULT_CALENDAR_DIR "/usr/share/thuky/calendar"
#define CONFIG_PATH_MAX 512
#define CONFIG_ENDPOINT_MAX 256
#define CONFIG_DEFAULT_KEY_DIR "/etc/thuky/keys"
#define CONFIG_PRINCIPALS_MAX 256
#define CONFIG_NAME_MAX 64
#define CONFIG_OFFICE_MAX 65  /* an office id and its NUL */
#define CONFIG_Z85_KEY_LEN 40

/* What a caller may do. A command lists the roles that may run it. */
typedef enum {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1 << 0,   /* the Secretariat: every command */
    ROLE_OFFICE = 1 << 1,  /* one office: its own tasks and alerts */
    ROLE_READER = 1 << 2,  /* status and the event feed */
    /* thuky-webd: reads everything, and writes only on behalf of one office
     * through the commands marked COMMAND_GATEWAY (server.h). */
    ROLE_GATEWAY = 1 << 3,
} role_t;

#define ROLES_ANY (ROLE_ADMIN | ROLE_OFFICE | ROLE_READER | ROLE_GATEWAY)

const char *role_name(role_t role);
bool role_parse(const char *text, role_t *out);

/* One [user:NAME] (a local account, over ipc) or [client:NAME] (a CURVE
 * public key, over tcp) section. */
typedef struct {
    bool is_client;
    char name[CONFIG_NAME_MAX];
    char public_key[CONFIG_Z85_KEY_LEN + 1];  /* Z85; clients only */
    role_t role;
    char office[CONFIG_OFFICE_MAX];         /* role office only */
    int line;                               /* of its first key, for errors */
} config_principal_t;

typedef enum {
    SERVICE_TASKD = 0,
    SERVICE_SESSIOND,
    SERVICE_NOTIFYD,
    SERVICE_WEBD,       /* the web face: a client of the three above */
    SERVICE_COUNT,
} service_id_t;

typedef struct {
    const char *name;                 /* "taskd" */
    char command[CONFIG_ENDPOINT_MAX];  /* ROUTER endpoint */
    char events[CONFIG_ENDPOINT_MAX];   /* PUB endpoint */
    char store_dir[CONFIG_PATH_MAX];
    size_t map_size;                  /* initial LMDB map size, bytes */
    /* The write-ahead log (store_log.c): its file's size, and a checkpoint
     * after checkpoint_size bytes of it or checkpoint_ms, whichever first. */
    size_t log_size;
    size_t checkpoint_size;
    int checkpoint_ms;
    size_t max_message;               /* largest request accepted, bytes */
    int batch_max;                    /* requests per group commit */
    int gather_us;                    /* wait for a batch as large as the last */
    /* What idle peers may hold (connections.h): at most max_subscribers
     * connections on the event socket, each with at most subscriber_queue
     * events waiting; at most max_clients on the command socket. */
    int max_subscribers;
    int subscriber_queue;
    int max_clients;
} config_service_t;

/* The notification service's own keys ([notifyd]). */
typedef struct {
    char spool_dir[CONFIG_PATH_MAX];  /* mail spool when no SMTP server; default STATE_DIR/mail-spool */
    char smtp_url[CONFIG_ENDPOINT_MAX];   /* "" = spool instead */
    char smtp_user[128];
    char smtp_password_file[CONFIG_PATH_MAX];
    bool smtp_starttls;
    char mail_from[128];
    int delivery_timeout_ms;
    int retry_max;                    /* attempts before a delivery is dead-lettered */
    int retry_base_ms;                /* first retry delay; doubles, with jitter */
    int retry_cap_ms;
    unsigned lead_days[8];            /* policy defaults */
    int n_lead_days;
    int deliver_minute;               /* minutes after midnight, local */
    int overdue_every;
    int escalate_after;
    int sitting_reminder_days;        /* before a sitting, to offices with agenda items */
} config_notify_t;

/* The web face's keys ([web]) that the other daemons need too: where it is
 * reached, and the keys that sign alert links (signed_link.h). */
#define CONFIG_URL_MAX 200
#define CONFIG_ALLOW_MAX 16
typedef struct {
    char public_url[CONFIG_URL_MAX + 1];  /* "http(s)://host[:port][/prefix]"; "" = no links */
    char link_key_dir[CONFIG_PATH_MAX];   /* default STATE_DIR/link-keys */
    int link_days;                        /* how long an alert link works */
    /* thuky-webd's own: where it listens (an IPv4 address and port), the
     * reverse proxy whose X-Forwarded-For it believes, TLS, the addresses
     * that see the board without a login, and what one address may use. */
    char listen_address[64];              /* default 127.0.0.1 */
    int listen_port;                      /* default 8080 */
    char trusted_proxy[64];               /* "" = none */
    char tls_cert_file[CONFIG_PATH_MAX];  /* both or neither */
    char tls_key_file[CONFIG_PATH_MAX];
    char board_allow[CONFIG_ALLOW_MAX][64];  /* "10.0.0.0/8", "192.168.1.7" */
    int n_board_allow;
    int max_connections;                  /* default 512 */
    int connections_per_address;          /* default 32 */
    int requests_per_minute;              /* per address, with a burst of as many; default 600 */
} config_web_t;

typedef struct {
    char path[CONFIG_PATH_MAX];       /* the file read; empty = defaults */
    char runtime_dir[CONFIG_PATH_MAX];
    char state_dir[CONFIG_PATH_MAX];
    char calendar_dir[CONFIG_PATH_MAX];   /* per-year override files */
    bool calendar_dir_explicit;
    log_level_t log_level;
    bool log_syslog;
    /* The installation's language ([core] language): what the daemons
     * answer a request that names none in, what they log in, and what the
     * CLI speaks when neither --lang nor the locale chooses. */
    lang_t language;
    int client_timeout_ms;
    int client_retries;
    config_service_t services[SERVICE_COUNT];
    config_notify_t notify;
    bool explicit_spool_dir;
    config_web_t web;
    bool explicit_link_key_dir;
    /* Access: where CURVE keys live, the CLI's own key pair, the role of
     * local users without a [user:NAME] section, and the sections. */
    char key_dir[CONFIG_PATH_MAX];
    char client_key_file[CONFIG_PATH_MAX];
    role_t local_role;
    char local_office[CONFIG_OFFICE_MAX];
    config_principal_t principals[CONFIG_PRINCIPALS_MAX];
    int n_principals;
} config_t;

/* Loads the configuration; on error returns -1 with one line in why. */
int config_load(config_t *cfg, const char *explicit_path, char *why, size_t why_len);
/* Loads one named file, no fallback (for tests and --config). */
int config_load_file(config_t *cfg, const char *path, char *why, size_t why_len);
void config_defaults(config_t *cfg);
/* SIGHUP: rereads cfg->path and applies in place what may change while a
 * daemon runs: log_level, the access sections, local_role and local_office,
 * key_dir, and every [notifyd] key. Keys that need a restart (endpoints,
 * directories, sizes) keep their value and are named in a warning. Returns
 * -1 with why, cfg untouched, when the file is bad. */
int config_reload(config_t *cfg, char *why, size_t why_len);
const config_service_t *config_service(const config_t *cfg, service_id_t id);
/* The section for a local user or a client public key; NULL if none. */
const config_principal_t *config_find_user(const config_t *cfg, const char *login);
const config_principal_t *config_find_client(const config_t *cfg, const char *public_z85);
/* The directory of calendar override files to load, or NULL when the
 * default one is not installed (an explicitly configured one must exist). */
const char *config_calendar_dir(const config_t *cfg);
/* Parses "64M", "1G", "4096", "512K" into bytes. */
bool config_parse_size(const char *text, size_t *out);

/* An office id ("vu-thu-ky"), the same everywhere (configuration, every
 * daemon's commands): 1-64 of a-z, 0-9, '-', '_' and '.'. Ids appear in
 * index keys and links. */
bool config_office_id_valid(const char *id);

#endif
