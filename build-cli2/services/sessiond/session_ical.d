build-cli2/services/sessiond/session_ical.o: \
 services/sessiond/session_ical.c services/sessiond/session_ical.h \
 build-cli2/gen/thuky/session.pb-c.h common/base/date.h \
 common/base/i18n.h common/base/log.h common/domain/repeat.h \
 common/text/strbuf.h common/text/utf8.h
services/sessiond/session_ical.h:
build-cli2/gen/thuky/session.pb-c.h:
common/base/date.h:
common/base/i18n.h:
common/base/log.h:
common/domain/repeat.h:
common/text/strbuf.h:
common/text/utf8.h:
