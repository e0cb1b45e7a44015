build-report/services/cli/cmd_events.o: services/cli/cmd_events.c \
 common/runtime/secret.h common/runtime/subscriber.h common/base/i18n.h \
 common/runtime/curve.h common/runtime/config.h common/base/log.h \
 common/runtime/store.h build-report/gen/thuky/event.pb-c.h \
 build-report/gen/thuky/task.pb-c.h build-report/gen/thuky/session.pb-c.h \
 build-report/gen/thuky/notify.pb-c.h build-report/gen/thuky/web.pb-c.h \
 services/cli/cli.h common/runtime/client.h \
 build-report/gen/thuky/envelope.pb-c.h
common/runtime/secret.h:
common/runtime/subscriber.h:
common/base/i18n.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/log.h:
common/runtime/store.h:
build-report/gen/thuky/event.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/notify.pb-c.h:
build-report/gen/thuky/web.pb-c.h:
services/cli/cli.h:
common/runtime/client.h:
build-report/gen/thuky/envelope.pb-c.h:
