build-report/gen/thuky/envelope.pb-c.o: \
 build-report/gen/thuky/envelope.pb-c.c \
 build-report/gen/thuky/envelope.pb-c.h
build-report/gen/thuky/envelope.pb-c.h:
