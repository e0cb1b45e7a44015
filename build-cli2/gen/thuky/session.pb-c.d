build-cli2/gen/thuky/session.pb-c.o: build-cli2/gen/thuky/session.pb-c.c \
 build-cli2/gen/thuky/session.pb-c.h
build-cli2/gen/thuky/session.pb-c.h:
