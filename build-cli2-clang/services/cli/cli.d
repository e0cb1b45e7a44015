build-cli2-clang/services/cli/cli.o: services/cli/cli.c \
  services/cli/cli.h common/base/i18n.h common/runtime/client.h \
  common/runtime/curve.h common/runtime/config.h common/base/log.h \
  build-cli2-clang/gen/thuky/envelope.pb-c.h \
  build-cli2-clang/gen/thuky/session.pb-c.h \
  build-cli2-clang/gen/thuky/task.pb-c.h common/base/date.h \
  common/runtime/clock.h common/runtime/secret.h common/text/table.h \
  services/cli/progress.h

services/cli/cli.h:

common/base/i18n.h:

common/runtime/client.h:

common/runtime/curve.h:

common/runtime/config.h:

common/base/log.h:

build-cli2-clang/gen/thuky/envelope.pb-c.h:

build-cli2-clang/gen/thuky/session.pb-c.h:

build-cli2-clang/gen/thuky/task.pb-c.h:

common/base/date.h:

common/runtime/clock.h:

common/runtime/secret.h:

common/text/table.h:

services/cli/progress.h:
