build-report/common/runtime/server_request.o: \
 common/runtime/server_request.c common/base/log.h common/runtime/clock.h \
 common/runtime/keys.h common/runtime/proto_clean.h \
 common/runtime/server_private.h common/runtime/access.h \
 common/runtime/config.h common/base/i18n.h common/runtime/connections.h \
 common/runtime/server.h common/runtime/eventlog.h common/runtime/store.h \
 build-report/gen/thuky/event.pb-c.h build-report/gen/thuky/task.pb-c.h \
 build-report/gen/thuky/session.pb-c.h \
 build-report/gen/thuky/notify.pb-c.h build-report/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-report/gen/thuky/envelope.pb-c.h common/runtime/wire_text.h
common/base/log.h:
common/runtime/clock.h:
common/runtime/keys.h:
common/runtime/proto_clean.h:
common/runtime/server_private.h:
common/runtime/access.h:
common/runtime/config.h:
common/base/i18n.h:
common/runtime/connections.h:
common/runtime/server.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-report/gen/thuky/event.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/notify.pb-c.h:
build-report/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-report/gen/thuky/envelope.pb-c.h:
common/runtime/wire_text.h:
