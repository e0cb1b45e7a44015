build-cli2/services/cli/progress.o: services/cli/progress.c \
 services/cli/progress.h common/base/i18n.h common/runtime/clock.h \
 common/text/strbuf.h common/base/log.h common/text/utf8.h
services/cli/progress.h:
common/base/i18n.h:
common/runtime/clock.h:
common/text/strbuf.h:
common/base/log.h:
common/text/utf8.h:
