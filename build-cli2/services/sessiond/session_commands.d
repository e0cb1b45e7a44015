build-cli2/services/sessiond/session_commands.o: \
 services/sessiond/session_commands.c common/base/date.h \
 common/base/i18n.h common/base/log.h common/domain/repeat.h \
 common/runtime/check.h common/runtime/server.h common/runtime/config.h \
 common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/runtime/subscriber.h \
 common/runtime/curve.h build-cli2/gen/thuky/envelope.pb-c.h \
 common/runtime/keys.h services/sessiond/session_store.h \
 services/sessiond/sessiond.h common/calendar/workcal.h \
 common/domain/sitting.h common/service/calendar_watch.h
common/base/date.h:
common/base/i18n.h:
common/base/log.h:
common/domain/repeat.h:
common/runtime/check.h:
common/runtime/server.h:
common/runtime/config.h:
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
common/runtime/keys.h:
services/sessiond/session_store.h:
services/sessiond/sessiond.h:
common/calendar/workcal.h:
common/domain/sitting.h:
common/service/calendar_watch.h:
