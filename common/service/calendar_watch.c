/* The recorded working-day calendar of a store. See calendar_watch.h. */
#include "service/calendar_watch.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"

#define KEY "calendar"

bool calendar_watch_check(store_txn_t *txn, MDB_dbi meta, const workcal_t *cal,
                          calendar_change_t *change)
{
    memset(change, 0, sizeof *change);
    MDB_val v;
    if (!store_get(txn, meta, KEY, strlen(KEY), &v) || v.mv_size % sizeof(uint64_t) != 0)
        return true;
    change->recorded = true;
    /* LMDB values are only byte-aligned: copy before reading words. */
    uint64_t earlier[WORKCAL_BITS_WORDS] = {0};
    size_t words = v.mv_size / sizeof(uint64_t);
    if (words > WORKCAL_BITS_WORDS)
        words = WORKCAL_BITS_WORDS;
    memcpy(earlier, v.mv_data, words * sizeof(uint64_t));
    change->n_days =
        workcal_changed_days(cal, earlier, words, change->days, CALENDAR_CHANGE_DAYS_MAX);
    return change->n_days > 0;
}

void calendar_watch_record(store_txn_t *txn, MDB_dbi meta, const workcal_t *cal)
{
    store_put(txn, meta, KEY, strlen(KEY), workcal_bits(cal),
              WORKCAL_BITS_WORDS * sizeof(uint64_t));
}

void calendar_change_describe(const calendar_change_t *change, const workcal_t *cal, char *out,
                              size_t len)
{
    out[0] = '\0';
    if (!change->recorded) {
        snprintf(out, len, "%s", _("no calendar recorded with the store"));
        return;
    }
    size_t used = 0, shown = 0;
    for (; shown < change->n_days && shown < CALENDAR_CHANGE_DAYS_MAX && shown < 8; shown++) {
        char iso[DATE_ISO_LEN];
        date_format_iso(change->days[shown], iso);
        int n = snprintf(out + used, len - used,
                         workcal_is_working_day(cal, change->days[shown]) ? _("%s%s now working")
                                                                          : _("%s%s now off"),
                         shown ? ", " : "", iso);
        if (n < 0 || (size_t)n >= len - used)
            return;
        used += (size_t)n;
    }
    if (shown < change->n_days)
        snprintf(out + used, len - used, _(" (+%zu more)"), change->n_days - shown);
}
