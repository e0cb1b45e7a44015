build-cli2/common/runtime/subscriber.o: common/runtime/subscriber.c \
 common/runtime/subscriber.h common/base/i18n.h common/runtime/curve.h \
 common/runtime/config.h common/base/log.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/runtime/client.h \
 build-cli2/gen/thuky/envelope.pb-c.h common/runtime/clock.h \
 common/runtime/eventlog.h common/runtime/keys.h \
 common/runtime/proto_clean.h common/text/utf8.h
common/runtime/subscriber.h:
common/base/i18n.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/log.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/client.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/runtime/clock.h:
common/runtime/eventlog.h:
common/runtime/keys.h:
common/runtime/proto_clean.h:
common/text/utf8.h:
