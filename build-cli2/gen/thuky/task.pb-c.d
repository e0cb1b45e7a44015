build-cli2/gen/thuky/task.pb-c.o: build-cli2/gen/thuky/task.pb-c.c \
 build-cli2/gen/thuky/task.pb-c.h
build-cli2/gen/thuky/task.pb-c.h:
