build-cli2/common/domain/alert_text.o: common/domain/alert_text.c \
 common/domain/alert_text.h common/base/date.h common/base/log.h \
 common/text/strbuf.h common/text/utf8.h
common/domain/alert_text.h:
common/base/date.h:
common/base/log.h:
common/text/strbuf.h:
common/text/utf8.h:
