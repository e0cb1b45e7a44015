/* thuky: the command-line client of the thuky daemons. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "base/log.h"
#include "cli.h"

static const struct {
    const char *name;
    cli_command_fn fn;
    const char *summary; /* N_() */
} s_commands[] = {
    {"status", cmd_status, N_("is every daemon up, and what it holds")},
    {"program", cmd_program, N_("work programs: add, list")},
    {"task", cmd_task, N_("tasks: add, list, show, update, done")},
    {"import", cmd_import, N_("import a work program with its tasks (JSON)")},
    {"report", cmd_report, N_("reports: briefing")},
    {"events", cmd_events, N_("the event feed: tail")},
    {"session", cmd_session, N_("sittings: add, list, show, move, cancel, agenda, ical")},
    {"calendar", cmd_calendar, N_("the working-day calendar: days off, add-days")},
    {"office", cmd_office, N_("offices and their channels: add, list, show")},
    {"alert", cmd_alert, N_("deadline alerts: list, ack, silence, preview")},
    {"clock", cmd_clock, N_("move a daemon's test clock: set, advance")},
    {"keygen", cmd_keygen, N_("write a CURVE key pair for tcp endpoints")},
    {"backup", cmd_backup, N_("hot copy of every store on this host")},
    {"resync", cmd_resync, N_("end a follower's divergence after a restore")},
    {"web", cmd_web, N_("the web face's tokens: create, list, revoke, rotate")},
};

static const char s_usage_head[] =
    N_("usage: thuky [--lang vi|en] [--config FILE] [--json] COMMAND [ARGS]\n"
       "\n"
       "Records and queries the work of the Secretariat of the National Assembly.\n"
       "\n"
       "Commands:\n");

/* %s: the default configuration file. */
static const char s_usage_options[] =
    N_("\n"
       "Options:\n"
       "  -c, --config FILE  configuration (default: $THUKY_CONFIG, then %s)\n"
       "      --json         machine-readable output\n"
       "      --lang vi|en   language of the output; default: the locale (LANGUAGE,\n"
       "                     LC_ALL, LC_MESSAGES, LANG), else [core] language in the\n"
       "                     config, else Vietnamese\n"
       "  -h, --help         help; 'thuky COMMAND --help' for a command\n"
       "\n"
       "Dates are accepted as 2024-05-20 or 20/05/2024, and shown as 20/05/2024 with\n"
       "--lang vi, as 2024-05-20 with --lang en; --json always gives ISO dates.\n"
       "Exit codes, the same in every --lang: 0 ok, 1 local failure, 2 bad usage or\n"
       "input, 3 not found, 4 conflict, 5 permission denied, 6 daemon unavailable,\n"
       "7 internal error.\n");

static void s_usage(FILE *out)
{
    fputs(_(s_usage_head), out);
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
        fprintf(out, "  %-9s %s\n", s_commands[i].name, _(s_commands[i].summary));
    fprintf(out, _(s_usage_options), CONFIG_DEFAULT_PATH);
}

/* --lang, else the locale as gettext reads it: the first of LC_ALL,
 * LC_MESSAGES and LANG that is set; when it is C (or POSIX) that means
 * English and LANGUAGE is ignored, as gettext does; otherwise LANGUAGE's
 * first entry, when set, comes before it. A value naming a language
 * (vi_VN.UTF-8, en_US.UTF-8) chooses it; one that names none (C.UTF-8, a
 * language thuky does not speak) leaves the installation's ([core]
 * language). */
static bool s_chosen_language(const char *flag, lang_t *lang)
{
    if (flag)
        return (strcmp(flag, "vi") == 0 || strcmp(flag, "en") == 0) && lang_parse(flag, lang);
    const char *locale = NULL;
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && !locale; i++) {
        const char *value = getenv(vars[i]);
        if (value && value[0])
            locale = value;
    }
    if (locale && (strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0))
        return lang_parse(locale, lang);
    const char *language = getenv("LANGUAGE");
    if (language && language[0]) {
        char first[64];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(language, ":"), language);
        return lang_parse(first, lang);
    }
    return locale && lang_parse(locale, lang);
}

static void s_caller(cli_t *cli)
{
    const char *user = getenv("USER");
    struct passwd *pw = getpwuid(getuid());
    if (pw)
        user = pw->pw_name;
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(cli->caller, sizeof cli->caller, "%s@%s", user ? user : "unknown", host);
}

int main(int argc, char **argv)
{
    cli_t cli = {0};
    const char *config_path = NULL;
    /* Global options may stand anywhere; take them out of argv. --lang
     * only before the command: after it, it is a command's own (office
     * add --lang en is the office's mail language). */
    int kept = 1;
    const char *lang_flag = NULL;
    for (int i = 1; i < argc; i++) {
        bool before_command = kept == 1;
        if (strcmp(argv[i], "--json") == 0) {
            cli.json = true;
        } else if (before_command && strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
            lang_flag = argv[++i];
        } else if (before_command && strncmp(argv[i], "--lang=", 7) == 0) {
            lang_flag = argv[i] + 7;
        } else if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    argv[argc] = NULL;
    /* Until the config is read: the flag's or the locale's language, else
     * Vietnamese (the embedded default). */
    lang_t lang = LANG_VI;
    bool chosen = s_chosen_language(lang_flag, &lang);
    i18n_init(lang);
    if (lang_flag && !chosen)
        return cli_error(EXIT_USAGE, "unknown language '%s' (vi, en)", lang_flag);
    /* The config is read first, so that even the main help speaks its
     * language; a config that does not load is reported after the help. */
    log_init("thuky", LOG_LEVEL_WARN, false);
    char why[1024];
    bool config_ok = config_load(&cli.config, config_path, why, sizeof why) == 0;
    if (config_ok && !chosen)
        i18n_set_language(cli.config.language);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        s_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    int cmd = -1;
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
        if (strcmp(argv[1], s_commands[i].name) == 0)
            cmd = (int)i;
    if (cmd < 0)
        return cli_error(EXIT_USAGE, "unknown command '%s' (see 'thuky --help')", argv[1]);
    if (!config_ok)
        return cli_error(EXIT_USAGE, "%s", why);
    s_caller(&cli);
    cli.zmq = zmq_ctx_new();
    int rc = s_commands[cmd].fn(&cli, argc - 1, argv + 1);
    for (int i = 0; i < SERVICE_COUNT; i++)
        client_destroy(&cli.clients[i]);
    zmq_ctx_term(cli.zmq);
    return rc;
}
