/* The date a deadline falls on: an absolute one as given, a relative one
 * from the task service's copy of its sitting (task_sittings.c keeps the
 * copies). Used by the commands and by the sitting-event handler alike. */
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "domain/deadline.h"
#include "domain/sitting.h"
#include "task_store.h"
#include "taskd.h"

int32_t taskd_today(const server_call_t *call) { return date_local_day(call->now_ms / 1000); }

static Thuky__Sitting *s_sitting_load(store_txn_t *txn, const char *id)
{
    return (Thuky__Sitting *)store_get_message(txn, store_dbi(txn->store, DB_SITTINGS), id,
                                               strlen(id), &thuky__sitting__descriptor);
}

resolve_t taskd_resolve(store_txn_t *txn, const workcal_t *calendar, const Thuky__Deadline *dl,
                        char out[DATE_ISO_LEN], bool *cancelled, const char **why)
{
    out[0] = '\0';
    *cancelled = false;
    int32_t day;
    const Thuky__AbsoluteDeadline *absolute = deadline_absolute(dl);
    const Thuky__RelativeDeadline *relative = deadline_relative(dl);
    if (absolute) {
        if (!date_parse(absolute->date, &day, why))
            return RESOLVE_FAILED;
        date_format_iso(day, out);
        return RESOLVE_DONE;
    }
    if (!relative) {
        *why = N_("the deadline has no rule");
        return RESOLVE_FAILED;
    }
    char base[SITTING_ID_MAX + 1];
    int32_t occurrence;
    if (!sitting_split_ref(relative->sitting_id, base, &occurrence, why))
        return RESOLVE_FAILED;
    Thuky__Sitting *sitting = s_sitting_load(txn, base);
    if (!sitting) {
        *why = N_("the sitting is not known");
        return RESOLVE_NO_SITTING;
    }
    sitting_span_t span;
    resolve_t rc = RESOLVE_FAILED;
    if (sitting_span(sitting, occurrence, &span, why) &&
        deadline_resolve_relative(relative, &span, calendar, &day, why)) {
        date_format_iso(day, out);
        *cancelled = span.cancelled;
        rc = RESOLVE_DONE;
    }
    thuky__sitting__free_unpacked(sitting, NULL);
    return rc;
}
