build-cli2/gen/thuky/envelope.pb-c.o: \
 build-cli2/gen/thuky/envelope.pb-c.c \
 build-cli2/gen/thuky/envelope.pb-c.h
build-cli2/gen/thuky/envelope.pb-c.h:
