build-cli2/services/cli/render_session.o: services/cli/render_session.c \
 common/base/date.h common/domain/sitting.h \
 build-cli2/gen/thuky/session.pb-c.h common/text/table.h \
 services/cli/cli.h common/base/i18n.h common/runtime/client.h \
 common/runtime/curve.h common/runtime/config.h common/base/log.h \
 build-cli2/gen/thuky/envelope.pb-c.h build-cli2/gen/thuky/task.pb-c.h
common/base/date.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
common/text/table.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/log.h:
build-cli2/gen/thuky/envelope.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
