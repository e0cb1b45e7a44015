build-cli2/common/runtime/access.o: common/runtime/access.c \
 common/runtime/access.h common/runtime/config.h common/base/i18n.h \
 common/base/log.h common/runtime/connections.h common/runtime/clock.h \
 common/runtime/curve.h
common/runtime/access.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
common/runtime/connections.h:
common/runtime/clock.h:
common/runtime/curve.h:
