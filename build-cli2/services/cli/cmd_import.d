build-cli2/services/cli/cmd_import.o: services/cli/cmd_import.c \
 common/base/log.h common/domain/deadline.h common/calendar/workcal.h \
 common/domain/sitting.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h services/cli/cli.h common/base/i18n.h \
 common/runtime/client.h common/runtime/curve.h common/runtime/config.h \
 build-cli2/gen/thuky/envelope.pb-c.h services/cli/progress.h
common/base/log.h:
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
build-cli2/gen/thuky/envelope.pb-c.h:
services/cli/progress.h:
