build-report/common/runtime/client.o: common/runtime/client.c \
 common/runtime/client.h common/runtime/curve.h common/runtime/config.h \
 common/base/i18n.h common/base/log.h \
 build-report/gen/thuky/envelope.pb-c.h common/runtime/clock.h \
 common/runtime/secret.h
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
build-report/gen/thuky/envelope.pb-c.h:
common/runtime/clock.h:
common/runtime/secret.h:
