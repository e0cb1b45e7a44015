/* Unit tests for common/runtime/config.c: defaults, derived endpoints, explicit
 * overrides, errors that name file and line, and size parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/config.h"
#include "tempdir.h"

typedef struct {
    char root[64];
    char path[128];   /* root/thuky.conf */
    char why[512];
    config_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!tempdir_make(fx->root, sizeof fx->root, "config")) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/thuky.conf", fx->root);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    tempdir_remove(fx->root);
    free(fx);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Writes text as the config file and loads it; returns config_load_file's rc. */
static int load(fixture_t *fx, const char *text)
{
    write_file(fx->path, text);
    memset(fx->why, 0, sizeof fx->why);
    int rc = config_load_file(&fx->cfg, fx->path, fx->why, sizeof fx->why);
    if (rc != 0 && fx->why[0] == '\0')
        fail_msg("error without a reason");
    return rc;
}

static void load_ok(fixture_t *fx, const char *text)
{
    int rc = load(fx, text);
    if (rc != 0)
        print_error("unexpected error: %s\n", fx->why);
    assert_int_equal(rc, 0);
}

/* Loads text, expects an error naming "PATH:LINE:" and containing each of
 * the given fragments (NULL-terminated). */
static void load_fails_at(fixture_t *fx, const char *text, int line, ...)
{
    int rc = load(fx, text);
    if (rc == 0)
        fail_msg("expected an error at line %d", line);
    assert_int_equal(rc, -1);
    char where[256];
    snprintf(where, sizeof where, "%s:%d:", fx->path, line);
    if (strncmp(fx->why, where, strlen(where)) != 0)
        fail_msg("'%s' does not start with '%s'", fx->why, where);
    va_list ap;
    va_start(ap, line);
    for (const char *frag; (frag = va_arg(ap, const char *)) != NULL;)
        if (!strstr(fx->why, frag))
            fail_msg("'%s' does not mention '%s'", fx->why, frag);
    va_end(ap);
}

static const config_service_t *taskd(const fixture_t *fx)
{
    const config_service_t *svc = config_service(&fx->cfg, SERVICE_TASKD);
    assert_non_null(svc);
    assert_string_equal(svc->name, "taskd");
    return svc;
}

/* ------------------------------------------------------------------ tests */

static void test_embedded_defaults(void **state)
{
    fixture_t *fx = *state;
    config_defaults(&fx->cfg);
    assert_string_equal(fx->cfg.path, "");
    assert_string_equal(fx->cfg.runtime_dir, "/run/thuky");
    assert_string_equal(fx->cfg.state_dir, "/var/lib/thuky");
    assert_int_equal(fx->cfg.log_level, LOG_LEVEL_INFO);
    assert_false(fx->cfg.log_syslog);
    assert_int_equal(fx->cfg.client_timeout_ms, 5000);
    assert_int_equal(fx->cfg.client_retries, 3);
    const config_service_t *svc = taskd(fx);
    assert_string_equal(svc->command, "ipc:///run/thuky/taskd.cmd");
    assert_string_equal(svc->events, "ipc:///run/thuky/taskd.pub");
    assert_string_equal(svc->store_dir, "/var/lib/thuky/taskd");
    assert_int_equal(svc->map_size, 64u << 20);
    assert_int_equal(svc->max_message, 4u << 20);
    assert_int_equal(svc->batch_max, 512);
}

static void test_empty_file_is_defaults(void **state)
{
    fixture_t *fx = *state;
    load_ok(fx, "");
    assert_string_equal(fx->cfg.path, fx->path);
    assert_string_equal(fx->cfg.runtime_dir, "/run/thuky");
    assert_string_equal(taskd(fx)->command, "ipc:///run/thuky/taskd.cmd");
    load_ok(fx, "; only comments\n# here\n\n[core]\n");
    assert_string_equal(taskd(fx)->store_dir, "/var/lib/thuky/taskd");
}

