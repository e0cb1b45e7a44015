/* thuky program add|list */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "text/table.h"
#include "cli.h"

static const char s_usage[] =
    N_("usage: thuky program add YEAR --decision REF --title TEXT [--group N:TITLE]...\n"
       "       thuky program list\n"
       "\n"
       "A work program (chương trình công tác) is approved by a decision, e.g.\n"
       "3333/QĐ-TTKQH, and has numbered key task groups (nhiệm vụ trọng tâm).\n");

static int s_add(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {{"decision", required_argument, NULL, 'd'},
                                            {"title", required_argument, NULL, 't'},
                                            {"group", required_argument, NULL, 'g'},
                                            {NULL, 0, NULL, 0}};
    Thuky__Program program = THUKY__PROGRAM__INIT;
    Thuky__TaskGroup groups[99], *group_ptrs[99];
    unsigned long num;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'd': program.decision = optarg; break;
        case 't': program.title = optarg; break;
        case 'g': {
            char *colon = strchr(optarg, ':');
            if (!colon || program.n_groups == 99)
                return cli_error(EXIT_USAGE, "--group needs N:TITLE");
            *colon = '\0';
            if (!cli_parse_uint(optarg, 99, &num))
                return cli_error(EXIT_USAGE, "--group number must be 1-99");
            Thuky__TaskGroup *g = &groups[program.n_groups];
            thuky__task_group__init(g);
            g->number = (uint32_t)num;
            g->title = colon + 1;
            group_ptrs[program.n_groups++] = g;
            break;
        }
        default: return cli_error(EXIT_USAGE, "see 'thuky program --help'");
        }
    }
    if (optind + 1 != argc || !cli_parse_uint(argv[optind], 9999, &num))
        return cli_error(EXIT_USAGE, "usage: thuky program add YEAR --decision REF --title TEXT");
    program.year = (uint32_t)num;
    program.groups = group_ptrs;
    Thuky__ProgramAddRequest req = THUKY__PROGRAM_ADD_REQUEST__INIT;
    req.program = &program;
    int rc = cli_call(cli, SERVICE_TASKD, "program.add", &req.base, NULL, NULL);
    if (rc == EXIT_OK && !cli->json)
        printf(_("program %u added\n"), program.year);
    else if (rc == EXIT_OK)
        cli_print_json(json_pack("{s:i}", "year", (int)program.year));
    return rc;
}

static int s_list(cli_t *cli)
{
    Thuky__ProgramListRequest req = THUKY__PROGRAM_LIST_REQUEST__INIT;
    Thuky__ProgramList *list = NULL;
    int rc = cli_call(cli, SERVICE_TASKD, "program.list", &req.base,
                      &thuky__program_list__descriptor, (ProtobufCMessage **)&list);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < list->n_programs; i++) {
            const Thuky__Program *p = list->programs[i];
            json_t *groups = json_array();
            for (size_t g = 0; g < p->n_groups; g++)
                json_array_append_new(groups, json_pack("{s:i, s:s}", "number",
                                                        (int)p->groups[g]->number, "title",
                                                        p->groups[g]->title));
            json_array_append_new(array, json_pack("{s:i, s:s, s:s, s:o}", "year", (int)p->year,
                                                   "decision", p->decision, "title", p->title,
                                                   "groups", groups));
        }
        cli_print_json(array);
    } else {
        static const char *const headers[] = {N_("YEAR"), N_("DECISION"), N_("GROUPS"),
                                              N_("TITLE")};
        table_t *table = render_table_new(4, headers, "llrl");
        for (size_t i = 0; i < list->n_programs; i++) {
            const Thuky__Program *p = list->programs[i];
            char year[8], groups[8];
            snprintf(year, sizeof year, "%u", p->year);
            snprintf(groups, sizeof groups, "%zu", p->n_groups);
            const char *cells[] = {year, p->decision, groups, p->title};
            table_add_row(table, cells);
        }
        table_print(table, stdout);
        table_destroy(&table);
    }
    thuky__program_list__free_unpacked(list, NULL);
    return EXIT_OK;
}

int cmd_program(cli_t *cli, int argc, char **argv)
{
    if (argc < 2)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (strcmp(argv[1], "add") == 0)
        return s_add(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0 && argc == 2)
        return s_list(cli);
    return cli_error(EXIT_USAGE, "unknown program command (add, list)");
}
