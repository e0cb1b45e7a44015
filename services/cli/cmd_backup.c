/* thuky backup DIR */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/clock.h"
#include "runtime/store.h"
#include "cli.h"

static const char s_usage[] =
    N_("usage: thuky backup DIR\n"
       "\n"
       "Copies every store on this host (the store directories of thuky.conf) into\n"
       "DIR/notifyd, DIR/taskd and DIR/sessiond while the daemons run: each copy is\n"
       "one consistent committed state, compacted. DIR must be absent or empty.\n"
       "Followers are copied before their sources (notifyd, taskd, then sessiond),\n"
       "so no copy has applied an event that its source's copy lacks.\n"
       "\n"
       "Restore: stop the services; for each daemon replace STATE_DIR/NAME/data.mdb\n"
       "with DIR/NAME/data.mdb and delete STATE_DIR/NAME/wal.log and lock.mdb (keep\n"
       "the owner, e.g. thuky:thuky); start the services. Each follower resumes from\n"
       "the event sequence stored with its own data and catches up from its source's\n"
       "log.\n");

/* The order of the copies: followers before the daemons they follow. */
static const service_id_t s_order[] = {SERVICE_WEBD, SERVICE_NOTIFYD, SERVICE_TASKD,
                                        SERVICE_SESSIOND};

/* Why dir cannot take a backup (N_(): "is not empty"), or NULL when it is
 * absent or empty. */
static const char *s_unusable(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        switch (errno) {
        case ENOENT: return NULL;
        case ENOTDIR: return N_("is not a directory");
        case EACCES: return N_("cannot be read");
        default: return N_("cannot be opened");
        }
    }
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty ? NULL : N_("is not empty");
}

int cmd_backup(cli_t *cli, int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(_(s_usage), stdout);
        return EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fputs(_(s_usage), stderr);
        return EXIT_USAGE;
    }
    const char *dest = argv[1];
    const char *problem = s_unusable(dest);
    if (problem)
        return cli_error(EXIT_USAGE, "%s %s: back up into a new directory", dest, _(problem));
    /* The copies hold everything the stores hold: no access for others. */
    umask(0027);
    json_t *copies = json_array();
    int copied = 0;
    for (size_t i = 0; i < sizeof s_order / sizeof s_order[0]; i++) {
        const config_service_t *svc = config_service(&cli->config, s_order[i]);
        char data[PATH_MAX + 16], target[PATH_MAX], why[1024];
        snprintf(data, sizeof data, "%s/data.mdb", svc->store_dir);
        if (access(data, F_OK) != 0) {
            if (!cli->json)
                printf(_("%-9s no store at %s on this host, skipped\n"), svc->name,
                       svc->store_dir);
            continue;
        }
        snprintf(target, sizeof target, "%s/%s", dest, svc->name);
        int64_t started = clock_monotonic_us();
        if (store_backup(svc->store_dir, target, why, sizeof why) != 0) {
            json_decref(copies);
            return cli_error(EXIT_LOCAL, "%s", why);
        }
        int64_t took_ms = (clock_monotonic_us() - started) / 1000;
        struct stat st;
        snprintf(data, sizeof data, "%s/data.mdb", target);
        long long bytes = stat(data, &st) == 0 ? (long long)st.st_size : -1;
        if (cli->json)
            json_array_append_new(copies, json_pack("{s:s, s:s, s:I, s:I}", "daemon", svc->name,
                                                    "path", data, "bytes", (json_int_t)bytes,
                                                    "ms", (json_int_t)took_ms));
        else
            printf(_("%-9s %s  %lld bytes  %lld ms\n"), svc->name, data, bytes,
                   (long long)took_ms);
        copied++;
    }
    if (copied == 0) {
        json_decref(copies);
        return cli_error(EXIT_NOT_FOUND, "no store on this host to back up (see state_dir)");
    }
    if (cli->json)
        cli_print_json(copies);
    else
        json_decref(copies);
    return EXIT_OK;
}
