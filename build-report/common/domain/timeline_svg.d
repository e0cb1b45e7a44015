build-report/common/domain/timeline_svg.o: common/domain/timeline_svg.c \
 common/domain/timeline_svg.h common/text/strbuf.h common/base/log.h \
 build-report/gen/thuky/session.pb-c.h build-report/gen/thuky/task.pb-c.h \
 common/base/date.h
common/domain/timeline_svg.h:
common/text/strbuf.h:
common/base/log.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
common/base/date.h:
