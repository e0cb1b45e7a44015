build-report/gen/thuky/notify.pb-c.o: \
 build-report/gen/thuky/notify.pb-c.c \
 build-report/gen/thuky/notify.pb-c.h
build-report/gen/thuky/notify.pb-c.h:
