build-cli2/common/domain/repeat.o: common/domain/repeat.c \
 common/domain/repeat.h common/base/date.h common/base/i18n.h \
 common/text/utf8.h
common/domain/repeat.h:
common/base/date.h:
common/base/i18n.h:
common/text/utf8.h:
