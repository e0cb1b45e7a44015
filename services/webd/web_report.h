/* The briefing report (the Secretary General's weekly question: what is
 * behind schedule, short on quality, disputed, due soon), as the API's
 * JSON and the board's page both show it. */
#ifndef THUKY_WEB_REPORT_H
#define THUKY_WEB_REPORT_H
#include <jansson.h>
#include <stdbool.h>

#include "thuky/task.pb-c.h"
#include "webd.h"

#define REPORT_SOON_DAYS 14

typedef struct {
    char today[11], soon[11];
    Thuky__TaskList *overdue;    /* due before today, not done */
    Thuky__TaskList *flagged;    /* quality or dispute (or a cancelled sitting) */
    Thuky__TaskList *due_soon;   /* due from today to REPORT_SOON_DAYS on */
} web_report_t;

/* office "" = every office. false with err when taskd did not answer. */
bool web_report_load(webd_t *webd, const char *office, web_report_t *out, backend_error_t *err);
json_t *web_report_json(const web_report_t *r);
void web_report_free(web_report_t *r);
bool web_task_has_flag(const Thuky__Task *t, Thuky__TaskFlag flag);

#endif
