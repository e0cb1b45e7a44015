build-report/common/calendar/workcal.o: common/calendar/workcal.c \
 common/calendar/workcal.h common/base/date.h common/base/i18n.h \
 common/base/log.h common/calendar/lunar.h common/text/utf8.h
common/calendar/workcal.h:
common/base/date.h:
common/base/i18n.h:
common/base/log.h:
common/calendar/lunar.h:
common/text/utf8.h:
