/* The commands every daemon answers besides its own: status, events.read,
 * clock.set/clock.advance (test clock only) and subscription.resync. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/server_private.h"

static void s_builtin_status(server_call_t *call, const ProtobufCMessage *request);
static void s_builtin_events_read(server_call_t *call, const ProtobufCMessage *request);
static void s_builtin_clock(server_call_t *call, const ProtobufCMessage *request);
static void s_builtin_resync(server_call_t *call, const ProtobufCMessage *request);

static const command_t s_builtins[] = {
    {"status", NULL, s_builtin_status, 0, ROLES_ANY},
    {"events.read", &thuky__events_read_request__descriptor, s_builtin_events_read, 0,
     ROLE_ADMIN | ROLE_READER | ROLE_GATEWAY},
    {"clock.set", &thuky__clock_request__descriptor, s_builtin_clock, 0, ROLE_ADMIN},
    {"clock.advance", &thuky__clock_request__descriptor, s_builtin_clock, 0, ROLE_ADMIN},
    {"subscription.resync", &thuky__resync_request__descriptor, s_builtin_resync, COMMAND_WRITE,
     ROLE_ADMIN},
};

const command_t *server_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof s_builtins / sizeof s_builtins[0]; i++)
        if (strcmp(s_builtins[i].name, name) == 0)
            return &s_builtins[i];
    return NULL;
}

/* ---- built-in commands -------------------------------------------------------- */

static void s_builtin_status(server_call_t *call, const ProtobufCMessage *request)
{
    (void)request;
    server_t *self = call->server;
    Thuky__DaemonStatus st = THUKY__DAEMON_STATUS__INIT;
    st.daemon = (char *)eventlog_source(self->eventlog);
    st.version = THUKY_VERSION;
    st.started_at_ms = self->started_ms;
    st.last_event_seq = eventlog_last_seq(self->eventlog);
    st.store_bytes = store_used_bytes(self->store);
    st.test_clock = clock_is_test();
    st.now_ms = call->now_ms;
    /* what peers hold now, beside the bounds of connections.h */
    if (self->clients)
        server_set_counter(self, "clients", connections_count(self->clients));
    if (self->subscribers)
        server_set_counter(self, "subscribers", connections_count(self->subscribers));
    server_set_counter(self, "connections_refused", access_refused(self->access));
    Thuky__Counter counters[SERVER_MAX_COUNTERS];
    Thuky__Counter *ptrs[SERVER_MAX_COUNTERS];
    for (size_t i = 0; i < self->counter_count; i++) {
        thuky__counter__init(&counters[i]);
        counters[i].name = (char *)self->counters[i].name;
        counters[i].value = self->counters[i].value;
        ptrs[i] = &counters[i];
    }
    st.counters = ptrs;
    st.n_counters = self->counter_count;
    Thuky__Subscription subs[SERVER_MAX_SUBSCRIPTIONS];
    Thuky__Subscription *sub_ptrs[SERVER_MAX_SUBSCRIPTIONS];
    for (size_t i = 0; i < self->subscription_count; i++) {
        thuky__subscription__init(&subs[i]);
        subs[i].source = (char *)subscriber_name(self->subscriptions[i]);
        subs[i].applied_seq = subscriber_offset(self->subscriptions[i]);
        subs[i].known_seq = subscriber_known_last(self->subscriptions[i]);
        const char *problem = subscriber_problem(self->subscriptions[i]);
        subs[i].state = problem[0] ? "diverged" : "following";
        subs[i].problem = (char *)problem;
        uint64_t from = subscriber_resync_from(self->subscriptions[i]);
        subs[i].resync_from = problem[0] && from != UINT64_MAX ? from : 0;
        subs[i].log_id = (char *)subscriber_log_id(self->subscriptions[i]);
        sub_ptrs[i] = &subs[i];
    }
    st.subscriptions = sub_ptrs;
    st.n_subscriptions = self->subscription_count;
    st.log_id = (char *)eventlog_id(self->eventlog);
    store_log_stats_t log;
    store_log_stats(self->store, &log);
    Thuky__StoreLog store_log = THUKY__STORE_LOG__INIT;
    if (log.logged) {
        store_log.bytes = log.log_bytes;
        store_log.checkpoint_age_ms = log.checkpoint_age_ms;
        store_log.checkpoints = log.checkpoints;
        store_log.checkpoint_max_us = log.checkpoint_max_us;
        store_log.records = log.records;
        store_log.replayed = log.replayed;
        st.store_log = &store_log;
    }
    server_reply(call, &st.base);
}

static void s_builtin_events_read(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__EventsReadRequest *req = (const Thuky__EventsReadRequest *)request;
    Thuky__EventsReadRaw raw = THUKY__EVENTS_READ_RAW__INIT;
    eventlog_read(call->server->eventlog, call->txn, req->after_seq, req->limit, &raw);
    server_reply(call, &raw.base);
    eventlog_read_free(&raw);
}

static void s_builtin_clock(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__ClockRequest *req = (const Thuky__ClockRequest *)request;
    if (!clock_is_test()) {
        server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED,
                    "the test clock is off (start the daemon with --test-clock)");
        return;
    }
    if (req->set_ms)
        clock_set_ms(req->set_ms);
    else
        clock_advance_ms(req->advance_ms);
    server_wake_timers(call->server); /* what is due at the new time runs now */
    Thuky__ClockReply reply = THUKY__CLOCK_REPLY__INIT;
    reply.now_ms = clock_now_ms();
    server_reply(call, &reply.base);
}

/* The documented way out of a divergence (subscriber.h): the follower
 * counts in the source's present log from the given (or default) sequence.
 * Audited in this daemon's own log as subscription.resynced. */
static void s_builtin_resync(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__ResyncRequest *req = (const Thuky__ResyncRequest *)request;
    server_t *self = call->server;
    subscriber_t *sub = NULL;
    for (size_t i = 0; i < self->subscription_count && !sub; i++)
        if (strcmp(subscriber_name(self->subscriptions[i]), req->source) == 0)
            sub = self->subscriptions[i];
    if (!sub) {
        server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "%s does not follow '%.64s'",
                    eventlog_source(self->eventlog), req->source);
        return;
    }
    char problem[512], why[512];
    snprintf(problem, sizeof problem, "%s", subscriber_problem(sub));
    uint64_t previous = subscriber_offset(sub), from;
    if (!subscriber_resync(sub, call->txn, req->from_set_case != 0, req->from_seq, &from,
                           call->lang, why, sizeof why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s", why);
        return;
    }
    char subject[96];
    snprintf(subject, sizeof subject, "subscription/%s", req->source);
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = "subscription.resynced";
    event.subject = subject;
    server_emit(call, &event);
    log_warnx("subscription %s resynced by %s: %llu -> %llu in log %s%s%s", req->source,
              call->caller, (unsigned long long)previous, (unsigned long long)from,
              subscriber_log_id(sub), problem[0] ? _("; it had diverged: ") : "", problem);
    Thuky__ResyncReply reply = THUKY__RESYNC_REPLY__INIT;
    reply.source = req->source;
    reply.previous_seq = previous;
    reply.from_seq = from;
    reply.log_id = (char *)subscriber_log_id(sub);
    reply.problem = problem;
    server_reply(call, &reply.base);
}
