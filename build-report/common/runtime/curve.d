build-report/common/runtime/curve.o: common/runtime/curve.c \
 common/runtime/curve.h common/runtime/config.h common/base/i18n.h \
 common/base/log.h common/runtime/secret.h
common/runtime/curve.h:
common/runtime/config.h:
common/base/i18n.h:
common/base/log.h:
common/runtime/secret.h:
