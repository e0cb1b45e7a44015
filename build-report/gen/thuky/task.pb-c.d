build-report/gen/thuky/task.pb-c.o: build-report/gen/thuky/task.pb-c.c \
 build-report/gen/thuky/task.pb-c.h
build-report/gen/thuky/task.pb-c.h:
