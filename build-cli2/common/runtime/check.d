build-cli2/common/runtime/check.o: common/runtime/check.c \
 common/runtime/check.h common/runtime/server.h common/runtime/config.h \
 common/base/i18n.h common/base/log.h common/runtime/eventlog.h \
 common/runtime/store.h build-cli2/gen/thuky/event.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/notify.pb-c.h build-cli2/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-cli2/gen/thuky/envelope.pb-c.h
common/runtime/check.h:
common/runtime/server.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
