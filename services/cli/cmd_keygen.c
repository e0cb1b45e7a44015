/* thuky keygen NAME [--dir DIR] [--owner USER] */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/curve.h"
#include "cli.h"

static const char s_usage[] =
    N_("usage: thuky keygen NAME [--dir DIR] [--owner USER]\n"
       "\n"
       "Writes a CURVE key pair for tcp:// endpoints: DIR/NAME.key (the public key,\n"
       "mode 0644, to copy to the hosts that must trust NAME) and DIR/NAME.secret\n"
       "(both keys, mode 0600, to keep on NAME's host). DIR is key_dir of\n"
       "thuky.conf unless given. Existing files are never overwritten.\n"
       "--owner gives both files to USER and its group (run as root), e.g. thuky\n"
       "for a daemon's key, which the daemon must be able to read.\n"
       "\n"
       "A daemon (taskd, sessiond, notifyd) serving on tcp uses key_dir/NAME.secret;\n"
       "a client is let in by a [client:NAME] section holding its public key.\n");

/* Key names become file names and config sections: keep them plain. */
static bool s_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= CONFIG_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.') ||
            (i == 0 && c == '.'))
            return false;
    }
    return true;
}

int cmd_keygen(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"dir", required_argument, NULL, 'd'}, {"owner", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *dir = cli->config.key_dir;
    const char *owner = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:h", options, NULL)) != -1) {
        switch (opt) {
        case 'd': dir = optarg; break;
        case 'o': owner = optarg; break;
        case 'h': fputs(_(s_usage), stdout); return EXIT_OK;
        default: fputs(_(s_usage), stderr); return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fputs(_(s_usage), stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (!s_name_ok(name))
        return cli_error(EXIT_USAGE, "key name '%s': letters, digits, '-', '_' and '.' only",
                         name);
    struct passwd *pw = NULL;
    if (owner && !(pw = getpwnam(owner)))
        return cli_error(EXIT_USAGE, "--owner: there is no user '%s'", owner);
    char why[1024];
    if (curve_keygen(dir, name, why, sizeof why) != 0)
        return cli_error(EXIT_LOCAL, "%s", why);
    char public_key[CONFIG_Z85_KEY_LEN + 1], path[CONFIG_PATH_MAX + 80];
    for (int i = 0; pw && i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, i ? "secret" : "key");
        if (chown(path, pw->pw_uid, pw->pw_gid) != 0)
            return cli_error(EXIT_LOCAL, "wrote the key pair, but cannot give %s to %s: %s", path,
                             owner, strerror(errno));
    }
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    if (curve_load_public(path, public_key, why, sizeof why) != 0)
        return cli_error(EXIT_LOCAL, "%s", why);
    if (cli->json) {
        json_t *out = json_object();
        json_object_set_new(out, "name", json_string(name));
        json_object_set_new(out, "public_key", json_string(public_key));
        json_object_set_new(out, "public_file", json_string(path));
        snprintf(path, sizeof path, "%s/%s.secret", dir, name);
        json_object_set_new(out, "secret_file", json_string(path));
        cli_print_json(out);
        return EXIT_OK;
    }
    printf(_("wrote %s/%s.key and %s/%s.secret\n"
             "public key: %s\n"
             "to let it in, add to thuky.conf on the serving hosts:\n"
             "  [client:%s]\n  public_key = %s\n  role = admin|office|reader\n"),
           dir, name, dir, name, public_key, name, public_key);
    return EXIT_OK;
}
