/* thuky_load: a load generator for the task service, used by `make bench`.
 *
 *   thuky_load [--config FILE] update --clients N --seconds S --task-ids A-B
 *   thuky_load [--config FILE] populate --tasks N --program YEAR [--clients C]
 *                                       [--chunk K] [--first I]
 *   thuky_load [--config FILE] query --repeat R [--task-ids A-B] [--warmup W]
 *   thuky_load [--config FILE] sessions --clients N --seconds S
 *
 * sessions measures the session service's durable writes: each client
 * flips the status of its own sitting (BENCH-<n>).
 * query times R "next 100 due" lists, then R single updates, then R
 * "status" calls (the round-trip floor under any command), each after W
 * warm-up calls.
 *
 * Every request goes through the ordinary client (client.c) and is answered
 * only after the daemon's durable commit, so the numbers are what a real
 * caller sees. Each mode prints one JSON line on stdout; progress and the
 * first error of each kind go to stderr. Exit status: 0 when the run
 * completed (errors are counted in the JSON), 1 when it could not (no
 * daemon, an import refused), 2 on bad usage. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "base/date.h"
#include "base/log.h"
#include "runtime/client.h"
#include "runtime/clock.h"
#include "runtime/config.h"
#include "thuky/envelope.pb-c.h"
#include "thuky/session.pb-c.h"
#include "thuky/task.pb-c.h"

#define MAX_CLIENTS 256
#define GROUPS 11

static const char *const s_offices[] = {
    "hoi-dong-dan-toc", "uy-ban-phap-luat", "uy-ban-tu-phap", "uy-ban-kinh-te",
    "uy-ban-tai-chinh-ngan-sach", "uy-ban-quoc-phong-an-ninh", "uy-ban-van-hoa-giao-duc",
    "uy-ban-xa-hoi", "uy-ban-khcn-moi-truong", "uy-ban-doi-ngoai", "vu-thu-ky", "vu-tong-hop",
    "vu-hanh-chinh", "vu-phap-luat", "vu-kinh-te", "vu-tai-chinh-ngan-sach", "vu-quoc-phong-an-ninh",
    "vu-van-hoa-giao-duc", "vu-xa-hoi", "vu-khoa-hoc-cong-nghe", "vu-dan-toc", "vu-dan-nguyen",
    "vu-cong-tac-dai-bieu", "vu-doi-ngoai", "vu-tu-phap", "vu-to-chuc-can-bo",
    "trung-tam-thong-tin", "vp-doan-ha-noi", "vp-doan-tp-hcm", "vp-doan-hai-phong",
    "vp-doan-da-nang", "vp-doan-can-tho", "vp-doan-nghe-an", "vp-doan-thanh-hoa",
    "vp-doan-quang-ninh", "vp-doan-thua-thien-hue", "vp-doan-dak-lak", "vp-doan-an-giang",
    "vp-doan-lao-cai", "vp-doan-ca-mau",
};
#define OFFICE_COUNT (sizeof s_offices / sizeof s_offices[0])

typedef struct {
    const char *endpoint;
    int timeout_ms;
    int retries;
    void *zmq_ctx;
} target_t;

/* ---- small helpers ------------------------------------------------------- */

static const char *s_code_name(Thuky__StatusCode code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&thuky__status_code__descriptor, (int)code);
    return v ? v->name : "UNKNOWN";
}

static uint64_t s_seed(unsigned salt)
{
    uint64_t s;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
        s = (uint64_t)clock_monotonic_us();
    s ^= (uint64_t)salt * 0x9E3779B97F4A7C15ull;
    return s ? s : 0x2545F4914F6CDD1Dull;
}

static uint64_t s_rand(uint64_t *state)
{
    uint64_t x = *state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static int s_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted microseconds, in milliseconds. */
static double s_pct_ms(const int64_t *sorted, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    size_t rank = (size_t)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)sorted[rank - 1] / 1000.0;
}

typedef struct {
    int64_t *v;
    size_t n, cap;
} samples_t;

static void s_sample(samples_t *s, int64_t us)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = us;
}

static bool s_parse_u32(const char *text, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end != '\0' || text[0] == '-' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool s_parse_range(const char *text, uint32_t *lo, uint32_t *hi)
{
    const char *dash = strchr(text, '-');
    if (!dash)
        return false;
    char first[32];
    size_t n = (size_t)(dash - text);
    if (n == 0 || n >= sizeof first)
        return false;
    memcpy(first, text, n);
    first[n] = '\0';
    return s_parse_u32(first, lo) && s_parse_u32(dash + 1, hi) && *lo >= 1 && *lo <= *hi;
}

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: thuky_load [--config FILE] update --clients N --seconds S --task-ids A-B\n"
            "       thuky_load [--config FILE] populate --tasks N --program YEAR [--clients C]\n"
            "                                           [--chunk K] [--first I]\n"
            "       thuky_load [--config FILE] query --repeat R [--task-ids A-B] [--warmup W]\n"
            "       thuky_load [--config FILE] sessions --clients N --seconds S\n"
            "\n"
            "Load generator for thuky-taskd (make bench). Prints one JSON line.\n");
}

/* Parses "--name VALUE" pairs after the mode into a small table. */
typedef struct {
    const char *name;
    const char *value;
} opt_t;

static const char *s_opt(opt_t *opts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    return NULL;
}

static void s_update_request(Thuky__TaskUpdateRequest *req, uint32_t id, uint32_t progress)
{
    thuky__task_update_request__init(req);
    req->id = id;
    req->progress_set_case = THUKY__TASK_UPDATE_REQUEST__PROGRESS_SET_PROGRESS;
    req->progress = progress;
}

/* ---- update --------------------------------------------------------------- */

typedef struct {
    const target_t *target;
    bool sessions;          /* session.status on sitting BENCH-<index>, not task.update */
    unsigned index;
    uint32_t lo, hi;
    int64_t stop_us;
    samples_t lat;
    uint64_t errors;
    char first_error[600];
} update_worker_t;

/* A sitting the session workers change; it may exist from an earlier run. */
static void s_add_bench_sitting(client_t *client, const char *id)
{
    Thuky__SittingTime day = THUKY__SITTING_TIME__INIT;
    day.date = (char *)"2024-07-01";
    Thuky__Sitting s = THUKY__SITTING__INIT;
    s.id = (char *)id;
    s.kind = THUKY__SITTING_KIND__KIND_CONFERENCE;
    s.title = (char *)"Hội nghị đo tải";
    s.start = s.end = &day;
    Thuky__SessionAddRequest req = THUKY__SESSION_ADD_REQUEST__INIT;
    req.sitting = &s;
    client_result_t res;
    client_call(client, "session.add", &req.base, &res);
    client_result_free(&res);
}

static void *s_update_worker(void *arg)
{
    update_worker_t *w = arg;
    client_t *client = client_new(w->target->zmq_ctx, w->target->endpoint, w->target->timeout_ms,
                                  w->target->retries);
    client_set_caller(client, "bench@thuky_load");
    uint64_t rng = s_seed(w->index + 1);
    uint32_t progress = (uint32_t)(s_rand(&rng) % 101);
    uint32_t span = w->hi - w->lo + 1;
    char sitting[32];
    snprintf(sitting, sizeof sitting, "BENCH-%u", w->index);
    if (w->sessions)
        s_add_bench_sitting(client, sitting);
    while (clock_monotonic_us() < w->stop_us) {
        Thuky__TaskUpdateRequest req;
        s_update_request(&req, w->lo + (uint32_t)(s_rand(&rng) % span), progress);
        progress = (progress + 1) % 101;
        /* Alternating statuses: every request is a change, an event, a commit. */
        Thuky__SessionStatusRequest status = THUKY__SESSION_STATUS_REQUEST__INIT;
        status.id = sitting;
        status.status = progress % 2 ? THUKY__SITTING_STATUS__SITTING_CONFIRMED
                                     : THUKY__SITTING_STATUS__SITTING_PLANNED;
        client_result_t res;
        int64_t t0 = clock_monotonic_us();
        int rc = w->sessions ? client_call(client, "session.status", &status.base, &res)
                             : client_call(client, "task.update", &req.base, &res);
        int64_t t1 = clock_monotonic_us();
        if (rc == 0 && res.code == THUKY__STATUS_CODE__OK) {
            s_sample(&w->lat, t1 - t0);
        } else {
            if (w->errors++ == 0)
                snprintf(w->first_error, sizeof w->first_error, "%s: %s",
                         s_code_name(res.code), res.message);
            if (rc != 0) { /* no daemon: stop rather than spin */
                client_result_free(&res);
                break;
            }
        }
        client_result_free(&res);
    }
    client_destroy(&client);
    return NULL;
}

