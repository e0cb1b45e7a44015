build-report/common/base/i18n.o: common/base/i18n.c common/base/i18n.h
common/base/i18n.h:
