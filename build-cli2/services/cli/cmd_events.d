build-cli2/services/cli/cmd_events.o: services/cli/cmd_events.c \
 common/runtime/secret.h common/runtime/subscriber.h common/base/i18n.h \
 common/runtime/curve.h common/runtime/config.h common/base/log.h \
 common/runtime/store.h build-cli2/gen/thuky/event.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/notify.pb-c.h build-cli2/gen/thuky/web.pb-c.h \
 services/cli/cli.h common/runtime/client.h \
 build-cli2/gen/thuky/envelope.pb-c.h
common/runtime/secret.h:
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
services/cli/cli.h:
common/runtime/client.h:
build-cli2/gen/thuky/envelope.pb-c.h:
