/* thuky office add|list|show */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "text/table.h"
#include "thuky/notify.pb-c.h"
#include "cli.h"

static const char s_usage[] = N_(
    "usage: thuky office add ID --name TEXT --kind department|committee|delegation|secretariat\n"
    "                        [--focal NAME] [--role TEXT] [--email ADDR]\n"
    "                        [--webhook URL --webhook-secret-file PATH] [--lang vi|en]\n"
    "                        [--escalate OFFICE]\n"
    "                        [--lead-days 7,3,1,0] [--deliver-at HH:MM] [--overdue-every N]\n"
    "                        [--escalate-after N] [--replace]\n"
    "       thuky office list\n"
    "       thuky office show ID\n"
    "\n"
    "Offices receive the deadline alerts of the tasks they lead or coordinate:\n"
    "by webhook when they have one (a signed CloudEvent), else by e-mail (SMTP,\n"
    "or the local mail spool when no SMTP server is configured). ID is the id\n"
    "tasks use (--lead, --with). --escalate names the office told when this one's\n"
    "tasks are long overdue. --replace updates an existing office.\n");

/* The tokens of JSON and --kind, and the names people read. */
static const char *const s_kinds[] = {"", "department", "committee", "delegation", "secretariat"};
static const char *const s_kind_labels[] = {"", N_("department"), N_("committee"),
                                            N_("delegation"), N_("secretariat")};

static const char *s_kind_name(Thuky__OfficeKind kind)
{
    return (unsigned)kind < 5 ? s_kinds[kind] : "?";
}

static const char *s_kind_label(Thuky__OfficeKind kind)
{
    return (unsigned)kind >= 1 && (unsigned)kind < 5 ? _(s_kind_labels[kind]) : "?";
}

static json_t *s_office_json(const Thuky__Office *o)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", o->id,
                          "name", o->name, "kind", s_kind_name(o->kind), "focal", o->focal_name,
                          "role", o->focal_role, "email", o->email, "webhook", o->webhook_url,
                          "webhook_secret_file", o->webhook_secret_file,
                          "lang", o->lang[0] ? o->lang : "vi", "escalate_to", o->escalate_to,
                          "webhook_gone", o->webhook_gone);
    if (o->policy && o->policy->n_lead_days) {
        json_t *days = json_array();
        for (size_t i = 0; i < o->policy->n_lead_days; i++)
            json_array_append_new(days, json_integer(o->policy->lead_days[i]));
        json_object_set_new(j, "lead_days", days);
    }
    return j;
}

/* The daemon reads the secret file on its own host and wants an absolute
 * path; a relative one is taken from here when the file is here. */
static char *s_absolute(const char *path, char *buf, size_t cap)
{
    if (path[0] != '/' && cap >= PATH_MAX && realpath(path, buf))
        return buf;
    return (char *)path;
}

static int s_add(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"name", required_argument, NULL, 'n'},     {"kind", required_argument, NULL, 'k'},
        {"focal", required_argument, NULL, 'f'},    {"role", required_argument, NULL, 'r'},
        {"email", required_argument, NULL, 'e'},    {"webhook", required_argument, NULL, 'w'},
        {"webhook-secret-file", required_argument, NULL, 's'},   {"lang", required_argument, NULL, 'l'},
        {"escalate", required_argument, NULL, 'E'}, {"lead-days", required_argument, NULL, 'd'},
        {"deliver-at", required_argument, NULL, 'a'}, {"replace", no_argument, NULL, 'R'},
        {"overdue-every", required_argument, NULL, 'o'},
        {"escalate-after", required_argument, NULL, 'A'}, {NULL, 0, NULL, 0}};
    Thuky__Office o = THUKY__OFFICE__INIT;
    Thuky__Policy policy = THUKY__POLICY__INIT;
    char secret_path[PATH_MAX];
    uint32_t lead[8];
    Thuky__OfficeAddRequest req = THUKY__OFFICE_ADD_REQUEST__INIT;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'n': o.name = optarg; break;
        case 'k':
            for (unsigned i = 1; i < 5; i++)
                if (strcmp(optarg, s_kinds[i]) == 0)
                    o.kind = (Thuky__OfficeKind)i;
            if (!o.kind)
                return cli_error(EXIT_USAGE, "unknown kind '%s' (department, committee, "
                                             "delegation, secretariat)", optarg);
            break;
        case 'f': o.focal_name = optarg; break;
        case 'r': o.focal_role = optarg; break;
        case 'e': o.email = optarg; break;
        case 'w': o.webhook_url = optarg; break;
        case 's': o.webhook_secret_file = s_absolute(optarg, secret_path, sizeof secret_path); break;
        case 'l': o.lang = optarg; break;
        case 'E': o.escalate_to = optarg; break;
        case 'd': {
            char *save = NULL;
            for (char *tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                unsigned long v;
                if (policy.n_lead_days == 8 || !cli_parse_uint(tok, 365, &v))
                    return cli_error(EXIT_USAGE, "--lead-days takes up to 8 numbers 0-365");
                lead[policy.n_lead_days++] = (uint32_t)v;
            }
            policy.lead_days = lead;
            o.policy = &policy;
            break;
        }
        case 'a': policy.deliver_at = optarg; o.policy = &policy; break;
        case 'o':
        case 'A': {
            unsigned long v;
            if (!cli_parse_uint(optarg, 365, &v) || v == 0)
                return cli_error(EXIT_USAGE, "--%s takes a number of working days 1-365",
                                 opt == 'o' ? "overdue-every" : "escalate-after");
            if (opt == 'o')
                policy.overdue_every = (uint32_t)v;
            else
                policy.escalate_after = (uint32_t)v;
            o.policy = &policy;
            break;
        }
        case 'R': req.replace = true; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky office --help'");
        }
    }
    if (optind + 1 != argc || !o.name[0] || !o.kind)
        return cli_error(EXIT_USAGE, "usage: thuky office add ID --name TEXT --kind K ...");
    o.id = argv[optind];
    req.office = &o;
    Thuky__Office *saved = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "office.add", &req.base, &thuky__office__descriptor,
                      (ProtobufCMessage **)&saved);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(s_office_json(saved));
    else
        printf(req.replace ? _("office %s saved\n") : _("office %s added\n"), saved->id);
    if (!saved->email[0] && !saved->webhook_url[0])
        fprintf(stderr, _("thuky: warning: %s has no e-mail and no webhook: its alerts cannot be "
                          "delivered\n"), saved->id);
    thuky__office__free_unpacked(saved, NULL);
    return EXIT_OK;
}

static int s_list(cli_t *cli)
{
    Thuky__OfficeListRequest req = THUKY__OFFICE_LIST_REQUEST__INIT;
    Thuky__OfficeList *list = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "office.list", &req.base,
                      &thuky__office_list__descriptor, (ProtobufCMessage **)&list);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < list->n_offices; i++)
            json_array_append_new(array, s_office_json(list->offices[i]));
        cli_print_json(array);
    } else {
        static const char *const headers[] = {N_("ID"), N_("KIND"), N_("CHANNEL"),
                                              N_("FOCAL POINT"), N_("NAME")};
        table_t *table = render_table_new(5, headers, "lllll");
        for (size_t i = 0; i < list->n_offices; i++) {
            const Thuky__Office *o = list->offices[i];
            const char *channel = o->webhook_url[0] && !o->webhook_gone ? "webhook"
                                  : o->email[0]                         ? o->email
                                                                        : _("NONE");
            const char *cells[] = {o->id, s_kind_label(o->kind), channel,
                                   o->focal_name[0] ? o->focal_name : "-", o->name};
            table_add_row(table, cells);
        }
        table_print(table, stdout);
        table_destroy(&table);
    }
    thuky__office_list__free_unpacked(list, NULL);
    return EXIT_OK;
}

static int s_show(cli_t *cli, const char *id)
{
    Thuky__OfficeGetRequest req = THUKY__OFFICE_GET_REQUEST__INIT;
    req.id = (char *)id;
    Thuky__Office *o = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "office.get", &req.base, &thuky__office__descriptor,
                      (ProtobufCMessage **)&o);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        cli_print_json(s_office_json(o));
    } else {
        printf(_("%s  %s\n  kind      %s\n"), o->id, o->name, s_kind_label(o->kind));
        printf(_("  focal     %s%s%s\n"), o->focal_name[0] ? o->focal_name : "-",
               o->focal_role[0] ? ", " : "", o->focal_role);
        printf(_("  e-mail    %s\n"), o->email[0] ? o->email : "-");
        printf(_("  webhook   %s%s\n"), o->webhook_url[0] ? o->webhook_url : "-",
               o->webhook_gone ? _(" (gone: answered 410)") : "");
        printf(_("  language  %s\n"), o->lang[0] ? o->lang : "vi");
        printf(_("  escalate  %s\n"), o->escalate_to[0] ? o->escalate_to : "-");
    }
    thuky__office__free_unpacked(o, NULL);
    return EXIT_OK;
}

int cmd_office(cli_t *cli, int argc, char **argv)
{
    if (argc < 2)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (strcmp(argv[1], "add") == 0)
        return s_add(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0 && argc == 2)
        return s_list(cli);
    if (strcmp(argv[1], "show") == 0 && argc == 3)
        return s_show(cli, argv[2]);
    return cli_error(EXIT_USAGE, "unknown office command (add, list, show)");
}
