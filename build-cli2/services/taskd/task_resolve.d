build-cli2/services/taskd/task_resolve.o: services/taskd/task_resolve.c \
 common/base/date.h common/base/i18n.h common/domain/deadline.h \
 common/calendar/workcal.h common/domain/sitting.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 services/taskd/task_store.h common/runtime/store.h \
 services/taskd/taskd.h common/runtime/config.h common/base/log.h \
 common/runtime/eventlog.h build-cli2/gen/thuky/event.pb-c.h \
 build-cli2/gen/thuky/notify.pb-c.h build-cli2/gen/thuky/web.pb-c.h \
 common/runtime/server.h common/runtime/subscriber.h \
 common/runtime/curve.h build-cli2/gen/thuky/envelope.pb-c.h \
 common/service/calendar_watch.h
common/base/date.h:
common/base/i18n.h:
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
services/taskd/task_store.h:
common/runtime/store.h:
services/taskd/taskd.h:
common/runtime/config.h:
common/base/log.h:
common/runtime/eventlog.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/server.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
common/service/calendar_watch.h:
