build-cli2/services/taskd/task_commands.o: services/taskd/task_commands.c \
 common/base/date.h common/base/i18n.h common/base/log.h \
 common/domain/deadline.h common/calendar/workcal.h \
 common/domain/sitting.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h common/runtime/keys.h \
 services/taskd/task_check.h common/runtime/check.h \
 common/runtime/server.h common/runtime/config.h \
 common/runtime/eventlog.h common/runtime/store.h \
 build-cli2/gen/thuky/event.pb-c.h build-cli2/gen/thuky/notify.pb-c.h \
 build-cli2/gen/thuky/web.pb-c.h common/runtime/subscriber.h \
 common/runtime/curve.h build-cli2/gen/thuky/envelope.pb-c.h \
 services/taskd/task_store.h services/taskd/taskd.h \
 common/service/calendar_watch.h
common/base/date.h:
common/base/i18n.h:
common/base/log.h:
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
common/runtime/keys.h:
services/taskd/task_check.h:
common/runtime/check.h:
common/runtime/server.h:
common/runtime/config.h:
common/runtime/eventlog.h:
common/runtime/store.h:
build-cli2/gen/thuky/event.pb-c.h:
build-cli2/gen/thuky/notify.pb-c.h:
build-cli2/gen/thuky/web.pb-c.h:
common/runtime/subscriber.h:
common/runtime/curve.h:
build-cli2/gen/thuky/envelope.pb-c.h:
services/taskd/task_store.h:
services/taskd/taskd.h:
common/service/calendar_watch.h:
