build-cli2/common/runtime/eventlog.o: common/runtime/eventlog.c \
 common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/base/log.h \
 common/runtime/client.h common/runtime/curve.h common/runtime/config.h \
 common/base/i18n.h build-cli2/gen/thuky/envelope.pb-c.h \
 common/runtime/keys.h common/runtime/wire_text.h
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/base/log.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/i18n.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/runtime/keys.h:
common/runtime/wire_text.h:
