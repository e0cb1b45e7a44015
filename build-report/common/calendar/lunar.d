build-report/common/calendar/lunar.o: common/calendar/lunar.c \
 common/calendar/lunar.h common/base/date.h
common/calendar/lunar.h:
common/base/date.h:
