build-report/services/cli/cmd_calendar.o: services/cli/cmd_calendar.c \
 common/base/date.h common/calendar/workcal.h common/text/table.h \
 services/cli/cli.h common/base/i18n.h common/runtime/client.h \
 common/runtime/curve.h common/runtime/config.h common/base/log.h \
 build-report/gen/thuky/envelope.pb-c.h \
 build-report/gen/thuky/session.pb-c.h build-report/gen/thuky/task.pb-c.h
common/base/date.h:
common/calendar/workcal.h:
common/text/table.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/log.h:
build-report/gen/thuky/envelope.pb-c.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