static void test_paths_follow_dirs(void **state)
{
    fixture_t *fx = *state;
    load_ok(fx,
            "[core]\n"
            "runtime_dir = /tmp/x/run\n"
            "state_dir = /tmp/x/state\n");
    assert_string_equal(fx->cfg.runtime_dir, "/tmp/x/run");
    assert_string_equal(fx->cfg.state_dir, "/tmp/x/state");
    const config_service_t *svc = taskd(fx);
    assert_string_equal(svc->command, "ipc:///tmp/x/run/taskd.cmd");
    assert_string_equal(svc->events, "ipc:///tmp/x/run/taskd.pub");
    assert_string_equal(svc->store_dir, "/tmp/x/state/taskd");
    /* Untouched keys keep their defaults. */
    assert_int_equal(svc->map_size, 64u << 20);
    assert_int_equal(svc->batch_max, 512);
    assert_int_equal(fx->cfg.log_level, LOG_LEVEL_INFO);
}

static void test_explicit_keys_override(void **state)
{
    fixture_t *fx = *state;
    /* The service section comes first: explicit values win whatever the
     * order, while the keys not given still follow the directories. */
    load_ok(fx,
            "[taskd]\n"
            "command = tcp://127.0.0.1:5555\n"
            "map_size = 128M\n"
            "max_message = 1M\n"
            "batch_max = 64\n"
            "\n"
            "[core]\n"
            "runtime_dir = /srv/run   ; inline comment\n"
            "state_dir = /srv/state\n"
            "log_level = debug\n"
            "log_target = syslog\n"
            "\n"
            "[client]\n"
            "timeout_ms = 2500\n"
            "retries = 0\n");
    const config_service_t *svc = taskd(fx);
    assert_string_equal(svc->command, "tcp://127.0.0.1:5555");
    assert_string_equal(svc->events, "ipc:///srv/run/taskd.pub");
    assert_string_equal(svc->store_dir, "/srv/state/taskd");
    assert_string_equal(fx->cfg.runtime_dir, "/srv/run");
    assert_int_equal(svc->map_size, 128u << 20);
    assert_int_equal(svc->max_message, 1u << 20);
    assert_int_equal(svc->batch_max, 64);
    assert_int_equal(fx->cfg.log_level, LOG_LEVEL_DEBUG);
    assert_true(fx->cfg.log_syslog);
    assert_int_equal(fx->cfg.client_timeout_ms, 2500);
    assert_int_equal(fx->cfg.client_retries, 0);

    load_ok(fx,
            "[taskd]\n"
            "events = tcp://0.0.0.0:5556\n"
            "store = /data/taskd-store\n"
            "[core]\n"
            "log_level = error\n"
            "log_target = stderr\n");
    svc = taskd(fx);
    assert_string_equal(svc->command, "ipc:///run/thuky/taskd.cmd");
    assert_string_equal(svc->events, "tcp://0.0.0.0:5556");
    assert_string_equal(svc->store_dir, "/data/taskd-store");
    assert_int_equal(fx->cfg.log_level, LOG_LEVEL_ERROR);
    assert_false(fx->cfg.log_syslog);

    /* A later value of the same key wins. */
    load_ok(fx, "[taskd]\nbatch_max = 2\nbatch_max = 3\n");
    assert_int_equal(taskd(fx)->batch_max, 3);
}

static void test_loading_again_starts_from_defaults(void **state)
{
    fixture_t *fx = *state;
    load_ok(fx, "[taskd]\ncommand = tcp://127.0.0.1:1\n[client]\nretries = 7\n");
    load_ok(fx, "[core]\nruntime_dir = /r\n");
    assert_string_equal(taskd(fx)->command, "ipc:///r/taskd.cmd");
    assert_int_equal(fx->cfg.client_retries, 3);
}

static void test_unknown_key(void **state)
{
    fixture_t *fx = *state;
    load_fails_at(fx,
                  "; comment\n"
                  "[core]\n"
                  "runtime_dir = /r\n"
                  "colour = blue\n",
                  4, "unknown key", "colour", "core", NULL);
    load_fails_at(fx, "[taskd]\n\n\nmapsize = 1M\n", 4, "unknown key", "mapsize", NULL);
    load_fails_at(fx, "[client]\nretry = 1\n", 2, "retry", NULL);
}

static void test_unknown_section(void **state)
{
    fixture_t *fx = *state;
    load_fails_at(fx,
                  "[core]\n"
                  "state_dir = /s\n"
                  "[tsakd]\n"
                  "command = tcp://127.0.0.1:1\n",
                  4, "unknown section", "tsakd", NULL);
    /* Keys before any section are in the section "". */
    load_fails_at(fx, "# top\nruntime_dir = /r\n", 2, "unknown section", NULL);
}

static void test_bad_values(void **state)
{
    fixture_t *fx = *state;
    load_fails_at(fx, "[core]\n# c\nlog_level = loud\n", 3, "bad value", "loud", "log_level", NULL);
    load_fails_at(fx, "[core]\nlog_target = journal\n", 2, "journal", NULL);
    load_fails_at(fx, "[taskd]\nbatch_max = 8\nmap_size = 12Q\n", 3, "12Q", "map_size", NULL);
    load_fails_at(fx, "[taskd]\nmap_size = 4K\n", 2, "map_size", NULL); /* below 64K */
    load_fails_at(fx, "[taskd]\nmax_message = 100\n", 2, "max_message", NULL);
    load_fails_at(fx, "[taskd]\nbatch_max = 0\n", 2, "batch_max", NULL);
    load_fails_at(fx, "[taskd]\nbatch_max = 1x\n", 2, "batch_max", NULL);
    load_fails_at(fx, "[client]\n\nretries = -1\n", 3, "bad value", "-1", "retries", NULL);
    load_fails_at(fx, "[client]\nretries = 101\n", 2, "retries", NULL);
    load_fails_at(fx, "[client]\ntimeout_ms = 5\n", 2, "timeout_ms", NULL);
    load_fails_at(fx, "[client]\ntimeout_ms = 99999999999999999999\n", 2, "timeout_ms", NULL);
    load_fails_at(fx, "[core]\nruntime_dir =\n", 2, "runtime_dir", NULL); /* empty */
    load_fails_at(fx, "[taskd]\ncommand = \n", 2, "command", NULL);

    /* Only the first error is reported. */
    load_fails_at(fx, "[core]\nlog_level = loud\ncolour = blue\n", 2, "loud", NULL);

    /* Edge values that are fine. */
    load_ok(fx, "[taskd]\nmap_size = 64K\nmax_message = 1024\nbatch_max = 100000\n"
                "[client]\nretries = 100\ntimeout_ms = 10\n");
    assert_int_equal(taskd(fx)->map_size, 64u << 10);
    assert_int_equal(taskd(fx)->max_message, 1024);
}

/* The longest value that fits on one inih line (199 characters). */
static void test_long_value(void **state)
{
    fixture_t *fx = *state;
    char dir[186];
    dir[0] = '/';
    memset(dir + 1, 'r', sizeof dir - 2);
    dir[sizeof dir - 1] = '\0';
    char text[300], want[300];
    snprintf(text, sizeof text, "[core]\nruntime_dir = %s\n[client]\nretries = 1\n", dir);
    assert_int_equal(strlen("runtime_dir = ") + strlen(dir), 199);
    load_ok(fx, text);
    assert_string_equal(fx->cfg.runtime_dir, dir);
    snprintf(want, sizeof want, "ipc://%s/taskd.cmd", dir);
    assert_string_equal(taskd(fx)->command, want);
    assert_int_equal(fx->cfg.client_retries, 1);
}

/* Debian's libinih reads lines of at most 199 characters: a longer line is
 * refused with its own line number instead of being split in two. */
static void test_long_line(void **state)
{
    fixture_t *fx = *state;
    char dir[301];
    dir[0] = '/';
    memset(dir + 1, 's', sizeof dir - 2);
    dir[sizeof dir - 1] = '\0';
    char text[400];
    snprintf(text, sizeof text, "[core]\nstate_dir = %s\n", dir);
    load_fails_at(fx, text, 2, "longer than", NULL);
}

static void test_syntax_error(void **state)
{
    fixture_t *fx = *state;
    load_fails_at(fx, "[core]\nruntime_dir = /r\nthis is not ini\n", 3, "syntax error", NULL);
    load_fails_at(fx, "[core\nruntime_dir = /r\n", 1, "syntax error", NULL);
    /* A syntax error before a refused key is the one reported. */
    load_fails_at(fx, "[core]\nnonsense\ncolour = blue\n", 2, "syntax error", NULL);
    /* And a refused key before a syntax error is reported as such. */
    load_fails_at(fx, "[core]\ncolour = blue\nnonsense\n", 2, "unknown key", NULL);
}

static void test_missing_file(void **state)
{
    fixture_t *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/absent.conf", fx->root);
    int rc = config_load_file(&fx->cfg, path, fx->why, sizeof fx->why);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(fx->why, "cannot read config"));
    assert_non_null(strstr(fx->why, path));
    assert_non_null(strstr(fx->why, "No such file"));

    /* config_load with an explicit path that does not exist is an error
     * too, not a fallback to defaults. */
    rc = config_load(&fx->cfg, path, fx->why, sizeof fx->why);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(fx->why, path));
}

/* Was a bug: config_load_file (common/runtime/config.c) on a directory succeeded with
 * the embedded defaults: fopen() of a directory succeeds on Linux, the
 * first fgets() fails with EISDIR, inih takes that as end of file, and no
 * one checks ferror(). So "thuky --config /etc/thuky" silently runs on the
 * defaults. Expected: -1 with a reason naming the path. (Any read error
 * mid-file is likewise taken for EOF and the rest of the file ignored.)
 * Disabled so the suite stays green; add it to tests[] once fixed. */
static void test_directory_is_not_a_config(void **state)
{
    fixture_t *fx = *state;
    int rc = config_load_file(&fx->cfg, fx->root, fx->why, sizeof fx->why);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(fx->why, fx->root));
}

static void test_config_load_sources(void **state)
{
    fixture_t *fx = *state;
    write_file(fx->path, "[client]\nretries = 9\n");
    assert_int_equal(config_load(&fx->cfg, fx->path, fx->why, sizeof fx->why), 0);
    assert_int_equal(fx->cfg.client_retries, 9);
    assert_string_equal(fx->cfg.path, fx->path);

    /* $THUKY_CONFIG when no explicit path. */
    char other[256];
    snprintf(other, sizeof other, "%s/env.conf", fx->root);
    write_file(other, "[client]\nretries = 8\n");
    assert_int_equal(setenv("THUKY_CONFIG", other, 1), 0);
    assert_int_equal(config_load(&fx->cfg, NULL, fx->why, sizeof fx->why), 0);
    assert_int_equal(fx->cfg.client_retries, 8);
    /* The explicit path wins over the environment. */
    assert_int_equal(config_load(&fx->cfg, fx->path, fx->why, sizeof fx->why), 0);
    assert_int_equal(fx->cfg.client_retries, 9);
    unsetenv("THUKY_CONFIG");
}

static void test_parse_size(void **state)
{
    (void)state;
    const struct {
        const char *text;
        size_t want;
    } good[] = {
        {"64M", (size_t)64 << 20}, {"1G", (size_t)1 << 30}, {"512K", 512u << 10},
        {"4096", 4096},            {"0", 0},                {"1k", 1024},
        {"2m", (size_t)2 << 20},   {"3g", (size_t)3 << 30}, {"16384G", (size_t)16384 << 30},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        size_t out = 12345;
        if (!config_parse_size(good[i].text, &out))
            fail_msg("'%s' refused", good[i].text);
        assert_int_equal(out, good[i].want);
    }
    const char *bad[] = {"-1", "12Q", "", "M", "64MB", "64 M", "1.5G", "0x10",
                         "99999999999999999999", "17179869184G", "-0", "G1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t out = 12345;
        if (config_parse_size(bad[i], &out))
            fail_msg("'%s' accepted as %zu", bad[i], out);
        assert_int_equal(out, 12345); /* untouched */
    }
}

/* Was a bug: config_parse_size (common/runtime/config.c) rejected a minus sign only as
 * the first character, but strtoull skips leading white space and accepts
 * a sign, so " -1" parses as 18446744073709551615 (and " -1K" etc. wrap).
 * Not reachable from a config file (inih trims values), only through the
 * API. Disabled so the suite stays green; add it to tests[] once fixed. */
static void test_parse_size_leading_space_minus(void **state)
{
    (void)state;
    size_t out = 12345;
    assert_false(config_parse_size(" -1", &out));
    assert_int_equal(out, 12345);
}


static void test_access_sections(void **state)
{
    fixture_t *fx = *state;
    load_ok(fx, "[core]\nkey_dir = /k\nlocal_role = reader\n"
                "[user:alice]\nrole = office\noffice = vu-thu-ky\n"
                "[client:gw]\npublic_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
                "role = admin\n"
                "[client:archive]\nrole = reader\npublic_key = "
                "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\n");
    assert_string_equal(fx->cfg.key_dir, "/k");
    assert_int_equal(fx->cfg.local_role, ROLE_READER);
    const config_principal_t *alice = config_find_user(&fx->cfg, "alice");
    assert_non_null(alice);
    assert_int_equal(alice->role, ROLE_OFFICE);
    assert_string_equal(alice->office, "vu-thu-ky");
    assert_null(config_find_user(&fx->cfg, "gw")); /* a client is not a local user */
    const config_principal_t *gw =
        config_find_client(&fx->cfg, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    assert_non_null(gw);
    assert_string_equal(gw->name, "gw");
    assert_int_equal(gw->role, ROLE_ADMIN);
    assert_non_null(config_find_client(&fx->cfg, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"));
    assert_null(config_find_client(&fx->cfg, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hIE"));
}

static void test_access_errors(void **state)
{
    fixture_t *fx = *state;
    load_fails_at(fx, "[user:bob]\nrole = boss\n", 2, "bad value 'boss'", NULL);
    load_fails_at(fx, "[user:bob]\nrole = office\noffice = bad id!\n", 3, "office", NULL);
    load_fails_at(fx, "[user:bob]\noffice = vu-x\n", 2, "[user:bob] needs role", NULL);
    load_fails_at(fx, "[user:bob]\nrole = office\n", 2, "office must be set", NULL);
    load_fails_at(fx, "[user:bob]\nrole = admin\noffice = vu-x\n", 2, "office must be set",
                  NULL);
    load_fails_at(fx, "[user:bob]\nrole = admin\npublic_key = x\n", 3, "unknown key", NULL);
    load_fails_at(fx, "[client:gw]\nrole = admin\n", 2, "needs public_key", NULL);
    load_fails_at(fx, "[user:]\nrole = admin\n", 2, "a name of 1 to", NULL);
    load_fails_at(fx, "[client:gw]\nrole = admin\npublic_key = short\n", 3, "bad value",
                  NULL);
    /* 40 characters, but ';' is not Z85 */
    load_fails_at(fx, "[client:gw]\npublic_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8];f7\n", 2,
                  "bad value", NULL);
    load_fails_at(fx,
                  "[client:a]\nrole = admin\npublic_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
                  "[client:b]\nrole = reader\npublic_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n",
                  5, "same public_key", NULL);
    /* local_office goes with local_role = office, and only then */
    assert_int_equal(load(fx, "[core]\nlocal_role = office\n"), -1);
    assert_non_null(strstr(fx->why, "local_office"));
    assert_int_equal(load(fx, "[core]\nlocal_office = vu-x\n"), -1);
    load_ok(fx, "[core]\nlocal_role = office\nlocal_office = vu-x\n");
    assert_int_equal(fx->cfg.local_role, ROLE_OFFICE);
    load_ok(fx, "[core]\nlocal_role = none\n");
    assert_int_equal(fx->cfg.local_role, ROLE_NONE);
}

static void test_reload_applies_what_may_change(void **state)
{
    fixture_t *fx = *state;
    load_ok(fx, "[core]\nlog_level = info\nstate_dir = /a\n[notifyd]\nlead_days = 7\n");
    write_file(fx->path, "[core]\nlog_level = debug\nstate_dir = /b\n[notifyd]\n"
                         "lead_days = 5,1\n[user:carol]\nrole = reader\n");
    assert_int_equal(config_reload(&fx->cfg, fx->why, sizeof fx->why), 0);
    assert_int_equal(fx->cfg.log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(fx->cfg.notify.n_lead_days, 2);
    assert_non_null(config_find_user(&fx->cfg, "carol"));
    assert_string_equal(fx->cfg.state_dir, "/a"); /* needs a restart */
    assert_string_equal(taskd(fx)->store_dir, "/a/taskd");
    /* a bad file changes nothing */
    write_file(fx->path, "[core]\nlog_level = loud\n");
    assert_int_equal(config_reload(&fx->cfg, fx->why, sizeof fx->why), -1);
    assert_non_null(strstr(fx->why, ":2: bad value 'loud'"));
    assert_int_equal(fx->cfg.log_level, LOG_LEVEL_DEBUG);
    assert_non_null(config_find_user(&fx->cfg, "carol"));
}

int main(void)
{
    log_init("test", LOG_LEVEL_ERROR, false);
    unsetenv("THUKY_CONFIG");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_embedded_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_is_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_follow_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_keys_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loading_again_starts_from_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_load_sources, setup, teardown),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test(test_parse_size_leading_space_minus),
        cmocka_unit_test_setup_teardown(test_directory_is_not_a_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_applies_what_may_change, setup, teardown),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