static int s_mode_update(const target_t *target, opt_t *opts, size_t n, bool sessions)
{
    uint32_t clients = 0, seconds = 0, lo = 0, hi = 0;
    const char *c = s_opt(opts, n, "clients"), *s = s_opt(opts, n, "seconds"),
               *r = s_opt(opts, n, "task-ids");
    if (sessions)
        r = "1-1";
    if (!c || !s || !r || !s_parse_u32(c, &clients) || clients == 0 || clients > MAX_CLIENTS ||
        !s_parse_u32(s, &seconds) || seconds == 0 || !s_parse_range(r, &lo, &hi)) {
        s_usage(stderr);
        return 2;
    }
    update_worker_t *workers = xcalloc(clients, sizeof *workers);
    pthread_t *threads = xcalloc(clients, sizeof *threads);
    int64_t start = clock_monotonic_us();
    for (uint32_t i = 0; i < clients; i++) {
        workers[i] = (update_worker_t){.target = target, .sessions = sessions, .index = i,
                                       .lo = lo, .hi = hi,
                                       .stop_us = start + (int64_t)seconds * 1000000};
        if (pthread_create(&threads[i], NULL, s_update_worker, &workers[i]) != 0)
            fatalx("cannot start client thread %u", i);
    }
    for (uint32_t i = 0; i < clients; i++)
        pthread_join(threads[i], NULL);
    double elapsed = (double)(clock_monotonic_us() - start) / 1e6;

    samples_t all = {0};
    uint64_t errors = 0;
    for (uint32_t i = 0; i < clients; i++) {
        for (size_t j = 0; j < workers[i].lat.n; j++)
            s_sample(&all, workers[i].lat.v[j]);
        errors += workers[i].errors;
        if (workers[i].errors && errors == workers[i].errors)
            fprintf(stderr, "thuky_load: first error: %s\n", workers[i].first_error);
        free(workers[i].lat.v);
    }
    qsort(all.v, all.n, sizeof *all.v, s_cmp_i64);
    printf("{\"mode\":\"%s\",\"clients\":%u,\"ops\":%zu,\"seconds\":%.3f,\"ops_per_s\":%.1f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%" PRIu64 "}\n",
           sessions ? "sessions" : "update", clients, all.n, elapsed, elapsed > 0 ? (double)all.n / elapsed : 0.0,
           s_pct_ms(all.v, all.n, 0.50), s_pct_ms(all.v, all.n, 0.99),
           all.n ? (double)all.v[all.n - 1] / 1000.0 : 0.0, errors);
    int rc = all.n == 0 ? 1 : 0;
    free(all.v);
    free(workers);
    free(threads);
    return rc;
}

/* ---- populate -------------------------------------------------------------- */

typedef struct {
    const target_t *target;
    uint32_t year;
    uint32_t total, chunk, first;
    int32_t jan1;
    int days;
    atomic_uint next_chunk;
    atomic_uint done;
    atomic_int failed;
    int64_t start_us;
    pthread_mutex_t progress_lock;
    uint32_t reported;
} populate_t;

