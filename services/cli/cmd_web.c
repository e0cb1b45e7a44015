/* thuky web token create | list | revoke | rotate: the web face's
 * credentials (calendar subscriptions, API tokens, board login links). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "runtime/proto_json.h"
#include "text/table.h"
#include "thuky/web.pb-c.h"
#include "cli.h"

static const char s_usage[] =
    N_("usage: thuky web token create --kind calendar|api|login [--office ID]\n"
       "                              [--scope read|office] [--label TEXT]\n"
       "       thuky web token list [--office ID] [--all]\n"
       "       thuky web token revoke ID\n"
       "       thuky web token rotate ID\n"
       "\n"
       "Credentials of the web face (thuky-webd). A calendar token is one office's\n"
       "calendar subscription (/cal/OFFICE/SECRET.ics); an API token reads (scope\n"
       "read) or acts for one office (scope office) on /api/v1/; a login token is a\n"
       "link that opens the status board. The secret is shown once, at create and\n"
       "rotate; webd keeps only its hash. list shows when each was last used; revoke\n"
       "ends one at once; rotate gives its holder a new secret and ends the old one.\n");

static const char *s_kind(Thuky__TokenKind k)
{
    switch (k) {
    case THUKY__TOKEN_KIND__TOKEN_CALENDAR: return "calendar";
    case THUKY__TOKEN_KIND__TOKEN_API: return "api";
    case THUKY__TOKEN_KIND__TOKEN_LOGIN: return "login";
    default: return "?";
    }
}

static void s_print_created(const cli_t *cli, const Thuky__TokenCreated *c)
{
    if (cli->json) {
        json_t *j = proto_json(&c->base, NULL);
        if (c->path[0] && cli->config.web.public_url[0])
            json_object_set_new(j, "url", json_pack("s++", cli->config.web.public_url, c->path, ""));
        cli_print_json(j);
        return;
    }
    printf(_("%s  %s token for %s%s%s\n"), c->token->id, s_kind(c->token->kind),
           c->token->office[0] ? c->token->office : _("every office (read)"),
           c->token->label[0] ? ", " : "", c->token->label);
    if (c->path[0])
        printf("  %s%s\n", cli->config.web.public_url[0] ? cli->config.web.public_url
                                                         : "http://HOST:PORT",
               c->path);
    else
        printf("  Authorization: Bearer %s\n", c->secret);
    printf(_("The secret is shown only now: give it to its holder; 'thuky web token rotate %s'\n"
             "makes a new one.\n"),
           c->token->id);
}

static int s_create(cli_t *cli, int argc, char **argv, bool rotate)
{
    Thuky__TokenCreated *c = NULL;
    int rc;
    if (rotate) {
        if (argc != 1)
            return fputs(_(s_usage), stderr), EXIT_USAGE;
        Thuky__TokenRotateRequest req = THUKY__TOKEN_ROTATE_REQUEST__INIT;
        req.id = argv[0];
        rc = cli_call(cli, SERVICE_WEBD, "web.token.rotate", &req.base,
                      &thuky__token_created__descriptor, (ProtobufCMessage **)&c);
    } else {
        static const struct option options[] = {
            {"kind", required_argument, NULL, 'k'}, {"office", required_argument, NULL, 'o'},
            {"scope", required_argument, NULL, 's'}, {"label", required_argument, NULL, 'l'},
            {NULL, 0, NULL, 0}};
        Thuky__TokenCreateRequest req = THUKY__TOKEN_CREATE_REQUEST__INIT;
        int opt;
        optind = 0;
        while ((opt = getopt_long(argc + 1, argv - 1, "", options, NULL)) != -1) {
            switch (opt) {
            case 'k':
                req.kind = strcmp(optarg, "calendar") == 0 ? THUKY__TOKEN_KIND__TOKEN_CALENDAR
                           : strcmp(optarg, "api") == 0    ? THUKY__TOKEN_KIND__TOKEN_API
                           : strcmp(optarg, "login") == 0  ? THUKY__TOKEN_KIND__TOKEN_LOGIN
                                                           : THUKY__TOKEN_KIND__TOKEN_KIND_UNSPECIFIED;
                if (!req.kind)
                    return cli_error(EXIT_USAGE, "--kind: calendar, api or login");
                break;
            case 'o': req.office = optarg; break;
            case 's':
                req.scope = strcmp(optarg, "read") == 0     ? THUKY__TOKEN_SCOPE__SCOPE_READ
                            : strcmp(optarg, "office") == 0 ? THUKY__TOKEN_SCOPE__SCOPE_OFFICE
                                                            : THUKY__TOKEN_SCOPE__TOKEN_SCOPE_UNSPECIFIED;
                if (!req.scope)
                    return cli_error(EXIT_USAGE, "--scope: read or office");
                break;
            case 'l': req.label = optarg; break;
            default: return cli_error(EXIT_USAGE, "see 'thuky web --help'");
            }
        }
        if (optind != argc + 1 || !req.kind)
            return cli_error(EXIT_USAGE, "usage: thuky web token create --kind calendar|api|login "
                                         "[--office ID] [--scope read|office] [--label TEXT]");
        /* the usual case needs no --scope: an office named means its scope */
        if (!req.scope)
            req.scope = req.office[0] ? THUKY__TOKEN_SCOPE__SCOPE_OFFICE
                                      : THUKY__TOKEN_SCOPE__SCOPE_READ;
        rc = cli_call(cli, SERVICE_WEBD, "web.token.create", &req.base,
                      &thuky__token_created__descriptor, (ProtobufCMessage **)&c);
    }
    if (rc != EXIT_OK)
        return rc;
    s_print_created(cli, c);
    thuky__token_created__free_unpacked(c, NULL);
    return EXIT_OK;
}

static int s_list(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {{"office", required_argument, NULL, 'o'},
                                            {"all", no_argument, NULL, 'a'},
                                            {NULL, 0, NULL, 0}};
    Thuky__TokenListRequest req = THUKY__TOKEN_LIST_REQUEST__INIT;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc + 1, argv - 1, "", options, NULL)) != -1) {
        switch (opt) {
        case 'o': req.office = optarg; break;
        case 'a': req.include_revoked = true; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky web --help'");
        }
    }
    if (optind != argc + 1)
        return cli_error(EXIT_USAGE, "see 'thuky web --help'");
    Thuky__TokenList *list = NULL;
    int rc = cli_call(cli, SERVICE_WEBD, "web.token.list", &req.base,
                      &thuky__token_list__descriptor, (ProtobufCMessage **)&list);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < list->n_tokens; i++)
            json_array_append_new(a, proto_json(&list->tokens[i]->base, NULL));
        cli_print_json(a);
    } else {
        static const char *const headers[] = {N_("ID"),    N_("KIND"),      N_("OFFICE"),
                                              N_("CREATED"), N_("LAST USED"), N_("STATE"),
                                              N_("LABEL")};
        table_t *table = render_table_new(7, headers, "lllllll");
        for (size_t i = 0; i < list->n_tokens; i++) {
            const Thuky__WebToken *t = list->tokens[i];
            char created[32], used[32];
            render_time(t->created_ms, created, sizeof created);
            if (t->last_used_ms)
                render_time(t->last_used_ms, used, sizeof used);
            else
                snprintf(used, sizeof used, "%s", _("never"));
            const char *cells[] = {t->id, s_kind(t->kind), t->office[0] ? t->office : _("(read)"),
                                   created, used, t->revoked ? _("revoked") : _("live"),
                                   t->label[0] ? t->label : "-"};
            table_add_row(table, cells);
        }
        table_print(table, stdout);
        table_destroy(&table);
    }
    thuky__token_list__free_unpacked(list, NULL);
    return EXIT_OK;
}

static int s_revoke(cli_t *cli, int argc, char **argv)
{
    if (argc != 1)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    Thuky__TokenRevokeRequest req = THUKY__TOKEN_REVOKE_REQUEST__INIT;
    req.id = argv[0];
    Thuky__WebToken *t = NULL;
    int rc = cli_call(cli, SERVICE_WEBD, "web.token.revoke", &req.base,
                      &thuky__web_token__descriptor, (ProtobufCMessage **)&t);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(proto_json(&t->base, NULL));
    else
        printf(_("%s revoked: it opens nothing from now on\n"), t->id);
    thuky__web_token__free_unpacked(t, NULL);
    return EXIT_OK;
}

int cmd_web(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (argc < 3 || strcmp(argv[1], "token") != 0)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    const char *verb = argv[2];
    int n = argc - 3;
    char **rest = argv + 3;
    if (strcmp(verb, "create") == 0)
        return s_create(cli, n, rest, false);
    if (strcmp(verb, "rotate") == 0)
        return s_create(cli, n, rest, true);
    if (strcmp(verb, "list") == 0)
        return s_list(cli, n, rest);
    if (strcmp(verb, "revoke") == 0)
        return s_revoke(cli, n, rest);
    return fputs(_(s_usage), stderr), EXIT_USAGE;
}
