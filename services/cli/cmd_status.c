/* thuky status, thuky clock */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "text/table.h"
#include "cli.h"

static const char s_status_usage[] =
    N_("usage: thuky status [--json]\n"
       "\n"
       "Asks every daemon whether it is up; prints its version, uptime, last event\n"
       "sequence and store size, and for a daemon that follows another's events how\n"
       "many it has applied of those announced. A follower whose source's log is not\n"
       "the one it counted in (a store restored from another backup) is DIVERGED: it\n"
       "applies nothing more until 'thuky resync' (see 'thuky resync --help').\n"
       "Exits 6 when a daemon does not answer, 4 when a follower has diverged.\n");

/* Appends one warning line to the warnings shown under the table. */
static void s_warn(char *warnings, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void s_warn(char *warnings, size_t len, const char *fmt, ...)
{
    size_t used = strlen(warnings);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(warnings + used, len - used, fmt, ap);
    va_end(ap);
}

/* The years whose calendar an operator should add now: the session
 * service's present year, and from October the next (announcements for a
 * year come in its last months). Warns of each one not announced; notes
 * them in the session service's json entry. */
static void s_check_calendar(cli_t *cli, int64_t now_ms, json_t *obj, char *warning, size_t len)
{
    int year, month;
    date_to_ymd(date_local_day(now_ms / 1000), &year, &month, NULL);
    json_t *missing = json_array();
    for (int y = year; y <= year + (month >= 10); y++) {
        Thuky__CalendarYearRequest req = THUKY__CALENDAR_YEAR_REQUEST__INIT;
        req.year = (uint32_t)y;
        client_result_t result;
        client_call(cli_client(cli, SERVICE_SESSIOND), "calendar.year", &req.base, &result);
        Thuky__CalendarYearReply *reply =
            result.code == THUKY__STATUS_CODE__OK
                ? thuky__calendar_year_reply__unpack(NULL, result.body_len, result.body)
                : NULL;
        if (reply && reply->provisional) {
            json_array_append_new(missing, json_integer(y));
            s_warn(warning, len,
                   _("warning: the working days of %d are not announced (no %d.conf in the "
                     "session service's calendar_dir): they are computed from the Labour Code "
                     "and deadlines counted in them are provisional; add the file and reload "
                     "(see 'thuky calendar %d')\n"),
                   y, y, y);
        }
        if (reply)
            thuky__calendar_year_reply__free_unpacked(reply, NULL);
        client_result_free(&result);
    }
    json_object_set_new(obj, "calendar_unannounced", missing);
}

/* The warnings about a daemon and its subscriptions: what a person must do. */
typedef struct {
    char text[2048];
    int rc; /* EXIT_CONFLICT once a follower has diverged */
} status_warnings_t;

static void s_warn_diverged(status_warnings_t *w, const char *follower,
                            const Thuky__Subscription *sub)
{
    char from[64] = " --from SEQ";
    if (sub->resync_from)
        snprintf(from, sizeof from, _(" (or --from SEQ; default after %llu)"),
                 (unsigned long long)sub->resync_from);
    s_warn(w->text, sizeof w->text,
           _("DIVERGED: %s no longer follows %s: %s. Nothing from %s is applied until "
             "'thuky resync %s %s%s'\n"),
           follower, sub->source, sub->problem, sub->source, follower, sub->source, from);
    if (w->rc == EXIT_OK)
        w->rc = EXIT_CONFLICT;
}

/* "taskd 40/40, sessiond 12/12" (events applied of those announced) into
 * follows, the same as JSON (returned). */
static json_t *s_follows(const config_service_t *svc, const Thuky__DaemonStatus *st,
                         char *follows, size_t len, status_warnings_t *w)
{
    json_t *subs = json_array();
    for (size_t i = 0; st && i < st->n_subscriptions; i++) {
        const Thuky__Subscription *sub = st->subscriptions[i];
        size_t used = i == 0 ? 0 : strlen(follows);
        bool diverged = strcmp(sub->state, "diverged") == 0;
        snprintf(follows + used, len - used, "%s%s %s%llu/%llu", i ? ", " : "", sub->source,
                 diverged ? _("DIVERGED ") : "", (unsigned long long)sub->applied_seq,
                 (unsigned long long)sub->known_seq);
        json_array_append_new(
            subs, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "source", sub->source,
                            "applied_seq", (json_int_t)sub->applied_seq, "known_seq",
                            (json_int_t)sub->known_seq, "state",
                            sub->state[0] ? sub->state : "following", "problem", sub->problem,
                            "log_id", sub->log_id));
        if (diverged)
            s_warn_diverged(w, svc->name, sub);
    }
    return subs;
}

static void s_warn_counters(status_warnings_t *w, const Thuky__DaemonStatus *st)
{
    for (size_t i = 0; i < st->n_counters; i++)
        if (strcmp(st->counters[i]->name, "offices_without_channel") == 0 &&
            st->counters[i]->value > 0)
            s_warn(w->text, sizeof w->text,
                   _("warning: %llu office(s) have no reachable channel (no e-mail, no "
                     "usable webhook): their alerts fail; see 'thuky office list'\n"),
                   (unsigned long long)st->counters[i]->value);
}

/* The JSON entry of a daemon that answered (follows: taken). */
static void s_status_json(json_t *obj, const Thuky__DaemonStatus *st, json_t *follows)
{
    char started[DATE_TIME_LEN];
    render_time_iso(st->started_at_ms, started, sizeof started);
    json_object_set_new(obj, "version", json_string(st->version));
    json_object_set_new(obj, "last_event_seq", json_integer((json_int_t)st->last_event_seq));
    json_object_set_new(obj, "store_bytes", json_integer((json_int_t)st->store_bytes));
    json_object_set_new(obj, "started", json_string(started));
    json_object_set_new(obj, "test_clock", json_boolean(st->test_clock));
    json_t *counters = json_object();
    for (size_t i = 0; i < st->n_counters; i++)
        json_object_set_new(counters, st->counters[i]->name,
                            json_integer((json_int_t)st->counters[i]->value));
    json_object_set_new(obj, "counters", counters);
    json_object_set_new(obj, "follows", follows);
    const Thuky__StoreLog *log = st->store_log;
    if (log)
        json_object_set_new(
            obj, "log",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "bytes", (json_int_t)log->bytes,
                      "checkpoint_age_ms", (json_int_t)log->checkpoint_age_ms, "checkpoints",
                      (json_int_t)log->checkpoints, "checkpoint_max_us",
                      (json_int_t)log->checkpoint_max_us, "records", (json_int_t)log->records,
                      "replayed", (json_int_t)log->replayed));
}

/* The write-ahead log in a cell: what waits for a checkpoint, and since when. */
static void s_log_cell(const Thuky__StoreLog *log, char *out, size_t len)
{
    if (!log) {
        snprintf(out, len, "-");
        return;
    }
    double kib = (double)log->bytes / 1024;
    long long age = (long long)log->checkpoint_age_ms;
    if (age < 10000)
        snprintf(out, len, _("%.0f KiB, %lld ms"), kib, age);
    else
        snprintf(out, len, _("%.0f KiB, %lld s"), kib, age / 1000);
}

/* Asks one daemon; adds its row and JSON entry; returns EXIT_UNAVAILABLE
 * when it does not answer. */
static int s_status_one(cli_t *cli, service_id_t s, table_t *table, json_t *array,
                        status_warnings_t *w)
{
    const config_service_t *svc = config_service(&cli->config, s);
    client_result_t result;
    client_call(cli_client(cli, s), "status", NULL, &result);
    Thuky__DaemonStatus *st = NULL;
    if (result.code == THUKY__STATUS_CODE__OK)
        st = thuky__daemon_status__unpack(NULL, result.body_len, result.body);
    char events[24] = "-", store[24] = "-", since[24] = "-", follows[128] = "-", log[48] = "-";
    json_t *subs = s_follows(svc, st, follows, sizeof follows, w);
    if (st) {
        snprintf(events, sizeof events, "%llu", (unsigned long long)st->last_event_seq);
        snprintf(store, sizeof store, "%.1f MiB", (double)st->store_bytes / (1 << 20));
        render_time(st->started_at_ms, since, sizeof since);
        s_log_cell(st->store_log, log, sizeof log);
    }
    const char *state = st ? (st->test_clock ? _("up (test clock)") : _("up")) : result.message;
    const char *cells[] = {svc->name, state, svc->command, events, store, log, since, follows};
    table_add_row(table, cells);
    json_t *obj = json_pack("{s:s, s:b, s:s}", "daemon", svc->name, "up", st != NULL,
                            "endpoint", svc->command);
    if (st) {
        s_status_json(obj, st, subs);
        s_warn_counters(w, st);
        if (s == SERVICE_SESSIOND)
            s_check_calendar(cli, st->now_ms, obj, w->text, sizeof w->text);
        thuky__daemon_status__free_unpacked(st, NULL);
    } else {
        json_decref(subs);
        json_object_set_new(obj, "error", json_string(result.message));
    }
    json_array_append_new(array, obj);
    client_result_free(&result);
    return st ? EXIT_OK : EXIT_UNAVAILABLE;
}

int cmd_status(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_status_usage)))
        return EXIT_OK;
    if (argc != 1)
        return fputs(_(s_status_usage), stderr), EXIT_USAGE;
    static const char *const headers[] = {N_("DAEMON"), N_("STATE"), N_("ENDPOINT"),
                                          N_("EVENTS"), N_("STORE"), N_("LOG"),
                                          N_("SINCE"),  N_("FOLLOWS")};
    table_t *table = render_table_new(8, headers, "lllrrrll");
    json_t *array = json_array();
    status_warnings_t warnings = {.text = "", .rc = EXIT_OK};
    bool down = false;
    for (int s = 0; s < SERVICE_COUNT; s++)
        if (cli_service_expected(cli, (service_id_t)s))
            down |= s_status_one(cli, (service_id_t)s, table, array, &warnings) != EXIT_OK;
    if (cli->json) {
        cli_print_json(array);
    } else {
        table_print(table, stdout);
        fputs(warnings.text, stdout);
        json_decref(array);
    }
    table_destroy(&table);
    return down ? EXIT_UNAVAILABLE : warnings.rc; /* the worse news wins over a divergence */
}

static const char s_clock_usage[] =
    N_("usage: thuky clock set DATETIME      e.g. 2024-05-20T08:00 (Hanoi time)\n"
       "       thuky clock advance DURATION  e.g. 3d, 12h, 30m, -1h\n"
       "\n"
       "Moves the clock of every daemon started with --test-clock; others refuse.\n");

static bool s_parse_duration(const char *text, int64_t *ms)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text)
        return false;
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            *ms = v * units[i].ms;
            return true;
        }
    return false;
}

int cmd_clock(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_clock_usage)))
        return EXIT_OK;
    if (argc != 3)
        return fputs(_(s_clock_usage), stderr), EXIT_USAGE;
    Thuky__ClockRequest req = THUKY__CLOCK_REQUEST__INIT;
    const char *command;
    if (strcmp(argv[1], "set") == 0) {
        int64_t unix_s;
        const char *why;
        if (!date_parse_datetime(argv[2], &unix_s, NULL, &why))
            return cli_error(EXIT_USAGE, "invalid time '%s': %s", argv[2], _(why));
        req.set_ms = unix_s * 1000;
        command = "clock.set";
    } else if (strcmp(argv[1], "advance") == 0) {
        if (!s_parse_duration(argv[2], &req.advance_ms))
            return cli_error(EXIT_USAGE, "invalid duration '%s' (e.g. 3d, 12h, 30m)", argv[2]);
        command = "clock.advance";
    } else {
        return fputs(_(s_clock_usage), stderr), EXIT_USAGE;
    }
    int rc = EXIT_OK;
    for (int s = 0; s < SERVICE_COUNT && rc == EXIT_OK; s++) {
        if (!cli_service_expected(cli, (service_id_t)s))
            continue;
        Thuky__ClockReply *reply = NULL;
        if (s == SERVICE_WEBD) {
            /* the web face is not always running where the daemons are
             * tested: its clock moves when it answers */
            client_result_t result;
            client_call(cli_client(cli, SERVICE_WEBD), command, &req.base, &result);
            if (result.code == THUKY__STATUS_CODE__UNAVAILABLE) {
                cli_error(EXIT_UNAVAILABLE, "webd does not answer (%s): its clock was not moved",
                          result.message);
                client_result_free(&result);
                continue;
            }
            if (result.code == THUKY__STATUS_CODE__OK)
                reply = (Thuky__ClockReply *)client_result_decode(&result,
                                                                  &thuky__clock_reply__descriptor);
            rc = reply ? EXIT_OK : cli_error(cli_exit_code(result.code), "%s", result.message);
            client_result_free(&result);
        } else {
            rc = cli_call(cli, (service_id_t)s, command, &req.base, &thuky__clock_reply__descriptor,
                      (ProtobufCMessage **)&reply);
        }
        if (rc == EXIT_OK) {
            char now[32];
            render_time(reply->now_ms, now, sizeof now);
            printf("%s: %s\n", config_service(&cli->config, (service_id_t)s)->name, now);
            thuky__clock_reply__free_unpacked(reply, NULL);
        }
    }
    return rc;
}
