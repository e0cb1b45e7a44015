build-report/gen/thuky/event.pb-c.o: build-report/gen/thuky/event.pb-c.c \
 build-report/gen/thuky/event.pb-c.h build-report/gen/thuky/task.pb-c.h \
 build-report/gen/thuky/session.pb-c.h \
 build-report/gen/thuky/notify.pb-c.h build-report/gen/thuky/web.pb-c.h
build-report/gen/thuky/event.pb-c.h:
build-report/gen/thuky/task.pb-c.h:
build-report/gen/thuky/session.pb-c.h:
build-report/gen/thuky/notify.pb-c.h:
build-report/gen/thuky/web.pb-c.h:
