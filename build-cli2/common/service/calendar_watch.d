build-cli2/common/service/calendar_watch.o: \
 common/service/calendar_watch.c common/service/calendar_watch.h \
 common/calendar/workcal.h common/runtime/store.h common/base/date.h \
 common/base/i18n.h
common/service/calendar_watch.h:
common/calendar/workcal.h:
common/runtime/store.h:
common/base/date.h:
common/base/i18n.h:
