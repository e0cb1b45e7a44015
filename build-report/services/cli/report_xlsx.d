build-report/services/cli/report_xlsx.o: services/cli/report_xlsx.c \
 common/base/date.h services/cli/report_private.h common/text/strbuf.h \
 common/base/log.h services/cli/report_doc.h services/cli/cli.h \
 common/base/i18n.h common/runtime/client.h common/runtime/curve.h \
 common/runtime/config.h build-report/gen/thuky/envelope.pb-c.h \
 build-report/gen/thuky/session.pb-c.h build-report/gen/thuky/task.pb-c.h
common/base/date.h:
services/cli/report_private.h:
common/text/strbuf.h:
common/base/log.h:
services/cli/report_doc.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
build-report/gen/thuky/envelope.pb-c.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