typedef struct {
    Thuky__Task task;
    Thuky__Deadline deadline;
    Thuky__AbsoluteDeadline absolute;
    char title[160];
    char ref[32];
    char date[DATE_ISO_LEN];
    char *with[2];
    char *basis[1];
} task_slot_t;

/* Fills task number i (0-based within the whole population). */
static void s_fill_task(const populate_t *pop, uint32_t i, task_slot_t *slot)
{
    Thuky__Task *t = &slot->task;
    thuky__task__init(t);
    uint32_t n = pop->first + i;
    /* A spread of values that does not follow the id order. */
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    t->program_year = pop->year;
    t->group = (uint32_t)(h % (GROUPS + 3)); /* some outside any key group */
    if (t->group > GROUPS)
        t->group = 0;
    snprintf(slot->title, sizeof slot->title,
             "Chuẩn bị báo cáo thẩm tra, tài liệu phục vụ kỳ họp — nhiệm vụ số %u", n);
    t->title = slot->title;
    snprintf(slot->ref, sizeof slot->ref, "b-%u", n);
    t->ref = slot->ref;
    t->lead_office = (char *)s_offices[(h >> 8) % OFFICE_COUNT];
    if ((h >> 16) % 8 == 0) { /* a few with coordinating offices */
        slot->with[0] = (char *)s_offices[(h >> 20) % OFFICE_COUNT];
        slot->with[1] = (char *)s_offices[(h >> 26) % OFFICE_COUNT];
        t->with_offices = slot->with;
        t->n_with_offices = slot->with[0] == slot->with[1] ? 1 : 2;
        if (slot->with[0] == t->lead_office)
            t->n_with_offices = 0;
    }
    if ((h >> 32) % 4 == 0) {
        slot->basis[0] = "Kế hoạch số 123/KH-TTKQH";
        t->basis = slot->basis;
        t->n_basis = 1;
    }
    if ((h >> 36) % 10 != 0) { /* about 10% undated */
        date_format_iso(pop->jan1 + (int32_t)((h >> 40) % (uint64_t)pop->days), slot->date);
        thuky__absolute_deadline__init(&slot->absolute);
        slot->absolute.date = slot->date;
        thuky__deadline__init(&slot->deadline);
        slot->deadline.rule_case = THUKY__DEADLINE__RULE_ABSOLUTE;
        slot->deadline.absolute = &slot->absolute;
        t->deadline = &slot->deadline;
    }
}

static bool s_add_program(const target_t *target, uint32_t year)
{
    client_t *client = client_new(target->zmq_ctx, target->endpoint, target->timeout_ms,
                                  target->retries);
    client_set_caller(client, "bench@thuky_load");
    Thuky__TaskGroup groups[GROUPS], *gptrs[GROUPS];
    char gtitles[GROUPS][64];
    for (unsigned g = 0; g < GROUPS; g++) {
        thuky__task_group__init(&groups[g]);
        groups[g].number = g + 1;
        snprintf(gtitles[g], sizeof gtitles[g], "Nhóm nhiệm vụ trọng tâm %u", g + 1);
        groups[g].title = gtitles[g];
        gptrs[g] = &groups[g];
    }
    char title[96];
    snprintf(title, sizeof title, "Chương trình công tác năm %u (benchmark)", year);
    Thuky__Program program = THUKY__PROGRAM__INIT;
    program.year = year;
    program.decision = "3333/QĐ-TTKQH";
    program.title = title;
    program.groups = gptrs;
    program.n_groups = GROUPS;
    Thuky__ProgramAddRequest req = THUKY__PROGRAM_ADD_REQUEST__INIT;
    req.program = &program;
    client_result_t res;
    int rc = client_call(client, "program.add", &req.base, &res);
    bool ok = rc == 0 && (res.code == THUKY__STATUS_CODE__OK ||
                          res.code == THUKY__STATUS_CODE__CONFLICT);
    if (!ok)
        fprintf(stderr, "thuky_load: program.add: %s\n", res.message);
    client_result_free(&res);
    client_destroy(&client);
    return ok;
}

