build-cli2/services/taskd/task_check.o: services/taskd/task_check.c \
 services/taskd/task_check.h common/runtime/check.h \
 common/runtime/server.h common/runtime/config.h common/base/i18n.h \
 common/base/log.h common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/runtime/subscriber.h \
 common/runtime/curve.h build-cli2/gen/thuky/envelope.pb-c.h \
 common/base/date.h common/domain/deadline.h common/calendar/workcal.h \
 common/domain/sitting.h
services/taskd/task_check.h:
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
common/base/date.h:
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
