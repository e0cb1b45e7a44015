build-cli2/common/domain/sitting.o: common/domain/sitting.c \
 common/domain/sitting.h build-cli2/gen/thuky/session.pb-c.h \
 common/base/date.h common/base/i18n.h common/domain/repeat.h
common/domain/sitting.h:
build-cli2/gen/thuky/session.pb-c.h:
common/base/date.h:
common/base/i18n.h:
common/domain/repeat.h:
