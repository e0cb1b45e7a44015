build-report/services/webd/web_backend.o: services/webd/web_backend.c \
 services/webd/web_backend.h common/runtime/client.h \
 common/runtime/curve.h common/runtime/config.h common/base/i18n.h \
 common/base/log.h build-report/gen/thuky/envelope.pb-c.h \
 common/runtime/clock.h
services/webd/web_backend.h:
common/runtime/client.h:
common/runtime/curve.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
build-report/gen/thuky/envelope.pb-c.h:
common/runtime/clock.h:
