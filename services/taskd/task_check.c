#include "task_check.h"

#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "domain/deadline.h"

bool check_year(server_call_t *call, uint32_t year)
{
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "program year %u is outside %d-%d", year, DATE_MIN_YEAR, DATE_MAX_YEAR);
        return false;
    }
    return true;
}

bool check_task_input(server_call_t *call, const Thuky__Task *in)
{
    if (!check_year(call, in->program_year) ||
        !check_text(call, i18n_text(call->lang, N_("title")), in->title, TITLE_MAX, true) ||
        !check_text(call, i18n_text(call->lang, N_("description")), in->description,
                    DESCRIPTION_MAX, false) ||
        !check_office_id(call, i18n_text(call->lang, N_("lead office")), in->lead_office,
                         true) ||
        !check_text(call, i18n_text(call->lang, N_("lead member")), in->lead_member, NAME_MAX_,
                    false) ||
        !check_text(call, i18n_text(call->lang, N_("ref")), in->ref, REF_MAX, false))
        return false;
    if (in->n_with_offices > OFFICES_MAX || in->n_basis > BASIS_MAX) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "at most %d coordinating offices and %d basis references", OFFICES_MAX,
                    BASIS_MAX);
        return false;
    }
    for (size_t i = 0; i < in->n_with_offices; i++)
        if (!check_office_id(call, i18n_text(call->lang, N_("coordinating office")),
                             in->with_offices[i], true))
            return false;
    for (size_t i = 0; i < in->n_basis; i++)
        if (!check_text(call, i18n_text(call->lang, N_("legal basis")), in->basis[i], NAME_MAX_,
                        true))
            return false;
    const char *why;
    if (in->deadline && !deadline_check(in->deadline, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "deadline: %s",
                    i18n_text(call->lang, why));
        return false;
    }
    return true;
}

bool check_program_input(server_call_t *call, const Thuky__Program *in)
{
    if (!check_year(call, in->year) ||
        !check_text(call, i18n_text(call->lang, N_("decision")), in->decision, NAME_MAX_,
                    true) ||
        !check_text(call, i18n_text(call->lang, N_("program title")), in->title, TITLE_MAX,
                    true))
        return false;
    for (size_t i = 0; i < in->n_groups; i++) {
        const Thuky__TaskGroup *g = in->groups[i];
        if (g->number == 0 || g->number > 99) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                        "group number %u is outside 1-99", g->number);
            return false;
        }
        for (size_t j = 0; j < i; j++)
            if (in->groups[j]->number == g->number) {
                server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                            "group %u appears twice", g->number);
                return false;
            }
        if (!check_text(call, i18n_text(call->lang, N_("group title")), g->title, TITLE_MAX,
                        true))
            return false;
    }
    return true;
}
