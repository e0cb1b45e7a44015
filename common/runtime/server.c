/* The server's setup and loop: the two sockets, the poll loop with its
 * readers and timers, signals (SIGHUP reloads), systemd's notifications,
 * and the counters of status. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/curve.h"
#include "runtime/paths.h"
#include "runtime/secret.h"
#include "runtime/server_private.h"

void server_add_subscription(server_t *self, subscriber_t *subscriber)
{
    if (self->subscription_count == SERVER_MAX_SUBSCRIPTIONS)
        fatalx("more than %d subscriptions", SERVER_MAX_SUBSCRIPTIONS);
    self->subscriptions[self->subscription_count++] = subscriber;
}

/* ---- setup and loop ----------------------------------------------------------- */

/* How one listening socket is set up. */
typedef struct {
    int type;
    const char *endpoint;
    int64_t max_message;        /* 0 = no limit */
    int queue;                  /* messages queued per connection (HWM) */
    const char *domain;         /* ZAP domain */
    const char *name;           /* names its connection monitor */
} socket_spec_t;

/* Options are set before bind: libzmq applies them to a listener then, and
 * the monitor sees every connection from the first. Every connection is put
 * to the ZAP handler (domain); tcp ones use CURVE. */
static void *s_socket(void *ctx, const socket_spec_t *spec, const curve_pair_t *curve,
                      connections_t **conns, char *why, size_t why_len)
{
    if (paths_prepare_ipc(spec->endpoint) != 0) {
        snprintf(why, why_len, _("cannot create the directory of %s: %s"), spec->endpoint,
                 strerror(errno));
        return NULL;
    }
    void *sock = zmq_socket(ctx, spec->type);
    int zero = 0, one = 1;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (spec->type == ZMQ_ROUTER)
        zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    if (spec->max_message > 0)
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &spec->max_message, sizeof spec->max_message);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &spec->queue, sizeof spec->queue);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &spec->queue, sizeof spec->queue);
    int handshake_ms = SERVER_HANDSHAKE_MS;
    zmq_setsockopt(sock, ZMQ_HANDSHAKE_IVL, &handshake_ms, sizeof handshake_ms);
    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, spec->domain, strlen(spec->domain));
    if (curve_endpoint(spec->endpoint))
        curve_apply_server(sock, curve);
    *conns = connections_new(ctx, sock, spec->name);
    if (zmq_bind(sock, spec->endpoint) != 0) {
        snprintf(why, why_len, _("cannot bind %s: %s"), spec->endpoint, zmq_strerror(zmq_errno()));
        connections_destroy(conns);
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

server_t *server_new(void *zmq_ctx, store_t *store, const server_options_t *options, char *why,
                     size_t why_len)
{
    const config_service_t *cfg = options->config;
    curve_pair_t curve = {{0}, {0}};
    if (curve_endpoint(cfg->command) || curve_endpoint(cfg->events)) {
        char path[CONFIG_PATH_MAX + 80], reason[512];
        curve_key_path(options->settings, cfg->name, true, path, sizeof path);
        if (curve_load_pair(path, &curve, reason, sizeof reason) != 0) {
            snprintf(why, why_len, _("tcp endpoints need this daemon's CURVE key: %s"), reason);
            return NULL;
        }
    }
    access_t *access = access_new(zmq_ctx, options->settings, options->id, why, why_len);
    if (!access)
        return NULL;
    /* Hard cap: a peer sending far more than the soft limit is disconnected
     * before its message is buffered; up to the cap it gets an error reply. */
    int64_t hard_cap = (int64_t)cfg->max_message * 2;
    if (hard_cap < SERVER_HARD_CAP_MIN)
        hard_cap = SERVER_HARD_CAP_MIN;
    char command_name[48], events_name[48];
    snprintf(command_name, sizeof command_name, "%s-command", cfg->name);
    snprintf(events_name, sizeof events_name, "%s-events", cfg->name);
    const socket_spec_t command = {ZMQ_ROUTER, cfg->command, hard_cap, SERVER_CLIENT_QUEUE,
                                   ACCESS_DOMAIN_COMMAND, command_name};
    const socket_spec_t events = {ZMQ_PUB, cfg->events, 0, cfg->subscriber_queue,
                                  ACCESS_DOMAIN_EVENTS, events_name};
    connections_t *clients = NULL, *subscribers = NULL;
    void *router = s_socket(zmq_ctx, &command, &curve, &clients, why, why_len);
    void *pub = router ? s_socket(zmq_ctx, &events, &curve, &subscribers, why, why_len) : NULL;
    secret_wipe(&curve, sizeof curve);
    if (!pub) {
        connections_destroy(&clients);
        if (router)
            zmq_close(router);
        access_destroy(&access);
        return NULL;
    }
    access_limit(access, ACCESS_DOMAIN_COMMAND, clients, (size_t)cfg->max_clients,
                 N_("clients"));
    access_limit(access, ACCESS_DOMAIN_EVENTS, subscribers, (size_t)cfg->max_subscribers,
                 N_("subscribers"));
    server_t *self = xcalloc(1, sizeof *self);
    self->access = access;
    self->clients = clients;
    self->subscribers = subscribers;
    self->options = *options;
    self->store = store;
    self->router = router;
    self->pub = pub;
    self->eventlog = eventlog_new(store, options->events_dbi, options->meta_dbi, cfg->name, pub);
    self->batch = xcalloc((size_t)cfg->batch_max, sizeof *self->batch);
    self->started_ms = clock_now_ms();
    return self;
}

void server_destroy(server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    eventlog_destroy(&self->eventlog);
    connections_destroy(&self->clients);
    connections_destroy(&self->subscribers);
    zmq_close(self->router);
    zmq_close(self->pub);
    access_destroy(&self->access);
    /* libzmq leaves ipc socket files behind; a client seeing none knows at
     * once that no daemon listens. */
    const config_service_t *cfg = self->options.config;
    const char *endpoints[] = {cfg->command, cfg->events};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(endpoints[i], "ipc://", 6) == 0)
            unlink(endpoints[i] + 6);
    free(self->batch);
    free(self);
    *self_p = NULL;
}

void server_add_reader(server_t *self, void *socket, server_reader_fn fn, void *arg)
{
    if (self->reader_count == SERVER_MAX_READERS)
        fatalx("too many readers on the server loop");
    self->readers[self->reader_count++] = (reader_t){socket, -1, fn, arg};
}

void server_add_fd_reader(server_t *self, int fd, server_reader_fn fn, void *arg)
{
    if (self->reader_count == SERVER_MAX_READERS)
        fatalx("too many readers on the server loop");
    self->readers[self->reader_count++] = (reader_t){NULL, fd, fn, arg};
}

void server_add_timer(server_t *self, server_timer_fn fn, void *arg)
{
    if (self->timer_count == SERVER_MAX_TIMERS)
        fatalx("too many timers on the server loop");
    self->timers[self->timer_count++] = (timer_t_){fn, arg, clock_monotonic_ms()};
}

/* Dead readers' slots are also freed before every write (store.c); this
 * frees them while the daemon is idle, so the reader table never fills. */
static int64_t s_reader_check(server_t *self, void *arg)
{
    (void)arg;
    store_reader_check(self->store);
    return SERVER_READER_CHECK_MS;
}

/* The store's log: checkpoints start and end between batches. */
static int64_t s_store_maintain(server_t *self, void *arg)
{
    (void)arg;
    return store_maintain(self->store);
}

static int64_t s_heartbeat(server_t *self, void *arg)
{
    (void)arg;
    eventlog_heartbeat(self->eventlog, clock_now_ms());
    return SERVER_HEARTBEAT_MS;
}

/* Runs due timers; returns the poll timeout until the next one. */
static long s_run_timers(server_t *self)
{
    int64_t now = clock_monotonic_ms();
    int64_t next = now + 60000;
    for (size_t i = 0; i < self->timer_count; i++) {
        timer_t_ *t = &self->timers[i];
        if (t->due_ms <= now)
            t->due_ms = now + t->fn(self, t->arg);
        if (t->due_ms < next)
            next = t->due_ms;
    }
    return (long)(next > now ? next - now : 0);
}

static volatile sig_atomic_t s_stop, s_reload;
static int s_wake_pipe[2] = {-1, -1};

static void s_on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP)
        s_reload = 1;
    else
        s_stop = 1;
    if (write(s_wake_pipe[1], "", 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
    errno = saved;
}

static void s_install_signals(void)
{
    if (s_wake_pipe[0] < 0 && pipe2(s_wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        fatal("pipe2");
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* SIGHUP: what can change while running changes; a bad file changes
 * nothing and says why. */
static void s_reload_config(server_t *self)
{
    config_t *cfg = self->options.settings;
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld", (long long)clock_monotonic_us());
    char why[1024];
    if (config_reload(cfg, why, sizeof why) != 0) {
        log_error("reload refused, configuration unchanged: %s", why);
    } else {
        log_set_level(cfg->log_level);
        i18n_set_language(cfg->language);
        access_reload(self->access, cfg);
        if (self->options.reloaded)
            self->options.reloaded(self, self->options.service);
        log_info("configuration reloaded from %s", cfg->path[0] ? cfg->path : _("(defaults)"));
    }
    sd_notify(0, "READY=1");
}

static void s_on_monitor(server_t *self, void *socket, void *arg)
{
    (void)self;
    (void)socket;
    connections_drain(arg);
}

/* systemd's watchdog: pinged from the loop, so a stuck loop is restarted. */
static int64_t s_watchdog(server_t *self, void *arg)
{
    (void)self;
    int64_t every_ms = *(int64_t *)arg;
    sd_notify(0, "WATCHDOG=1");
    return every_ms;
}

void server_run(server_t *self)
{
    s_install_signals();
    server_add_timer(self, s_heartbeat, NULL);
    server_add_timer(self, s_reader_check, NULL);
    server_add_timer(self, s_store_maintain, NULL);
    uint64_t watchdog_us = 0;
    static int64_t watchdog_every_ms;
    if (sd_watchdog_enabled(0, &watchdog_us) > 0) {
        watchdog_every_ms = (int64_t)(watchdog_us / 2000);
        server_add_timer(self, s_watchdog, &watchdog_every_ms);
    }
    /* the connection monitors' news is read as it comes (connections.h) */
    if (self->clients)
        server_add_reader(self, connections_socket(self->clients), s_on_monitor, self->clients);
    if (self->subscribers)
        server_add_reader(self, connections_socket(self->subscribers), s_on_monitor,
                          self->subscribers);
    zmq_pollitem_t items[3 + SERVER_MAX_READERS];
    size_t n = 0;
    items[n++] = (zmq_pollitem_t){NULL, s_wake_pipe[0], ZMQ_POLLIN, 0};
    items[n++] = (zmq_pollitem_t){self->router, 0, ZMQ_POLLIN, 0};
    items[n++] = (zmq_pollitem_t){access_socket(self->access), 0, ZMQ_POLLIN, 0};
    for (size_t i = 0; i < self->reader_count; i++)
        items[n++] = (zmq_pollitem_t){self->readers[i].socket, self->readers[i].fd, ZMQ_POLLIN,
                                      0};

    /* The store is open and every socket bound: systemd may start what
     * depends on this daemon. */
    sd_notify(0, "READY=1");
    while (!s_stop) {
        long timeout = s_run_timers(self);
        int rc = zmq_poll(items, (int)n, timeout);
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            if (zmq_errno() == ETERM)
                break;
            fatalx("zmq_poll: %s", zmq_strerror(zmq_errno()));
        }
        if (s_stop)
            break;
        if (items[0].revents & ZMQ_POLLIN) {
            char drain[64];
            while (read(s_wake_pipe[0], drain, sizeof drain) > 0) {
            }
        }
        if (s_reload) {
            s_reload = 0;
            s_reload_config(self);
        }
        if (items[2].revents & ZMQ_POLLIN)
            access_handle(self->access);
        if (items[1].revents & ZMQ_POLLIN)
            server_handle_requests(self);
        for (size_t i = 0; i < self->reader_count; i++)
            if (items[3 + i].revents & ZMQ_POLLIN)
                self->readers[i].fn(self, self->readers[i].socket, self->readers[i].arg);
    }
    sd_notify(0, "STOPPING=1");
}
