/* What the daemon fuzz targets share: one service set up as its main.c
 * does (store in a temporary directory with a small map, a server bound to
 * ipc endpoints in that directory, the service's context), requests run
 * through server_dispatch() (the ROUTER path: size limit, decode, role,
 * command, commit), and the structured input format.
 *
 * Structured input (fuzz_service_input):
 *   byte 0         bits 0-1: role (0, 1 admin; 2 office FUZZ_OFFICE; 3 reader)
 *                  bit 2: raw: the rest is one packed Request, sent as is
 *   then records   [selector] [length, 2 bytes little-endian] [body]
 *                  selector bits 0-6: command (index modulo the service's
 *                  table followed by the built-ins status, events.read,
 *                  clock.set, clock.advance); bit 7: resend the previous
 *                  request number (a retry, answered from the stored reply).
 *                  length is cut to what is left; at most FUZZ_RECORDS_MAX.
 * Each record becomes a valid Request envelope with that command and body.
 *
 * State carries over between inputs; a fresh store (with the spec's seed
 * state) is made every FUZZ_RESET_EVERY inputs (environment
 * THUKY_FUZZ_RESET_EVERY overrides; 1 = every input starts fresh, to
 * reproduce a finding exactly) or when the map grew past FUZZ_MAP_LIMIT.
 * THUKY_FUZZ_TRACE=1 prints each command and its reply's status.
 *
 * Every reply must decode (else abort); an INTERNAL reply, and an
 * events.read page that does not decode as a subscriber's EventsReadReply,
 * are notes (fuzz_note). */
#ifndef THUKY_FUZZ_SERVICE_H
#define THUKY_FUZZ_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/config.h"
#include "runtime/server.h"
#include "runtime/store.h"
#include "runtime/subscriber.h"
#include "fuzz_util.h"

#define FUZZ_OFFICE "vu-thu-ky"
#define FUZZ_START_MS 1714525200000LL /* 2024-05-01 08:00 in Ha Noi */
#define FUZZ_MAP_SIZE (1u << 20)
#define FUZZ_MAP_LIMIT (32u << 20)
#define FUZZ_RESET_EVERY 2000
#define FUZZ_RECORDS_MAX 16

typedef struct fuzz_service fuzz_service_t;

typedef struct {
    service_id_t id;
    const store_db_spec_t *dbs;
    size_t db_count;
    size_t events_db, meta_db, replies_db, replies_time_db;
    const command_t *commands;
    const size_t *command_count;      /* the table's extern count */
    void *service;                    /* the context the handlers get */
    void (*bind)(fuzz_service_t *fs); /* fills it in once the server is up */
    void (*seed)(fuzz_service_t *fs); /* the state a fresh store starts with */
} fuzz_service_spec_t;

struct fuzz_service {
    const fuzz_service_spec_t *spec;
    config_t *cfg;
    workcal_t *calendar;
    char dir[64];
    void *zmq;
    store_t *store;
    server_t *server;
    unsigned long runs;   /* inputs since the last fresh store */
    unsigned long reset_every;
    uint64_t request_no;
    char message[256];    /* of the last reply */
};

void fuzz_service_start(fuzz_service_t *fs, const fuzz_service_spec_t *spec);
void fuzz_service_stop(fuzz_service_t *fs);
/* Call once per input: counts it, sets the clock back to FUZZ_START_MS and
 * makes a fresh store when it is time. */
void fuzz_service_begin_input(fuzz_service_t *fs);

/* One packed Request through server_dispatch; the reply must decode
 * (aborts otherwise). Returns its status code. */
Thuky__StatusCode fuzz_dispatch(fuzz_service_t *fs, const void *data, size_t size, role_t role,
                                const char *office);
/* A Request envelope around body; retry resends the last request number. */
Thuky__StatusCode fuzz_call(fuzz_service_t *fs, const char *command, const uint8_t *body,
                            size_t len, role_t role, const char *office, bool retry);
/* As admin, with msg packed as the body (msg may be NULL): for seeding. */
Thuky__StatusCode fuzz_call_msg(fuzz_service_t *fs, const char *command,
                                const ProtobufCMessage *msg);
/* Same, without a note when it fails (reads that may find nothing). */
Thuky__StatusCode fuzz_call_msg_quiet(fuzz_service_t *fs, const char *command,
                                      const ProtobufCMessage *msg);

/* The structured input described above. */
void fuzz_service_input(fuzz_service_t *fs, const uint8_t *data, size_t size);

/* Applies one event as a subscriber does: in a write transaction of the
 * service's store that commits (growing the map when full), then done. */
void fuzz_apply_event(fuzz_service_t *fs, subscriber_apply_fn apply, subscriber_done_fn done,
                      void *arg, const Thuky__Event *event);

#endif
