build-report/gen/thuky/web.pb-c.o: build-report/gen/thuky/web.pb-c.c \
 build-report/gen/thuky/web.pb-c.h
build-report/gen/thuky/web.pb-c.h:
