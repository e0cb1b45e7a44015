build-report/common/runtime/store.o: common/runtime/store.c \
 common/runtime/store.h common/base/i18n.h common/base/log.h \
 common/runtime/paths.h
common/runtime/store.h:
common/base/i18n.h:
common/base/log.h:
common/runtime/paths.h:
