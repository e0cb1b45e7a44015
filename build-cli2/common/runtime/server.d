build-cli2/common/runtime/server.o: common/runtime/server.c \
 common/base/i18n.h common/base/log.h common/runtime/clock.h \
 common/runtime/curve.h common/runtime/config.h common/runtime/paths.h \
 common/runtime/secret.h common/runtime/server_private.h \
 common/runtime/access.h common/runtime/connections.h \
 common/runtime/server.h common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/runtime/subscriber.h \
 build-cli2/gen/thuky/envelope.pb-c.h
common/base/i18n.h:
common/base/log.h:
common/runtime/clock.h:
common/runtime/curve.h:
common/runtime/config.h:
common/runtime/paths.h:
common/runtime/secret.h:
common/runtime/server_private.h:
common/runtime/access.h:
common/runtime/connections.h:
common/runtime/server.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
build-cli2/gen/thuky/envelope.pb-c.h:
