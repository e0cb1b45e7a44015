build-report/services/taskd/task_store.o: services/taskd/task_store.c \
 services/taskd/task_store.h common/runtime/store.h \
 build-report/gen/thuky/task.pb-c.h common/base/date.h common/base/log.h \
 common/domain/deadline.h common/calendar/workcal.h \
 common/domain/sitting.h build-report/gen/thuky/session.pb-c.h \
 common/runtime/keys.h
services/taskd/task_store.h:
common/runtime/store.h:
build-report/gen/thuky/task.pb-c.h:
common/base/date.h:
common/base/log.h:
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
build-report/gen/thuky/session.pb-c.h:
common/runtime/keys.h:
