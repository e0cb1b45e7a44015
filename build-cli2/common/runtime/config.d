build-cli2/common/runtime/config.o: common/runtime/config.c \
 common/runtime/config.h common/base/i18n.h common/base/log.h \
 common/base/date.h
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
common/base/date.h:
