build-report/gen/thuky/session.pb-c.o: \
 build-report/gen/thuky/session.pb-c.c \
 build-report/gen/thuky/session.pb-c.h
build-report/gen/thuky/session.pb-c.h:
