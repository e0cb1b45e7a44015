build-report/common/base/date.o: common/base/date.c common/base/date.h \
 common/base/i18n.h
common/base/date.h:
common/base/i18n.h:
