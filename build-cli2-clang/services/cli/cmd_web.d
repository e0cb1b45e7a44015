build-cli2-clang/services/cli/cmd_web.o: services/cli/cmd_web.c \
  common/runtime/proto_json.h common/text/table.h \
  build-cli2-clang/gen/thuky/web.pb-c.h services/cli/cli.h \
  common/base/i18n.h common/runtime/client.h common/runtime/curve.h \
  common/runtime/config.h common/base/log.h \
  build-cli2-clang/gen/thuky/envelope.pb-c.h \
  build-cli2-clang/gen/thuky/session.pb-c.h \
  build-cli2-clang/gen/thuky/task.pb-c.h

common/runtime/proto_json.h:

common/text/table.h:

build-cli2-clang/gen/thuky/web.pb-c.h:

services/cli/cli.h:

common/base/i18n.h:

common/runtime/client.h:

common/runtime/curve.h:

common/runtime/config.h:

common/base/log.h:

build-cli2-clang/gen/thuky/envelope.pb-c.h:

build-cli2-clang/gen/thuky/session.pb-c.h:

build-cli2-clang/gen/thuky/task.pb-c.h:
