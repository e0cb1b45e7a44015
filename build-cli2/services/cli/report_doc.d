build-cli2/services/cli/report_doc.o: services/cli/report_doc.c \
 common/base/date.h common/base/log.h common/domain/deadline.h \
 common/calendar/workcal.h common/domain/sitting.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 common/text/table.h services/cli/report_private.h common/text/strbuf.h \
 services/cli/report_doc.h services/cli/cli.h common/base/i18n.h \
 common/runtime/client.h common/runtime/curve.h common/runtime/config.h \
 build-cli2/gen/thuky/envelope.pb-c.h
common/base/date.h:
common/base/log.h:
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
common/text/table.h:
services/cli/report_private.h:
common/text/strbuf.h:
services/cli/report_doc.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
build-cli2/gen/thuky/envelope.pb-c.h:
