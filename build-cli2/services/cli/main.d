build-cli2/services/cli/main.o: services/cli/main.c common/base/log.h \
 services/cli/cli.h common/base/i18n.h common/runtime/client.h \
 common/runtime/curve.h common/runtime/config.h \
 build-cli2/gen/thuky/envelope.pb-c.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h
common/base/log.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
build-cli2/gen/thuky/envelope.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