static void *s_populate_worker(void *arg)
{
    populate_t *pop = arg;
    client_t *client = client_new(pop->target->zmq_ctx, pop->target->endpoint,
                                  pop->target->timeout_ms, pop->target->retries);
    client_set_caller(client, "bench@thuky_load");
    task_slot_t *slots = xcalloc(pop->chunk, sizeof *slots);
    Thuky__Task **ptrs = xcalloc(pop->chunk, sizeof *ptrs);
    uint32_t chunks = (pop->total + pop->chunk - 1) / pop->chunk;
    for (;;) {
        if (atomic_load(&pop->failed))
            break;
        uint32_t c = atomic_fetch_add(&pop->next_chunk, 1);
        if (c >= chunks)
            break;
        uint32_t begin = c * pop->chunk;
        uint32_t count = pop->total - begin < pop->chunk ? pop->total - begin : pop->chunk;
        for (uint32_t k = 0; k < count; k++) {
            s_fill_task(pop, begin + k, &slots[k]);
            ptrs[k] = &slots[k].task;
        }
        Thuky__TaskImportRequest req = THUKY__TASK_IMPORT_REQUEST__INIT;
        req.tasks = ptrs;
        req.n_tasks = count;
        client_result_t res;
        int rc = client_call(client, "task.import", &req.base, &res);
        if (rc != 0 || res.code != THUKY__STATUS_CODE__OK) {
            fprintf(stderr, "thuky_load: task.import of tasks %u-%u: %s: %s\n",
                    pop->first + begin, pop->first + begin + count - 1,
                    s_code_name(res.code), res.message);
            atomic_store(&pop->failed, 1);
            client_result_free(&res);
            break;
        }
        client_result_free(&res);
        uint32_t done = atomic_fetch_add(&pop->done, count) + count;
        pthread_mutex_lock(&pop->progress_lock);
        uint32_t step = pop->total / 20 ? pop->total / 20 : 1;
        if (pop->total >= 50000 && done - pop->reported >= step) {
            pop->reported = done;
            double secs = (double)(clock_monotonic_us() - pop->start_us) / 1e6;
            fprintf(stderr, "  populate: %u/%u tasks, %.1f s, %.0f tasks/s\n", done, pop->total,
                    secs, secs > 0 ? done / secs : 0.0);
        }
        pthread_mutex_unlock(&pop->progress_lock);
    }
    free(slots);
    free(ptrs);
    client_destroy(&client);
    return NULL;
}

static int s_mode_populate(const target_t *target, opt_t *opts, size_t n)
{
    uint32_t tasks = 0, year = 0, clients = 1, chunk = 1000, first = 0;
    const char *t = s_opt(opts, n, "tasks"), *y = s_opt(opts, n, "program"),
               *c = s_opt(opts, n, "clients"), *k = s_opt(opts, n, "chunk"),
               *f = s_opt(opts, n, "first");
    int32_t jan1, next_jan1;
    if (!t || !y || !s_parse_u32(t, &tasks) || !s_parse_u32(y, &year) ||
        (c && (!s_parse_u32(c, &clients) || clients == 0 || clients > MAX_CLIENTS)) ||
        (k && (!s_parse_u32(k, &chunk) || chunk == 0 || chunk > 100000)) ||
        (f && !s_parse_u32(f, &first)) || !date_from_ymd((int)year, 1, 1, &jan1, NULL) ||
        !date_from_ymd((int)year + 1, 1, 1, &next_jan1, NULL)) {
        s_usage(stderr);
        return 2;
    }
    int64_t start = clock_monotonic_us();
    if (!s_add_program(target, year))
        return 1;
    populate_t pop = {.target = target, .year = year, .total = tasks, .chunk = chunk,
                      .first = first, .jan1 = jan1, .days = next_jan1 - jan1, .start_us = start};
    atomic_init(&pop.next_chunk, 0);
    atomic_init(&pop.done, 0);
    atomic_init(&pop.failed, 0);
    pthread_mutex_init(&pop.progress_lock, NULL);
    pthread_t threads[MAX_CLIENTS];
    for (uint32_t i = 0; i < clients; i++)
        if (pthread_create(&threads[i], NULL, s_populate_worker, &pop) != 0)
            fatalx("cannot start client thread %u", i);
    for (uint32_t i = 0; i < clients; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&pop.progress_lock);
    if (atomic_load(&pop.failed))
        return 1;
    double elapsed = (double)(clock_monotonic_us() - start) / 1e6;
    printf("{\"mode\":\"populate\",\"tasks\":%u,\"clients\":%u,\"seconds\":%.3f,"
           "\"tasks_per_s\":%.1f}\n",
           tasks, clients, elapsed, elapsed > 0 ? tasks / elapsed : 0.0);
    return 0;
}

/* ---- query ----------------------------------------------------------------- */

static int s_mode_query(const target_t *target, opt_t *opts, size_t n)
{
    uint32_t repeat = 0, lo = 1, hi = 1000, warmup = 10;
    const char *r = s_opt(opts, n, "repeat"), *ids = s_opt(opts, n, "task-ids"),
               *w = s_opt(opts, n, "warmup");
    if (!r || !s_parse_u32(r, &repeat) || repeat == 0 || (ids && !s_parse_range(ids, &lo, &hi)) ||
        (w && !s_parse_u32(w, &warmup))) {
        s_usage(stderr);
        return 2;
    }
    client_t *client = client_new(target->zmq_ctx, target->endpoint, target->timeout_ms,
                                  target->retries);
    client_set_caller(client, "bench@thuky_load");
    samples_t list_lat = {0}, update_lat = {0}, status_lat = {0};
    uint64_t errors = 0;
    size_t returned = 0;
    uint64_t rng = s_seed(7);

    /* "The next 100 due": open and in-progress tasks, deadline order. */
    Thuky__TaskListRequest list = THUKY__TASK_LIST_REQUEST__INIT;
    list.limit = 100;
    for (uint32_t i = 0; i < warmup + repeat; i++) {
        client_result_t res;
        int64_t t0 = clock_monotonic_us();
        int rc = client_call(client, "task.list", &list.base, &res);
        int64_t t1 = clock_monotonic_us();
        if (rc != 0 || res.code != THUKY__STATUS_CODE__OK) {
            if (errors++ == 0)
                fprintf(stderr, "thuky_load: task.list: %s: %s\n", s_code_name(res.code),
                        res.message);
            client_result_free(&res);
            if (rc != 0)
                break;
            continue;
        }
        if (i >= warmup) {
            s_sample(&list_lat, t1 - t0);
            Thuky__TaskList *tl = thuky__task_list__unpack(NULL, res.body_len, res.body);
            if (tl) {
                returned = tl->n_tasks;
                thuky__task_list__free_unpacked(tl, NULL);
            }
        }
        client_result_free(&res);
    }
    uint32_t progress = 1;
    for (uint32_t i = 0; i < warmup + repeat; i++) {
        Thuky__TaskUpdateRequest req;
        s_update_request(&req, lo + (uint32_t)(s_rand(&rng) % (hi - lo + 1)), progress);
        progress = progress % 100 + 1;
        client_result_t res;
        int64_t t0 = clock_monotonic_us();
        int rc = client_call(client, "task.update", &req.base, &res);
        int64_t t1 = clock_monotonic_us();
        if (rc != 0 || res.code != THUKY__STATUS_CODE__OK) {
            if (errors++ == 0)
                fprintf(stderr, "thuky_load: task.update: %s: %s\n", s_code_name(res.code),
                        res.message);
            client_result_free(&res);
            if (rc != 0)
                break;
            continue;
        }
        if (i >= warmup)
            s_sample(&update_lat, t1 - t0);
        client_result_free(&res);
    }
    /* The floor under both: a command that does nothing ("status"). */
    for (uint32_t i = 0; i < warmup + repeat; i++) {
        client_result_t res;
        int64_t t0 = clock_monotonic_us();
        int rc = client_call(client, "status", NULL, &res);
        int64_t t1 = clock_monotonic_us();
        if (rc != 0 || res.code != THUKY__STATUS_CODE__OK) {
            if (errors++ == 0)
                fprintf(stderr, "thuky_load: status: %s: %s\n", s_code_name(res.code),
                        res.message);
            client_result_free(&res);
            if (rc != 0)
                break;
            continue;
        }
        if (i >= warmup)
            s_sample(&status_lat, t1 - t0);
        client_result_free(&res);
    }
    client_destroy(&client);

    qsort(status_lat.v, status_lat.n, sizeof *status_lat.v, s_cmp_i64);
    qsort(list_lat.v, list_lat.n, sizeof *list_lat.v, s_cmp_i64);
    qsort(update_lat.v, update_lat.n, sizeof *update_lat.v, s_cmp_i64);
    printf("{\"mode\":\"query\",\"repeat\":%u,\"returned\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
           "\"update_p50_ms\":%.3f,\"update_p99_ms\":%.3f,\"status_p50_ms\":%.3f,"
           "\"status_p99_ms\":%.3f,\"errors\":%" PRIu64 "}\n",
           repeat, returned, s_pct_ms(list_lat.v, list_lat.n, 0.50),
           s_pct_ms(list_lat.v, list_lat.n, 0.99), s_pct_ms(update_lat.v, update_lat.n, 0.50),
           s_pct_ms(update_lat.v, update_lat.n, 0.99), s_pct_ms(status_lat.v, status_lat.n, 0.50),
           s_pct_ms(status_lat.v, status_lat.n, 0.99), errors);
    int rc = list_lat.n == 0 || update_lat.n == 0 || status_lat.n == 0 ? 1 : 0;
    free(status_lat.v);
    free(list_lat.v);
    free(update_lat.v);
    return rc;
}

/* ---- main ------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    log_init("thuky_load", LOG_LEVEL_WARN, false);
    const char *config_path = NULL;
    int i = 1;
    if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
        s_usage(stdout);
        return 0;
    }
    if (i + 1 < argc && strcmp(argv[i], "--config") == 0) {
        config_path = argv[i + 1];
        i += 2;
    }
    if (i >= argc) {
        s_usage(stderr);
        return 2;
    }
    const char *mode = argv[i++];
    opt_t opts[16];
    size_t n = 0;
    for (; i < argc; i += 2) {
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc || n == 16) {
            s_usage(stderr);
            return 2;
        }
        opts[n++] = (opt_t){argv[i] + 2, argv[i + 1]};
    }

    config_t cfg;
    char why[1024];
    if (config_load(&cfg, config_path, why, sizeof why) != 0) {
        fprintf(stderr, "thuky_load: %s\n", why);
        return 1;
    }
    bool sessions = strcmp(mode, "sessions") == 0;
    target_t target = {
        .endpoint = config_service(&cfg, sessions ? SERVICE_SESSIOND : SERVICE_TASKD)->command,
        .timeout_ms = cfg.client_timeout_ms,
        .retries = cfg.client_retries,
        .zmq_ctx = zmq_ctx_new(),
    };
    int rc;
    if (strcmp(mode, "update") == 0 || sessions)
        rc = s_mode_update(&target, opts, n, sessions);
    else if (strcmp(mode, "populate") == 0)
        rc = s_mode_populate(&target, opts, n);
    else if (strcmp(mode, "query") == 0)
        rc = s_mode_query(&target, opts, n);
    else {
        s_usage(stderr);
        rc = 2;
    }
    fflush(stdout);
    zmq_ctx_term(target.zmq_ctx);
    return rc;
}
