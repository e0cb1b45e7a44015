/* Configuration: one INI file shared by every thuky binary.
 *
 * Found as: --config FILE, else $THUKY_CONFIG, else /etc/thuky/thuky.conf;
 * when none of those exists the embedded defaults apply (a named file that
 * does not exist is an error). Unknown sections and keys and bad values are
 * errors that name the file and line. Every key is listed in s_keys in
 * config.c and documented in deploy/thuky.conf. */
#ifndef THUKY_CONFIG_H
#define THUKY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/thuky/thuky.conf"
#define CONFIG_DEFAULT_CALENDAR_DIR "/usr/share/thuky/calendar"
#define CONFIG_PATH_MAX 512
#define CONFIG_ENDPOINT_MAX 256

typedef enum {
    SERVICE_TASKD = 0,
    SERVICE_SESSIOND,
    SERVICE_NOTIFYD,
    SERVICE_COUNT,
} service_id_t;

typedef struct {
    const char *name;                 /* "taskd" */
    char command[CONFIG_ENDPOINT_MAX];  /* ROUTER endpoint */
    char events[CONFIG_ENDPOINT_MAX];   /* PUB endpoint */
    char store_dir[CONFIG_PATH_MAX];
    size_t map_size;                  /* initial LMDB map size, bytes */
    size_t max_message;               /* largest request accepted, bytes */
    int batch_max;                    /* requests per group commit */
    int gather_us;                    /* wait for a batch as large as the last */
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

typedef struct {
    char path[CONFIG_PATH_MAX];       /* the file read; empty = defaults */
    char runtime_dir[CONFIG_PATH_MAX];
    char state_dir[CONFIG_PATH_MAX];
    char calendar_dir[CONFIG_PATH_MAX];   /* per-year override files */
    bool calendar_dir_explicit;
    log_level_t log_level;
    bool log_syslog;
    int client_timeout_ms;
    int client_retries;
    config_service_t services[SERVICE_COUNT];
    config_notify_t notify;
    bool explicit_spool_dir;
} config_t;

/* Loads the configuration; on error returns -1 with one line in why. */
int config_load(config_t *cfg, const char *explicit_path, char *why, size_t why_len);
/* Loads one named file, no fallback (for tests and --config). */
int config_load_file(config_t *cfg, const char *path, char *why, size_t why_len);
void config_defaults(config_t *cfg);
const config_service_t *config_service(const config_t *cfg, service_id_t id);
/* The directory of calendar override files to load, or NULL when the
 * default one is not installed (an explicitly configured one must exist). */
const char *config_calendar_dir(const config_t *cfg);
/* Parses "64M", "1G", "4096", "512K" into bytes. */
bool config_parse_size(const char *text, size_t *out);

#endif
