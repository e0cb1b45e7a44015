build-cli2/services/cli/cmd_office.o: services/cli/cmd_office.c \
 common/text/table.h build-cli2/gen/thuky/notify.pb-c.h \
 services/cli/cli.h common/base/i18n.h common/runtime/client.h \
 common/runtime/curve.h common/runtime/config.h common/base/log.h \
 build-cli2/gen/thuky/envelope.pb-c.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h
common/text/table.h:
build-cli2/gen/thuky/notify.pb-c.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/log.h:
build-cli2/gen/thuky/envelope.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
