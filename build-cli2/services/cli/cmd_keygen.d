build-cli2/services/cli/cmd_keygen.o: services/cli/cmd_keygen.c \
 common/runtime/curve.h common/runtime/config.h common/base/i18n.h \
 common/base/log.h services/cli/cli.h common/runtime/client.h \
 build-cli2/gen/thuky/envelope.pb-c.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h
common/runtime/curve.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
services/cli/cli.h:
common/runtime/client.h:
build-cli2/gen/thuky/envelope.pb-c.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
