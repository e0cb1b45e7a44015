build-report/services/cli/import_sittings.o: \
 services/cli/import_sittings.c common/domain/sitting.h \
 build-report/gen/thuky/session.pb-c.h services/cli/cli.h \
 common/base/i18n.h common/runtime/client.h common/runtime/curve.h \
 common/runtime/config.h common/base/log.h \
 build-report/gen/thuky/envelope.pb-c.h \
 build-report/gen/thuky/task.pb-c.h
common/domain/sitting.h:
build-report/gen/thuky/session.pb-c.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/log.h:
build-report/gen/thuky/envelope.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
