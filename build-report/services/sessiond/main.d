build-report/services/sessiond/main.o: services/sessiond/main.c \
 common/base/i18n.h common/base/log.h common/runtime/clock.h \
 common/runtime/config.h common/runtime/server.h \
 common/runtime/eventlog.h common/runtime/store.h \
 build-report/gen/thuky/event.pb-c.h build-report/gen/thuky/task.pb-c.h \
 build-report/gen/thuky/session.pb-c.h \
 build-report/gen/thuky/notify.pb-c.h build-report/gen/thuky/web.pb-c.h \
 common/runtime/subscriber.h common/runtime/curve.h \
 build-report/gen/thuky/envelope.pb-c.h common/service/daemon.h \
 common/calendar/workcal.h common/service/calendar_watch.h \
 services/sessiond/session_store.h services/sessiond/sessiond.h \
 common/domain/sitting.h
common/base/i18n.h:
common/base/log.h:
common/runtime/clock.h:
common/runtime/config.h:
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
common/service/daemon.h:
common/calendar/workcal.h:
common/service/calendar_watch.h:
services/sessiond/session_store.h:
services/sessiond/sessiond.h:
common/domain/sitting.h:
