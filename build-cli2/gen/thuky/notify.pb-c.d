build-cli2/gen/thuky/notify.pb-c.o: build-cli2/gen/thuky/notify.pb-c.c \
 build-cli2/gen/thuky/notify.pb-c.h
build-cli2/gen/thuky/notify.pb-c.h:
