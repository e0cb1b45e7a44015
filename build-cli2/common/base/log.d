build-cli2/common/base/log.o: common/base/log.c common/base/log.h \
 common/base/i18n.h
common/base/log.h:
common/base/i18n.h:
