build-cli2/services/cli/report_html.o: services/cli/report_html.c \
 common/base/date.h common/domain/timeline_svg.h common/text/strbuf.h \
 common/base/log.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h services/cli/report_private.h \
 services/cli/report_doc.h services/cli/cli.h common/base/i18n.h \
 common/runtime/client.h common/runtime/curve.h common/runtime/config.h \
 build-cli2/gen/thuky/envelope.pb-c.h
common/base/date.h:
common/domain/timeline_svg.h:
common/text/strbuf.h:
common/base/log.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
services/cli/report_private.h:
services/cli/report_doc.h:
services/cli/cli.h:
common/base/i18n.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
build-cli2/gen/thuky/envelope.pb-c.h:
