build-cli2/common/domain/timeline_svg.o: common/domain/timeline_svg.c \
 common/domain/timeline_svg.h common/text/strbuf.h common/base/log.h \
 build-cli2/gen/thuky/session.pb-c.h build-cli2/gen/thuky/task.pb-c.h \
 common/base/date.h
common/domain/timeline_svg.h:
common/text/strbuf.h:
common/base/log.h:
build-cli2/gen/thuky/session.pb-c.h:
build-cli2/gen/thuky/task.pb-c.h:
common/base/date.h:
