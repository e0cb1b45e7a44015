/* fuzz_config: thuky.conf as config_load_file() reads it (the input is the
 * file), then what daemons and the CLI ask of a loaded configuration and a
 * SIGHUP reload of the same file; config_parse_size(), role_parse() and
 * log_level_parse() on the input as one NUL-terminated string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/config.h"
#include "fuzz_util.h"

static config_t *s_cfg;
static char s_path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    s_cfg = xmalloc(sizeof *s_cfg);
    snprintf(s_path, sizeof s_path, "%s/thuky.conf", fuzz_tmpdir());
    return 0;
}

static void s_use(const config_t *cfg)
{
    for (int i = 0; i < SERVICE_COUNT; i++) {
        const config_service_t *svc = config_service(cfg, (service_id_t)i);
        if (!svc->name || !svc->command[0] || !svc->events[0] || !svc->store_dir[0] ||
            svc->map_size < (64u << 10) || svc->max_message < 1024 || svc->batch_max < 1)
            abort(); /* a loaded configuration has every service complete */
    }
    for (int i = 0; i < cfg->n_principals; i++) {
        const config_principal_t *p = &cfg->principals[i];
        const config_principal_t *found =
            p->is_client ? config_find_client(cfg, p->public_key) : config_find_user(cfg, p->name);
        if (!found || found->role == ROLE_NONE)
            abort(); /* every section is found again, with a role */
        role_t role;
        if (!role_parse(role_name(p->role), &role) || role != p->role)
            abort();
    }
    (void)config_calendar_dir(cfg);
}

static void s_strings(const char *text)
{
    size_t bytes;
    if (config_parse_size(text, &bytes)) {
        char again[32];
        snprintf(again, sizeof again, "%zu", bytes);
        size_t same;
        if (!config_parse_size(again, &same) || same != bytes)
            abort(); /* a size parses back from its decimal form */
    }
    role_t role;
    if (role_parse(text, &role) && strcmp(role_name(role), text) != 0)
        abort();
    log_level_t level;
    (void)log_level_parse(text, &level);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_file(s_path, data, size);
    char why[1024] = "";
    if (config_load_file(s_cfg, s_path, why, sizeof why) == 0) {
        s_use(s_cfg);
        if (config_reload(s_cfg, why, sizeof why) != 0)
            abort(); /* the same file loads again */
        s_use(s_cfg);
    } else if (!why[0]) {
        abort(); /* a refusal says why */
    }

    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    s_strings(text);
    free(text);
    return 0;
}
