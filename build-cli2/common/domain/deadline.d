build-cli2/common/domain/deadline.o: common/domain/deadline.c \
 common/domain/deadline.h common/calendar/workcal.h \
 common/domain/sitting.h build-cli2/gen/thuky/session.pb-c.h \
 build-cli2/gen/thuky/task.pb-c.h common/base/date.h common/base/i18n.h
common/domain/deadline.h:
common/calendar/workcal.h:
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
common/base/date.h:
common/base/i18n.h:
